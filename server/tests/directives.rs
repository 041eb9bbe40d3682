//! Directives and their tasks (`GET /directives`, `GET /directives/{code}`) on hand-made tasks with
//! known states, within the caller's scope.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use domain::Role;
use serde_json::{Value, json};
use sqlx::PgPool;

/// A task of `TEST-CT` for `unit` (see [`common::task`]).
async fn task(
    pool: &PgPool,
    unit: &str,
    title: &str,
    days: (i32, i32),
    progress: i16,
    done: Option<i32>,
) -> i64 {
    common::task(pool, "TEST-CT", unit, title, days, progress, done).await
}

fn counts(v: &Value) -> [u64; 5] {
    ["assigned", "on_track", "at_risk", "overdue", "done"].map(|k| v[k].as_u64().unwrap())
}

#[tokio::test]
async fn tasks_are_counted_by_state_level_and_unit_within_scope() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    sqlx::query(
        "INSERT INTO directive (code, kind, number, title, issued_on, issuer, status) \
         VALUES ('TEST-CT', 'directive', '99-CT/TW', 'Chỉ thị thử nghiệm', current_date - 200, 'VN', 'active')",
    )
    .execute(pool)
    .await
    .unwrap();
    let commune: String = sqlx::query_scalar(
        "SELECT code FROM unit WHERE parent = '01' AND level = 'commune' ORDER BY code LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    // Half its time gone: 50% expected.
    let on_track = task(pool, "01", "A", (100, 100), 50, None).await;
    let at_risk = task(pool, "01", "B", (100, 100), 20, None).await;
    task(pool, &commune, "C", (100, -1), 80, None).await; // overdue
    task(pool, &commune, "D", (100, 10), 100, Some(5)).await; // done
    task(pool, "79", "E", (10, 100), 10, None).await; // on track
    task(pool, "TW1", "F", (50, 50), 100, Some(1)).await; // done
    for (days_ago, progress, note) in [(30, 10, "Bắt đầu"), (3, 20, "Đang triển khai")] {
        common::report(pool, at_risk, days_ago, progress, note).await;
    }
    let today: chrono::NaiveDate = sqlx::query_scalar("SELECT current_date")
        .fetch_one(pool)
        .await
        .unwrap();

    let leader = server::auth::token::create(pool, "l", Role::Leader, "VN", None)
        .await
        .unwrap();
    let (status, list) = app.get_as(&leader, "/api/v1/directives").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["as_of"], today.to_string());
    let listed = list["directives"].as_array().unwrap();
    assert_eq!(
        listed.len() as i64,
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM directive")
            .fetch_one(pool)
            .await
            .unwrap()
    );
    let test = listed.iter().find(|d| d["code"] == "TEST-CT").unwrap();
    assert_eq!(test["number"], "99-CT/TW");
    assert_eq!(counts(&test["tasks"]), [6, 2, 1, 1, 2]);
    // A seeded directive's count of tasks equals SQL's.
    let seeded = listed.iter().find(|d| d["code"] != "TEST-CT").unwrap();
    let n: i64 = sqlx::query_scalar("SELECT count(*) FROM task WHERE directive = $1")
        .bind(seeded["code"].as_str().unwrap())
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(seeded["tasks"]["assigned"], n);

    let (status, vn) = app.get_as(&leader, "/api/v1/directives/TEST-CT").await;
    assert_eq!(status, StatusCode::OK, "{vn}");
    assert_eq!(vn["unit"], "VN");
    let levels: Vec<(String, [u64; 5])> = vn["by_level"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["level"].as_str().unwrap().to_string(),
                counts(&l["tasks"]),
            )
        })
        .collect();
    assert_eq!(
        levels,
        vec![
            ("committee".to_string(), [1, 0, 0, 0, 1]),
            ("province".to_string(), [3, 2, 1, 0, 0]),
            ("commune".to_string(), [2, 0, 0, 1, 1]),
        ]
    );
    let by_unit = vn["by_unit"].as_array().unwrap();
    assert_eq!(by_unit.len(), 40, "34 provinces and 6 committees");
    let of = |code: &str| counts(&by_unit.iter().find(|u| u["unit"] == code).unwrap()["tasks"]);
    assert_eq!(of("01"), [4, 1, 1, 1, 1]);
    assert_eq!(of("79"), [1, 1, 0, 0, 0]);
    assert_eq!(of("TW1"), [1, 0, 0, 0, 1]);
    assert_eq!(of("48"), [0, 0, 0, 0, 0]);
    assert_eq!(vn["tasks"], json!([]));

    // A province's user: its own tasks, most urgent first, with the latest report.
    let hanoi = server::auth::token::create(pool, "h", Role::Leader, "01", None)
        .await
        .unwrap();
    let (_, list) = app.get_as(&hanoi, "/api/v1/directives").await;
    let test = list["directives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "TEST-CT")
        .unwrap()
        .clone();
    assert_eq!(counts(&test["tasks"]), [4, 1, 1, 1, 1]);
    let (status, own) = app.get_as(&hanoi, "/api/v1/directives/TEST-CT").await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert_eq!(own["unit"], "01");
    let tasks = own["tasks"].as_array().unwrap();
    let ids: Vec<i64> = tasks.iter().map(|t| t["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![at_risk, on_track]);
    assert_eq!(tasks[0]["state"], "at_risk");
    assert_eq!(tasks[0]["progress"], 20);
    assert!((tasks[0]["expected"].as_f64().unwrap() - 50.0).abs() < 1e-9);
    assert_eq!(
        tasks[0]["latest_report"],
        json!({"reported_on": (today - chrono::Days::new(3)).to_string(), "progress": 20,
               "note": "Đang triển khai"})
    );
    assert_eq!(tasks[1]["latest_report"], Value::Null);
    let communes = own["by_unit"].as_array().unwrap();
    let here = communes.iter().find(|u| u["unit"] == commune).unwrap();
    assert_eq!(counts(&here["tasks"]), [2, 0, 0, 1, 1]);

    // Outside the scope, unknown codes, unknown parameters.
    let (status, _) = app
        .get_as(&hanoi, "/api/v1/directives/TEST-CT?unit=79")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = app.get_as(&hanoi, "/api/v1/directives/NO-SUCH").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, bad) = app
        .get_as(&hanoi, "/api/v1/directives/TEST-CT?level=1")
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(bad.to_string().contains("level"), "{bad}");
}
