//! The session cache (`auth::session_cache`) and the answer cache (`http::answers`): a session is
//! trusted from memory for the recheck time, ended at once by a logout here, and `last_seen` is
//! written at most once a minute; the overview's and summary's answers are kept per scope and
//! question until an event says the data changed.

mod common;

use axum::http::StatusCode;
use common::{TestApp, scalar};
use server::config::{Config, RateLimits};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The app with a session recheck of 1 s and the answer cache on (60 s).
async fn cached() -> TestApp {
    let db = server::testing::seeded_database().await;
    let config = Arc::new(Config {
        addr: "127.0.0.1:0".parse().unwrap(),
        database_url: Some(db.url.clone()),
        data_dir: "target/unused".into(),
        site_dir: "target/site".into(),
        secure_cookies: false,
        ingest_max_bytes: server::ingest::DEFAULT_MAX_BYTES,
        frame_ancestors: Vec::new(),
        tls: None,
        rate_limits: RateLimits::off(),
        session_recheck: Duration::from_secs(1),
        answer_cache: Duration::from_secs(60),
    });
    let router = server::http::app(config, db.pool.clone());
    TestApp { db, router }
}

/// Seconds since the session's `last_seen`, by the database's clock.
async fn idle_seconds(app: &TestApp, username: &str) -> i64 {
    scalar(
        &app.db.pool,
        &format!(
            "SELECT extract(epoch FROM now() - max(s.last_seen))::bigint FROM session s \
             JOIN app_user a ON a.id = s.user_id WHERE a.username = '{username}'"
        ),
    )
    .await
}

