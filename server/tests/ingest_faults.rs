//! Ingest under faults, each in its own process (this file's tests run one at a time): a 500 MB
//! body streams through in bounded memory, or is refused over the limit leaving nothing; and a
//! server killed in the middle of a batch leaves nothing of it, after which re-sending lands it
//! whole. The second runs the real `oversight` binary on a throwaway database over real TCP.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bytes::Bytes;
use common::{TestApp, commune_of, hanoi_token, scalar};
use serde_json::{Value, json};
use server::ingest::IngestLimits;
use sqlx::PgPool;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

/// The tests here measure memory and kill processes: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::const_new(());

/// Cases, batches and the source's counters: what a batch would change.
async fn footprint(pool: &PgPool) -> (i64, i64, i64) {
    (
        scalar(pool, "SELECT count(*) FROM cases").await,
        scalar(pool, "SELECT count(*) FROM ingest_batch").await,
        scalar(
            pool,
            "SELECT rows_accepted + rows_rejected FROM data_source WHERE code = 'HT-UBKT-01'",
        )
        .await,
    )
}

fn case(id: &str, commune: &str) -> Value {
    json!({
        "source": "HT-UBKT-01", "external_id": id, "kind": "complaint", "conducting_unit": "01",
        "subject": {"type": "member", "unit": commune, "ref": "ĐV-1"}, "sector": "land",
        "status": "in_progress", "opened_on": "2026-03-01", "due_on": "2026-12-31"
    })
}

/// 500 MB of NDJSON made as it is sent: 1,000 lines of 500 KB, each a case followed by spaces
/// (JSON allows them; a record may have up to 1 MiB).
fn five_hundred_mb(commune: String, tag: &'static str) -> Body {
    let pad = " ".repeat(500 * 1000 - 400);
    let lines = (0..1000).map(move |i| {
        let mut line = case(&format!("{tag}-{i}"), &commune).to_string();
        line.push_str(&pad);
        line.push('\n');
        Ok::<_, std::io::Error>(Bytes::from(line))
    });
    Body::from_stream(futures::stream::iter(lines))
}

#[tokio::test]
async fn a_500_mb_body_streams_through_in_bounded_memory_and_over_the_limit_leaves_nothing() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let post = |body: Body| {
        Request::post("/api/v1/ingest/cases")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/x-ndjson")
            .body(body)
            .unwrap()
    };

    // Under the default limit (1 GiB): read whole, its 1,000 cases land, memory stays small.
    let memory = server::testing::PeakMemory::start(Duration::from_millis(10));
    let base = server::testing::resident_bytes();
    let started = Instant::now();
    let (status, _, report) = app
        .send(post(five_hundred_mb(commune.clone(), "BIG")))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["accepted"].clone(), report["rejected"].clone()),
        (json!(1000), json!(0))
    );
    let grew = memory.peak().saturating_sub(base);
    eprintln!(
        "500 MB in {:.1} s; resident memory grew by {:.0} MB at most",
        started.elapsed().as_secs_f64(),
        grew as f64 / 1e6
    );
    assert!(
        grew < 150_000_000,
        "memory grew by {grew} bytes for a 500 MB body"
    );
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM cases WHERE external_id LIKE 'BIG-%'"
        )
        .await,
        1000
    );

    // Over a 256 MB limit, sent without a length: 413 once the limit is passed, nothing kept.
    let before = footprint(pool).await;
    let limited = app.router.clone().layer(axum::Extension(IngestLimits {
        max_bytes: 256 << 20,
    }));
    let res = tower::ServiceExt::oneshot(limited, post(five_hundred_mb(commune, "OVER")))
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    let refusal: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(refusal["field"], "body");
    assert_eq!(
        refusal["error"],
        format!(
            "the body is larger than the limit of {} bytes",
            256u64 << 20
        )
    );
    assert_eq!(footprint(pool).await, before);
}

/// The real server on the test's database, listening on a free port.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    fn start(url: &str) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_oversight"))
            .arg("serve")
            .env("DATABASE_URL", url)
            .env("OVERSIGHT_ADDR", format!("127.0.0.1:{port}"))
            .env("OVERSIGHT_DATA_DIR", "target/unused")
            .env(
                "OVERSIGHT_SECRET_KEY",
                server::testing::test_secret_key_hex(),
            )
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the oversight binary");
        let deadline = Instant::now() + Duration::from_secs(60);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "the server did not listen");
            std::thread::sleep(Duration::from_millis(50));
        }
        Server { child, port }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Opens a POST of an NDJSON batch of `length` bytes; the caller writes the body.
