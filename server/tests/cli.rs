//! The command line (`../shared/contract/README.md`) against a real database.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

fn oversight(url: &str, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_oversight"))
        .args(args)
        .env("DATABASE_URL", url)
        .env(
            "OVERSIGHT_SECRET_KEY",
            server::testing::test_secret_key_hex(),
        )
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the oversight binary runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn user_add_reads_the_password_from_standard_input_and_the_user_can_log_in() {
    let app = common::TestApp::seeded().await;
    let (code, out, err) = oversight(
        &app.db.url,
        &[
            "user",
            "add",
            "--username",
            "thanhtra.hue",
            "--role",
            "analyst",
            "--scope",
            "46",
        ],
        Some("một mật khẩu dài\n"),
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("user 'thanhtra.hue' created"));
    let cookie = app.login("thanhtra.hue", "một mật khẩu dài").await;
    let (_, me) = app.get("/api/v1/me", Some(&cookie)).await;
    assert_eq!(me["scope"], "46");
    assert_eq!(me["role"], "analyst");
}

#[tokio::test]
async fn user_add_refuses_bad_input_naming_the_option() {
    let app = common::TestApp::seeded().await;
    let (code, _, err) = oversight(
        &app.db.url,
        &[
            "user",
            "add",
            "--username",
            "x1",
            "--role",
            "boss",
            "--scope",
            "01",
        ],
        Some("long enough password"),
    );
    assert_eq!(code, 1);
    assert!(err.contains("--role"), "{err}");
    let (code, _, err) = oversight(
        &app.db.url,
        &[
            "user",
            "add",
            "--username",
            "x1",
            "--role",
            "leader",
            "--scope",
            "99",
        ],
        Some("long enough password"),
    );
    assert_eq!(code, 1);
    assert!(err.contains("--scope: no unit has the code '99'"), "{err}");
    let (code, _, err) = oversight(
        &app.db.url,
        &[
            "user",
            "add",
            "--username",
            "x1",
            "--role",
            "leader",
            "--scope",
            "01",
        ],
        Some("short"),
    );
    assert_eq!(code, 1);
    assert!(err.contains("at least 10 characters"), "{err}");
    let (code, _, err) = oversight(
        &app.db.url,
        &[
            "user",
            "add",
            "--username",
            "hanoi",
            "--role",
            "leader",
            "--scope",
            "01",
        ],
        Some("long enough password"),
    );
    assert_eq!(code, 1);
    assert!(err.contains("exists already"), "{err}");
}

#[tokio::test]
async fn a_token_is_printed_alone_on_the_last_line_and_authenticates_within_its_scope() {
    let app = common::TestApp::seeded().await;
    let (code, out, err) = oversight(
        &app.db.url,
        &[
            "token", "create", "--name", "wall-79", "--role", "display", "--scope", "79",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    let token = out.lines().last().unwrap().trim().to_string();
    assert!(token.starts_with("ovs_") && !token.contains(' '), "{out}");
    use axum::body::Body;
    use axum::http::Request;
    let req = Request::get("/api/v1/me")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, me) = app.send(req).await;
    assert_eq!(status, 200);
    assert_eq!(me["scope"], "79");
    assert_eq!(me["role"], "display");
    let req = Request::get("/api/v1/summary?unit=01")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap();
    let (status, _, _) = app.send(req).await;
    assert_eq!(status, 403);
    let req = Request::get("/api/v1/me")
        .header("authorization", "Bearer ovs_not_a_token")
        .body(Body::empty())
        .unwrap();
    let (status, _, _) = app.send(req).await;
    assert_eq!(status, 401);

    // A display token comes with its wall: the address, and the default scenes.
    let wall = out
        .lines()
        .find_map(|l| l.strip_prefix("wall: "))
        .expect("the wall's address");
    assert_eq!(wall, format!("/display#token={token}"));
    let (status, setup) = app.get_as(&token, "/api/v1/display").await;
    assert_eq!(status, 200);
    assert_eq!(setup["name"], "wall-79");
    assert_eq!(setup["scenes"].as_array().unwrap().len(), 4);
    // Revoked from the command line, it is refused; a second revoke says there is none.
    let (code, out, err) = oversight(&app.db.url, &["token", "revoke", "--name", "wall-79"], None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "revoked 1 token(s) named 'wall-79'");
    let (status, _) = app.get_as(&token, "/api/v1/display").await;
    assert_eq!(status, 401);
    let (code, _, err) = oversight(&app.db.url, &["token", "revoke", "--name", "wall-79"], None);
    assert_eq!(code, 1);
    assert!(
        err.contains("--name: no live token is named 'wall-79'"),
        "{err}"
    );
}

#[tokio::test]
async fn audit_verify_finds_the_first_altered_entry() {
    let app = common::TestApp::seeded().await;
    app.login("lanhdao", "lanhdao-demo").await;
    app.login("hanoi", "hanoi-demo").await;
    let (code, out, _) = oversight(&app.db.url, &["audit", "verify"], None);
    assert_eq!(code, 0);
    assert!(out.starts_with("audit trail intact:"), "{out}");
    // Someone with the database's superuser rights bypasses the append-only trigger and edits an entry.
    let id: i64 =
        sqlx::query_scalar("SELECT id FROM audit_log WHERE actor = 'lanhdao' AND action = 'login'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let mut tx = app.db.pool.begin().await.unwrap();
    sqlx::query("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("UPDATE audit_log SET actor = 'someone' WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (code, out, _) = oversight(&app.db.url, &["audit", "verify"], None);
    assert_eq!(code, 1);
    assert_eq!(
        out.trim(),
        format!("audit trail broken at entry {id}: its content does not match its hash")
    );
}

#[tokio::test]
async fn boundaries_import_replaces_a_province_with_a_real_shape() {
    let app = common::TestApp::seeded().await;
    let file = std::env::temp_dir().join(format!("import-{}.geojson", std::process::id()));
    std::fs::write(
        &file,
        r#"{"type":"FeatureCollection","features":[
            {"type":"Feature","properties":{"code":"01"},"geometry":{"type":"Polygon","coordinates":[[[105.3,20.6],[106.0,20.6],[106.0,21.4],[105.3,21.4],[105.3,20.6]]]}},
            {"type":"Feature","properties":{"code":"98"},"geometry":{"type":"Polygon","coordinates":[[[105.0,20.0],[105.1,20.0],[105.1,20.1],[105.0,20.0]]]}}
        ]}"#,
    )
    .unwrap();
    let (code, out, err) = oversight(
        &app.db.url,
        &[
            "boundaries",
            "import",
            file.to_str().unwrap(),
            "--level",
            "province",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 province boundaries replaced"), "{out}");
    assert!(out.contains("98"), "{out}");
    let (synthetic, source): (bool, String) =
        sqlx::query_as("SELECT synthetic, source FROM unit_geometry WHERE unit = '01' AND lod = 0")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert!(!synthetic);
    assert!(source.starts_with("import:"));
    let (code, _, err) = oversight(
        &app.db.url,
        &[
            "boundaries",
            "import",
            file.to_str().unwrap(),
            "--level",
            "district",
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(err.contains("--level"), "{err}");
    std::fs::remove_file(file).ok();
}

/// An authenticator secret an older version stored in clear is sealed when the binary starts
/// (any command), with the key kept outside the database, and gives the same codes after.
#[tokio::test]
async fn a_clear_authenticator_secret_is_sealed_when_the_binary_starts() {
    use server::auth::{secret_key, totp};
    let app = common::TestApp::seeded().await;
    let pool = &app.db.pool;
    let clear = totp::secret_text(&totp::demo_secret("hanoi"));
    sqlx::query("UPDATE app_user SET totp_secret = $1 WHERE username = 'hanoi'")
        .bind(&clear)
        .execute(pool)
        .await
        .unwrap();
    let (code, out, err) = oversight(&app.db.url, &["audit", "verify"], None);
    assert_eq!(code, 0, "{out}{err}");
    let stored: String =
        sqlx::query_scalar("SELECT totp_secret FROM app_user WHERE username = 'hanoi'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(stored.starts_with("v1:"), "{stored}");
    assert!(!stored.contains(&clear));
    assert_eq!(
        secret_key::current().unwrap().open(&stored),
        Some(totp::demo_secret("hanoi"))
    );
    // The leader logs in with the same app as before.
    app.login("hanoi", "hanoi-demo").await;
}
