//! Rate limits (`http::ratelimit`): a burst beyond a session's or a token's limit is 429 with
//! `Retry-After` and the limit named; another caller is unaffected; the bucket refills; callers
//! without a valid credential share their address's limit; pages are not limited.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, hanoi_token};
use server::config::{Config, Rate, RateLimits};
use std::sync::Arc;
use std::time::Duration;

/// The app on a seeded database with small limits: a session 2/s in bursts of 5, a token 1/s in
/// bursts of 2, anything else 5/s in bursts of 10.
async fn limited() -> TestApp {
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
        rate_limits: RateLimits {
            session: Some(Rate {
                per_second: 2.0,
                burst: 5,
            }),
            token: Some(Rate {
                per_second: 1.0,
                burst: 2,
            }),
            anonymous: Some(Rate {
                per_second: 5.0,
                burst: 10,
            }),
        },
        session_recheck: Duration::from_secs(5),
        answer_cache: Duration::from_secs(60),
    });
    let router = server::http::app(config, db.pool.clone());
    TestApp { db, router }
}

/// `GET path` with a header; status, `Retry-After` and the JSON answer.
async fn get(
    app: &TestApp,
    path: &str,
    header: Option<(header::HeaderName, &str)>,
) -> (StatusCode, Option<String>, serde_json::Value) {
    let mut req = Request::get(path);
    if let Some((name, value)) = header {
        req = req.header(name, value);
    }
    let (status, headers, json) = app.send(req.body(Body::empty()).unwrap()).await;
    let retry = headers
        .get(header::RETRY_AFTER)
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, json)
}

#[tokio::test]
async fn a_burst_beyond_a_session_limit_is_refused_until_the_bucket_refills() {
    let app = limited().await;
    let analyst = app.login("phantich", "phantich-demo").await;
    let other = app.login("hcm", "hcm-demo").await;
    let me = |cookie: &str| {
        let cookie = cookie.to_string();
        let app = &app;
        async move { get(app, "/api/v1/me", Some((header::COOKIE, &cookie))).await }
    };

    // The burst: five answered, the sixth refused, naming the limit.
    for i in 0..5 {
        let (status, retry, json) = me(&analyst).await;
        assert_eq!(status, StatusCode::OK, "request {i}: {json}");
        assert_eq!(json["username"], "phantich");
        assert_eq!(retry, None);
    }
    let (status, retry, json) = me(&analyst).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry.as_deref(), Some("1"));
    assert_eq!(
        json["error"],
        "too many requests: the limit for a session is 2 requests a second, in bursts of at most \
         5; retry in 1 s"
    );
    // The overview is refused too: the limit is the caller's, not the route's.
    let (status, _, _) = get(&app, "/api/v1/overview", Some((header::COOKIE, &analyst))).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // Another user is not affected.
    let (status, _, json) = me(&other).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["username"], "hcm");

    // Half a second gives one request back, and only one.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let (status, _, json) = me(&analyst).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let (status, retry, _) = me(&analyst).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry.as_deref(), Some("1"));

    // Pages and static files are not limited.
    for _ in 0..20 {
        let (status, _, _) = get(&app, "/health", None).await;
        assert_eq!(status, StatusCode::OK);
    }
}

#[tokio::test]
async fn a_token_has_its_own_limit() {
    let app = limited().await;
    let token = hanoi_token(&app.db.pool).await;
    let bearer = format!("Bearer {token}");
    // The first request is paid by the address (the token is not known valid yet), then the
    // token's own bucket of 2 less that one.
    for _ in 0..2 {
        let (status, _, json) = get(
            &app,
            "/api/v1/sources",
            Some((header::AUTHORIZATION, &bearer)),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{json}");
    }
    let (status, retry, json) = get(
        &app,
        "/api/v1/sources",
        Some((header::AUTHORIZATION, &bearer)),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry.as_deref(), Some("1"));
    assert_eq!(
        json["error"],
        "too many requests: the limit for a token is 1 requests a second, in bursts of at most \
         2; retry in 1 s"
    );
    // A person is not affected.
    let cookie = app.login("phantich", "phantich-demo").await;
    let (status, _, _) = get(&app, "/api/v1/me", Some((header::COOKIE, &cookie))).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn callers_without_a_valid_credential_share_their_address_limit() {
    let app = limited().await;
    // Ten requests with made-up cookies (each 401): the address's burst of 10.
    for i in 0..10 {
        let cookie = format!("oversight_session=made-up-{i}");
        let (status, _, json) = get(&app, "/api/v1/me", Some((header::COOKIE, &cookie))).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{json}");
    }
    // An eleventh, with yet another cookie or none, is refused: new cookies do not escape it.
    let (status, retry, json) = get(
        &app,
        "/api/v1/me",
        Some((header::COOKIE, "oversight_session=made-up-11")),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(retry.as_deref(), Some("1"));
    assert_eq!(
        json["error"],
        "too many requests: the limit for a client address without a valid credential is 5 \
         requests a second, in bursts of at most 10; retry in 1 s"
    );
    let (status, _, _) = get(&app, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // A fifth of a second later it has one again.
    tokio::time::sleep(Duration::from_millis(250)).await;
    let (status, _, _) = get(&app, "/api/v1/me", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
