//! The load test behind `cargo xtask loadtest` (docs/LOAD.md): the `large` data set, the release
//! server on its private PostgreSQL cluster, `GET /api/v1/overview` and `/summary` driven by `wrk`
//! (Debian's) with varied questions from two logged-in analysts at a fixed concurrency, while
//! 1,000 event streams stay open; the same load against a bare axum handler (`ceiling`) first.
//!
//! Phases, each against a freshly started server (`--phases`, default all):
//! - `ceiling`: examples/ceiling.rs, a constant answer;
//! - `server`: the server as deployed, its rate limits raised for the two load users;
//! - `nolimit`: the same with the rate limits off (the limiter's own cost is the difference);
//! - `uncached`: the server as before this work: every request asks the database for its session
//!   (and writes `last_seen`) and computes its answer (`OVERSIGHT_SESSION_RECHECK_SECS=0`,
//!   `OVERSIGHT_ANSWER_CACHE_SECS=0`), limits off.
//!
//! Each phase with a server first runs one unmeasured pass (the cache fills; its figures are
//! printed as the cold pass), then the measured one; halfway through it a data officer ingests
//! one case, which every scope-VN stream must receive as a `data` event (and which drops the
//! answers cached until then). Results go between the markers of `--out`.

use anyhow::{Context, bail};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The users of the load (analysts: no second factor), and the one who ingests.
const USERS: [(&str, &str); 2] = [("phantich", "phantich-demo"), ("hcm", "hcm-demo")];
const INGESTER: (&str, &str) = ("dulieu", "dulieu-demo");
/// Sessions per user that hold the event streams (screens), beside the one each uses for wrk.
const STREAM_SESSIONS: usize = 25;
/// The server's keep-alive comment interval on an event stream.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

struct Args {
    bin: PathBuf,
    ceiling: PathBuf,
    data: PathBuf,
    site: PathBuf,
    out: Option<PathBuf>,
    seconds: u64,
    warmup: u64,
    connections: u32,
    threads: u32,
    streams: usize,
    phases: Vec<String>,
}

fn args() -> anyhow::Result<Args> {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let value = |name: &str| {
        argv.iter()
            .position(|a| a == name)
            .and_then(|i| argv.get(i + 1))
            .cloned()
    };
    let num = |name: &str, default: u64| -> anyhow::Result<u64> {
        value(name).map_or(Ok(default), |v| {
            v.parse().with_context(|| format!("{name} {v}"))
        })
    };
    let root = std::env::current_dir()?;
    Ok(Args {
        bin: value("--bin").map_or_else(|| root.join("target/release/oversight"), PathBuf::from),
        ceiling: value("--ceiling").map_or_else(
            || root.join("target/release/examples/ceiling"),
            PathBuf::from,
        ),
        data: value("--data").map_or_else(|| root.join("target/load-data"), PathBuf::from),
        site: value("--site").map_or_else(|| root.join("target/site"), PathBuf::from),
        out: value("--out").map(PathBuf::from),
        seconds: num("--seconds", 30)?,
        warmup: num("--warmup", 5)?,
        connections: num("--connections", 32)? as u32,
        threads: num("--threads", 1)? as u32,
        streams: num("--streams", 1000)? as usize,
        phases: value("--phases")
            .unwrap_or_else(|| "ceiling,server,nolimit,uncached".into())
            .split(',')
            .map(str::to_string)
            .collect(),
    })
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let a = args()?;
    let wrk = which("wrk").context("wrk is not installed (apt-get install wrk)")?;
    let work = a.data.join("loadtest");
    std::fs::create_dir_all(&work)?;
    println!("== machine: {}", machine());
    let seeded = seed(&a)?;
    let mut results: Vec<Phase> = Vec::new();
    let mut streams_report = Vec::new();
    for phase in &a.phases {
        println!("== phase {phase}");
        let r = match phase.as_str() {
            "ceiling" => run_ceiling(&a, &wrk, &work).await?,
            "server" => run_server(&a, &wrk, &work, phase, &limits_raised()).await?,
            "nolimit" => run_server(&a, &wrk, &work, phase, &limits_off(false)).await?,
            "uncached" => run_server(&a, &wrk, &work, phase, &limits_off(true)).await?,
            other => bail!("unknown phase {other}"),
        };
        println!("{}", r.row());
        if let Some(s) = &r.streams {
            streams_report.push(format!("{}: {}", r.name, s));
        }
        results.push(r);
    }
    let table = table(&a, &seeded, &results, &streams_report);
    println!("\n{table}");
    if let Some(out) = &a.out {
        write_between_markers(out, &table)?;
        println!("== written to {}", out.display());
    }
    Ok(())
}

