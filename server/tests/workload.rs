//! A unit's workload (`GET /units/{code}/workload`): its own tasks from every directive, most
//! urgent first, and its peers ranked, on hand-made tasks with known states; within the caller's
//! scope.

mod common;

use axum::http::StatusCode;
use common::{TestApp, commune_of, scalar};
use domain::Role;
use serde_json::{Value, json};
use sqlx::PgPool;

/// A task of `directive` for `unit` (see [`common::task`]), titled after them.
async fn task(
    pool: &PgPool,
    directive: &str,
    unit: &str,
    days: (i32, i32),
    progress: i16,
    done: Option<i32>,
) -> i64 {
    let title = format!("Nhiệm vụ {directive} của {unit}, hạn {} ngày", days.1);
    common::task(pool, directive, unit, &title, days, progress, done).await
}

async fn directive(pool: &PgPool, code: &str, kind: &str, number: &str, title: &str) {
    sqlx::query(
        "INSERT INTO directive (code, kind, number, title, issued_on, issuer, status) \
         VALUES ($1, $2, $3, $4, current_date - 200, 'VN', 'active')",
    )
    .bind(code)
    .bind(kind)
    .bind(number)
    .bind(title)
    .execute(pool)
    .await
    .unwrap();
}

fn counts(v: &Value) -> [u64; 5] {
    ["assigned", "on_track", "at_risk", "overdue", "done"].map(|k| v[k].as_u64().unwrap())
}

fn peer<'a>(w: &'a Value, code: &str) -> &'a Value {
    w["peers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["unit"] == code)
        .unwrap_or_else(|| panic!("no peer {code} in {w}"))
}

