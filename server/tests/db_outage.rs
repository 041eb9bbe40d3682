//! Reliability when PostgreSQL goes away: the real `oversight` binary on a real port, fed ingest
//! batches without a pause, loses its database mid-traffic (a PostgreSQL cluster of this test's
//! own, stopped at once as a crash would) and gets it back. The server stays up, says it is
//! degraded, answers every request quickly with 503 and a JSON error, recovers by itself, and
//! every batch it answered 2xx is in the database (a batch answered 5xx is there whole or not at
//! all). And a stopping server finishes the batch it is writing before it ends.

mod common;

use common::{commune_of, hanoi_token, scalar};
use serde_json::{Value, json};
use server::db::{self, Cluster, MIGRATOR};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Both tests run a server process and write a lot: one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Cases a batch of the traffic carries.
const BATCH: usize = 40;

/// The longest a request may take while the database is away (the pool's acquire timeout is 3 s;
/// the rest is a debug build on a busy 2-core machine).
const ANSWER_WHILE_DOWN: Duration = Duration::from_secs(6);

fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
}

/// A PostgreSQL cluster of this test's own (not the shared test cluster: this one is stopped),
/// with the tiny data set; stopped and removed when dropped.
struct OwnCluster {
    cluster: Cluster,
    root: PathBuf,
    url: String,
}