fn limits_raised() -> Vec<(&'static str, &'static str)> {
    vec![
        ("OVERSIGHT_RATE_LIMIT_SESSION", "1000000,1000000"),
        ("OVERSIGHT_RATE_LIMIT_ANONYMOUS", "1000,10000"),
    ]
}

fn limits_off(uncached: bool) -> Vec<(&'static str, &'static str)> {
    let mut env = vec![
        ("OVERSIGHT_RATE_LIMIT_SESSION", "off"),
        ("OVERSIGHT_RATE_LIMIT_TOKEN", "off"),
        ("OVERSIGHT_RATE_LIMIT_ANONYMOUS", "off"),
    ];
    if uncached {
        env.push(("OVERSIGHT_SESSION_RECHECK_SECS", "0"));
        env.push(("OVERSIGHT_ANSWER_CACHE_SECS", "0"));
    }
    env
}

/// What the data set is and how long it took to make (made once, kept under `--data`).
struct Seeded {
    cases: String,
    seconds: Option<f64>,
}

fn seed(a: &Args) -> anyhow::Result<Seeded> {
    let stamp = a.data.join("seeded-large");
    if let Ok(s) = std::fs::read_to_string(&stamp) {
        println!("== the large data set is already seeded ({})", s.trim());
        let seconds = s
            .split_whitespace()
            .next()
            .and_then(|t| t.parse::<f64>().ok());
        return Ok(Seeded {
            cases: s.split_whitespace().nth(1).unwrap_or("?").to_string(),
            seconds,
        });
    }
    println!(
        "== seeding the large data set (minutes) into {}",
        a.data.display()
    );
    let started = Instant::now();
    let out = Command::new(&a.bin)
        .args(["seed", "--size", "large", "--seed", "1"])
        .env("OVERSIGHT_DATA_DIR", &a.data)
        .env_remove("DATABASE_URL")
        .stderr(Stdio::inherit())
        .output()
        .context("running oversight seed")?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    print!("{text}");
    if !out.status.success() {
        bail!("oversight seed --size large failed");
    }
    let seconds = started.elapsed().as_secs_f64();
    let cases = text
        .split([',', '\n'])
        .find(|part| part.contains("cases"))
        .map(|p| p.trim().replace(' ', "_"))
        .unwrap_or_else(|| "?".into());
    std::fs::write(&stamp, format!("{seconds:.0} {cases}\n"))?;
    Ok(Seeded {
        cases,
        seconds: Some(seconds),
    })
}

/// One measured run of wrk.
#[derive(Clone, Debug, Default)]
struct Wrk {
    requests: u64,
    seconds: f64,
    errors: u64,
    non_2xx: u64,
    p50_us: u64,
    p90_us: u64,
    p99_us: u64,
    max_us: u64,
}

impl Wrk {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds.max(1e-9)
    }
}

/// CPU time used during a run, in seconds, by who.
#[derive(Clone, Debug, Default)]
struct Cpu {
    machine_busy: f64,
    machine_all: f64,
    server: f64,
    postgres: f64,
    wrk: f64,
}

impl Cpu {
    fn describe(&self, seconds: f64) -> String {
        let core = |s: f64| s / seconds.max(1e-9) * 100.0;
        format!(
            "machine {:.0}% of 2 cores; server {:.0}%, PostgreSQL {:.0}%, wrk {:.0}%, other {:.0}% (of one core)",
            self.machine_busy / self.machine_all.max(1e-9) * 100.0,
            core(self.server),
            core(self.postgres),
            core(self.wrk),
            core((self.machine_busy - self.server - self.postgres - self.wrk).max(0.0)),
        )
    }
}

/// Every question asked once (four at a time): how long each took to answer.
#[derive(Clone, Debug, Default)]
struct Fill {
    questions: usize,
    seconds: f64,
    median_ms: f64,
    max_ms: f64,
}

impl Fill {
    fn describe(&self) -> String {
        format!(
            "{} questions in {:.1} s (each: median {:.0} ms, max {:.0} ms)",
            self.questions, self.seconds, self.median_ms, self.max_ms
        )
    }
}

