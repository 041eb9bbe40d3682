//! The registry of information systems (`GET /sources`), a unit's quality (`GET /quality`) and
//! the watch that raises an alert when a source misses its cadence, on a seeded throwaway database.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, scalar};
use domain::Role;
use serde_json::{Value, json};
use sqlx::PgPool;

async fn token(pool: &PgPool, role: Role, scope: &str, source: Option<&str>) -> String {
    server::auth::token::create(pool, "t", role, scope, source)
        .await
        .unwrap()
}

async fn exec(pool: &PgPool, sql: &str) {
    sqlx::query(sql).execute(pool).await.unwrap();
}

/// The actions on the alert of source `HT-UBKT-01`, in order.
async fn events(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT e.action FROM alert_event e JOIN alert a ON a.id = e.alert \
         WHERE a.dedup_key = 'source:HT-UBKT-01' ORDER BY e.id",
    )
    .fetch_all(pool)
    .await
    .unwrap()
}

fn source<'a>(page: &'a Value, code: &str) -> &'a Value {
    page["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == code)
        .unwrap_or_else(|| panic!("no source {code} in {page}"))
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

#[tokio::test]
async fn the_registry_lists_each_source_with_its_figures_and_state() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    // Three sources made late, stale and failing; the rest as the seed left them.
    exec(pool, "UPDATE data_source SET last_arrival = now() - interval '50 hours', cadence_hours = 24 WHERE code = 'HT-UBKT-01'").await;
    exec(pool, "UPDATE data_source SET last_arrival = now() - interval '100 hours', cadence_hours = 24 WHERE code = 'HT-UBKT-79'").await;
    exec(
        pool,
        "UPDATE data_source SET last_arrival = now() - interval '1 hour' WHERE code = 'HT-KLD-TW'",
    )
    .await;
    exec(pool, "DELETE FROM ingest_batch WHERE source = 'HT-KLD-TW'").await;
    exec(pool, "INSERT INTO ingest_batch (record_kind, actor, source, format, finished_at, accepted, rejected) VALUES ('cases', 't', 'HT-KLD-TW', 'csv', now(), 10, 30)").await;
    let leader = token(pool, Role::Leader, "VN", None).await;
    let (status, page) = app.get_as(&leader, "/api/v1/sources").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let listed = page["sources"].as_array().unwrap().len() as i64;
    assert_eq!(
        listed,
        scalar(pool, "SELECT count(*) FROM data_source").await
    );

    let hanoi = source(&page, "HT-UBKT-01");
    assert_eq!(hanoi["state"], "late");
    // The seed's arrivals of the last 30 days.
    let (batches, rows): (i64, i64) = sqlx::query_as(
        "SELECT count(*), coalesce(sum(accepted), 0)::bigint FROM ingest_batch \
         WHERE source = 'HT-UBKT-01' AND finished_at > now() - interval '30 days'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert!(batches >= 20, "{batches} seeded batches");
    assert_eq!(
        (hanoi["batches_30d"].clone(), hanoi["rows_30d"].clone()),
        (json!(batches), json!(rows))
    );
    assert_eq!(hanoi["owner_unit"], "01");
    assert_eq!(hanoi["kind"], "push");
    assert_eq!(hanoi["cadence_hours"], 24);
    assert!((hanoi["hours_since"].as_f64().unwrap() - 50.0).abs() < 0.1);
    let (accepted, rejected, records): (i64, i64, i64) = sqlx::query_as(
        "SELECT rows_accepted, rows_rejected, (SELECT count(*) FROM cases WHERE source = s.code) \
         FROM data_source s WHERE code = 'HT-UBKT-01'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(hanoi["rows_accepted"], accepted);
    assert_eq!(hanoi["rows_rejected"], rejected);
    assert_eq!(hanoi["records"], records);
    assert_eq!(hanoi["quality"]["records"], records);
    assert!(close(
        &hanoi["scores"]["validity"],
        accepted as f64 / (accepted + rejected) as f64
    ));
    // 50 h of a 24 h cadence: freshness falls from 30 h (1) to 72 h (0).
    let hours = hanoi["hours_since"].as_f64().unwrap();
    assert!(close(&hanoi["scores"]["freshness"], (72.0 - hours) / 42.0));

    assert_eq!(source(&page, "HT-UBKT-79")["state"], "stale");
    assert_eq!(source(&page, "HT-UBKT-79")["scores"]["freshness"], 0.0);
    let failing = source(&page, "HT-KLD-TW");
    assert_eq!(failing["state"], "failing");
    assert!(close(&failing["error_rate"], 0.75));
    assert_eq!(failing["batches_30d"], 1);
    assert_eq!(failing["rows_30d"], 10);

    // A province's user sees only the sources its province owns.
    let hanoi_user = token(pool, Role::Analyst, "01", None).await;
    let (status, own) = app.get_as(&hanoi_user, "/api/v1/sources").await;
    assert_eq!(status, StatusCode::OK);
    let codes: Vec<&str> = own["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = sqlx::query_scalar(
        "SELECT code FROM data_source WHERE owner_path <@ (SELECT path FROM unit WHERE code = '01') ORDER BY code",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(codes, expected);
    assert!(!codes.is_empty() && codes.iter().all(|c| *c != "HT-UBKT-79"));
    let (status, refused) = app.get_as(&hanoi_user, "/api/v1/sources?unit=79").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{refused}");
    let (status, refused) = app.get_as(&hanoi_user, "/api/v1/sources?colour=red").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert!(refused.to_string().contains("colour"), "{refused}");
}

#[tokio::test]
async fn quality_scores_follow_hand_counted_cases() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    exec(pool, "INSERT INTO data_source (code, name, owner_unit, owner_path, kind, cadence_hours) SELECT 'TEST-Q', 'Quality test', code, path, 'upload', 168 FROM unit WHERE code = '01'").await;
    let commune: String = sqlx::query_scalar(
        "SELECT code FROM unit WHERE parent = '01' AND level = 'commune' ORDER BY code LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let writer = token(pool, Role::DataOfficer, "01", Some("TEST-Q")).await;
    let case = |id: &str| {
        json!({"source": "TEST-Q", "external_id": id, "kind": "complaint", "conducting_unit": "01",
               "subject": {"type": "member", "unit": commune, "ref": "M-1"}, "sector": "land",
               "status": "in_progress", "opened_on": "2026-03-01", "due_on": "2026-12-31"})
    };
    // A: a member with a reference and a due day: 2 of 2 optional fields.
    let a = case("A");
    // B: concluded about an organization, no due day, no word on a violation: 0 of 2; inconsistent.
    let b = json!({"source": "TEST-Q", "external_id": "B", "kind": "complaint",
        "conducting_unit": "01", "subject": {"type": "organization", "unit": commune},
        "sector": "land", "status": "concluded", "opened_on": "2026-02-01",
        "concluded_on": "2026-04-01"});
    // C: thematic supervision with a violation: due, theme, (no ref), violation, categories, amount:
    // 5 of 6.
    let c = json!({"source": "TEST-Q", "external_id": "C", "kind": "supervision_thematic",
        "theme": "Đất đai", "conducting_unit": "01", "subject": {"type": "member", "unit": commune},
        "sector": "land", "status": "concluded", "opened_on": "2026-01-10", "due_on": "2026-06-30",
        "concluded_on": "2026-05-01", "violation": true, "violation_categories": ["land_management"],
        "amount_vnd": 5000000});
    // D: A again under another id: a likely duplicate (2 of 2).
    let d = case("D");
    // E: rejected (no such kind).
    let mut e = case("E");
    e["kind"] = json!("gossip");
    let body = json!([a, b, c, d, e]).to_string();
    let req = Request::post("/api/v1/ingest/cases")
        .header(header::AUTHORIZATION, format!("Bearer {writer}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap();
    let (status, _, report) = app.send(req).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["accepted"].clone(), report["rejected"].clone()),
        (json!(4), json!(1))
    );

    assert_eq!(
        scalar(pool, "SELECT count(*) FROM cases_dangling_codes").await,
        0
    );
    let leader = token(pool, Role::Leader, "VN", None).await;
    let (_, page) = app.get_as(&leader, "/api/v1/sources").await;
    let q = source(&page, "TEST-Q");
    assert_eq!(q["state"], "live");
    assert_eq!(q["kind"], "upload");
    assert_eq!(
        q["quality"],
        json!({"accepted": 4, "rejected": 1, "records": 4, "optional_filled": 9,
               "optional_applicable": 12, "inconsistent": 1, "duplicates": 1, "sources": 1,
               "freshness_sum": 1.0})
    );
    let s = &q["scores"];
    assert!(close(&s["validity"], 0.8));
    assert!(close(&s["completeness"], 0.75));
    assert!(close(&s["consistency"], 0.75));
    assert!(close(&s["uniqueness"], 0.75));
    assert!(close(&s["freshness"], 1.0));
    assert!(close(&s["overall"], (0.8 + 0.75 + 0.75 + 0.75 + 1.0) / 5.0));

    // A unit's quality: every case within it, every source it owns.
    let (status, vn) = app.get_as(&leader, "/api/v1/quality").await;
    assert_eq!(status, StatusCode::OK, "{vn}");
    assert_eq!(vn["unit"], "VN");
    assert_eq!(
        vn["quality"]["records"],
        scalar(pool, "SELECT count(*) FROM cases").await
    );
    assert_eq!(
        vn["quality"]["accepted"],
        scalar(pool, "SELECT sum(rows_accepted)::bigint FROM data_source").await
    );
    let by_state: i64 = vn["sources_by_state"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(
        by_state,
        scalar(pool, "SELECT count(*) FROM data_source").await
    );
    let hanoi_user = token(pool, Role::Analyst, "01", None).await;
    let (status, own) = app.get_as(&hanoi_user, "/api/v1/quality").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(own["unit"], "01");
    assert_eq!(
        own["quality"]["records"],
        scalar(pool, "SELECT count(*) FROM cases WHERE province = '01'").await
    );
    let (status, _) = app.get_as(&hanoi_user, "/api/v1/quality?unit=79").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_source_that_misses_its_cadence_raises_an_alert_resolved_when_it_sends_again() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    exec(
        pool,
        "UPDATE data_source SET last_arrival = now() - interval '1 hour', rows_rejected = 0",
    )
    .await;
    exec(pool, "UPDATE data_source SET last_arrival = now() - interval '100 hours', cadence_hours = 24 WHERE code = 'HT-UBKT-01'").await;
    let watched = server::quality::watch(pool).await.unwrap();
    assert_eq!(watched.alerting, vec!["HT-UBKT-01".to_string()]);
    let alert: (String, String, String, String, f64, f64, String, String) = sqlx::query_as(
        "SELECT kind, severity, unit, state, expected, observed, link, explanation \
         FROM alert WHERE dedup_key = 'source:HT-UBKT-01'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (&alert.0[..], &alert.1[..], &alert.2[..], &alert.3[..]),
        ("source_stale", "critical", "01", "new")
    );
    assert_eq!(alert.4, 24.0);
    assert!((alert.5 - 100.0).abs() < 0.1);
    assert_eq!(alert.6, "/sources?source=HT-UBKT-01");
    assert!(alert.7.contains("every 24 h"), "{}", alert.7);
    // Looking again changes nothing but the observed hours.
    server::quality::watch(pool).await.unwrap();
    assert_eq!(events(pool).await, vec!["raised"]);

    // It sends: the alert is resolved by the system.
    exec(
        pool,
        "UPDATE data_source SET last_arrival = now() WHERE code = 'HT-UBKT-01'",
    )
    .await;
    let watched = server::quality::watch(pool).await.unwrap();
    assert_eq!(watched.resolved, vec!["HT-UBKT-01".to_string()]);
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM alert WHERE dedup_key = 'source:HT-UBKT-01' AND state = 'resolved'").await,
        1
    );
    // Late again: the same alert reopens, as a warning.
    exec(pool, "UPDATE data_source SET last_arrival = now() - interval '40 hours' WHERE code = 'HT-UBKT-01'").await;
    server::quality::watch(pool).await.unwrap();
    let (kind, severity, state): (String, String, String) = sqlx::query_as(
        "SELECT kind, severity, state FROM alert WHERE dedup_key = 'source:HT-UBKT-01'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (&kind[..], &severity[..], &state[..]),
        ("source_late", "warning", "new")
    );
    assert_eq!(events(pool).await, vec!["raised", "resolved", "reopened"]);
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM alert WHERE dedup_key LIKE 'source:%'"
        )
        .await,
        1
    );
}
