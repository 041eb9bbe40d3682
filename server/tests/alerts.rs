//! The work on alerts (`GET /alerts`, `GET /alerts/{id}`, `POST /alerts/{id}/actions`): new →
//! acknowledged → assigned → resolved with comments, owner and history, within the caller's scope.

mod common;

use axum::http::StatusCode;
use common::{TestApp, scalar};
use serde_json::{Value, json};
use sqlx::PgPool;

/// An open alert about `unit`; answers its id.
async fn alert(pool: &PgPool, unit: &str, severity: &str, key: &str) -> i64 {
    sqlx::query_scalar(
        "INSERT INTO alert (kind, severity, unit, path, province, measure, expected, observed,
             explanation, link, dedup_key)
         SELECT 'target_behind', $2, code, path, province, 'inspections', 120, 80,
                'Inspections behind plan', '/overview/' || code, $3
         FROM unit WHERE code = $1 RETURNING id",
    )
    .bind(unit)
    .bind(severity)
    .bind(key)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn act(app: &TestApp, cookie: &str, id: i64, body: Value) -> (StatusCode, Value) {
    let (status, _, json) = app
        .post(
            &format!("/api/v1/alerts/{id}/actions"),
            &body.to_string(),
            Some(cookie),
        )
        .await;
    (status, json)
}

#[tokio::test]
async fn an_alert_is_acknowledged_assigned_and_resolved_with_its_history() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    sqlx::query("DELETE FROM alert")
        .execute(pool)
        .await
        .unwrap();
    let hanoi_alert = alert(pool, "01", "critical", "t:1").await;
    let warn = alert(pool, "01", "warning", "t:2").await;
    let hcm_alert = alert(pool, "79", "critical", "t:3").await;
    let cookie = app.login("hanoi", "hanoi-demo").await;

    // The list: only Hà Nội's, the critical first; the badge counts open ones in scope.
    let (status, page) = app.get("/api/v1/alerts", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let ids: Vec<i64> = page["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![hanoi_alert, warn]);
    assert_eq!(page["open"], 2);
    assert_eq!(page["alerts"][0]["unit_name"], "Thành phố Hà Nội");
    let (_, page) = app
        .get("/api/v1/alerts?severity=warning", Some(&cookie))
        .await;
    assert_eq!(page["total"], 1);
    assert_eq!(page["alerts"][0]["id"], warn);

    // Acknowledge, then assign to the province's analyst... who cannot see Hà Nội: refused.
    let (status, d) = act(&app, &cookie, hanoi_alert, json!({"action": "acknowledge"})).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["alert"]["state"], "acknowledged");
    let (status, e) = act(&app, &cookie, hanoi_alert, json!({"action": "acknowledge"})).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["field"], "action");
    let (status, e) = act(
        &app,
        &cookie,
        hanoi_alert,
        json!({"action": "assign", "owner": "hcm"}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["field"], "owner");
    let (status, e) = act(&app, &cookie, hanoi_alert, json!({"action": "assign"})).await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("owner"))
    );
    let (status, d) = act(
        &app,
        &cookie,
        hanoi_alert,
        json!({"action": "assign", "owner": "dulieu", "comment": "Kiểm tra số liệu"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["alert"]["state"], "assigned");
    assert_eq!(d["alert"]["owner"], "dulieu");

    // Resolving needs a comment saying how.
    let (status, e) = act(&app, &cookie, hanoi_alert, json!({"action": "resolve"})).await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("comment"))
    );
    let (status, d) = act(
        &app,
        &cookie,
        hanoi_alert,
        json!({"action": "resolve", "comment": "Đã bổ sung kế hoạch kiểm tra"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["alert"]["state"], "resolved");
    let steps: Vec<(String, String, String)> = d["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_string(),
                e["action"].as_str().unwrap().to_string(),
                e["comment"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        steps,
        vec![
            ("hanoi".into(), "acknowledge".into(), "".into()),
            (
                "hanoi".into(),
                "assign".into(),
                "→ dulieu: Kiểm tra số liệu".into()
            ),
            (
                "hanoi".into(),
                "resolve".into(),
                "Đã bổ sung kế hoạch kiểm tra".into()
            ),
        ]
    );
    // The database holds the same, and the audit log has every step.
    assert_eq!(
        scalar(
            pool,
            &format!("SELECT count(*) FROM alert_event WHERE alert = {hanoi_alert}")
        )
        .await,
        3
    );
    assert_eq!(
        scalar(
            pool,
            &format!("SELECT count(*) FROM audit_log WHERE action = 'alert_action' AND object = 'alert:{hanoi_alert}'")
        )
        .await,
        3
    );
    let (_, page) = app.get("/api/v1/alerts?state=open", Some(&cookie)).await;
    assert_eq!(page["open"], 1);
    assert_eq!(page["total"], 1);
    // Reopened, it is new again, its owner kept.
    let (_, d) = act(&app, &cookie, hanoi_alert, json!({"action": "reopen"})).await;
    assert_eq!(d["alert"]["state"], "new");
    assert_eq!(d["alert"]["owner"], "dulieu");

    // Another province's alert does not exist for this user, to read or to act on.
    let (status, _) = app
        .get(&format!("/api/v1/alerts/{hcm_alert}"), Some(&cookie))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = act(&app, &cookie, hcm_alert, json!({"action": "acknowledge"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(
        scalar(
            pool,
            &format!("SELECT count(*) FROM alert WHERE id = {hcm_alert} AND state = 'new'")
        )
        .await,
        1
    );
    let (status, e) = app.get("/api/v1/alerts?unit=79", Some(&cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{e}");
    // The centre sees both provinces'.
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let (_, page) = app.get("/api/v1/alerts", Some(&leader)).await;
    assert_eq!(page["total"], 3);
}

#[tokio::test]
async fn bad_actions_are_answered_and_change_nothing() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let id = alert(pool, "01", "info", "t:bad").await;
    let cookie = app.login("hanoi", "hanoi-demo").await;
    for (body, field) in [
        (json!({"action": "delete"}), "action"),
        (json!({"action": "comment"}), "comment"),
        (
            json!({"action": "comment", "comment": "x".repeat(2001)}),
            "comment",
        ),
        (json!({"action": "acknowledge", "extra": 1}), "body"),
    ] {
        let (status, e) = act(&app, &cookie, id, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(e["field"], field, "{body}: {e}");
    }
    let (status, _, e) = app
        .post(
            &format!("/api/v1/alerts/{id}/actions"),
            "not json",
            Some(&cookie),
        )
        .await;
    assert_eq!(
        (status, e["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("body"))
    );
    for q in [
        "state=closed",
        "severity=huge",
        "limit=0",
        "limit=501",
        "offset=-1",
        "colour=red",
    ] {
        let (status, _) = app.get(&format!("/api/v1/alerts?{q}"), Some(&cookie)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}");
    }
    assert_eq!(
        scalar(
            pool,
            &format!("SELECT count(*) FROM alert_event WHERE alert = {id}")
        )
        .await,
        0
    );
    // A machine token (here a source's) reads but does not act.
    let token = common::hanoi_token(pool).await;
    let (status, _) = app.get_as(&token, "/api/v1/alerts").await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app
        .with_token(
            &token,
            axum::http::Request::post(format!("/api/v1/alerts/{id}/actions"))
                .header("content-type", "application/json"),
            axum::body::Body::from(r#"{"action":"acknowledge"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get("/api/v1/alerts", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