/// Asks every question once, four at a time.
async fn fill(base: &Base, requests: &[(String, String)]) -> anyhow::Result<Fill> {
    let started = Instant::now();
    let queue = Arc::new(std::sync::Mutex::new(requests.to_vec()));
    let mut workers = Vec::new();
    for _ in 0..4 {
        let (queue, base) = (queue.clone(), base.clone());
        workers.push(tokio::spawn(async move {
            let mut took = Vec::new();
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop());
                let Some((path, cookie)) = next else {
                    return Ok::<_, anyhow::Error>(took);
                };
                let t = Instant::now();
                let (status, _, body) = base.request("GET", &path, Some(&cookie), None).await?;
                if status != 200 {
                    bail!("GET {path}: {status} {body}");
                }
                took.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }));
    }
    let mut took = Vec::new();
    for w in workers {
        took.extend(w.await??);
    }
    took.sort_by(f64::total_cmp);
    Ok(Fill {
        questions: took.len(),
        seconds: started.elapsed().as_secs_f64(),
        median_ms: took.get(took.len() / 2).copied().unwrap_or(0.0),
        max_ms: took.last().copied().unwrap_or(0.0),
    })
}

struct Phase {
    name: String,
    cold: Option<Fill>,
    after_event: Option<Fill>,
    run: Wrk,
    cpu: Cpu,
    streams: Option<String>,
}

impl Phase {
    fn row(&self) -> String {
        let r = &self.run;
        format!(
            "| {} | {:.0} | {:.2} | {:.2} | {:.2} | {:.1} | {} | {} |",
            self.name,
            r.rate(),
            r.p50_us as f64 / 1000.0,
            r.p90_us as f64 / 1000.0,
            r.p99_us as f64 / 1000.0,
            r.max_us as f64 / 1000.0,
            r.non_2xx + r.errors,
            self.cold.as_ref().map_or("—".into(), |c| format!(
                "{:.1} s (median {:.0} ms, max {:.0} ms)",
                c.seconds, c.median_ms, c.max_ms
            )),
        )
    }
}

async fn run_ceiling(a: &Args, wrk: &Path, work: &Path) -> anyhow::Result<Phase> {
    let port = free_port()?;
    let child = Command::new(&a.ceiling)
        .arg(format!("127.0.0.1:{port}"))
        .spawn()
        .context("starting the ceiling")?;
    let child = Guard(child);
    wait_listening(port, Duration::from_secs(10)).await?;
    // The same paths as the server's load (two cookies that mean nothing to it).
    let lua = lua_script(
        &[
            ("/api/v1/overview".into(), "oversight_session=a".into()),
            ("/api/v1/summary".into(), "oversight_session=b".into()),
        ],
        work,
        "ceiling",
    )?;
    let _ = run_wrk(a, wrk, &lua, port, a.warmup.min(5)).await?;
    let before = cpu_now(child.0.id(), None);
    let (run, wrk_cpu) = run_wrk(a, wrk, &lua, port, a.seconds).await?;
    let mut cpu = cpu_now(child.0.id(), None).since(&before);
    cpu.wrk = wrk_cpu;
    Ok(Phase {
        name: "ceiling (bare axum, constant)".into(),
        cold: None,
        after_event: None,
        run,
        cpu,
        streams: None,
    })
}