impl OwnCluster {
    async fn seeded() -> OwnCluster {
        let root = target_dir().join(format!("db-outage-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let cluster = Cluster::at(&root);
        let c = cluster.clone();
        tokio::task::spawn_blocking(move || c.ensure_running())
            .await
            .unwrap()
            .expect("a private cluster for the outage test");
        cluster.ensure_database("oversight").await.unwrap();
        let url = cluster.database_url("oversight").unwrap();
        let pool = db::connect(&url, 4).await.unwrap();
        MIGRATOR.run(&pool).await.unwrap();
        server::testing::install_test_secret_key();
        let opts = server::seed::SeedOptions {
            size: server::seed::Size::Tiny,
            seed: server::testing::TEST_SEED,
            as_of: chrono::Local::now().date_naive(),
            progress: false,
            through_ingest: false,
        };
        server::seed::run(&pool, &opts).await.unwrap();
        pool.close().await;
        OwnCluster { cluster, root, url }
    }

    async fn crash(&self) {
        let c = self.cluster.clone();
        tokio::task::spawn_blocking(move || c.stop_immediately())
            .await
            .unwrap()
            .unwrap();
    }

    async fn start(&self) {
        let c = self.cluster.clone();
        let started = tokio::task::spawn_blocking(move || c.ensure_running())
            .await
            .unwrap()
            .unwrap();
        assert!(started);
    }
}

impl Drop for OwnCluster {
    fn drop(&mut self) {
        let _ = self.cluster.stop_immediately();
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

/// The `oversight` binary serving on a free port; killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    async fn start(url: &str, log: Option<&std::path::Path>) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let stderr = match log {
            Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
            None => Stdio::null(),
        };
        let child = Command::new(env!("CARGO_BIN_EXE_oversight"))
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("OVERSIGHT_ADDR", format!("127.0.0.1:{port}"))
            .env("OVERSIGHT_DATA_DIR", "target/unused")
            .env(
                "OVERSIGHT_SECRET_KEY",
                server::testing::test_secret_key_hex(),
            )
            .env("RUST_LOG", "info,sqlx=error")
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("the oversight binary");
        let mut server = Server { child, port };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            assert!(server.alive(), "the server exited at start");
            if let Ok(a) = server.get("/health", None).await
                && a.status == 200
            {
                return server;
            }
            assert!(Instant::now() < deadline, "the server did not come up");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    async fn get(&self, path: &str, token: Option<&str>) -> Result<Answer, String> {
        request(self.port, "GET", path, token, None).await
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    body: String,
    took: Duration,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// One HTTP/1.1 request on a connection of its own; an error when the server cannot be reached
/// or does not answer within 30 s (a hang).
async fn request(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    json_body: Option<&str>,
) -> Result<Answer, String> {
    let started = Instant::now();
    let exchange = async {
        let mut s = TcpStream::connect(("127.0.0.1", port))
            .await
            .map_err(|e| format!("connect: {e}"))?;
        let mut head =
            format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        if let Some(t) = token {
            head.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        let body = json_body.unwrap_or_default();
        if json_body.is_some() {
            head.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes())
            .await
            .map_err(|e| format!("write: {e}"))?;
        s.write_all(body.as_bytes())
            .await
            .map_err(|e| format!("write: {e}"))?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)
            .await
            .map_err(|e| format!("read: {e}"))?;
        Ok::<_, String>(raw)
    };
    let raw = tokio::time::timeout(Duration::from_secs(30), exchange)
        .await
        .map_err(|_| "no answer within 30 s".to_string())??;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("not HTTP: {text:?}"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no status: {head}"))?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Ok(Answer {
        status,
        body: if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
        took: started.elapsed(),
    })
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// A case of the Hà Nội source, about `commune`, conducted by `by`; open and due `due_on`.
fn case(id: &str, commune: &str, by: &str, due_on: &str) -> Value {
    json!({
        "source": "HT-UBKT-01", "external_id": id, "kind": "complaint", "conducting_unit": by,
        "subject": {"type": "member", "unit": commune, "ref": "ĐV-1"}, "sector": "land",
        "status": "in_progress", "opened_on": "2025-03-01", "due_on": due_on
    })
}

/// Batch `i` of the traffic: [`BATCH`] cases `OUT-i-j`.
fn batch(i: usize, commune: &str) -> String {
    let cases: Vec<Value> = (0..BATCH)
        .map(|j| case(&format!("OUT-{i}-{j}"), commune, "01", "2027-12-31"))
        .collect();
    Value::Array(cases).to_string()
}

/// What the traffic sent: batch number, when it was sent, and the answer (or why there was none).
#[derive(Debug, Clone)]
struct Sent {
    batch: usize,
    at: Instant,
    answer: Result<Answer, String>,
}

/// The event names an open event stream received, with when.
#[derive(Default)]
struct Heard {
    events: Vec<(Instant, String)>,
    ended: bool,
}

/// Opens `GET /api/v1/events` and records each event's name until the stream ends.
async fn listen(port: u16, token: String, heard: Arc<Mutex<Heard>>) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let head = format!(
        "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
    );
    s.write_all(head.as_bytes()).await.unwrap();
    let mut buf = vec![0u8; 16 * 1024];
    let mut text = String::new();
    loop {
        let n = s.read(&mut buf).await.unwrap_or(0);
        if n == 0 {
            heard.lock().unwrap().ended = true;
            return;
        }
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
        while let Some(end) = text.find('\n') {
            let line: String = text.drain(..=end).collect();
            if let Some(name) = line.trim().strip_prefix("event:") {
                heard
                    .lock()
                    .unwrap()
                    .events
                    .push((Instant::now(), name.trim().to_string()));
            }
        }
    }
}

/// Waits up to `within` for `check` to hold, polling every 200 ms; how long it took.
async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    loop {
        if check().await {
            return started.elapsed();
        }
        assert!(started.elapsed() < within, "{what}: not within {within:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_going_away_mid_traffic_degrades_then_recovers_and_loses_no_accepted_batch() {
    let _one = ONE_AT_A_TIME.lock().await;
    let pg = OwnCluster::seeded().await;
    let pool = db::connect(&pg.url, 2).await.unwrap();
    let token = hanoi_token(&pool).await;
    let commune = commune_of(&pool, "01").await;
    // A commune of Hà Nội conducting no open case past its deadline: one ingested after the
    // outage makes the warning engine raise a new alert for it.
    let idle: String = sqlx::query_scalar(
        "SELECT u.code FROM unit u WHERE u.province = '01' AND u.level = 'commune'
           AND NOT EXISTS (SELECT 1 FROM cases c WHERE c.conducting_unit = u.code
                           AND c.status IN ('planned', 'in_progress'))
         ORDER BY u.code LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    pool.close().await;

    let log_path = pg.root.join("server.log");
    let mut server = Server::start(&pg.url, Some(&log_path)).await;
    let port = server.port;
    let heard = Arc::new(Mutex::new(Heard::default()));
    tokio::spawn(listen(port, token.clone(), heard.clone()));
    // Wait for the stream's first event.
    eventually(Duration::from_secs(10), "the stream's hello", || {
        let h = heard.clone();
        async move { h.lock().unwrap().events.iter().any(|(_, e)| e == "hello") }
    })
    .await;

    // Traffic: a batch after another, each on its own connection, until told to stop.
    let sent: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let traffic = {
        let (sent, stop, token, commune) =
            (sent.clone(), stop.clone(), token.clone(), commune.clone());
        tokio::spawn(async move {
            let mut i = 0;
            while !stop.load(Ordering::Relaxed) {
                let at = Instant::now();
                let body = batch(i, &commune);
                let answer = request(
                    port,
                    "POST",
                    "/api/v1/ingest/cases",
                    Some(&token),
                    Some(&body),
                )
                .await;
                sent.lock().unwrap().push(Sent {
                    batch: i,
                    at,
                    answer,
                });
                i += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        })
    };
    let accepted = |since: Instant| {
        let sent = sent.clone();
        async move {
            sent.lock()
                .unwrap()
                .iter()
                .filter(|s| s.at >= since && matches!(&s.answer, Ok(a) if a.status == 200))
                .count()
        }
    };
    let start = Instant::now();
    eventually(Duration::from_secs(60), "batches accepted before", || {
        let a = accepted(start);
        async move { a.await >= 5 }
    })
    .await;

    // PostgreSQL goes away, as in a crash.
    pg.crash().await;
    let down = Instant::now();
    eprintln!("PostgreSQL stopped");

    // /health says so at once, and quickly.
    let health = server.get("/health", None).await.unwrap();
    assert_eq!(health.status, 503, "{health:?}");
    assert_eq!(health.json()["status"], "degraded");
    assert_eq!(health.json()["database"], "down");
    assert!(health.took < Duration::from_secs(3), "{:?}", health.took);
    let api_health = server.get("/api/v1/health", None).await.unwrap();
    assert_eq!(
        (api_health.status, api_health.json()["database"].clone()),
        (503, json!("down"))
    );
    // A read answers 503 with the JSON error, within seconds.
    let read = server.get("/api/v1/cases", Some(&token)).await.unwrap();
    assert_eq!(read.status, 503, "{read:?}");
    assert_eq!(read.json()["error"], "the database is unavailable");
    assert!(read.took < ANSWER_WHILE_DOWN, "{:?}", read.took);
    let sources = server.get("/api/v1/sources", Some(&token)).await.unwrap();
    assert_eq!(sources.status, 503, "{sources:?}");
    // The traffic goes on meeting 503s, each answered quickly.
    let refused = eventually(
        Duration::from_secs(30),
        "batches refused while down",
        || {
            let sent = sent.clone();
            async move {
                sent.lock()
                    .unwrap()
                    .iter()
                    .filter(|s| s.at > down + Duration::from_millis(100))
                    .count()
                    >= 3
            }
        },
    )
    .await;
    eprintln!(
        "three batches refused {:.1} s after the stop",
        refused.as_secs_f64()
    );
    assert!(server.alive(), "the server died with its database");
    let health = server.get("/health", None).await.unwrap();
    assert_eq!(
        (health.status, health.json()["status"].clone()),
        (503, json!("degraded"))
    );
    assert!(health.took < Duration::from_secs(3), "{:?}", health.took);

    // PostgreSQL returns; the server recovers by itself.
    pg.start().await;
    let up = Instant::now();
    let recovered = eventually(Duration::from_secs(30), "/health ok again", || {
        let port = server.port;
        async move {
            matches!(request(port, "GET", "/health", None, None).await, Ok(a) if a.status == 200)
        }
    })
    .await;
    eprintln!(
        "down for {:.1} s; /health ok {:.1} s after PostgreSQL was back",
        (up - down).as_secs_f64(),
        recovered.as_secs_f64()
    );
    eventually(Duration::from_secs(30), "batches accepted after", || {
        let a = accepted(up);
        async move { a.await >= 3 }
    })
    .await;

    stop.store(true, Ordering::Relaxed);
    traffic.await.unwrap();
    assert!(server.alive());

    // The background work resumed: the event listener listens again (the open stream, never
    // closed, is told to resync), the warning engine hears the data and raises an alert for a
    // case past its deadline, the compactor folds the rollup deltas.
    let late = Value::Array(vec![case("LATE-1", &commune, &idle, "2025-04-01")]).to_string();
    let answer = request(
        port,
        "POST",
        "/api/v1/ingest/cases",
        Some(&token),
        Some(&late),
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 200, "{answer:?}");
    let pool = db::connect(&pg.url, 2).await.unwrap();
    let key = format!("overdue:%:{idle}");
    let raised = eventually(Duration::from_secs(20), "the overdue alert", || {
        let (pool, key) = (pool.clone(), key.clone());
        async move {
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM alert WHERE dedup_key LIKE $1")
                .bind(key)
                .fetch_one(&pool)
                .await
                .unwrap_or(0)
                == 1
        }
    })
    .await;
    eprintln!(
        "the overdue alert was raised {:.1} s after its case",
        raised.as_secs_f64()
    );
    {
        let h = heard.lock().unwrap();
        assert!(!h.ended, "the event stream ended with the database");
        let after: Vec<&str> = h
            .events
            .iter()
            .filter(|(at, _)| *at > up)
            .map(|(_, e)| e.as_str())
            .collect();
        let resync = after.iter().position(|e| *e == "resync");
        assert!(
            resync.is_some(),
            "no resync after the database returned: {after:?}"
        );
        assert!(
            after[resync.unwrap_or(0)..].contains(&"data"),
            "no data event after the resync: {after:?}"
        );
    }
    eventually(Duration::from_secs(30), "the rollup deltas folded", || {
        let pool = pool.clone();
        async move {
            scalar(&pool, "SELECT (SELECT count(*) FROM rollup_day_delta) + (SELECT count(*) FROM rollup_month_delta)").await == 0
        }
    })
    .await;

    // Every answer was 200 or 503, none slow while the database was away; every batch answered
    // 200 is there whole, every batch answered 503 whole or not at all.
    let sent = sent.lock().unwrap().clone();
    let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
    let mut kept_though_refused = 0;
    for s in &sent {
        let a = s
            .answer
            .as_ref()
            .unwrap_or_else(|e| panic!("batch {}: {e}", s.batch));
        *by_status.entry(a.status).or_default() += 1;
        let n = scalar(
            &pool,
            &format!(
                "SELECT count(*) FROM cases WHERE external_id LIKE 'OUT-{}-%'",
                s.batch
            ),
        )
        .await;
        match a.status {
            200 => {
                assert_eq!(a.json()["accepted"], BATCH, "batch {}: {}", s.batch, a.body);
                assert_eq!(n, BATCH as i64, "batch {} was answered 200", s.batch);
            }
            503 => {
                assert_eq!(
                    a.json()["error"],
                    "the database is unavailable",
                    "{}",
                    a.body
                );
                assert!(
                    n == 0 || n == BATCH as i64,
                    "batch {}: {n} of {BATCH} kept",
                    s.batch
                );
                if n > 0 {
                    kept_though_refused += 1;
                }
                if s.at > down && s.at + a.took < up {
                    assert!(
                        a.took < ANSWER_WHILE_DOWN,
                        "batch {} took {:?}",
                        s.batch,
                        a.took
                    );
                }
            }
            other => panic!("batch {}: status {other}: {}", s.batch, a.body),
        }
    }
    let slowest = sent
        .iter()
        .filter(|s| s.at > down && s.at < up)
        .filter_map(|s| s.answer.as_ref().ok().map(|a| a.took))
        .max();
    eprintln!(
        "{} batches: {by_status:?}; answered 503 but kept whole: {kept_though_refused}; slowest answer while down {slowest:?}",
        sent.len()
    );
    assert!(by_status.get(&200).copied().unwrap_or(0) >= 8);
    assert!(by_status.get(&503).copied().unwrap_or(0) >= 3);
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    assert!(!log.contains("panicked"), "{log}");
    pool.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stopping_server_finishes_the_batch_it_is_writing_and_keeps_it() {
    let _one = ONE_AT_A_TIME.lock().await;
    let db = server::testing::seeded_database().await;
    let pool = &db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let mut server = Server::start(&db.url, None).await;
    // A batch long enough to be cut by the signal (a few seconds in a debug build).
    const N: usize = 20_000;
    let body = Value::Array(
        (0..N)
            .map(|j| case(&format!("STOP-{j}"), &commune, "01", "2027-12-31"))
            .collect(),
    )
    .to_string();
    let port = server.port;
    let sending = tokio::spawn(async move {
        request(
            port,
            "POST",
            "/api/v1/ingest/cases",
            Some(&token),
            Some(&body),
        )
        .await
    });
    // Once the batch writes its rows, the server is told to stop.
    eventually(Duration::from_secs(120), "the batch writing", || async {
        scalar(
            pool,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND query LIKE '%INSERT INTO cases AS c%'",
        )
        .await
            > 0
    })
    .await;
    let pid = server.child.id() as i32;
    // SAFETY: sending a signal to the child process we started.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let answer = sending.await.unwrap().expect("an answer to the batch");
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.json()["accepted"], N);
    // The server then ends by itself, cleanly.
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "the server did not stop");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert!(status.success(), "{status:?}");
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM cases WHERE external_id LIKE 'STOP-%'"
        )
        .await,
        N as i64
    );
    // Nothing answers on its port any more.
    assert!(request(port, "GET", "/health", None, None).await.is_err());
}
