//! The ingest benchmark: case rows through `POST /api/v1/ingest/cases` (NDJSON and CSV: read,
//! checked, upserted by `(source, external_id)`, committed), next to a bare PostgreSQL `COPY` of the
//! same rows into a table with no index or constraint, measured in the same run as the ceiling;
//! with the process's resident memory sampled throughout (the bodies are generated while they are
//! sent, so what is measured is the route's own memory). Run by `cargo xtask bench-ingest
//! [--rows N]`, which writes `docs/benchmarks/ingest.md`.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bytes::Bytes;
use domain::Role;
use http_body_util::BodyExt;
use server::config::Config;
use std::fmt::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// Rows generated and sent per body chunk.
const CHUNK: usize = 2_000;

/// The units a generated row names.
#[derive(Clone)]
struct Commune {
    code: String,
    path: String,
    province: String,
}

#[derive(Clone, Copy, PartialEq)]
enum Shape {
    Ndjson,
    Csv,
    /// PostgreSQL's COPY text format, in the bare table's columns.
    Copy,
}

const KINDS: [&str; 4] = [
    "supervision_thematic",
    "inspection_violation_signs",
    "complaint",
    "inspection_finance",
];
const SECTORS: [&str; 5] = [
    "land",
    "finance_budget",
    "construction",
    "health",
    "personnel",
];
const CSV_HEADER: &str = "source,external_id,kind,theme,conducting_unit,subject.type,subject.unit,\
    subject.ref,sector,status,opened_on,due_on,concluded_on,violation,violation_categories,\
    amount_vnd,discipline.form,discipline.decided_on,location.lat,location.lon\n";

/// Row `i` of a pass, in one of the shapes: a full case about a member of a Hà Nội commune, its
/// kind, sector, dates and amount varying with `i`.
fn row(out: &mut String, shape: Shape, tag: &str, i: usize, communes: &[Commune]) {
    let c = &communes[i % communes.len()];
    let kind = KINDS[i % KINDS.len()];
    let sector = SECTORS[(i / 7) % SECTORS.len()];
    let month = 1 + i % 12;
    let day = 1 + i % 28;
    let amount = 1_000_000 + (i as u64 * 7_919) % 900_000_000;
    let lat = 20.9 + (i % 300) as f64 * 0.001;
    let lon = 105.7 + (i % 400) as f64 * 0.001;
    let _ = match shape {
        Shape::Ndjson => writeln!(
            out,
            r#"{{"source":"HT-UBKT-01","external_id":"B-{tag}-{i}","kind":"{kind}","theme":"Quản lý đất đai, quy hoạch","conducting_unit":"01","subject":{{"type":"member","unit":"{code}","ref":"ĐV-{i}"}},"sector":"{sector}","status":"concluded","opened_on":"2025-{month:02}-{day:02}","due_on":"2025-12-31","concluded_on":"2025-12-{day:02}","violation":true,"violation_categories":["land_management","corruption"],"amount_vnd":{amount},"discipline":{{"form":"warning","decided_on":"2025-12-30"}},"location":{{"lat":{lat:.4},"lon":{lon:.4}}}}}"#,
            code = c.code
        ),
        Shape::Csv => writeln!(
            out,
            "HT-UBKT-01,B-{tag}-{i},{kind},\"Quản lý đất đai, quy hoạch\",01,member,{code},ĐV-{i},\
             {sector},concluded,2025-{month:02}-{day:02},2025-12-31,2025-12-{day:02},true,\
             land_management;corruption,{amount},warning,2025-12-30,{lat:.4},{lon:.4}",
            code = c.code
        ),
        Shape::Copy => writeln!(
            out,
            "HT-UBKT-01\tB-{tag}-{i}\t{kind}\tQuản lý đất đai, quy hoạch\t01\tmember\t{code}\t\
             ĐV-{i}\t{path}\t{province}\t{sector}\tconcluded\t2025-{month:02}-{day:02}\t2025-12-31\t\
             2025-12-{day:02}\tt\t{{land_management,corruption}}\t{amount}\twarning\t2025-12-30\t\
             {lat:.4}\t{lon:.4}\tbench\t1",
            code = c.code,
            path = c.path,
            province = c.province
        ),
    };
}

/// The rows of a pass as a stream of body chunks, generated as they are taken.
fn body_stream(
    shape: Shape,
    tag: &'static str,
    rows: usize,
    communes: Arc<Vec<Commune>>,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let header = (shape == Shape::Csv).then(|| Ok(Bytes::from_static(CSV_HEADER.as_bytes())));
    let chunks = (0..rows.div_ceil(CHUNK)).map(move |k| {
        let mut out = String::with_capacity(CHUNK * 520);
        for i in k * CHUNK..((k + 1) * CHUNK).min(rows) {
            row(&mut out, shape, tag, i, &communes);
        }
        Ok(Bytes::from(out))
    });
    futures::stream::iter(header.into_iter().chain(chunks))
}

/// One measured pass.
struct Pass {
    what: String,
    rows: usize,
    bytes: u64,
    secs: f64,
    peak_rss: u64,
}