async fn run_server(
    a: &Args,
    wrk: &Path,
    work: &Path,
    phase: &str,
    env: &[(&str, &str)],
) -> anyhow::Result<Phase> {
    let port = free_port()?;
    let mut cmd = Command::new(&a.bin);
    cmd.arg("serve")
        .env("OVERSIGHT_DATA_DIR", &a.data)
        .env("OVERSIGHT_ADDR", format!("127.0.0.1:{port}"))
        .env("OVERSIGHT_SITE_DIR", &a.site)
        .env("RUST_LOG", "warn")
        .env_remove("DATABASE_URL");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let server = Guard(cmd.spawn().context("starting the server")?);
    wait_listening(port, Duration::from_secs(120)).await?;
    let postmaster = postmaster_pid(&a.data);
    let waited = wait_quiet(server.0.id(), postmaster).await;
    println!("   server quiet after {waited:.0} s");
    let base = Base { port };

    // Sessions: one per user for wrk, STREAM_SESSIONS per user for the screens.
    let mut load_cookies = Vec::new();
    let mut stream_cookies = Vec::new();
    for (user, password) in USERS {
        load_cookies.push(base.login(user, password).await?);
        for _ in 0..STREAM_SESSIONS {
            stream_cookies.push((user, base.login(user, password).await?));
        }
    }
    let ingest_cookie = base.login(INGESTER.0, INGESTER.1).await?;
    let requests = questions(&base, &load_cookies).await?;
    println!("   {} distinct questions", requests.len());
    let lua = lua_script(&requests, work, phase)?;

    // The screens.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let ingested_at: Arc<std::sync::Mutex<Option<Instant>>> = Arc::default();
    let mut streams = Vec::new();
    for i in 0..a.streams {
        let (user, cookie) = &stream_cookies[i % stream_cookies.len()];
        streams.push(tokio::spawn(hold_stream(
            port,
            cookie.clone(),
            *user == "phantich",
            stop_rx.clone(),
            ingested_at.clone(),
        )));
    }
    let streams_opened = Instant::now();
    tokio::time::sleep(Duration::from_secs(2)).await;

    // Every question once (the cache fills), then a short unmeasured wrk pass.
    let cold = fill(&base, &requests).await?;
    println!("   first answers: {}", cold.describe());
    if a.warmup > 0 {
        run_wrk(a, wrk, &lua, port, a.warmup).await?;
    }
    let before = cpu_now(server.0.id(), postmaster);
    let (run, wrk_cpu) = run_wrk(a, wrk, &lua, port, a.seconds).await?;
    let mut cpu = cpu_now(server.0.id(), postmaster).since(&before);
    cpu.wrk = wrk_cpu;
    // Then a data officer ingests a case: every scope-VN stream must hear of it, and every
    // kept answer is made anew.
    if let Ok(mut g) = ingested_at.lock() {
        *g = Some(Instant::now());
    }
    let ingest = base
        .ingest_one(&ingest_cookie)
        .await
        .context("ingesting a case")?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after_event = fill(&base, &requests).await?;
    println!("   after the event: {}", after_event.describe());
    let open_for = streams_opened.elapsed();
    let _ = stop_tx.send(true);
    let mut seen = Vec::new();
    for s in streams {
        seen.push(s.await?);
    }
    let streams = streams_summary(&seen, open_for, &ingest);
    println!("   streams: {streams}");
    println!("   cpu: {}", cpu.describe(run.seconds));
    drop(server);
    let name = match phase {
        "server" => "server, rate limits on (raised for the run)",
        "nolimit" => "server, rate limits off",
        _ => "server before this work (no caches), limits off",
    };
    Ok(Phase {
        name: name.into(),
        cold: Some(cold),
        after_event: Some(after_event),
        run,
        cpu,
        streams: Some(streams),
    })
}

/// What an open stream saw.
#[derive(Debug, Default)]
struct StreamSeen {
    connected: bool,
    status_ok: bool,
    ended_early: bool,
    hello: bool,
    comments: u32,
    data_events: u32,
    bytes: u64,
    longest_silence: Duration,
    /// Time from the ingest's request to its `data` event here.
    data_after: Option<Duration>,
    vn_scope: bool,
    /// Every event by name, with when it came.
    events: Vec<(String, Instant)>,
}

