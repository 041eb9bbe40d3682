//! `oversight`: the operations center's server and its command line (see `../shared/contract`).

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use server::config::Config;
use server::db::Database;
use std::io::Read;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "oversight",
    version,
    about = "The inspection commission's operations center"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serves HTTP on OVERSIGHT_ADDR (default 127.0.0.1:3000); an empty database gets the demo data.
    Serve,
    /// (Re)generates the deterministic demo data set.
    Seed {
        #[arg(long, default_value = "demo")]
        size: String,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The day the data ends (YYYY-MM-DD); default today.
        #[arg(long)]
        as_of: Option<String>,
        /// Write the cases through the ingest path (checked and upserted, as other systems'
        /// data lands) instead of a bare COPY; `--size large` always does.
        #[arg(long)]
        through_ingest: bool,
    },
    /// Manages user accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manages bearer tokens for machine clients.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Map geometry.
    Boundaries {
        #[command(subcommand)]
        command: BoundariesCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Creates a user; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        scope: String,
    },
    /// Sets up a new authenticator app for a user (the old one and every session end) and prints
    /// its secret and new recovery codes, to hand over in person.
    Totp {
        #[arg(long)]
        username: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Prints a new bearer token (alone, on the last line).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        scope: String,
        /// The data source the token writes as (for information systems that push data).
        #[arg(long)]
        source: Option<String>,
    },
    /// Revokes every live token of this name; a wall display shows a neutral screen at once.
    Revoke {
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum BoundariesCommand {
    /// Replaces map geometry with real boundaries from a GeoJSON file.
    Import {
        file: std::path::PathBuf,
        #[arg(long)]
        level: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Checks the hash chain end to end; exit 1 at the first broken entry.
    Verify,
}

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=error,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<std::process::ExitCode> {
    let config = Arc::new(Config::from_env()?);
    // The key of the authenticator secrets, kept outside the database; secrets an older version
    // stored in clear are sealed with it.
    let key = server::auth::secret_key::SecretKey::load(&config.data_dir)?;
    server::auth::secret_key::install(key)?;
    let db = Database::open(&config).await?;
    server::auth::secret_key::seal_clear_secrets(&db.pool).await?;
    let result = command(cli.command.unwrap_or(Command::Serve), &config, &db).await;
    db.close().await;
    result
}

async fn command(
    cmd: Command,
    config: &Arc<Config>,
    db: &Database,
) -> anyhow::Result<std::process::ExitCode> {
    use std::process::ExitCode;
    let pool = &db.pool;
    match cmd {
        Command::Serve => {
            if server::db::is_empty(pool).await? {
                tracing::info!("empty database: loading the demo data set");
                seed(pool, "demo", 1, None, false).await?;
            }
            serve(config.clone(), pool.clone()).await?;
        }
        Command::Seed {
            size,
            seed: n,
            as_of,
            through_ingest,
        } => seed(pool, &size, n, as_of.as_deref(), through_ingest).await?,
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    scope,
                },
        } => {
            let role: domain::Role = role.parse().context("--role")?;
            check_unit(pool, &scope).await?;
            let mut password = String::new();
            std::io::stdin().read_to_string(&mut password)?;
            let password = password.trim_end_matches(['\n', '\r']);
            if password.chars().count() < 10 {
                bail!("the password (read from standard input) must have at least 10 characters");
            }
            let hash = server::auth::hash_password(password)?;
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar("INSERT INTO app_user (username, password_hash, role, scope) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(&username)
                .bind(hash)
                .bind(role.as_str())
                .bind(&scope)
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| match e {
                    sqlx::Error::Database(d) if d.is_unique_violation() => anyhow::anyhow!("--username: '{username}' exists already"),
                    sqlx::Error::Database(d) if d.is_check_violation() => anyhow::anyhow!("--username: use 2 to 64 letters, digits, '.', '_' or '-'"),
                    other => other.into(),
                })?;
            // Roles that must log in with a second factor get their authenticator app now.
            let enrolment = if role.needs_second_factor() {
                let secret = server::auth::totp::new_secret();
                Some(server::auth::second_factor::enrol_now(&mut tx, id, &username, &secret).await?)
            } else {
                None
            };
            tx.commit().await?;
            server::audit::append(
                pool,
                "cli",
                "user_add",
                &username,
                serde_json::json!({"role": role.as_str(), "scope": scope}),
            )
            .await?;
            println!("user '{username}' created: role {role}, scope {scope}");
            if let Some(e) = enrolment {
                print_enrolment(&e);
            }
        }
        Command::User {
            command: UserCommand::Totp { username },
        } => {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar("SELECT id FROM app_user WHERE username = $1")
                .bind(&username)
                .fetch_optional(&mut *tx)
                .await?
                .with_context(|| format!("--username: no user '{username}'"))?;
            let secret = server::auth::totp::new_secret();
            let e = server::auth::second_factor::enrol_now(&mut tx, id, &username, &secret).await?;
            tx.commit().await?;
            server::audit::append(
                pool,
                "cli",
                "second_factor_enrolled",
                &username,
                serde_json::json!({}),
            )
            .await?;
            println!("user '{username}': a new authenticator app is set up; every session ended");
            print_enrolment(&e);
        }
        Command::Token {
            command:
                TokenCommand::Create {
                    name,
                    role,
                    scope,
                    source,
                },
        } => {
            let role: domain::Role = role.parse().context("--role")?;
            check_unit(pool, &scope).await?;
            let token =
                server::auth::token::create(pool, &name, role, &scope, source.as_deref()).await?;
            server::audit::append(
                pool,
                "cli",
                "token_create",
                &name,
                serde_json::json!({"role": role.as_str(), "scope": scope}),
            )
            .await?;
            println!("token '{name}' created: role {role}, scope {scope}; it is shown once:");
            if role == domain::Role::Display {
                // The wall opens at this address (the token rides in the URL's fragment); its
                // scenes are set on /displays.
                println!("wall: {}", domain::display::wall_url(&token));
            }
            println!("{token}");
        }
        Command::Token {
            command: TokenCommand::Revoke { name },
        } => {
            let n = server::display::revoke_tokens_named(pool, &name, "cli")
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if n == 0 {
                bail!("--name: no live token is named '{name}'");
            }
            println!("revoked {n} token(s) named '{name}'");
        }
        Command::Boundaries {
            command: BoundariesCommand::Import { file, level },
        } => {
            let report = server::geography::import(pool, &file, &level).await?;
            println!("{report}");
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => match server::audit::verify(pool).await? {
            server::audit::Verdict::Intact(n) => println!("audit trail intact: {n} entries"),
            server::audit::Verdict::BrokenAt { id, reason } => {
                println!("audit trail broken at entry {id}: {reason}");
                return Ok(ExitCode::from(1));
            }
        },
    }
    Ok(ExitCode::SUCCESS)
}

async fn check_unit(pool: &sqlx::PgPool, code: &str) -> anyhow::Result<()> {
    let code = domain::UnitCode::parse(code).context("--scope")?;
    let exists: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM unit WHERE code = $1)")
        .bind(code.as_str())
        .fetch_one(pool)
        .await?;
    if !exists {
        bail!("--scope: no unit has the code '{code}'");
    }
    Ok(())
}

