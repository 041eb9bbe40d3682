//! Issue 9's security walls, through the real router and a real PostgreSQL: the second factor,
//! sessions (rotation, idle and absolute expiry, revocation), anti-forgery, the browser's
//! headers, the role-by-action matrix walked over every route and role, and the audit search.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Events, TestApp, cookies_of, demo_code};
use domain::Role;
use domain::access::{Action, ROUTES, allows};
use serde_json::json;
use server::auth::session_cache::STREAM_RECHECK;
use std::time::Duration;
use tower::ServiceExt;

const SECS_5: Duration = Duration::from_secs(5);

async fn login_body(
    app: &TestApp,
    body: serde_json::Value,
) -> (StatusCode, axum::http::HeaderMap, serde_json::Value) {
    app.post("/api/v1/auth/login", &body.to_string(), None)
        .await
}

#[tokio::test]
async fn a_leader_logs_in_with_the_authenticator_code_once_and_never_twice() {
    let app = TestApp::seeded().await;
    // The password alone is not enough: the answer names the field.
    let (s, _, j) = login_body(
        &app,
        json!({"username": "lanhdao", "password": "lanhdao-demo"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(j["field"], "totp");
    assert!(
        j["error"].as_str().unwrap().contains("six-digit code"),
        "{j}"
    );
    // A wrong code is refused and counts as a failed login.
    let wrong = format!(
        "{:06}",
        (demo_code("lanhdao", 0).parse::<u32>().unwrap() + 1) % 1_000_000
    );
    let (s, _, j) = login_body(
        &app,
        json!({"username": "lanhdao", "password": "lanhdao-demo", "totp": wrong}),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(j["field"], "totp");
    let failed: i32 =
        sqlx::query_scalar("SELECT failed_logins FROM app_user WHERE username = 'lanhdao'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(failed, 1);
    // The right code passes (the failures reset); the same code never passes again.
    let code = demo_code("lanhdao", 0);
    let (s, headers, j) = login_body(
        &app,
        json!({"username": "lanhdao", "password": "lanhdao-demo", "totp": code}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["role"], "leader");
    assert!(cookies_of(&headers).contains("oversight_csrf="));
    let (s, _, j) = login_body(
        &app,
        json!({"username": "lanhdao", "password": "lanhdao-demo", "totp": code}),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a replayed code: {j}");
    assert!(j["error"].as_str().unwrap().contains("used already"));
    // The next step's code passes (a phone's clock may run ahead).
    let (s, _, _) = login_body(
        &app,
        json!({"username": "lanhdao", "password": "lanhdao-demo", "totp": demo_code("lanhdao", 1)}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // Roles that need none log in with the password.
    let (s, _, _) = login_body(
        &app,
        json!({"username": "phantich", "password": "phantich-demo"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action || ':' || coalesce(detail->>'reason', '') FROM audit_log WHERE actor = 'lanhdao' ORDER BY id",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        [
            "login_failed:wrong second factor",
            "login:",
            "login_failed:wrong second factor",
            "login:"
        ]
    );
}

#[tokio::test]
async fn recovery_codes_work_once_each_and_an_admin_without_a_factor_cannot_log_in() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let id: i64 = sqlx::query_scalar("SELECT id FROM app_user WHERE username = 'hanoi'")
        .fetch_one(pool)
        .await
        .unwrap();
    let secret = server::auth::totp::new_secret();
    let mut conn = pool.acquire().await.unwrap();
    let e = server::auth::second_factor::enrol_now(&mut conn, id, "hanoi", &secret)
        .await
        .unwrap();
    drop(conn);
    assert_eq!(e.recovery_codes.len(), 10);
    assert!(
        e.uri
            .starts_with("otpauth://totp/Oversight%3Ahanoi?secret=")
    );
    // The demo secret no longer works; a recovery code does, typed in capitals without its dash.
    let (s, _, _) = login_body(
        &app,
        json!({"username": "hanoi", "password": "hanoi-demo", "totp": demo_code("hanoi", 0)}),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let typed = e.recovery_codes[3].replace('-', "").to_uppercase();
    let (s, _, j) = login_body(
        &app,
        json!({"username": "hanoi", "password": "hanoi-demo", "totp": typed}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let (s, _, _) = login_body(
        &app,
        json!({"username": "hanoi", "password": "hanoi-demo", "totp": e.recovery_codes[3]}),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "a recovery code works once");
    let left: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM recovery_code WHERE user_id = $1 AND used_at IS NULL",
    )
    .bind(id)
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(left, 9);
    // The app's own code passes.
    let step = server::auth::totp::step_of(chrono::Utc::now().timestamp());
    let code = format!("{:06}", server::auth::totp::code_at(&secret, step));
    let (s, _, _) = login_body(
        &app,
        json!({"username": "hanoi", "password": "hanoi-demo", "totp": code}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    // An administrator made without a factor (by hand, in the database) cannot log in.
    let hash = server::auth::hash_password("another-admin-pass").unwrap();
    sqlx::query("INSERT INTO app_user (username, password_hash, role, scope) VALUES ('admin2', $1, 'admin', 'VN')")
        .bind(hash)
        .execute(pool)
        .await
        .unwrap();
    let (s, _, j) = login_body(
        &app,
        json!({"username": "admin2", "password": "another-admin-pass", "totp": "123456"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(j["field"], "totp");
    assert!(
        j["error"]
            .as_str()
            .unwrap()
            .contains("oversight user totp --username admin2"),
        "{j}"
    );
}

#[tokio::test]
async fn sessions_rotate_at_login_expire_idle_and_in_all_and_end_at_a_password_change() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let first = app.login("phantich", "phantich-demo").await;
    // Logging in again with the old cookie ends it: rotated.
    let body = json!({"username": "phantich", "password": "phantich-demo"}).to_string();
    let (s, headers, _) = app.post("/api/v1/auth/login", &body, Some(&first)).await;
    assert_eq!(s, StatusCode::OK);
    let second = cookies_of(&headers);
    assert_ne!(first, second);
    assert_eq!(
        app.get("/api/v1/me", Some(&first)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/api/v1/me", Some(&second)).await.0, StatusCode::OK);
    // 15 minutes idle end a session.
    let third = app.login("phantich", "phantich-demo").await;
    sqlx::query("UPDATE session SET last_seen = now() - interval '16 minutes'")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        app.get("/api/v1/me", Some(&second)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&third)).await.0,
        StatusCode::UNAUTHORIZED
    );
    // 12 hours in all end it, however active.
    let fourth = app.login("phantich", "phantich-demo").await;
    sqlx::query("UPDATE session SET expires_at = now() - interval '1 second'")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        app.get("/api/v1/me", Some(&fourth)).await.0,
        StatusCode::UNAUTHORIZED
    );
    let expires: f64 = {
        let _ = app.login("phantich", "phantich-demo").await;
        sqlx::query_scalar(
            "SELECT extract(epoch FROM max(expires_at - created_at))::float8 FROM session",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    };
    assert_eq!(expires, 12.0 * 3600.0);
    // A password change ends every other session and starts a new one.
    let a = app.login("phantich", "phantich-demo").await;
    let b = app.login("phantich", "phantich-demo").await;
    for (body, field) in [
        (
            json!({"current": "wrong", "new": "a-new-password-1"}),
            "current",
        ),
        (json!({"current": "phantich-demo", "new": "short"}), "new"),
        (
            json!({"current": "phantich-demo", "new": "phantich-demo"}),
            "new",
        ),
        (
            json!({"current": "phantich-demo", "new": "my-phantich-2026"}),
            "new",
        ),
        (json!({"current": "phantich-demo"}), "body"),
    ] {
        let (s, _, j) = app
            .post("/api/v1/account/password", &body.to_string(), Some(&a))
            .await;
        assert_eq!(
            (s, j["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{body}: {j}"
        );
    }
    let body = json!({"current": "phantich-demo", "new": "mật khẩu mới 2026"}).to_string();
    let (s, headers, _) = app.post("/api/v1/account/password", &body, Some(&a)).await;
    assert_eq!(s, StatusCode::OK);
    let renewed = cookies_of(&headers);
    assert_eq!(
        app.get("/api/v1/me", Some(&a)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&b)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&renewed)).await.0,
        StatusCode::OK
    );
    let (s, _, _) = login_body(
        &app,
        json!({"username": "phantich", "password": "phantich-demo"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, _, _) = login_body(
        &app,
        json!({"username": "phantich", "password": "mật khẩu mới 2026"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

/// A person's live stream ends with their session, with `revoked` as its last event: at once at
/// a logout or a password change made by another request, within [`STREAM_RECHECK`] when the
/// session ends where this server does not see it (expired, or ended by another server);
/// another person's stream stays open.
#[tokio::test]
async fn a_persons_event_stream_ends_when_their_session_ends() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let hello = |e: Option<(String, serde_json::Value)>| e.map(|(name, _)| name);
    let other = app.login("hcm", "hcm-demo").await;
    let mut others = Events::open(&app, &other).await;
    assert_eq!(hello(others.next(SECS_5).await).as_deref(), Some("hello"));

    // A logout sent by another request with the same cookie.
    let a = app.login("phantich", "phantich-demo").await;
    let mut stream = Events::open(&app, &a).await;
    assert_eq!(hello(stream.next(SECS_5).await).as_deref(), Some("hello"));
    let (s, _, _) = app.post("/api/v1/auth/logout", "", Some(&a)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let at_once = Duration::from_secs(2);
    assert_eq!(stream.end(at_once).await, Some(vec!["revoked".to_string()]));

    // A password change from another session of the same person.
    let b = app.login("phantich", "phantich-demo").await;
    let c = app.login("phantich", "phantich-demo").await;
    let mut stream = Events::open(&app, &b).await;
    assert_eq!(hello(stream.next(SECS_5).await).as_deref(), Some("hello"));
    let body = json!({"current": "phantich-demo", "new": "another password 2026"}).to_string();
    let (s, headers, _) = app.post("/api/v1/account/password", &body, Some(&c)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(stream.end(at_once).await, Some(vec!["revoked".to_string()]));

    // The session that change gave ends in the database only (its absolute end, as another
    // server's logout would): the stream is told at its next look.
    let renewed = cookies_of(&headers);
    let mut stream = Events::open(&app, &renewed).await;
    assert_eq!(hello(stream.next(SECS_5).await).as_deref(), Some("hello"));
    sqlx::query(
        "UPDATE session SET expires_at = now() - interval '1 second'
         WHERE user_id = (SELECT id FROM app_user WHERE username = 'phantich')",
    )
    .execute(pool)
    .await
    .unwrap();
    assert_eq!(
        stream.end(STREAM_RECHECK + at_once).await,
        Some(vec!["revoked".to_string()])
    );

    // Nothing of it ended the other person's stream.
    assert_eq!(others.end(Duration::from_millis(200)).await, None);
    assert_eq!(app.get("/api/v1/me", Some(&other)).await.0, StatusCode::OK);
}

/// An open stream does not count as activity: its looks write no `last_seen`, and 15 minutes
/// without a request end the session and its stream.
#[tokio::test]
async fn an_open_event_stream_does_not_keep_an_idle_session_alive() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let a = app.login("phantich", "phantich-demo").await;
    let mut stream = Events::open(&app, &a).await;
    assert_eq!(
        stream.next(SECS_5).await.map(|e| e.0).as_deref(),
        Some("hello")
    );
    let idle = || async {
        sqlx::query_scalar::<_, f64>(
            "SELECT extract(epoch FROM now() - last_seen)::float8 FROM session",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    };
    sqlx::query("UPDATE session SET last_seen = now() - interval '14 minutes'")
        .execute(pool)
        .await
        .unwrap();
    // At least one look at the session meanwhile: still valid, and still as idle.
    assert_eq!(
        stream.end(STREAM_RECHECK + Duration::from_secs(1)).await,
        None
    );
    assert!(idle().await >= 14.0 * 60.0, "{}", idle().await);
    sqlx::query("UPDATE session SET last_seen = now() - interval '16 minutes'")
        .execute(pool)
        .await
        .unwrap();
    assert_eq!(
        stream.end(STREAM_RECHECK + Duration::from_secs(2)).await,
        Some(vec!["revoked".to_string()])
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&a)).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn a_new_authenticator_app_is_confirmed_by_its_code_and_recovery_codes_renew() {
    let app = TestApp::seeded().await;
    let cookie = app.login("phantich", "phantich-demo").await;
    let (s, acc) = app.get("/api/v1/account", Some(&cookie)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(acc["second_factor_required"], false);
    assert_eq!(acc["second_factor_enrolled"], false);
    let (s, _, j) = app
        .post(
            "/api/v1/account/totp",
            r#"{"password":"nope"}"#,
            Some(&cookie),
        )
        .await;
    assert_eq!(
        (s, j["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("password"))
    );
    let (s, _, setup) = app
        .post(
            "/api/v1/account/totp",
            r#"{"password":"phantich-demo"}"#,
            Some(&cookie),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(setup["qr_svg"].as_str().unwrap().contains("<svg"));
    let secret = server::auth::totp::secret_from_text(setup["secret"].as_str().unwrap()).unwrap();
    let code = |offset: i64| {
        let step = server::auth::totp::step_of(chrono::Utc::now().timestamp()) + offset;
        format!("{:06}", server::auth::totp::code_at(&secret, step))
    };
    let (s, _, j) = app
        .post(
            "/api/v1/account/totp/confirm",
            r#"{"code":"000000x"}"#,
            Some(&cookie),
        )
        .await;
    assert_eq!(
        (s, j["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code"))
    );
    // The person's other screen, live: a new app ends its session and its stream.
    let elsewhere = app.login("phantich", "phantich-demo").await;
    let mut stream = Events::open(&app, &elsewhere).await;
    assert_eq!(
        stream.next(SECS_5).await.map(|e| e.0).as_deref(),
        Some("hello")
    );
    let (s, headers, codes) = app
        .post(
            "/api/v1/account/totp/confirm",
            &json!({"code": code(0)}).to_string(),
            Some(&cookie),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{codes}");
    assert_eq!(
        stream.end(Duration::from_secs(2)).await,
        Some(vec!["revoked".to_string()])
    );
    assert_eq!(
        app.get("/api/v1/me", Some(&elsewhere)).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(codes["codes"].as_array().unwrap().len(), 10);
    let cookie = cookies_of(&headers);
    let (_, acc) = app.get("/api/v1/account", Some(&cookie)).await;
    assert_eq!(
        (
            acc["second_factor_enrolled"].as_bool(),
            acc["recovery_codes_left"].as_i64()
        ),
        (Some(true), Some(10))
    );
    // From now on this analyst logs in with the app too.
    let (s, _, j) = login_body(
        &app,
        json!({"username": "phantich", "password": "phantich-demo"}),
    )
    .await;
    assert_eq!(
        (s, j["field"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("totp"))
    );
    // New recovery codes for the next code; the old ones stop working.
    let (s, _, renewed) = app
        .post(
            "/api/v1/account/recovery-codes",
            &json!({"code": code(1)}).to_string(),
            Some(&cookie),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{renewed}");
    let old = codes["codes"][0].as_str().unwrap();
    let (s, _, _) = login_body(
        &app,
        json!({"username": "phantich", "password": "phantich-demo", "totp": old}),
    )
    .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let new = renewed["codes"][0].as_str().unwrap();
    let (s, _, _) = login_body(
        &app,
        json!({"username": "phantich", "password": "phantich-demo", "totp": new}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
}

/// The authenticator secrets are stored sealed with a key kept outside the database: the table
/// holds nothing a reader can make codes with, and the codes still log in; a secret stored in
/// clear (by an older version) is not taken as one until it is sealed, then gives the same
/// codes; a new app's pending secret is sealed too.
#[tokio::test]
async fn authenticator_secrets_are_sealed_at_rest() {
    use server::auth::{secret_key, totp};
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let key = secret_key::current().unwrap();
    let stored: Vec<(String, String)> = sqlx::query_as(
        "SELECT username, totp_secret FROM app_user WHERE totp_secret IS NOT NULL ORDER BY username",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let names: Vec<&str> = stored.iter().map(|(u, _)| u.as_str()).collect();
    assert_eq!(names, ["admin", "hanoi", "lanhdao"]);
    for (username, value) in &stored {
        let secret = totp::demo_secret(username);
        assert!(value.starts_with("v1:"), "{username}: {value}");
        assert!(!value.contains(&totp::secret_text(&secret)), "{username}");
        assert_eq!(key.open(value), Some(secret), "{username}");
    }
    app.login("lanhdao", "lanhdao-demo").await;

    // A clear secret left in the table is no secret: refused as if none were set up.
    let clear = totp::secret_text(&totp::demo_secret("hanoi"));
    sqlx::query(
        "UPDATE app_user SET totp_secret = $1, totp_last_step = NULL WHERE username = 'hanoi'",
    )
    .bind(&clear)
    .execute(pool)
    .await
    .unwrap();
    let (s, _, j) = login_body(
        &app,
        json!({"username": "hanoi", "password": "hanoi-demo", "totp": demo_code("hanoi", 0)}),
    )
    .await;
    assert_eq!(
        (s, j["field"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("totp")),
        "{j}"
    );
    // Sealed (as the binary does at start): the same codes log in; a second pass seals nothing.
    assert_eq!(secret_key::seal_clear_secrets(pool).await.unwrap(), 1);
    assert_eq!(secret_key::seal_clear_secrets(pool).await.unwrap(), 0);
    app.login("hanoi", "hanoi-demo").await;

    // A new app's secret waits for its first code sealed as well.
    let cookie = app.login("phantich", "phantich-demo").await;
    let (s, _, setup) = app
        .post(
            "/api/v1/account/totp",
            r#"{"password":"phantich-demo"}"#,
            Some(&cookie),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let pending: String =
        sqlx::query_scalar("SELECT totp_pending FROM app_user WHERE username = 'phantich'")
            .fetch_one(pool)
            .await
            .unwrap();
    assert!(pending.starts_with("v1:"), "{pending}");
    let shown = totp::secret_from_text(setup["secret"].as_str().unwrap()).unwrap();
    assert_eq!(key.open(&pending), Some(shown));
}

#[tokio::test]
async fn a_change_needs_the_session_anti_forgery_token_and_the_same_origin() {
    let app = TestApp::seeded().await;
    let cookie = app.login("phantich", "phantich-demo").await;
    let session = cookie
        .split("; ")
        .find(|c| c.starts_with("oversight_session="))
        .unwrap();
    let csrf = cookie
        .split("; ")
        .find_map(|c| c.strip_prefix("oversight_csrf="))
        .unwrap();
    server::warning::evaluate(&app.db.pool).await.unwrap();
    let alert: i64 = sqlx::query_scalar("SELECT id FROM alert ORDER BY id LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let ack = |token: Option<&str>, origin: Option<&str>| {
        let mut req = Request::post(format!("/api/v1/alerts/{alert}/ack"))
            .header(header::HOST, "oversight.example")
            .header(header::COOKIE, session)
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(t) = token {
            req = req.header("x-csrf-token", t);
        }
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        req.body(Body::from("{}")).unwrap()
    };
    let (s, _, j) = app.send_raw(ack(None, None)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        j["error"].as_str().unwrap().starts_with("x-csrf-token:"),
        "{j}"
    );
    let (s, _, _) = app.send_raw(ack(Some("forged"), None)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _, j) = app
        .send_raw(ack(Some(csrf), Some("https://evil.example")))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(j["error"].as_str().unwrap().starts_with("Origin:"), "{j}");
    let (s, _, j) = app
        .send_raw(ack(Some(csrf), Some("https://oversight.example")))
        .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    // Nothing was changed by the refused requests: one acknowledgement in the trail.
    let acks: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action LIKE 'alert_%' AND actor = 'phantich'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(acks, 1);
    // A logout is a change too.
    let (s, _, _) = app
        .send_raw(
            Request::post("/api/v1/auth/logout")
                .header(header::COOKIE, session)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A machine client's bearer token carries no ambient credential and needs no token.
    let token = common::hanoi_token(&app.db.pool).await;
    let (s, _) = app
        .with_token(
            &token,
            Request::post("/api/v1/ingest/cases").header(header::CONTENT_TYPE, "application/json"),
            Body::from("[]"),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn pages_carry_a_strict_policy_with_a_fresh_nonce_on_their_scripts() {
    let app = TestApp::seeded().await;
    let mut nonces = Vec::new();
    for _ in 0..2 {
        let res = app
            .router
            .clone()
            .oneshot(Request::get("/login").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let h = res.headers().clone();
        let csp = h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src"))
            .unwrap()
            .to_string();
        assert!(!script_src.contains("unsafe-inline"), "{csp}");
        assert!(script_src.contains("'wasm-unsafe-eval'"), "{csp}");
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("object-src 'none'"),
            "{csp}"
        );
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::REFERRER_POLICY], "no-referrer");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY");
        assert!(
            h.get(header::STRICT_TRANSPORT_SECURITY).is_none(),
            "no HSTS over plain HTTP"
        );
        let nonce = script_src
            .split_whitespace()
            .find_map(|s| s.strip_prefix("'nonce-"))
            .unwrap()
            .trim_end_matches('\'')
            .to_string();
        let body = http_body_util::BodyExt::collect(res.into_body())
            .await
            .unwrap()
            .to_bytes();
        let html = String::from_utf8_lossy(&body);
        // Every inline script carries this response's nonce.
        let scripts = html.matches("<script").count();
        assert!(scripts > 0);
        assert_eq!(
            html.matches(&format!("nonce=\"{nonce}\"")).count(),
            scripts,
            "{html}"
        );
        nonces.push(nonce);
    }
    assert_ne!(nonces[0], nonces[1], "a nonce is never reused");
}

/// A path of the route table with its parameters filled in.
fn concrete(path: &str) -> String {
    path.replace("{id}", "999999")
        .replace("{ord}", "1")
        .replace("{format}", "pdf")
        .replace("/units/{code}", "/units/01")
        .replace("{code}", "NO-SUCH-CODE")
}

/// The status of a request, without reading a streaming body.
async fn status(
    app: &TestApp,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    token: Option<&str>,
) -> StatusCode {
    let mut req = Request::builder().method(method).uri(path);
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
        if let Some(csrf) = c
            .split("; ")
            .find_map(|c| c.strip_prefix("oversight_csrf="))
        {
            req = req.header("x-csrf-token", csrf);
        }
    }
    if let Some(t) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    let body = if method == "GET" || method == "DELETE" {
        Body::empty()
    } else {
        Body::from("{}")
    };
    let req = req
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .unwrap();
    app.router.clone().oneshot(req).await.unwrap().status()
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_matrix_says() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    // The table and the API's own description name the same routes.
    let (_, doc) = app.get("/api/v1/openapi.json", None).await;
    let mut described: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(p, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), p.clone()))
        })
        .collect();
    described.sort();
    let mut table: Vec<(String, String)> = ROUTES
        .iter()
        .map(|(m, p, _)| (m.to_string(), p.to_string()))
        .collect();
    table.sort();
    let undescribed: Vec<_> = table.iter().filter(|r| !described.contains(r)).collect();
    let unlisted: Vec<_> = described.iter().filter(|r| !table.contains(r)).collect();
    assert!(
        unlisted.is_empty(),
        "described but not in the matrix: {unlisted:?}"
    );
    // Routes the description leaves out (the contract's short forms, the wall's setup) are still
    // in the matrix; they are few and known.
    assert!(undescribed.len() <= 12, "{undescribed:?}");

    let people = [
        ("admin", Role::Admin),
        ("lanhdao", Role::Leader),
        ("phantich", Role::Analyst),
        ("dulieu", Role::DataOfficer),
    ];
    let mut cookies = Vec::new();
    for (user, role) in people {
        cookies.push((role, app.login(user, &format!("{user}-demo")).await));
    }
    let display = server::auth::token::create(pool, "wall-test", Role::Display, "VN", None)
        .await
        .unwrap();
    let machine_admin = server::auth::token::create(pool, "feed-admin", Role::Admin, "VN", None)
        .await
        .unwrap();
    let mut checked = 0;
    for (method, path, action) in ROUTES {
        // Logging out would end the session the rest of the walk uses; tests/api_scope.rs has it.
        if *path == "/api/v1/auth/logout" || *path == "/api/v1/account/password" {
            continue;
        }
        let url = concrete(path);
        for (role, cookie) in &cookies {
            let s = status(&app, method, &url, Some(cookie), None).await;
            if allows(*role, *action) {
                assert!(
                    s != StatusCode::FORBIDDEN && s != StatusCode::UNAUTHORIZED,
                    "{role} {method} {url}: {s}"
                );
            } else {
                assert_eq!(s, StatusCode::FORBIDDEN, "{role} {method} {url}");
            }
            checked += 1;
        }
        for (token, role) in [(&display, Role::Display), (&machine_admin, Role::Admin)] {
            let s = status(&app, method, &url, None, Some(token)).await;
            let may = allows(role, *action) && !action.in_person();
            if may {
                assert!(
                    s != StatusCode::FORBIDDEN && s != StatusCode::UNAUTHORIZED,
                    "{role} token {method} {url}: {s}"
                );
            } else {
                assert_eq!(s, StatusCode::FORBIDDEN, "{role} token {method} {url}");
            }
            checked += 1;
        }
        // Nobody: only the public routes answer.
        let s = status(&app, method, &url, None, None).await;
        if *action == Action::Public {
            assert!(
                s != StatusCode::UNAUTHORIZED && s != StatusCode::FORBIDDEN,
                "{method} {url}: {s}"
            );
        } else {
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{method} {url}");
        }
    }
    assert!(checked >= 6 * (ROUTES.len() - 2), "{checked}");
}

#[tokio::test]
async fn routes_naming_a_unit_refuse_a_user_of_another_scope() {
    let app = TestApp::seeded().await;
    let hcm = app.login("hcm", "hcm-demo").await;
    let hanoi_case: i64 = sqlx::query_scalar("SELECT id FROM cases WHERE province = '01' LIMIT 1")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let hanoi_alert: i64 = sqlx::query_scalar(
        "INSERT INTO alert (kind, severity, unit, path, province, measure, expected, observed,
             explanation, dedup_key)
         SELECT 'target_behind', 'warning', code, path, province, 'inspections', 120, 80,
                'Inspections behind plan', 'security-test'
         FROM unit WHERE code = '01' RETURNING id",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let commune = common::commune_of(&app.db.pool, "01").await;
    for path in [
        "/api/v1/summary?unit=01".to_string(),
        format!("/api/v1/summary?unit={commune}"),
        "/api/v1/overview?unit=01".into(),
        "/api/v1/cases?unit=01".into(),
        "/api/v1/units?parent=01".into(),
        "/api/v1/units/01/workload".into(),
        "/api/v1/alerts?unit=01".into(),
        "/api/v1/reports/preview?unit=01&period=2026".into(),
        "/api/v1/reports/file?unit=01&period=2026&format=csv".into(),
        format!("/api/v1/cases/{hanoi_case}/history"),
        format!("/api/v1/cases/{hanoi_case}/steps"),
        format!("/api/v1/alerts/{hanoi_alert}"),
    ] {
        let (s, j) = app.get(&path, Some(&hcm)).await;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
            "{path}: {s} {j}"
        );
    }
    for (path, body) in [
        (format!("/api/v1/alerts/{hanoi_alert}/ack"), "{}"),
        (format!("/api/v1/cases/{hanoi_case}/steps/1/done"), "{}"),
    ] {
        let (s, _, j) = app.post(&path, body, Some(&hcm)).await;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
            "{path}: {s} {j}"
        );
    }
}

#[tokio::test]
async fn an_administrator_searches_the_audit_trail_within_their_scope() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let _ = login_body(&app, json!({"username": "hcm", "password": "wrong"})).await;
    let _ = app.login("hanoi", "hanoi-demo").await;
    let admin = app.login("admin", "admin-demo").await;
    let (s, page) = app
        .get("/api/v1/audit?action=login_failed", Some(&admin))
        .await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let entries = page["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["actor"], "hcm");
    assert_eq!(entries[0]["detail"]["reason"], "wrong password");
    assert!(
        page["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "login")
    );
    let (_, page) = app.get("/api/v1/audit?actor=hanoi", Some(&admin)).await;
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log WHERE actor = 'hanoi'")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(page["entries"].as_array().unwrap().len() as i64, all);
    // A province's administrator sees the entries of that province's people only.
    let hash = server::auth::hash_password("province-admin-1").unwrap();
    sqlx::query("INSERT INTO app_user (username, password_hash, role, scope) VALUES ('qt79', $1, 'analyst', '79')")
        .bind(hash)
        .execute(pool)
        .await
        .unwrap();
    let qt = app.login("qt79", "province-admin-1").await;
    sqlx::query("UPDATE app_user SET role = 'admin' WHERE username = 'qt79'")
        .execute(pool)
        .await
        .unwrap();
    let (s, page) = app.get("/api/v1/audit", Some(&qt)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    let actors: std::collections::BTreeSet<&str> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["actor"].as_str().unwrap())
        .collect();
    assert_eq!(actors, ["hcm", "qt79"].into_iter().collect());
    // Bad filters are named; other roles are refused.
    for (q, field) in [
        ("from=2026-13-01", "from"),
        ("from=2026-11-02&to=2026-11-01", "to"),
        ("before=0", "before"),
        ("colour=red", "colour"),
    ] {
        let (s, j) = app.get(&format!("/api/v1/audit?{q}"), Some(&admin)).await;
        assert_eq!(
            (s, j["field"].as_str()),
            (StatusCode::BAD_REQUEST, Some(field)),
            "{q}: {j}"
        );
    }
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    assert_eq!(
        app.get("/api/v1/audit", Some(&leader)).await.0,
        StatusCode::FORBIDDEN
    );
}

/// A writer that keeps what the log says, for the test below.
#[derive(Clone, Default)]
struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn no_password_code_secret_or_token_reaches_the_log() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = TestApp::seeded().await;
    let code = demo_code("lanhdao", 0);
    let _ = login_body(
        &app,
        json!({"username": "lanhdao", "password": "wrong-password-77"}),
    )
    .await;
    let (_, headers, _) = login_body(
        &app,
        json!({"username": "lanhdao", "password": "lanhdao-demo", "totp": code}),
    )
    .await;
    let cookie = cookies_of(&headers);
    let session = cookie
        .split("; ")
        .find_map(|c| c.strip_prefix("oversight_session="))
        .unwrap()
        .to_string();
    let (_, _, setup) = app
        .post(
            "/api/v1/account/totp",
            r#"{"password":"lanhdao-demo"}"#,
            Some(&cookie),
        )
        .await;
    let body = json!({"current": "lanhdao-demo", "new": "a changed password 2026"}).to_string();
    let _ = app
        .post("/api/v1/account/password", &body, Some(&cookie))
        .await;
    let token = common::hanoi_token(&app.db.pool).await;
    let _ = app.get_as(&token, "/api/v1/cases").await;
    let _ = app.get_as("ovs_forged_token_value", "/api/v1/cases").await;
    tracing::info!("end of the secrets test");
    let log = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        log.contains("end of the secrets test"),
        "the log was captured"
    );
    for secret in [
        "wrong-password-77",
        "lanhdao-demo",
        "a changed password 2026",
        session.as_str(),
        setup["secret"].as_str().unwrap(),
        token.as_str(),
        "ovs_forged_token_value",
    ] {
        assert!(!log.contains(secret), "{secret} is in the log");
    }
}
