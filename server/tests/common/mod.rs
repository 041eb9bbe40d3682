//! Helpers shared by the integration tests: the app on a throwaway database, requests, logins.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use server::config::Config;
use server::testing::TestDb;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// The whole app on a seeded throwaway database.
pub struct TestApp {
    pub db: TestDb,
    pub router: Router,
}

impl TestApp {
    pub async fn seeded() -> TestApp {
        let db = server::testing::seeded_database().await;
        let config = Arc::new(Config {
            addr: "127.0.0.1:0".parse().unwrap(),
            database_url: Some(db.url.clone()),
            data_dir: "target/unused".into(),
            site_dir: "target/site".into(),
            secure_cookies: false,
            ingest_max_bytes: server::ingest::DEFAULT_MAX_BYTES,
            // The room's system of the tests (tests/displays.rs checks the framing headers).
            frame_ancestors: vec!["https://room.example.gov".into()],
            tls: None,
            // The suites write with SQL and read at once (some writes, as deletes, announce no
            // event): every request asks the database, as before; no rate limit. The limits,
            // the session cache and the answer cache have their own tests (ratelimit.rs,
            // caching.rs).
            rate_limits: server::config::RateLimits::off(),
            session_recheck: Duration::ZERO,
            answer_cache: Duration::ZERO,
        });
        let router = server::http::app(config, db.pool.clone());
        TestApp { db, router }
    }

    /// Sends a request; returns the status, the headers and the body as JSON (or a string).
    /// A state-changing request with the anti-forgery cookie carries its header, as our app's
    /// scripts send it (tests/security.rs sends requests without it).
    pub async fn send(
        &self,
        mut req: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        if req.method() != axum::http::Method::GET
            && !req.headers().contains_key("x-csrf-token")
            && let Some(csrf) = server::auth::cookie_of(req.headers(), "oversight_csrf")
        {
            req.headers_mut()
                .insert("x-csrf-token", csrf.parse().unwrap());
        }
        self.send_raw(req).await
    }

    /// Sends a request as it is.
    pub async fn send_raw(
        &self,
        req: Request<Body>,
    ) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()));
        (status, headers, json)
    }

    /// `GET path` with a session cookie (or none).
    pub async fn get(&self, path: &str, cookie: Option<&str>) -> (StatusCode, serde_json::Value) {
        let mut req = Request::get(path);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        let (s, _, j) = self.send(req.body(Body::empty()).unwrap()).await;
        (s, j)
    }

    /// `POST path` with a JSON body.
    pub async fn post(
        &self,
        path: &str,
        body: &str,
        cookie: Option<&str>,
    ) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
        let mut req = Request::post(path).header(header::CONTENT_TYPE, "application/json");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// Logs in (with the demo second factor when the account has one) and returns the `Cookie`
    /// header value: the session and its anti-forgery cookie.
    pub async fn login(&self, username: &str, password: &str) -> String {
        let body = serde_json::json!({
            "username": username,
            "password": password,
            "totp": self.totp_now(username).await,
        })
        .to_string();
        let (status, headers, json) = self.post("/api/v1/auth/login", &body, None).await;
        assert_eq!(status, StatusCode::OK, "login of {username}: {json}");
        cookies_of(&headers)
    }

    /// The current code of a demo account's authenticator app, if it has one. Forgets the step last
    /// used, so that a test may log the same person in several times within 30 seconds (the replay
    /// refusal itself is tested in tests/second_factor.rs).
    pub async fn totp_now(&self, username: &str) -> Option<String> {
        let has: Option<bool> = sqlx::query_scalar(
            "UPDATE app_user SET totp_last_step = NULL WHERE username = $1
             RETURNING totp_secret IS NOT NULL",
        )
        .bind(username)
        .fetch_optional(&self.db.pool)
        .await
        .unwrap();
        has.unwrap_or(false).then(|| demo_code(username, 0))
    }
}

/// The demo account's code `offset` steps from now.
pub fn demo_code(username: &str, offset: i64) -> String {
    use server::auth::totp;
    let step = totp::step_of(chrono::Utc::now().timestamp()) + offset;
    format!("{:06}", totp::code_at(&totp::demo_secret(username), step))
}

/// The `Cookie` header value a browser would send after these `Set-Cookie` headers.
pub fn cookies_of(headers: &axum::http::HeaderMap) -> String {
    headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next())
        .collect::<Vec<_>>()
        .join("; ")
}

impl TestApp {}

impl TestApp {
    /// `GET path` with a bearer token; the status and the JSON answer.
    pub async fn get_as(&self, token: &str, path: &str) -> (StatusCode, serde_json::Value) {
        self.with_token(token, Request::get(path), Body::empty())
            .await
    }

    /// A request with a bearer token; the status and the JSON answer (or the text as a string).
    pub async fn with_token(
        &self,
        token: &str,
        req: axum::http::request::Builder,
        body: Body,
    ) -> (StatusCode, serde_json::Value) {
        let req = req
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(body)
            .unwrap();
        let (status, _, json) = self.send(req).await;
        (status, json)
    }
}