async fn hold_stream(
    port: u16,
    cookie: String,
    vn_scope: bool,
    mut stop: tokio::sync::watch::Receiver<bool>,
    ingested_at: Arc<std::sync::Mutex<Option<Instant>>>,
) -> StreamSeen {
    let mut seen = StreamSeen {
        vn_scope,
        ..StreamSeen::default()
    };
    let Ok(mut tcp) = TcpStream::connect(("127.0.0.1", port)).await else {
        return seen;
    };
    seen.connected = true;
    let req = format!(
        "GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {cookie}\r\nAccept: text/event-stream\r\n\r\n"
    );
    if tcp.write_all(req.as_bytes()).await.is_err() {
        return seen;
    }
    let mut buf = vec![0u8; 8192];
    let mut text = String::new();
    let mut last = Instant::now();
    let mut headers_done = false;
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            got = tcp.read(&mut buf) => match got {
                Ok(0) | Err(_) => {
                    seen.ended_early = true;
                    break;
                }
                Ok(n) => {
                    let now = Instant::now();
                    seen.longest_silence = seen.longest_silence.max(now - last);
                    last = now;
                    seen.bytes += n as u64;
                    text.push_str(&String::from_utf8_lossy(&buf[..n]));
                    if !headers_done {
                        let Some(end) = text.find("\r\n\r\n") else { continue };
                        seen.status_ok = text.starts_with("HTTP/1.1 200");
                        text.drain(..end + 4);
                        headers_done = true;
                    }
                    while let Some(nl) = text.find('\n') {
                        let line: String = text.drain(..=nl).collect();
                        let line = line.trim();
                        if line == ":" || (line.starts_with(':') && !line.contains("event")) {
                            seen.comments += 1;
                        } else if let Some(name) = line.strip_prefix("event:") {
                            seen.events.push((name.trim().to_string(), now));
                            match name.trim() {
                                "hello" => seen.hello = true,
                                "data" => {
                                    seen.data_events += 1;
                                    let at = ingested_at.lock().ok().and_then(|g| *g);
                                    if let (Some(at), None) = (at, seen.data_after) {
                                        seen.data_after = Some(now.saturating_duration_since(at));
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
            }
        }
    }
    seen
}

fn streams_summary(seen: &[StreamSeen], open_for: Duration, ingest: &str) -> String {
    let n = seen.len();
    let ok = seen
        .iter()
        .filter(|s| s.connected && s.status_ok && s.hello)
        .count();
    let alive = seen
        .iter()
        .filter(|s| s.status_ok && !s.ended_early)
        .count();
    let expected = (open_for.as_secs_f64() / KEEP_ALIVE.as_secs_f64()).floor() as u32;
    let kept = seen.iter().filter(|s| s.comments + 1 >= expected).count();
    let silence = seen
        .iter()
        .map(|s| s.longest_silence)
        .max()
        .unwrap_or_default();
    let vn: Vec<&StreamSeen> = seen.iter().filter(|s| s.vn_scope).collect();
    let mut got: Vec<Duration> = vn.iter().filter_map(|s| s.data_after).collect();
    got.sort();
    let q = |p: f64| {
        got.get(((got.len() as f64 - 1.0) * p).round() as usize)
            .map_or("—".into(), |d| {
                format!("{:.0} ms", d.as_secs_f64() * 1000.0)
            })
    };
    let others_got = seen
        .iter()
        .filter(|s| !s.vn_scope && s.data_events > 0)
        .count();
    // What the first scope-VN stream heard, by name.
    let mut names: std::collections::BTreeMap<&str, u32> = Default::default();
    if let Some(first) = vn.first() {
        for (name, _) in &first.events {
            *names.entry(name.as_str()).or_default() += 1;
        }
    }
    let names: Vec<String> = names.iter().map(|(k, v)| format!("{k} {v}")).collect();
    format!(
        "a scope-VN stream heard: {}; {ok}/{n} opened with hello; {alive}/{n} still open after {:.0} s; {kept}/{n} got the \
         keep-alive every 15 s (≥ {} comments), longest silence {:.1} s; the ingest ({ingest}) \
         reached {}/{} scope-VN streams (median {}, max {}) and {others_got} of the scope-79 ones",
        names.join(", "),
        open_for.as_secs_f64(),
        expected.saturating_sub(1),
        silence.as_secs_f64(),
        got.len(),
        vn.len(),
        q(0.5),
        q(1.0),
    )
}

/// The server's address, and a tiny HTTP/1.1 client (one request a connection).
#[derive(Clone)]
struct Base {
    port: u16,
}

impl Base {
    async fn request(
        &self,
        method: &str,
        path: &str,
        cookie: Option<&str>,
        body: Option<(&str, &str)>,
    ) -> anyhow::Result<(u16, String, String)> {
        let mut tcp = TcpStream::connect(("127.0.0.1", self.port)).await?;
        let mut req =
            format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
        if let Some(c) = cookie {
            req.push_str(&format!("Cookie: {c}\r\n"));
        }
        if let Some((ctype, b)) = body {
            req.push_str(&format!(
                "Content-Type: {ctype}\r\nContent-Length: {}\r\n\r\n{b}",
                b.len()
            ));
        } else {
            req.push_str("\r\n");
        }
        tcp.write_all(req.as_bytes()).await?;
        let mut raw = Vec::new();
        tokio::time::timeout(Duration::from_secs(120), tcp.read_to_end(&mut raw)).await??;
        let raw = String::from_utf8_lossy(&raw).to_string();
        let (head, rest) = raw.split_once("\r\n\r\n").unwrap_or((&raw, ""));
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let body = if head
            .to_ascii_lowercase()
            .contains("transfer-encoding: chunked")
        {
            dechunk(rest)
        } else {
            rest.to_string()
        };
        Ok((status, head.to_string(), body))
    }

    async fn login(&self, user: &str, password: &str) -> anyhow::Result<String> {
        let body = serde_json::json!({"username": user, "password": password}).to_string();
        let (status, head, text) = self
            .request(
                "POST",
                "/api/v1/auth/login",
                None,
                Some(("application/json", &body)),
            )
            .await?;
        if status != 200 {
            bail!("login of {user}: {status} {text}");
        }
        head.lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("set-cookie")
                    .then(|| value.trim().split(';').next().unwrap_or("").to_string())
            })
            .context("no session cookie")
    }

    async fn get_json(&self, path: &str, cookie: &str) -> anyhow::Result<serde_json::Value> {
        let (status, _, body) = self.request("GET", path, Some(cookie), None).await?;
        if status != 200 {
            bail!("GET {path}: {status} {body}");
        }
        Ok(serde_json::from_str(&body)?)
    }

    /// Ingests one new case of Hà Nội's system; answers what the report said.
    async fn ingest_one(&self, cookie: &str) -> anyhow::Result<String> {
        let commune = self
            .get_json("/api/v1/units?parent=01&level=commune", cookie)
            .await?
            .as_array()
            .and_then(|a| a.first())
            .and_then(|u| u["code"].as_str().map(str::to_string))
            .context("no commune of 01")?;
        let id = format!(
            "LOAD-{}",
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)?
                .as_millis()
        );
        let case = serde_json::json!([{
            "source": "HT-UBKT-01", "external_id": id, "kind": "complaint",
            "conducting_unit": commune, "subject": {"type": "organization", "unit": commune},
            "sector": "personnel", "status": "in_progress",
            "opened_on": chrono::Local::now().date_naive().to_string()
        }])
        .to_string();
        let (status, _, body) = self
            .request(
                "POST",
                "/api/v1/ingest/cases",
                Some(cookie),
                Some(("application/json", &case)),
            )
            .await?;
        if status != 200 {
            bail!("ingest: {status} {body}");
        }
        let report: serde_json::Value = serde_json::from_str(&body)?;
        Ok(format!("1 case, accepted {}", report["accepted"]))
    }
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// The questions of the load: each user's overview and summary of their scope, of units in it
/// (provinces, communes), over several periods, kinds and sectors; shuffled with a fixed seed.
async fn questions(base: &Base, cookies: &[String]) -> anyhow::Result<Vec<(String, String)>> {
    let mut out: Vec<(String, String)> = Vec::new();
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive());
    let periods = |y: i32| {
        vec![
            format!("from={y}-01-01&to={y}-03-31"),
            format!("from={y}-04-01&to={y}-06-30"),
            format!("from={y}-07-01&to={y}-09-30"),
            format!("from={y}-10-01&to={y}-12-31"),
            format!("from={y}-01-01&to={y}-12-31"),
        ]
    };
    let sectors: Vec<&str> = domain::Sector::ALL.iter().map(|s| s.as_str()).collect();
    let kinds: Vec<&str> = domain::CaseKind::ALL.iter().map(|k| k.as_str()).collect();
    for (i, cookie) in cookies.iter().enumerate() {
        let me = base.get_json("/api/v1/me", cookie).await?;
        let scope = me["scope"]
            .as_str()
            .or_else(|| me["scope"]["code"].as_str())
            .unwrap_or("VN")
            .to_string();
        let mut add = |path: String| out.push((path, cookie.clone()));
        add("/api/v1/overview".into());
        add("/api/v1/summary".into());
        // The units below the scope: provinces for the centre, communes for a province.
        let children: Vec<String> = base
            .get_json(&format!("/api/v1/units?parent={scope}"), cookie)
            .await
            .ok()
            .and_then(|v| {
                v.as_array().map(|a| {
                    a.iter()
                        .filter_map(|u| u["code"].as_str().map(str::to_string))
                        .collect()
                })
            })
            .unwrap_or_default();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7 + i as u64);
        let mut some = children.clone();
        some.shuffle(&mut rng);
        some.truncate(40);
        for c in &some {
            add(format!("/api/v1/overview?unit={c}"));
            add(format!("/api/v1/summary?unit={c}"));
        }
        for y in [year - 1, year] {
            for p in periods(y) {
                add(format!("/api/v1/summary?{p}"));
            }
            for c in some.iter().take(8) {
                add(format!(
                    "/api/v1/summary?unit={c}&from={y}-01-01&to={y}-12-31"
                ));
            }
        }
        for s in &sectors {
            add(format!("/api/v1/summary?sector={s}"));
        }
        for k in &kinds {
            add(format!("/api/v1/summary?kind={k}"));
        }
        // A province's communes from the centre's analyst.
        if let Some(p) = some.first().filter(|_| scope == "VN") {
            let communes: Vec<String> = base
                .get_json(&format!("/api/v1/units?parent={p}&level=commune"), cookie)
                .await
                .ok()
                .and_then(|v| {
                    v.as_array().map(|a| {
                        a.iter()
                            .take(10)
                            .filter_map(|u| u["code"].as_str().map(str::to_string))
                            .collect()
                    })
                })
                .unwrap_or_default();
            for c in communes {
                out.push((format!("/api/v1/overview?unit={c}"), cookie.clone()));
            }
        }
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    out.shuffle(&mut rng);
    Ok(out)
}

/// A wrk script that cycles through the questions (each thread from its own offset) and prints
/// its results on one line.
fn lua_script(requests: &[(String, String)], work: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let path = work.join(format!("{name}.lua"));
    let mut f = std::fs::File::create(&path)?;
    writeln!(f, "-- generated by server/examples/loadtest.rs")?;
    writeln!(f, "local questions = {{")?;
    for (p, c) in requests {
        writeln!(f, "  {{{:?}, {:?}}},", p, c)?;
    }
    writeln!(
        f,
        r#"}}
local counter = 0
function setup(thread)
  thread:set("offset", counter)
  counter = counter + 97
end
local reqs = {{}}
local i = 0
function init(args)
  for k, q in ipairs(questions) do
    reqs[k] = wrk.format("GET", q[1], {{["Cookie"] = q[2], ["Accept"] = "application/json"}})
  end
  i = (offset or 0) % #reqs
end
function request()
  i = i % #reqs + 1
  return reqs[i]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n",
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90)))
  io.write(string.format("RESULT2 %d %d\n", latency:percentile(99), latency.max))