fn open_batch(port: u16, token: &str, length: usize) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST /api/v1/ingest/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/x-ndjson\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    s
}

#[tokio::test]
async fn a_server_killed_mid_batch_keeps_nothing_of_it_and_a_resend_lands_whole() {
    let _one = ONE_AT_A_TIME.lock().await;
    let db = server::testing::seeded_database().await;
    let pool = &db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    // 60,000 cases: three chunks of 20,000, each written inside the batch's one transaction.
    let body: String = (0..60_000)
        .map(|i| format!("{}\n", case(&format!("KILL-{i}"), &commune)))
        .collect();
    let before = footprint(pool).await;

    let mut server = Server::start(&db.url);
    let opened = Instant::now();
    let mut stream = open_batch(server.port, &token, body.len());
    // Two thirds of the body: at least one chunk has been written when the server dies.
    let cut = body.len() * 2 / 3;
    stream.write_all(&body.as_bytes()[..cut]).unwrap();
    stream.flush().unwrap();
    // Wait until the batch's transaction upserts its first chunk into `cases`.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let upserting = scalar(
            pool,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND query LIKE '%INSERT INTO cases AS c%'",
        )
        .await;
        if upserting > 0 {
            break;
        }
        assert!(Instant::now() < deadline, "the batch never wrote a chunk");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    eprintln!(
        "killing the server {:.1} s into the batch, {cut} of {} bytes sent",
        opened.elapsed().as_secs_f64(),
        body.len()
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    drop(stream);
    // PostgreSQL rolls the orphaned transaction back when its connection drops.
    let deadline = Instant::now() + Duration::from_secs(30);
    while scalar(
        pool,
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
         AND pid <> pg_backend_pid() AND backend_type = 'client backend' \
         AND application_name <> 'psql' AND state <> 'idle'",
    )
    .await
        > 0
    {
        assert!(
            Instant::now() < deadline,
            "the killed server's session lingers"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        footprint(pool).await,
        before,
        "a killed batch left something"
    );
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM cases WHERE external_id LIKE 'KILL-%'"
        )
        .await,
        0
    );

    // Started again, the same batch sent again lands whole.
    let server = Server::start(&db.url);
    let mut stream = open_batch(server.port, &token, body.len());
    stream.write_all(body.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    let json = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
    let report: Value = serde_json::from_str(json.trim()).unwrap_or(Value::Null);
    assert_eq!(report["accepted"], 60_000, "{answer}");
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM cases WHERE external_id LIKE 'KILL-%'"
        )
        .await,
        60_000
    );
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM ingest_batch").await,
        before.1 + 1
    );
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(bytes).unwrap();
    z.finish().unwrap()
}

#[tokio::test]
async fn a_gzip_body_is_read_decompressed_and_its_limit_counts_what_it_decompresses_to() {
    let _one = ONE_AT_A_TIME.lock().await;
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let ndjson: String = (0..50)
        .map(|i| format!("{}\n", case(&format!("GZ-{i}"), &commune)))
        .collect();
    let post = |router: axum::Router, encoding: &str, body: Vec<u8>| {
        let req = Request::post("/api/v1/ingest/cases")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/x-ndjson")
            .header(header::CONTENT_ENCODING, encoding)
            .body(Body::from(body))
            .unwrap();
        async move {
            let res = tower::ServiceExt::oneshot(router, req).await.unwrap();
            let status = res.status();
            let bytes = http_body_util::BodyExt::collect(res.into_body())
                .await
                .unwrap()
                .to_bytes();
            (
                status,
                serde_json::from_slice::<Value>(&bytes).unwrap_or(Value::Null),
            )
        }
    };
    let (status, report) = post(app.router.clone(), "gzip", gzip(ndjson.as_bytes())).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["accepted"], 50);
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM cases WHERE external_id LIKE 'GZ-%'"
        )
        .await,
        50
    );
    // 40 MB of blank lines compress to a few tens of kilobytes: over a 16 MB limit once read.
    let before = footprint(pool).await;
    let bomb = gzip(&vec![b'\n'; 40 << 20]);
    assert!(bomb.len() < 1 << 20);
    let limited = app.router.clone().layer(axum::Extension(IngestLimits {
        max_bytes: 16 << 20,
    }));
    let (status, refusal) = post(limited, "gzip", bomb).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{refusal}");
    assert_eq!(refusal["field"], "body");
    assert_eq!(footprint(pool).await, before);
    // An encoding the server does not read is 415.
    let (status, _) = post(app.router.clone(), "compress", ndjson.into_bytes()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}