/// One number a query answers.
pub async fn scalar(pool: &sqlx::PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// A commune of a province (the first by code).
pub async fn commune_of(pool: &sqlx::PgPool, province: &str) -> String {
    sqlx::query_scalar(
        "SELECT code FROM unit WHERE parent = $1 AND level = 'commune' ORDER BY code LIMIT 1",
    )
    .bind(province)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// Empties a unit of its cases and targets, so that a test's own are all it has.
pub async fn clear_unit(pool: &sqlx::PgPool, code: &str) {
    sqlx::query("DELETE FROM cases WHERE path <@ (SELECT path FROM unit WHERE code = $1)")
        .bind(code)
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("DELETE FROM target WHERE unit = $1")
        .bind(code)
        .execute(pool)
        .await
        .unwrap();
}

/// A bearer token of the data source `HT-UBKT-01`, scoped to Hà Nội.
pub async fn hanoi_token(pool: &sqlx::PgPool) -> String {
    server::auth::token::create(
        pool,
        "ubkt-01",
        domain::Role::DataOfficer,
        "01",
        Some("HT-UBKT-01"),
    )
    .await
    .unwrap()
}

/// `(row, field)` of each error of an ingest report.
pub fn errors_of(report: &serde_json::Value) -> Vec<(u64, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A task of `directive` for `unit`, titled `title`, assigned `from` days ago, due in `to` days
/// (negative: past), at `progress` (done `done` days ago if given); answers its id.
pub async fn task(
    pool: &sqlx::PgPool,
    directive: &str,
    unit: &str,
    title: &str,
    (from, to): (i32, i32),
    progress: i16,
    done: Option<i32>,
) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO task (directive, unit, path, province, title, assigned_on, due_on, progress, \
             status, done_on)
         SELECT $1, code, path, province, $3, current_date - $4, current_date + $5, $6,
                CASE WHEN $7::int IS NULL THEN 'in_progress' ELSE 'done' END,
                current_date - $7::int
         FROM unit WHERE code = $2 RETURNING id",
    )
    .bind(directive)
    .bind(unit)
    .bind(title)
    .bind(from)
    .bind(to)
    .bind(progress)
    .bind(done)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// A progress report on `task`, made `days_ago` days ago.
pub async fn report(pool: &sqlx::PgPool, task: i64, days_ago: i32, progress: i16, note: &str) {
    sqlx::query(
        "INSERT INTO task_report (task, reported_on, progress, note) \
         VALUES ($1, current_date - $2, $3, $4)",
    )
    .bind(task)
    .bind(days_ago)
    .bind(progress)
    .bind(note)
    .execute(pool)
    .await
    .unwrap();
}

/// What reading a stream gave.
enum Read {
    Event(String, Value),
    End,
    Timeout,
}

/// An open `GET /api/v1/events` stream, read event by event.
pub struct Events {
    body: Body,
    buf: String,
}

impl Events {
    pub async fn open(app: &TestApp, cookie: &str) -> Events {
        Events::open_with(app, header::COOKIE, cookie.to_string()).await
    }

    /// A stream opened with a bearer token.
    pub async fn open_as(app: &TestApp, token: &str) -> Events {
        Events::open_with(app, header::AUTHORIZATION, format!("Bearer {token}")).await
    }

    async fn open_with(app: &TestApp, name: header::HeaderName, value: String) -> Events {
        let req = Request::get("/api/v1/events")
            .header(name, value)
            .body(Body::empty())
            .unwrap();
        let res = app.router.clone().oneshot(req).await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(
            res.headers()[header::CONTENT_TYPE].to_str().unwrap(),
            "text/event-stream"
        );
        Events {
            body: res.into_body(),
            buf: String::new(),
        }
    }

    /// The next event `(name, data)` within `wait`, keep-alive comments skipped.
    pub async fn next(&mut self, wait: Duration) -> Option<(String, Value)> {
        match self.read(wait).await {
            Read::Event(name, data) => Some((name, data)),
            Read::End | Read::Timeout => None,
        }
    }

    /// The names of the events left if the stream ends within `wait`; `None` while it is open.
    pub async fn end(&mut self, wait: Duration) -> Option<Vec<String>> {
        let until = Instant::now() + wait;
        let mut names = Vec::new();
        loop {
            let left = until.saturating_duration_since(Instant::now());
            match self.read(left).await {
                Read::Event(name, _) => names.push(name),
                Read::End => return Some(names),
                Read::Timeout => return None,
            }
        }
    }

    async fn read(&mut self, wait: Duration) -> Read {
        let until = Instant::now() + wait;
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event:") {
                        name = v.trim().to_string();
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data.push_str(v.trim());
                    }
                }
                if data.is_empty() {
                    continue;
                }
                return Read::Event(name, serde_json::from_str(&data).unwrap());
            }
            let Some(left) = until.checked_duration_since(Instant::now()) else {
                return Read::Timeout;
            };
            match tokio::time::timeout(left, self.body.frame()).await {
                Ok(Some(Ok(frame))) => {
                    if let Ok(bytes) = frame.into_data() {
                        self.buf.push_str(&String::from_utf8_lossy(&bytes));
                    }
                }
                Ok(None) | Ok(Some(Err(_))) => return Read::End,
                Err(_) => return Read::Timeout,
            }
        }
    }

    /// Events until one satisfies `want`, within `wait`; the ones before it and it.
    pub async fn until(
        &mut self,
        wait: Duration,
        want: impl Fn(&str, &Value) -> bool,
    ) -> (Vec<(String, Value)>, Option<(String, Value)>) {
        let until = Instant::now() + wait;
        let mut seen = Vec::new();
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match self.next(left).await {
                Some((n, d)) if want(&n, &d) => return (seen, Some((n, d))),
                Some(e) => seen.push(e),
                None => break,
            }
        }
        (seen, None)
    }
}
