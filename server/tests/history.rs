//! A case's history (`GET /cases/{id}/history`): every version an ingest batch wrote, who wrote
//! it, by which batch and when, and what it changed; within the caller's scope only.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::TestApp;
use domain::Role;
use serde_json::{Value, json};
use sqlx::PgPool;

async fn call(
    app: &TestApp,
    token: &str,
    req: axum::http::request::Builder,
    body: Body,
) -> (StatusCode, Value) {
    let req = req
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(body)
        .unwrap();
    let (status, _, json) = app.send(req).await;
    (status, json)
}

async fn token(pool: &PgPool, name: &str, role: Role, scope: &str, source: Option<&str>) -> String {
    server::auth::token::create(pool, name, role, scope, source)
        .await
        .unwrap()
}

/// Sends one case; answers the batch's id.
async fn send(app: &TestApp, token: &str, case: &Value) -> i64 {
    let (status, report) = call(
        app,
        token,
        Request::post("/api/v1/ingest/cases").header(header::CONTENT_TYPE, "application/json"),
        Body::from(json!([case]).to_string()),
    )
    .await;
    assert_eq!(
        (status, report["accepted"].clone()),
        (StatusCode::OK, json!(1)),
        "{report}"
    );
    report["batch"].as_i64().unwrap()
}

#[tokio::test]
async fn each_batch_that_changes_a_case_leaves_a_version_naming_its_writer_and_changes() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let commune: String = sqlx::query_scalar(
        "SELECT code FROM unit WHERE parent = '01' AND level = 'commune' ORDER BY code LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let writer = token(
        pool,
        "he-thong-ha-noi",
        Role::DataOfficer,
        "01",
        Some("HT-UBKT-01"),
    )
    .await;
    let mut case = json!({
        "source": "HT-UBKT-01", "external_id": "H-1", "kind": "complaint", "conducting_unit": "01",
        "subject": {"type": "member", "unit": commune, "ref": "ĐV-7"}, "sector": "land",
        "status": "in_progress", "opened_on": "2026-03-01"
    });
    let first = send(&app, &writer, &case).await;
    case["status"] = json!("concluded");
    case["concluded_on"] = json!("2026-04-10");
    case["violation"] = json!(true);
    case["violation_categories"] = json!(["land_management", "corruption"]);
    let second = send(&app, &writer, &case).await;
    let third = send(&app, &writer, &case).await;

    let reader = token(pool, "lanh-dao-ha-noi", Role::Leader, "01", None).await;
    let (_, page) = call(
        &app,
        &reader,
        Request::get("/api/v1/cases?source=HT-UBKT-01&external_id=H-1"),
        Body::empty(),
    )
    .await;
    let id = page["cases"][0]["id"].as_i64().unwrap();
    let (status, history) = call(
        &app,
        &reader,
        Request::get(format!("/api/v1/cases/{id}/history")),
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{history}");
    assert_eq!(history["id"], id);
    assert_eq!(history["source"], "HT-UBKT-01");
    assert_eq!(history["external_id"], "H-1");
    let versions = history["versions"].as_array().unwrap();
    assert_eq!(versions.len(), 3, "{history}");
    let who: Vec<(Value, Value, Value, Value)> = versions
        .iter()
        .map(|v| {
            (
                v["version"].clone(),
                v["written_by"].clone(),
                v["batch"].clone(),
                v["current"].clone(),
            )
        })
        .collect();
    assert_eq!(
        who,
        vec![
            (
                json!(1),
                json!("he-thong-ha-noi"),
                json!(first),
                json!(false)
            ),
            (
                json!(2),
                json!("he-thong-ha-noi"),
                json!(second),
                json!(false)
            ),
            (
                json!(3),
                json!("he-thong-ha-noi"),
                json!(third),
                json!(true)
            ),
        ]
    );
    assert_eq!(versions[0]["fields"]["status"], "in_progress");
    assert_eq!(versions[0]["fields"]["subject.ref"], "ĐV-7");
    assert_eq!(versions[0]["fields"]["subject.unit"], commune);
    assert!(versions[0]["fields"].get("violation").is_none());
    let changed: Vec<&str> = versions[0]["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        changed.contains(&"kind") && changed.contains(&"location.lat"),
        "{changed:?}"
    );
    assert_eq!(
        versions[1]["changed"],
        json!([
            "concluded_on",
            "status",
            "violation",
            "violation_categories"
        ])
    );
    assert_eq!(
        versions[1]["fields"]["violation_categories"],
        "land_management;corruption"
    );
    assert_eq!(versions[2]["changed"], json!([]));
    assert_eq!(versions[2]["fields"]["status"], "concluded");
    // The written times are in order.
    let at: Vec<&str> = versions
        .iter()
        .map(|v| v["written_at"].as_str().unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] <= w[1]), "{at:?}");
    // The read is in the audit trail.
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'case_history_read' AND object = $1",
    )
    .bind(id.to_string())
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);

    // Another province's user cannot see it (404, as if it did not exist).
    let elsewhere = token(pool, "hcm", Role::Analyst, "79", None).await;
    let (status, _) = call(
        &app,
        &elsewhere,
        Request::get(format!("/api/v1/cases/{id}/history")),
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, bad) = call(
        &app,
        &reader,
        Request::get("/api/v1/cases/abc/history"),
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.to_string().contains("id"), "{bad}");
    let (status, _) = call(
        &app,
        &reader,
        Request::get("/api/v1/cases/999999999/history"),
        Body::empty(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A seeded case has one version, written by the seed.
    let seeded: i64 =
        sqlx::query_scalar("SELECT min(id) FROM cases WHERE province = '01' AND batch IS NULL")
            .fetch_one(pool)
            .await
            .unwrap();
    let (_, h) = call(
        &app,
        &reader,
        Request::get(format!("/api/v1/cases/{seeded}/history")),
        Body::empty(),
    )
    .await;
    assert_eq!(h["versions"].as_array().unwrap().len(), 1, "{h}");
    assert_eq!(h["versions"][0]["written_by"], "seed");
    assert_eq!(h["versions"][0]["batch"], Value::Null);
}