async fn seed(
    pool: &sqlx::PgPool,
    size: &str,
    n: u64,
    as_of: Option<&str>,
    through_ingest: bool,
) -> anyhow::Result<()> {
    let size: server::seed::Size = size.parse().map_err(|e| anyhow::anyhow!("--size: {e}"))?;
    let as_of = match as_of {
        Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .context("--as-of: expected YYYY-MM-DD")?,
        None => chrono::Local::now().date_naive(),
    };
    let opts = server::seed::SeedOptions {
        size,
        seed: n,
        as_of,
        progress: true,
        through_ingest,
    };
    let report = server::seed::run(pool, &opts).await?;
    let shapes = server::geography::load_shipped(pool).await?;
    server::audit::append(
        pool,
        "cli",
        "seed",
        size.as_str(),
        serde_json::json!({"seed": n, "as_of": as_of.to_string()}),
    )
    .await?;
    eprintln!(
        "seeded '{}' (seed {n}, as of {as_of}): {} units, {} members, {} cases, {} directives, {} tasks, {} targets, {} planted anomalies, {} map shapes in {:.1} s",
        size.as_str(),
        report.units,
        report.members,
        report.cases,
        report.directives,
        report.tasks,
        report.targets,
        report.anomalies,
        shapes,
        report.elapsed.as_secs_f64()
    );
    Ok(())
}

/// How long a stopping server waits for its open requests (an ingest batch finishing) before it
/// ends anyway. A batch cut off then is rolled back whole and was never answered 2xx.
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(60);

async fn serve(config: Arc<Config>, pool: sqlx::PgPool) -> anyhow::Result<()> {
    server::quality::spawn_watch(pool.clone());
    server::rollup::spawn_compactor(pool.clone());
    let hub = server::events::Hub::new(pool.clone());
    server::warning::spawn(pool.clone(), hub.clone());
    server::report::schedule::spawn(pool.clone());
    server::notices::spawn_reminders(pool.clone(), server::notices::SWEEP_EVERY);
    let app = server::http::app_with(config.clone(), pool, hub.clone());
    let listener = tokio::net::TcpListener::bind(config.addr)
        .await
        .with_context(|| format!("listening on {}", config.addr))?;
    let stopping = Arc::new(tokio::sync::Notify::new());
    let signalled = stopping.clone();
    // At the signal the server stops accepting, answers what it has accepted (a batch being
    // written is committed before its 2xx is sent) and then ends; the database is closed after.
    let stop = async move {
        shutdown_signal().await;
        tracing::info!("stopping: finishing the open requests");
        // Open event streams end, so that the open requests can finish.
        hub.close();
        signalled.notify_one();
    };
    let serving = async move {
        if let Some(files) = &config.tls {
            let acceptor = server::tls::acceptor(files)?;
            tracing::info!("Oversight is serving on https://{}", config.addr);
            server::tls::serve(listener, app, acceptor, stop).await
        } else {
            tracing::info!("Oversight is serving on http://{}", config.addr);
            // The peer's address reaches the rate limits (`http::ratelimit`).
            axum::serve(
                listener,
                app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .with_graceful_shutdown(stop)
            .await
            .map_err(anyhow::Error::from)
        }
    };
    let overdue = async {
        stopping.notified().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        served = serving => served?,
        () = overdue => tracing::warn!(
            "open requests did not finish within {} s; stopping without them",
            SHUTDOWN_GRACE.as_secs()
        ),
    }
    tracing::info!("stopped");
    Ok(())
}

/// Prints a new second factor, to hand to its person: the secret, its address, recovery codes.
fn print_enrolment(e: &server::auth::second_factor::Enrolment) {
    println!("second factor (add to an authenticator app; shown once):");
    println!("  secret: {}", e.secret);
    println!("  address: {}", e.uri);
    println!("recovery codes (each works once; shown once):");
    for c in &e.recovery_codes {
        println!("  {c}");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