end"#
    )?;
    Ok(path)
}

async fn run_wrk(
    a: &Args,
    wrk: &Path,
    lua: &Path,
    port: u16,
    seconds: u64,
) -> anyhow::Result<(Wrk, f64)> {
    let child = tokio::process::Command::new(wrk)
        .arg(format!("-t{}", a.threads))
        .arg(format!("-c{}", a.connections))
        .arg(format!("-d{seconds}s"))
        .args(["--timeout", "10s", "-s"])
        .arg(lua)
        .arg(format!("http://127.0.0.1:{port}/"))
        .stdout(Stdio::piped())
        .spawn()
        .context("starting wrk")?;
    let pid = child.id().unwrap_or(0);
    // wrk's CPU time: read while it runs (it is gone once waited for).
    let sampler = tokio::spawn(async move {
        let mut last = 0.0;
        loop {
            match process_cpu(pid) {
                Some(t) => last = t,
                None => return last,
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    let out = child.wait_with_output().await?;
    let wrk_cpu = sampler.await.unwrap_or(0.0);
    let text = String::from_utf8_lossy(&out.stdout);
    let nums = |tag: &str| -> Vec<u64> {
        text.lines()
            .find_map(|l| l.strip_prefix(tag))
            .map(|l| {
                l.split_whitespace()
                    .filter_map(|n| n.parse().ok())
                    .collect()
            })
            .unwrap_or_default()
    };
    let (r1, r2) = (nums("RESULT "), nums("RESULT2 "));
    if r1.len() < 6 || r2.len() < 2 {
        bail!("wrk said:\n{text}");
    }
    Ok((
        Wrk {
            requests: r1[0],
            seconds: r1[1] as f64 / 1e6,
            errors: r1[2],
            non_2xx: r1[3],
            p50_us: r1[4],
            p90_us: r1[5],
            p99_us: r2[0],
            max_us: r2[1],
        },
        wrk_cpu,
    ))
}

/// A child process, ended (SIGTERM, so the server stops its cluster) when dropped.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn wait_listening(port: u16, within: Duration) -> anyhow::Result<()> {
    let until = Instant::now() + within;
    while Instant::now() < until {
        if TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    bail!("nothing listens on {port} after {within:?}")
}

/// Waits until the server and its database use under a tenth of a core over 3 s (its start-up
/// work — the rules, the anomaly detector — is done), at most 10 minutes; the seconds waited.
async fn wait_quiet(server: u32, postmaster: Option<u32>) -> f64 {
    let started = Instant::now();
    let mut quiet = 0;
    let mut last = cpu_now(server, postmaster);
    while started.elapsed() < Duration::from_secs(600) && quiet < 2 {
        tokio::time::sleep(Duration::from_secs(3)).await;
        let now = cpu_now(server, postmaster);
        let used = now.since(&last);
        last = now;
        if used.server + used.postgres < 0.3 {
            quiet += 1;
        } else {
            quiet = 0;
        }
    }
    started.elapsed().as_secs_f64()
}

/// The private cluster's postmaster.
fn postmaster_pid(data: &Path) -> Option<u32> {
    std::fs::read_to_string(data.join("pg/cluster/postmaster.pid"))
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

fn ticks() -> f64 {
    // SAFETY: sysconf has no preconditions.
    let t = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if t > 0 { t as f64 } else { 100.0 }
}

/// A process's user and system CPU time, in seconds.
fn process_cpu(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ut: f64 = f.get(11)?.parse().ok()?;
    let st: f64 = f.get(12)?.parse().ok()?;
    Some((ut + st) / ticks())
}

/// The postmaster and its children's CPU time.
fn postgres_cpu(postmaster: u32) -> f64 {
    let mut total = process_cpu(postmaster).unwrap_or(0.0);
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Ok(pid) = e.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            let ppid = stat
                .rfind(')')
                .and_then(|i| stat[i + 2..].split_whitespace().nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if ppid == Some(postmaster) {
                total += process_cpu(pid).unwrap_or(0.0);
            }
        }
    }
    total
}

/// The machine's busy and total CPU time, in seconds.
fn machine_cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    let f: Vec<f64> = stat
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .skip(1)
        .filter_map(|n| n.parse().ok())
        .collect();
    let all: f64 = f.iter().take(8).sum();
    let idle = f.get(3).unwrap_or(&0.0) + f.get(4).unwrap_or(&0.0);
    ((all - idle) / ticks(), all / ticks())
}

fn cpu_now(server: u32, postmaster: Option<u32>) -> Cpu {
    let (busy, all) = machine_cpu();
    Cpu {
        machine_busy: busy,
        machine_all: all,
        server: process_cpu(server).unwrap_or(0.0),
        postgres: postmaster.map_or(0.0, postgres_cpu),
        wrk: 0.0,
    }
}

impl Cpu {
    fn since(&self, before: &Cpu) -> Cpu {
        Cpu {
            machine_busy: self.machine_busy - before.machine_busy,
            machine_all: self.machine_all - before.machine_all,
            server: self.server - before.server,
            postgres: self.postgres - before.postgres,
            wrk: 0.0,
        }
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(program))
            .find(|p| p.is_file())
    })
}

fn machine() -> String {
    let cpus = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .next()
        .and_then(|l| {
            l.split_whitespace()
                .nth(1)
                .and_then(|k| k.parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024 / 1024);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    format!(
        "{cpus} CPUs ({model}), {mem} GB; load average before the run {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

fn table(a: &Args, seeded: &Seeded, phases: &[Phase], streams: &[String]) -> String {
    let mut s = String::new();
    let now = chrono::Local::now().format("%Y-%m-%d %H:%M");
    s.push_str(&format!(
        "Run {now}: `cargo xtask loadtest` (release build: `cargo build --release -p server`), \
         machine {}; data `large` ({}{}), wrk {} thread(s), {} connections, {} s measured after a \
         {} s pass, {} event streams open during each server phase.\n\n",
        machine(),
        seeded.cases.replace('_', " "),
        seeded
            .seconds
            .map_or(String::new(), |s| format!(", seeded in {s:.0} s")),
        a.threads,
        a.connections,
        a.seconds,
        a.warmup,
        a.streams,
    ));
    s.push_str(
        "| phase | requests/s | p50 ms | p90 ms | p99 ms | max ms | errors | every question once, cold |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    for p in phases {
        s.push_str(&p.row());
        s.push('\n');
    }
    s.push_str("\nAfter the run, one ingested case (an event): every question asked again, four at a time:\n\n");
    for p in phases {
        if let Some(f) = &p.after_event {
            s.push_str(&format!("- {}: {}\n", p.name, f.describe()));
        }
    }
    s.push_str("\nCPU during each measured run:\n\n");
    for p in phases {
        s.push_str(&format!(
            "- {}: {}\n",
            p.name,
            p.cpu.describe(p.run.seconds)
        ));
    }
    if !streams.is_empty() {
        s.push_str("\nEvent streams:\n\n");
        for line in streams {
            s.push_str(&format!("- {line}\n"));
        }
    }
    s
}

/// Replaces what lies between `<!-- loadtest:begin -->` and `<!-- loadtest:end -->` in `out`
/// (appends both markers when missing).
fn write_between_markers(out: &Path, table: &str) -> anyhow::Result<()> {
    const BEGIN: &str = "<!-- loadtest:begin -->";
    const END: &str = "<!-- loadtest:end -->";
    let old = std::fs::read_to_string(out).unwrap_or_default();
    let new = match (old.find(BEGIN), old.find(END)) {
        (Some(b), Some(e)) if b < e => {
            format!("{}{BEGIN}\n{table}{}", &old[..b], &old[e..])
        }
        _ => format!("{old}\n{BEGIN}\n{table}{END}\n"),
    };
    std::fs::write(out, new)?;
    Ok(())
}