async fn leader(pool: &PgPool, scope: &str) -> String {
    server::auth::token::create(pool, &format!("leader-{scope}"), Role::Leader, scope, None)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_units_tasks_from_every_directive_come_most_urgent_first_and_its_peers_are_ranked() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    // Only the tasks made here.
    sqlx::query("DELETE FROM task").execute(pool).await.unwrap();
    directive(
        pool,
        "TEST-NQ",
        "resolution",
        "98-NQ/TW",
        "Nghị quyết thử nghiệm",
    )
    .await;
    directive(
        pool,
        "TEST-CT",
        "directive",
        "99-CT/TW",
        "Chỉ thị thử nghiệm",
    )
    .await;

    // Hà Nội's own tasks, two in each state.
    let late_3 = task(pool, "TEST-CT", "01", (100, -3), 80, None).await;
    let late_20 = task(pool, "TEST-NQ", "01", (100, -20), 90, None).await;
    // Half their time gone, 50% expected: 30 and 45 points behind.
    let behind_30 = task(pool, "TEST-CT", "01", (100, 100), 20, None).await;
    let behind_45 = task(pool, "TEST-NQ", "01", (100, 100), 5, None).await;
    let due_in_30 = task(pool, "TEST-CT", "01", (30, 30), 60, None).await;
    let due_in_10 = task(pool, "TEST-NQ", "01", (90, 10), 95, None).await;
    let done_9_ago = task(pool, "TEST-CT", "01", (100, 10), 100, Some(9)).await;
    let done_2_ago = task(pool, "TEST-NQ", "01", (100, 10), 100, Some(2)).await;
    // A report on the most behind.
    for (days_ago, progress, note) in [(40, 2, "Xây dựng kế hoạch"), (6, 5, "Đang triển khai")]
    {
        common::report(pool, behind_45, days_ago, progress, note).await;
    }
    // Tasks of others: a commune of Hà Nội (not Hà Nội's own), provinces, a committee.
    let commune = commune_of(pool, "01").await;
    let commune_task = task(pool, "TEST-CT", &commune, (100, -1), 40, None).await;
    task(pool, "TEST-CT", "79", (100, 10), 100, Some(5)).await;
    task(pool, "TEST-NQ", "79", (100, 10), 100, Some(3)).await;
    task(pool, "TEST-CT", "48", (100, 10), 100, Some(5)).await;
    task(pool, "TEST-NQ", "48", (100, -5), 70, None).await;
    task(pool, "TEST-CT", "31", (10, 100), 10, None).await;
    task(pool, "TEST-CT", "TW1", (50, 50), 100, Some(1)).await;

    let centre = leader(pool, "VN").await;
    let (status, w) = app.get_as(&centre, "/api/v1/units/01/workload").await;
    assert_eq!(status, StatusCode::OK, "{w}");
    let today: chrono::NaiveDate = sqlx::query_scalar("SELECT current_date")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(w["as_of"], today.to_string());
    assert_eq!(w["unit"], "01");
    assert_eq!(w["level"], "province");
    assert_eq!(w["parent"], json!({"code": "VN", "name": "Trung ương"}));
    assert_eq!(counts(&w["counts"]), [8, 2, 2, 2, 2]);

    // Overdue by days late, at risk by the gap, on track by the due day, done most recent first.
    let tasks = w["tasks"].as_array().unwrap();
    let ids: Vec<i64> = tasks.iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(
        ids,
        vec![
            late_20, late_3, behind_45, behind_30, due_in_10, due_in_30, done_2_ago, done_9_ago
        ]
    );
    let states: Vec<&str> = tasks.iter().map(|t| t["state"].as_str().unwrap()).collect();
    assert_eq!(
        states,
        [
            "overdue", "overdue", "at_risk", "at_risk", "on_track", "on_track", "done", "done"
        ]
    );
    let days_left: Vec<i64> = tasks
        .iter()
        .map(|t| t["days_left"].as_i64().unwrap())
        .collect();
    assert_eq!(days_left, vec![-20, -3, 100, 100, 10, 30, 10, 10]);
    assert_eq!(
        tasks[0]["directive"],
        json!({"code": "TEST-NQ", "kind": "resolution", "number": "98-NQ/TW",
               "title": "Nghị quyết thử nghiệm"})
    );
    assert_eq!(tasks[0]["progress"], 90);
    assert_eq!(tasks[0]["expected"], 100.0);
    assert_eq!(
        tasks[0]["due_on"],
        (today - chrono::Days::new(20)).to_string()
    );
    assert_eq!(tasks[2]["progress"], 5);
    assert!((tasks[2]["expected"].as_f64().unwrap() - 50.0).abs() < 1e-9);
    assert_eq!(
        tasks[2]["latest_report"],
        json!({"reported_on": (today - chrono::Days::new(6)).to_string(), "progress": 5,
               "note": "Đang triển khai"})
    );
    assert_eq!(tasks[3]["latest_report"], Value::Null);
    assert_eq!(
        tasks[6]["done_on"],
        (today - chrono::Days::new(2)).to_string()
    );
    assert!(ids.iter().all(|id| *id != commune_task));

    // Peers: the 34 provinces (not the committees), ranked by completion rate.
    let peers = w["peers"].as_array().unwrap();
    assert_eq!(peers.len(), 34);
    assert!(!w["peers_outside_scope"].as_bool().unwrap());
    let top: Vec<(&str, Value)> = peers[..4]
        .iter()
        .map(|p| (p["unit"].as_str().unwrap(), p["rank"].clone()))
        .collect();
    assert_eq!(
        top,
        vec![
            ("79", json!(1)),
            ("48", json!(2)),
            ("01", json!(3)),
            ("31", json!(4))
        ]
    );
    assert!(peers[4..].iter().all(|p| p["rank"].is_null()));
    assert!(peers.iter().all(|p| p["unit"] != "TW1"));
    let marked: Vec<&str> = peers
        .iter()
        .filter(|p| p["this_unit"] == true)
        .map(|p| p["unit"].as_str().unwrap())
        .collect();
    assert_eq!(marked, vec!["01"]);
    assert_eq!(counts(&peer(&w, "01")["tasks"]), [8, 2, 2, 2, 2]);
    assert_eq!(peer(&w, "01")["completion"], 0.25);
    assert_eq!(counts(&peer(&w, "48")["tasks"]), [2, 0, 0, 1, 1]);
    assert_eq!(peer(&w, "48")["completion"], 0.5);
    assert_eq!(counts(&peer(&w, "79")["tasks"]), [2, 0, 0, 0, 2]);
    assert_eq!(counts(&peer(&w, "31")["tasks"]), [1, 1, 0, 0, 0]);
    assert_eq!(peer(&w, "31")["completion"], 0.0);
    assert_eq!(counts(&peer(&w, "04")["tasks"]), [0, 0, 0, 0, 0]);
    assert_eq!(peer(&w, "04")["completion"], Value::Null);

    // The centre has no peers; a committee's peers are the committees.
    let (status, vn) = app.get_as(&centre, "/api/v1/units/VN/workload").await;
    assert_eq!(status, StatusCode::OK, "{vn}");
    assert_eq!(vn["parent"], Value::Null);
    assert_eq!(vn["peers"], json!([]));
    assert_eq!(vn["peers_outside_scope"], false);
    assert_eq!(counts(&vn["counts"]), [0, 0, 0, 0, 0]);
    let (_, tw1) = app.get_as(&centre, "/api/v1/units/TW1/workload").await;
    let committees: Vec<&str> = tw1["peers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["unit"].as_str().unwrap())
        .collect();
    assert_eq!(committees, vec!["TW1", "TW2", "TW3", "TW4", "TW5", "TW6"]);
    assert_eq!(tw1["peers"][0]["rank"], 1);
}

#[tokio::test]
async fn a_provinces_user_sees_its_own_workload_without_other_provinces_and_its_communes_compared()
{
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    sqlx::query("DELETE FROM task").execute(pool).await.unwrap();
    directive(
        pool,
        "TEST-CT",
        "directive",
        "99-CT/TW",
        "Chỉ thị thử nghiệm",
    )
    .await;
    let commune = commune_of(pool, "01").await;
    let own = task(pool, "TEST-CT", "01", (100, 100), 20, None).await;
    let commune_task = task(pool, "TEST-CT", &commune, (100, -1), 40, None).await;
    task(pool, "TEST-CT", "79", (100, 10), 100, Some(5)).await;

    let hanoi = leader(pool, "01").await;
    let (status, w) = app.get_as(&hanoi, "/api/v1/units/01/workload").await;
    assert_eq!(status, StatusCode::OK, "{w}");
    assert_eq!(w["unit_name"], "Thành phố Hà Nội");
    assert_eq!(w["tasks"].as_array().unwrap().len(), 1);
    assert_eq!(w["tasks"][0]["id"], own);
    assert_eq!(counts(&w["counts"]), [1, 0, 1, 0, 0]);
    // The other provinces lie outside its scope: none is shown, and the payload says why.
    assert_eq!(w["peers"], json!([]));
    assert_eq!(w["peers_outside_scope"], true);
    assert_eq!(w["parent"], Value::Null);
    assert!(!w.to_string().contains("\"79\""), "{w}");

    // A commune of Hà Nội: compared with the province's other communes.
    let (status, c) = app
        .get_as(&hanoi, &format!("/api/v1/units/{commune}/workload"))
        .await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(
        c["parent"],
        json!({"code": "01", "name": "Thành phố Hà Nội"})
    );
    assert_eq!(c["tasks"][0]["id"], commune_task);
    assert_eq!(c["tasks"][0]["state"], "overdue");
    assert_eq!(c["tasks"][0]["days_left"], -1);
    let communes = scalar(
        pool,
        "SELECT count(*) FROM unit WHERE parent = '01' AND level = 'commune'",
    )
    .await;
    assert_eq!(c["peers"].as_array().unwrap().len() as i64, communes);
    assert_eq!(c["peers"][0]["unit"], commune.as_str());
    assert_eq!(c["peers"][0]["rank"], 1);
    assert_eq!(c["peers"][0]["this_unit"], true);
    assert_eq!(counts(&c["peers"][0]["tasks"]), [1, 0, 0, 1, 0]);

    // Another province is outside the scope; unknown and malformed codes.
    let (status, body) = app.get_as(&hanoi, "/api/v1/units/79/workload").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM unit WHERE code = '99999'").await,
        0
    );
    let (status, _) = app.get_as(&hanoi, "/api/v1/units/99999/workload").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, bad) = app.get_as(&hanoi, "/api/v1/units/HANOI/workload").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["field"], "code");
    let (status, _) = app.get("/api/v1/units/01/workload", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn the_peer_figures_of_the_demo_data_equal_sqls_count_by_state() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let centre = leader(pool, "VN").await;
    let (status, w) = app.get_as(&centre, "/api/v1/units/01/workload").await;
    assert_eq!(status, StatusCode::OK, "{w}");
    assert_eq!(
        w["tasks"].as_array().unwrap().len() as i64,
        scalar(pool, "SELECT count(*) FROM task WHERE unit = '01'").await
    );
    // The state rule written in SQL: done; overdue past the due day; at risk more than 15 points
    // behind the pro-rata expectation; else on track.
    let rows: Vec<(String, i64, i64, i64, i64, i64)> = sqlx::query_as(
        "WITH t AS (
             SELECT t.unit, t.status, t.due_on, t.progress,
                    CASE WHEN t.due_on = t.assigned_on
                         THEN CASE WHEN current_date >= t.due_on THEN 100.0 ELSE 0.0 END
                         ELSE LEAST(GREATEST(current_date - t.assigned_on, 0), t.due_on - t.assigned_on)
                              * 100.0 / (t.due_on - t.assigned_on) END AS expected
             FROM task t)
         SELECT u.code, count(t.unit),
                count(*) FILTER (WHERE t.status <> 'done' AND t.due_on >= current_date
                                   AND t.progress + 15 >= t.expected),
                count(*) FILTER (WHERE t.status <> 'done' AND t.due_on >= current_date
                                   AND t.progress + 15 < t.expected),
                count(*) FILTER (WHERE t.status <> 'done' AND t.due_on < current_date),
                count(*) FILTER (WHERE t.status = 'done')
         FROM unit u LEFT JOIN t ON t.unit = u.code
         WHERE u.level = 'province' GROUP BY u.code ORDER BY u.code",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 34);
    assert!(rows.iter().any(|r| r.1 > 0), "the demo data has tasks");
    for (code, assigned, on_track, at_risk, overdue, done) in rows {
        let p = peer(&w, &code);
        let want = [assigned, on_track, at_risk, overdue, done].map(|n| n as u64);
        assert_eq!(counts(&p["tasks"]), want, "{code}");
        let completion = (assigned > 0).then(|| done as f64 / assigned as f64);
        assert_eq!(p["completion"].as_f64(), completion, "{code}");
    }
    // Ranks never improve down the list.
    let ranks: Vec<u64> = w["peers"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["rank"].as_u64())
        .collect();
    assert!(ranks.windows(2).all(|r| r[0] <= r[1]), "{ranks:?}");
    assert_eq!(ranks.first(), Some(&1));
}

#[tokio::test]
async fn the_openapi_document_describes_the_workload() {
    let app = TestApp::seeded().await;
    let (status, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let route = &doc["paths"]["/api/v1/units/{code}/workload"]["get"];
    assert!(route["responses"]["403"].is_object(), "{route}");
    let schema = &doc["components"]["schemas"]["Workload"]["properties"];
    for field in ["tasks", "counts", "peers", "peers_outside_scope"] {
        assert!(schema.get(field).is_some(), "{field} missing");
    }
}