impl Pass {
    fn rate(&self) -> f64 {
        self.rows as f64 / self.secs
    }
}

/// Counts the bytes of a stream as they go by.
fn counted<S>(
    s: S,
    bytes: Arc<AtomicU64>,
) -> impl futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static
where
    S: futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
{
    use futures::StreamExt;
    s.map(move |chunk| {
        if let Ok(b) = &chunk {
            bytes.fetch_add(b.len() as u64, Ordering::Relaxed);
        }
        chunk
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let rows: usize = value("--rows").map_or(Ok(1_000_000), |v| v.parse())?;
    let out = value("--out");

    let memory = server::testing::PeakMemory::start(Duration::from_millis(20));
    let db = server::testing::seeded_database().await;
    let pool = db.pool.clone();
    let config = Arc::new(Config {
        addr: "127.0.0.1:0".parse()?,
        database_url: Some(db.url.clone()),
        data_dir: "target/unused".into(),
        site_dir: "target/site".into(),
        secure_cookies: false,
        ingest_max_bytes: server::ingest::DEFAULT_MAX_BYTES,
        frame_ancestors: Vec::new(),
        tls: None,
        // The benchmark pushes batches as fast as it can: no limit, as before.
        rate_limits: server::config::RateLimits::off(),
        session_recheck: Duration::from_secs(5),
        answer_cache: Duration::from_secs(60),
    });
    let router = server::http::app(config, pool.clone());
    let token =
        server::auth::token::create(&pool, "bench", Role::DataOfficer, "01", Some("HT-UBKT-01"))
            .await?;
    let communes: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT code, path::text, province FROM unit WHERE parent = '01' AND level = 'commune' \
         ORDER BY code",
    )
    .fetch_all(&pool)
    .await?;
    let communes = Arc::new(
        communes
            .into_iter()
            .map(|(code, path, province)| Commune {
                code,
                path,
                province,
            })
            .collect::<Vec<_>>(),
    );
    let cases_before: i64 = sqlx::query_scalar("SELECT count(*) FROM cases")
        .fetch_one(&pool)
        .await?;
    println!(
        "ingest benchmark: {rows} rows a pass, {} communes, {cases_before} cases already stored",
        communes.len()
    );

    let mut passes = Vec::new();
    // The ceiling: the same rows, COPY'd into a table with no index, constraint or key.
    sqlx::query(
        "CREATE TABLE bench_bare (source text, external_id text, kind text, theme text, \
         conducting_unit text, subject_type text, subject_unit text, subject_ref text, path ltree, \
         province text, sector text, status text, opened_on date, due_on date, concluded_on date, \
         violation boolean, violation_categories text[], amount_vnd bigint, discipline_form text, \
         discipline_decided_on date, lat double precision, lon double precision, \
         written_by text, batch bigint)",
    )
    .execute(&pool)
    .await?;
    {
        use futures::StreamExt;
        memory.reset();
        let started = Instant::now();
        let mut conn = pool.acquire().await?;
        let mut copy = conn
            .copy_in_raw(
                "COPY bench_bare (source, external_id, kind, theme, conducting_unit, \
                 subject_type, subject_unit, subject_ref, path, province, sector, status, \
                 opened_on, due_on, concluded_on, violation, violation_categories, amount_vnd, \
                 discipline_form, discipline_decided_on, lat, lon, written_by, batch) FROM STDIN",
            )
            .await?;
        let mut body = std::pin::pin!(body_stream(Shape::Copy, "COPY", rows, communes.clone()));
        let mut bytes = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk?;
            bytes += chunk.len() as u64;
            copy.send(chunk).await?;
        }
        let copied = copy.finish().await?;
        anyhow::ensure!(copied == rows as u64, "COPY took {copied} rows of {rows}");
        passes.push(Pass {
            what: "bare `COPY` into an unindexed table (ceiling)".into(),
            rows,
            bytes,
            secs: started.elapsed().as_secs_f64(),
            peak_rss: memory.peak(),
        });
    }

    {
        // The database's own share: the same rows upserted into `cases` (all its indexes and
        // checks) by one statement from the unindexed table, no client work at all.
        memory.reset();
        let started = Instant::now();
        let cols = "source, external_id, kind, theme, conducting_unit, subject_type, subject_unit, \
            subject_ref, path, province, sector, status, opened_on, due_on, concluded_on, violation, \
            violation_categories, amount_vnd, discipline_form, discipline_decided_on, lat, lon, \
            written_by, batch";
        let done = sqlx::query(&format!(
            "INSERT INTO cases ({cols}) SELECT {cols} FROM bench_bare \
             ON CONFLICT (source, external_id) DO NOTHING"
        ))
        .execute(&pool)
        .await?;
        anyhow::ensure!(done.rows_affected() == rows as u64, "upserted {done:?}");
        passes.push(Pass {
            what:
                "PostgreSQL alone: one `INSERT … SELECT … ON CONFLICT` of those rows into `cases`"
                    .into(),
            rows,
            bytes: 0,
            secs: started.elapsed().as_secs_f64(),
            peak_rss: memory.peak(),
        });
    }

    for (shape, name, content_type, tag) in [
        (Shape::Ndjson, "NDJSON", "application/x-ndjson", "ND"),
        (Shape::Csv, "CSV", "text/csv", "CSV"),
    ] {
        for pass in ["new rows (insert)", "the same rows again (update)"] {
            memory.reset();
            let bytes = Arc::new(AtomicU64::new(0));
            let body = Body::from_stream(counted(
                body_stream(shape, tag, rows, communes.clone()),
                bytes.clone(),
            ));
            let req = Request::post("/api/v1/ingest/cases")
                .header(header::AUTHORIZATION, format!("Bearer {token}"))
                .header(header::CONTENT_TYPE, content_type)
                .body(body)?;
            let started = Instant::now();
            let res = router.clone().oneshot(req).await?;
            let status = res.status();
            let answer = res.into_body().collect().await?.to_bytes();
            let secs = started.elapsed().as_secs_f64();
            let report: serde_json::Value = serde_json::from_slice(&answer)?;
            anyhow::ensure!(
                status == StatusCode::OK && report["accepted"] == rows && report["rejected"] == 0,
                "{name} {pass}: {status} {report}"
            );
            let p = Pass {
                what: format!("{name}, {pass}"),
                rows,
                bytes: bytes.load(Ordering::Relaxed),
                secs,
                peak_rss: memory.peak(),
            };
            println!(
                "{:45} {:>9.0} rows/s  {:6.1} MB/s  peak RSS {:.0} MB",
                p.what,
                p.rate(),
                p.bytes as f64 / 1e6 / secs,
                p.peak_rss as f64 / 1e6
            );
            passes.push(p);
        }
    }
    for bare in &passes[..2] {
        println!(
            "{:45} {:>9.0} rows/s  {:6.1} MB/s  peak RSS {:.0} MB",
            bare.what,
            bare.rate(),
            bare.bytes as f64 / 1e6 / bare.secs,
            bare.peak_rss as f64 / 1e6
        );
    }
    let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM cases")
        .fetch_one(&pool)
        .await?;
    anyhow::ensure!(
        stored == cases_before + 3 * rows as i64,
        "cases: {stored}, expected {cases_before} + 3 × {rows}"
    );
    drop(memory);

    if let Some(out) = out {
        std::fs::write(&out, table(rows, cases_before, &passes))?;
        println!("written to {out}");
    }
    Ok(())
}