#[tokio::test]
async fn a_logout_ends_a_remembered_session_at_once() {
    let app = cached().await;
    let cookie = app.login("phantich", "phantich-demo").await;
    for _ in 0..3 {
        let (status, me) = app.get("/api/v1/me", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(me["username"], "phantich");
    }
    let (status, _, _) = app.post("/api/v1/auth/logout", "", Some(&cookie)).await;
    assert!(status.is_success(), "{status}");
    let (status, json) = app.get("/api/v1/me", Some(&cookie)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(json["error"], "the session has ended; log in again");
}

#[tokio::test]
async fn a_session_ended_elsewhere_is_refused_within_the_recheck() {
    let app = cached().await;
    let cookie = app.login("hcm", "hcm-demo").await;
    let (status, _) = app.get("/api/v1/me", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    // Another server's logout: only the database knows.
    let gone = Instant::now();
    sqlx::query(
        "DELETE FROM session WHERE user_id = (SELECT id FROM app_user WHERE username = 'hcm')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    // Refused after at most the recheck (1 s here, 5 s by default).
    loop {
        let (status, _) = app.get("/api/v1/me", Some(&cookie)).await;
        if status == StatusCode::UNAUTHORIZED {
            break;
        }
        assert_eq!(status, StatusCode::OK);
        assert!(gone.elapsed() < Duration::from_millis(1500), "still valid");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn last_seen_is_written_at_most_once_a_minute_and_idle_sessions_end() {
    let app = cached().await;
    let cookie = app.login("phantich", "phantich-demo").await;
    // Two minutes ago by the database: the next check writes it.
    sqlx::query("UPDATE session SET last_seen = now() - interval '2 minutes'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let (status, _) = app.get("/api/v1/me", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(idle_seconds(&app, "phantich").await <= 1);
    // Thirty seconds ago: requests and rechecks within the minute write nothing.
    sqlx::query("UPDATE session SET last_seen = now() - interval '30 seconds'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    for _ in 0..3 {
        let (status, _) = app.get("/api/v1/me", Some(&cookie)).await;
        assert_eq!(status, StatusCode::OK);
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _) = app.get("/api/v1/me", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    let idle = idle_seconds(&app, "phantich").await;
    assert!((30..=32).contains(&idle), "last_seen was written: {idle} s");

    // A session idle 16 minutes that this server has not seen is over.
    let other = app.login("hcm", "hcm-demo").await;
    sqlx::query(
        "UPDATE session SET last_seen = now() - interval '16 minutes'
         WHERE user_id = (SELECT id FROM app_user WHERE username = 'hcm')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    let (status, _) = app.get("/api/v1/me", Some(&other)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn answers_are_kept_per_scope_until_an_event_says_the_data_changed() {
    let app = cached().await;
    let pool = &app.db.pool;
    let centre = app.login("phantich", "phantich-demo").await;
    let hcm = app.login("hcm", "hcm-demo").await;
    let path = "/api/v1/summary?unit=01&from=2010-01-01&to=2029-12-31";
    let (status, first) = app.get(path, Some(&centre)).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let cases = scalar(
        pool,
        "SELECT count(*) FROM cases WHERE path <@ (SELECT path FROM unit WHERE code = '01')",
    )
    .await;
    assert_eq!(first["current"]["cases"], cases);

    // The same question from another scope is not the kept answer: Hà Nội is outside hcm's.
    let (status, _) = app.get(path, Some(&hcm)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, own) = app.get("/api/v1/summary", Some(&hcm)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["unit"], "79");

    // A write that announces nothing (a delete) is not seen: the kept answer comes back.
    let gone = sqlx::query(
        "DELETE FROM cases WHERE id IN (SELECT id FROM cases
         WHERE path <@ (SELECT path FROM unit WHERE code = '01') ORDER BY id LIMIT 3)",
    )
    .execute(pool)
    .await
    .unwrap()
    .rows_affected() as i64;
    assert_eq!(gone, 3);
    let (_, again) = app.get(path, Some(&centre)).await;
    assert_eq!(again, first);

    // An event about any data: the next answers are computed anew, within moments.
    server::events::publish(
        pool,
        &server::events::Event::new("data", "VN.01", serde_json::json!({})),
    )
    .await
    .unwrap();
    let sent = Instant::now();
    loop {
        let (_, now) = app.get(path, Some(&centre)).await;
        if now["current"]["cases"] == cases - 3 {
            break;
        }
        assert_eq!(now, first);
        assert!(
            sent.elapsed() < Duration::from_secs(2),
            "the event did not drop it"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The overview: an ingested case (its trigger announces it) shows in the centre's figures.
    let (status, before) = app.get("/api/v1/overview", Some(&centre)).await;
    assert_eq!(status, StatusCode::OK);
    let commune: String = sqlx::query_scalar(
        "SELECT code FROM unit WHERE parent = '01' AND level = 'commune' ORDER BY code LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let officer = app.login("dulieu", "dulieu-demo").await;
    let case = serde_json::json!([{
        "source": "HT-UBKT-01", "external_id": "CACHE-1", "kind": "complaint",
        "conducting_unit": commune, "subject": {"type": "organization", "unit": commune},
        "sector": "personnel", "status": "in_progress",
        "opened_on": chrono::Local::now().date_naive().to_string()
    }]);
    let (status, _, report) = app
        .post("/api/v1/ingest/cases", &case.to_string(), Some(&officer))
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["accepted"], 1);
    let sent = Instant::now();
    loop {
        let (_, now) = app.get("/api/v1/overview", Some(&centre)).await;
        if now["figures"]["cases"] == before["figures"]["cases"].as_i64().unwrap() + 1 {
            break;
        }
        assert_eq!(now, before);
        assert!(
            sent.elapsed() < Duration::from_secs(2),
            "the ingest did not drop it"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// With sessions remembered, a person's open stream still ends with the session: at once at a
/// logout here, within the recheck and a stream's look when another server ended it.
#[tokio::test]
async fn a_remembered_sessions_stream_ends_with_it() {
    use server::auth::session_cache::STREAM_RECHECK;
    let app = cached().await;
    let here = app.login("phantich", "phantich-demo").await;
    let mut stream = common::Events::open(&app, &here).await;
    let first = stream.next(Duration::from_secs(5)).await.map(|e| e.0);
    assert_eq!(first.as_deref(), Some("hello"));
    let (status, _, _) = app.post("/api/v1/auth/logout", "", Some(&here)).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(
        stream.end(Duration::from_secs(2)).await,
        Some(vec!["revoked".to_string()])
    );

    let elsewhere = app.login("hcm", "hcm-demo").await;
    let mut stream = common::Events::open(&app, &elsewhere).await;
    let first = stream.next(Duration::from_secs(5)).await.map(|e| e.0);
    assert_eq!(first.as_deref(), Some("hello"));
    sqlx::query(
        "DELETE FROM session WHERE user_id = (SELECT id FROM app_user WHERE username = 'hcm')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        stream
            .end(STREAM_RECHECK + Duration::from_secs(1) + Duration::from_secs(2))
            .await,
        Some(vec!["revoked".to_string()])
    );
}