/// Megabytes with one decimal, `–` for none.
fn mb(bytes: f64) -> String {
    if bytes > 0.0 {
        format!("{:.1}", bytes / 1e6)
    } else {
        "–".into()
    }
}

/// The Markdown report: how it was made, on what, and the figures against the target.
fn table(rows: usize, before: i64, passes: &[Pass]) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load: Vec<&str> = load.split_whitespace().take(3).collect();
    let mut s = String::from(
        "# Ingest benchmark\n\n\
         Case rows through `POST /api/v1/ingest/cases` (the route in-process, the body streamed as it \
         is generated: read, checked, placed against units, sources and scope, upserted by \
         `(source, external_id)`, one transaction a batch), next to a bare PostgreSQL `COPY` of the \
         same rows into a table with no index, key or constraint, measured in the same run as the \
         ceiling. Memory is the process's resident set, sampled every 20 ms during each pass (server \
         and load generator are one process; the PostgreSQL cluster is not counted). Produced by \
         `cargo xtask bench-ingest` (`server/examples/ingest_bench.rs`, release); do not edit by hand.\n\n",
    );
    let _ = writeln!(
        s,
        "- Date: {}",
        chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
    );
    let _ = writeln!(
        s,
        "- Machine: {cpu}, {cores} cores; load average {} at the end (other work may share it)",
        load.join(" / ")
    );
    let _ = writeln!(
        s,
        "- Rows a pass: {rows}, one batch each (a full case: 20 fields, Vietnamese text); the \
         database held {before} cases (the `tiny` data set) before\n"
    );
    let _ = writeln!(
        s,
        "| pass | rows | MB | seconds | rows/s | MB/s | peak RSS (MB) |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
    for p in passes {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {:.2} | {:.0} | {} | {:.0} |",
            p.what,
            p.rows,
            mb(p.bytes as f64),
            p.secs,
            p.rate(),
            mb(p.bytes as f64 / p.secs),
            p.peak_rss as f64 / 1e6
        );
    }
    let slowest = passes[2..]
        .iter()
        .map(Pass::rate)
        .fold(f64::INFINITY, f64::min);
    let _ = writeln!(
        s,
        "\nTarget: at least 100,000 rows/s sustained, validated and upserted. Slowest route pass: \
         {slowest:.0} rows/s ({}); the ceiling (bare `COPY`): {:.0} rows/s; PostgreSQL's own \
         upsert of the same rows into `cases`, with no client work: {:.0} rows/s.",
        if slowest >= 100_000.0 {
            "met"
        } else {
            "not met"
        },
        passes[0].rate(),
        passes[1].rate()
    );
    s
}
