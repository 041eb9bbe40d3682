//! `POST /api/v1/ingest/tasks` and `POST /api/v1/ingest/targets` on the tiny demo data: JSON,
//! NDJSON and CSV land and read back equal from SQL; re-sending updates and never duplicates;
//! bad rows are named by row and field while good rows land; unreadable batches are refused whole
//! with nothing kept; writers stay within their scope and source; a dry run keeps nothing; the
//! data source's counters move.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, commune_of, errors_of, hanoi_token, scalar};
use domain::Role;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use server::ingest::IngestLimits;
use sqlx::PgPool;
use tower::ServiceExt;

/// `POST path` with a bearer token; the status and the JSON answer.
async fn post(
    router: &Router,
    path: &str,
    token: &str,
    content_type: &str,
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    let req = Request::post(path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(body.into())
        .unwrap();
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, json)
}

/// The answer of a batch that must be read.
async fn ingested(
    router: &Router,
    path: &str,
    token: &str,
    content_type: &str,
    body: impl Into<Body>,
) -> Value {
    let (status, json) = post(router, path, token, content_type, body).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    json
}

const TASKS: &str = "/api/v1/ingest/tasks";
const TARGETS: &str = "/api/v1/ingest/targets";

/// A token of the centre, bound to no source.
async fn centre_token(pool: &PgPool) -> String {
    server::auth::token::create(pool, "centre", Role::DataOfficer, "VN", None)
        .await
        .unwrap()
}

/// A directive of the demo data.
async fn a_directive(pool: &PgPool) -> String {
    sqlx::query_scalar("SELECT code FROM directive ORDER BY code LIMIT 1")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Tasks, task reports, targets and batches in the database, to show that a batch left nothing.
async fn footprint(pool: &PgPool) -> [i64; 4] {
    [
        scalar(pool, "SELECT count(*) FROM task").await,
        scalar(pool, "SELECT count(*) FROM task_report").await,
        scalar(pool, "SELECT count(*) FROM target").await,
        scalar(pool, "SELECT count(*) FROM ingest_batch").await,
    ]
}

/// `(rows_accepted, rows_rejected)` of a data source.
async fn counters(pool: &PgPool, source: &str) -> (i64, i64) {
    sqlx::query_as("SELECT rows_accepted, rows_rejected FROM data_source WHERE code = $1")
        .bind(source)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// A task of Hà Nội's system, in progress, with a report.
fn a_task(id: &str, directive: &str, unit: &str) -> Value {
    json!({
        "source": "HT-UBKT-01",
        "external_id": id,
        "directive": directive,
        "unit": unit,
        "title": "Kiểm tra việc quản lý, sử dụng đất đai \"công\"; tài chính",
        "assigned_on": "2025-02-01",
        "due_on": "2025-09-30",
        "progress": 40,
        "status": "in_progress",
        "report": {"on": "2025-05-31", "note": "Đã kiểm tra 4/10 xã, phường"}
    })
}

/// A task as stored, in the form it was sent (without its report), from SQL.
async fn stored_task(pool: &PgPool, source: &str, external_id: &str) -> Value {
    sqlx::query_scalar(
        "SELECT jsonb_strip_nulls(jsonb_build_object(
            'source', t.source, 'external_id', t.external_id, 'directive', t.directive,
            'unit', t.unit, 'title', t.title, 'assigned_on', t.assigned_on::text,
            'due_on', t.due_on::text, 'progress', t.progress, 'status', t.status,
            'done_on', t.done_on::text, 'parent_external_id', p.external_id))
         FROM task t LEFT JOIN task p ON p.id = t.parent_task
         WHERE t.source = $1 AND t.external_id = $2",
    )
    .bind(source)
    .bind(external_id)
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The reports of a task: `(reported_on, progress, note)`, by day.
async fn reports_of(pool: &PgPool, source: &str, external_id: &str) -> Vec<(String, i16, String)> {
    sqlx::query_as(
        "SELECT r.reported_on::text, r.progress, r.note FROM task_report r
         JOIN task t ON t.id = r.task WHERE t.source = $1 AND t.external_id = $2
         ORDER BY r.reported_on",
    )
    .bind(source)
    .bind(external_id)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The task without its report (as [`stored_task`] reads it back).
fn sent(task: &Value) -> Value {
    let mut t = task.clone();
    t.as_object_mut().unwrap().remove("report");
    t
}

#[tokio::test]
async fn tasks_in_json_ndjson_and_csv_land_and_read_back_equal() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let directive = a_directive(pool).await;
    let commune = commune_of(pool, "01").await;
    let before = footprint(pool).await;
    let counters_before = counters(pool, "HT-UBKT-01").await;

    // JSON: a parent and, later in the batch, its child (done).
    let parent = a_task("NV-J-1", &directive, "01");
    let mut child = a_task("NV-J-2", &directive, &commune);
    child["parent_external_id"] = json!("NV-J-1");
    child["status"] = json!("done");
    child["progress"] = json!(100);
    child["done_on"] = json!("2025-06-15");
    child.as_object_mut().unwrap().remove("report");
    let report = ingested(
        &app.router,
        TASKS,
        &token,
        "application/json",
        json!([parent, child]).to_string(),
    )
    .await;
    assert_eq!(
        (report["accepted"].as_u64(), report["rejected"].as_u64()),
        (Some(2), Some(0)),
        "{report}"
    );
    assert_eq!(
        stored_task(pool, "HT-UBKT-01", "NV-J-1").await,
        sent(&parent)
    );
    assert_eq!(stored_task(pool, "HT-UBKT-01", "NV-J-2").await, child);
    assert_eq!(
        reports_of(pool, "HT-UBKT-01", "NV-J-1").await,
        [(
            "2025-05-31".to_string(),
            40,
            "Đã kiểm tra 4/10 xã, phường".to_string()
        )]
    );
    let (path, province): (String, String) = sqlx::query_as(
        "SELECT path::text, province FROM task WHERE source = 'HT-UBKT-01' AND external_id = 'NV-J-2'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (path, province),
        (format!("VN.01.{commune}"), "01".to_string())
    );

    // NDJSON, a blank line counted.
    let n1 = a_task("NV-N-1", &directive, &commune);
    let mut n2 = a_task("NV-N-2", &directive, "01");
    n2["status"] = json!("assigned");
    n2["progress"] = json!(0);
    n2.as_object_mut().unwrap().remove("report");
    let body = format!("{n1}\n\n{n2}\n");
    let report = ingested(&app.router, TASKS, &token, "application/x-ndjson", body).await;
    assert_eq!(report["accepted"], 2, "{report}");
    assert_eq!(stored_task(pool, "HT-UBKT-01", "NV-N-1").await, sent(&n1));
    assert_eq!(stored_task(pool, "HT-UBKT-01", "NV-N-2").await, n2);

    // CSV with a byte order mark, Vietnamese text, quotes, commas and a line break in a cell.
    let csv = format!(
        "\u{feff}source,external_id,directive,unit,title,assigned_on,due_on,progress,status,done_on,parent_external_id,report.on,report.note\r\n\
         HT-UBKT-01,NV-C-1,{directive},{commune},\"Rà soát, xử lý \"\"đất treo\"\"\",2025-03-01,2025-12-31,55,in_progress,,NV-J-1,2025-06-30,\"Tiến độ chậm;\r\nchờ Sở TN&MT\"\r\n\
         HT-UBKT-01,NV-C-2,{directive},01,Giám sát chuyên đề,2025-03-01,2025-04-30,100,done,2025-04-29,,,\r\n"
    );
    let report = ingested(&app.router, TASKS, &token, "text/csv", csv).await;
    assert_eq!(report["accepted"], 2, "{report}");
    assert_eq!(
        stored_task(pool, "HT-UBKT-01", "NV-C-1").await,
        json!({
            "source": "HT-UBKT-01", "external_id": "NV-C-1", "directive": directive,
            "unit": commune, "title": "Rà soát, xử lý \"đất treo\"", "assigned_on": "2025-03-01",
            "due_on": "2025-12-31", "progress": 55, "status": "in_progress",
            "parent_external_id": "NV-J-1"
        })
    );
    assert_eq!(
        reports_of(pool, "HT-UBKT-01", "NV-C-1").await,
        [(
            "2025-06-30".to_string(),
            55,
            "Tiến độ chậm;\r\nchờ Sở TN&MT".to_string()
        )]
    );
    assert_eq!(
        stored_task(pool, "HT-UBKT-01", "NV-C-2").await,
        json!({
            "source": "HT-UBKT-01", "external_id": "NV-C-2", "directive": directive,
            "unit": "01", "title": "Giám sát chuyên đề", "assigned_on": "2025-03-01",
            "due_on": "2025-04-30", "progress": 100, "status": "done", "done_on": "2025-04-29"
        })
    );
    assert!(reports_of(pool, "HT-UBKT-01", "NV-C-2").await.is_empty());

    let after = footprint(pool).await;
    assert_eq!(
        after,
        [before[0] + 6, before[1] + 3, before[2], before[3] + 3]
    );
    // The counters, the batch and the trail.
    let (accepted, rejected) = counters(pool, "HT-UBKT-01").await;
    assert_eq!(
        (accepted, rejected),
        (counters_before.0 + 6, counters_before.1)
    );
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM data_source WHERE code = 'HT-UBKT-01' AND last_arrival > now() - interval '1 minute'").await,
        1
    );
    let (kind, format, n, source): (String, String, i64, String) = sqlx::query_as(
        "SELECT record_kind, format, accepted, source FROM ingest_batch ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (kind.as_str(), format.as_str(), n, source.as_str()),
        ("tasks", "csv", 2, "HT-UBKT-01")
    );
    let (action, object, detail): (String, String, Value) = sqlx::query_as(
        "SELECT action, object, detail FROM audit_log WHERE action LIKE 'ingest%' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (action.as_str(), object.as_str()),
        ("ingest_tasks", "HT-UBKT-01")
    );
    assert_eq!(
        (detail["accepted"].as_u64(), detail["format"].as_str()),
        (Some(2), Some("csv"))
    );
}

#[tokio::test]
async fn a_re_sent_task_updates_and_its_report_is_appended_once_then_updated() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let directive = a_directive(pool).await;
    let task = a_task("NV-R-1", &directive, "01");
    ingested(
        &app.router,
        TASKS,
        &token,
        "application/json",
        json!([task]).to_string(),
    )
    .await;
    let before = footprint(pool).await;

    // The same task and report day: the task and its report are updated.
    let mut again = task.clone();
    again["progress"] = json!(60);
    again["title"] = json!("Kiểm tra (bổ sung)");
    again["report"]["note"] = json!("Cập nhật");
    let report = ingested(
        &app.router,
        TASKS,
        &token,
        "application/json",
        json!([again]).to_string(),
    )
    .await;
    assert_eq!(report["accepted"], 1, "{report}");
    assert_eq!(
        stored_task(pool, "HT-UBKT-01", "NV-R-1").await,
        sent(&again)
    );
    assert_eq!(
        reports_of(pool, "HT-UBKT-01", "NV-R-1").await,
        [("2025-05-31".to_string(), 60, "Cập nhật".to_string())]
    );
    assert_eq!(
        footprint(pool).await,
        [before[0], before[1], before[2], before[3] + 1]
    );

    // Another day: a second report; without a report: the reports stay.
    let mut later = again.clone();
    later["progress"] = json!(80);
    later["report"] = json!({"on": "2025-06-30"});
    ingested(
        &app.router,
        TASKS,
        &token,
        "application/x-ndjson",
        later.to_string(),
    )
    .await;
    let mut quiet = later.clone();
    quiet.as_object_mut().unwrap().remove("report");
    ingested(
        &app.router,
        TASKS,
        &token,
        "application/x-ndjson",
        quiet.to_string(),
    )
    .await;
    assert_eq!(
        reports_of(pool, "HT-UBKT-01", "NV-R-1").await,
        [
            ("2025-05-31".to_string(), 60, "Cập nhật".to_string()),
            ("2025-06-30".to_string(), 80, String::new())
        ]
    );
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM task WHERE source = 'HT-UBKT-01' AND external_id = 'NV-R-1'"
        )
        .await,
        1
    );
    assert_eq!(
        stored_task(pool, "HT-UBKT-01", "NV-R-1").await["progress"],
        80
    );
}

#[tokio::test]
async fn bad_tasks_are_named_by_row_and_field_while_good_ones_land() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let directive = a_directive(pool).await;
    let commune = commune_of(pool, "01").await;
    let counters_before = counters(pool, "HT-UBKT-01").await;
    let before = footprint(pool).await;
    let t = |id: &str| a_task(id, &directive, &commune);
    let set = |mut v: Value, key: &str, value: Value| {
        v[key] = value;
        v
    };
    let rows = vec![
        t("NV-B-1"),
        set(t("NV-B-2"), "directive", json!("KHONG-CO")),
        set(t("NV-B-3"), "unit", json!("99999")),
        set(t("NV-B-4"), "due_on", json!("2025-01-01")),
        set(
            set(t("NV-B-5"), "status", json!("done")),
            "progress",
            json!(100),
        ),
        set(t("NV-B-6"), "progress", json!(101)),
        set(t("NV-B-7"), "progress", json!("40")),
        set(t("NV-B-8"), "colour", json!("đỏ")),
        t("NV-B-1"),
        set(t("NV-B-10"), "parent_external_id", json!("NV-KHONG-CO")),
        set(t("NV-B-11"), "parent_external_id", json!("NV-B-1")),
        set(t("NV-B-12"), "parent_external_id", json!("NV-B-13")),
        t("NV-B-13"),
        json!("một nhiệm vụ"),
    ];
    let report = ingested(
        &app.router,
        TASKS,
        &token,
        "application/json",
        json!(rows).to_string(),
    )
    .await;
    assert_eq!(
        errors_of(&report),
        vec![
            (2, "directive".to_string()),
            (3, "unit".into()),
            (4, "due_on".into()),
            (5, "done_on".into()),
            (6, "progress".into()),
            (7, "progress".into()),
            (8, "colour".into()),
            (9, "external_id".into()),
            (10, "parent_external_id".into()),
            (12, "parent_external_id".into()),
            (14, String::new()),
        ],
        "{report}"
    );
    assert_eq!(
        (report["accepted"].as_u64(), report["rejected"].as_u64()),
        (Some(3), Some(11))
    );
    let reasons: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons[0], "no directive has the code 'KHONG-CO'");
    assert_eq!(reasons[1], "no unit has the code '99999'");
    assert_eq!(reasons[2], "2025-01-01 is before assigned_on (2025-02-01)");
    assert_eq!(reasons[3], "is required when the status is done");
    assert_eq!(reasons[4], "101 is outside 0 to 100");
    assert_eq!(reasons[5], "must be a whole number, not a string");
    assert_eq!(reasons[6], "is not a field of a task");
    assert_eq!(
        reasons[7],
        "repeats row 1 (same source and external_id); the first is kept"
    );
    assert_eq!(reasons[10], "a task must be a JSON object, not a string");
    // The good rows landed (the child of a task earlier in the batch included), once each.
    assert_eq!(
        footprint(pool).await,
        [before[0] + 3, before[1] + 3, before[2], before[3] + 1]
    );
    assert_eq!(
        stored_task(pool, "HT-UBKT-01", "NV-B-11").await["parent_external_id"],
        "NV-B-1"
    );
    assert_eq!(
        stored_task(pool, "HT-UBKT-01", "NV-B-1").await,
        sent(&t("NV-B-1"))
    );
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM task WHERE external_id LIKE 'NV-B-%'"
        )
        .await,
        3
    );
    // Rejected rows count against the source (all but the one that is not an object).
    assert_eq!(
        counters(pool, "HT-UBKT-01").await,
        (counters_before.0 + 3, counters_before.1 + 10)
    );

    // A parent stored by an earlier batch is found.
    let child = set(t("NV-B-12"), "parent_external_id", json!("NV-B-13"));
    let report = ingested(
        &app.router,
        TASKS,
        &token,
        "application/json",
        json!([child]).to_string(),
    )
    .await;
    assert_eq!(report["accepted"], 1, "{report}");
    assert_eq!(
        stored_task(pool, "HT-UBKT-01", "NV-B-12").await["parent_external_id"],
        "NV-B-13"
    );
}

#[tokio::test]
async fn an_unreadable_batch_of_tasks_or_targets_is_refused_whole_and_leaves_nothing() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let directive = a_directive(pool).await;
    let good = a_task("NV-M-1", &directive, "01").to_string();
    let before = footprint(pool).await;
    let counters_before = counters(pool, "HT-UBKT-01").await;
    let target = json!({"source": "HT-UBKT-01", "unit": "01", "year": 2099, "measure": "inspections", "planned": 5}).to_string();
    for (path, content_type, body, field, row) in [
        (
            TASKS,
            "application/json",
            format!("[{good}, {{\"title\": "),
            "body",
            Some(2),
        ),
        (
            TASKS,
            "application/x-ndjson",
            format!("{good}\n{{oops}}\n"),
            "body",
            Some(2),
        ),
        (TASKS, "application/json", good.clone(), "body", None),
        (
            TASKS,
            "text/csv",
            "source,external_id,kind\r\nA,B,C\r\n".to_string(),
            "kind",
            None,
        ),
        (
            TASKS,
            "text/csv",
            "source,external_id,directive,unit,title,assigned_on,due_on,progress\r\n".to_string(),
            "status",
            None,
        ),
        (
            TARGETS,
            "application/json",
            format!("[{target}, {target}"),
            "body",
            Some(2),
        ),
        (
            TARGETS,
            "text/csv",
            "source,unit,year,measure,planned,colour\n".to_string(),
            "colour",
            None,
        ),
        (
            TARGETS,
            "text/csv",
            "source,unit,year,measure,planned\nHT-UBKT-01,01,2099,inspections,5\nHT-UBKT-01,01\n"
                .to_string(),
            "body",
            Some(2),
        ),
    ] {
        let (status, answer) = post(&app.router, path, &token, content_type, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["field"], field, "{body}: {answer}");
        assert_eq!(answer["row"].as_u64(), row, "{body}: {answer}");
    }
    let (_, answer) = post(&app.router, TASKS, &token, "text/csv", "source,kind\n").await;
    assert_eq!(
        answer["error"],
        "the batch cannot be read, nothing of it was kept: kind: column 2 is not a field of a task; the columns are: source, external_id, directive, unit, title, assigned_on, due_on, progress, status, done_on, parent_external_id, report.on, report.note"
    );
    let (_, answer) = post(&app.router, TARGETS, &token, "application/json", "{}").await;
    assert_eq!(
        answer["error"],
        "the batch cannot be read, nothing of it was kept: body: is one JSON object; send a JSON array of targets, or one object a line as application/x-ndjson"
    );
    let (status, _) = post(&app.router, TARGETS, &token, "text/plain", target.clone()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // Over the limit: 413, for both kinds.
    let limited = app
        .router
        .clone()
        .layer(axum::Extension(IngestLimits { max_bytes: 256 }));
    let big_tasks = format!("{good}\n{good}\n");
    let big_targets = format!("{target}\n").repeat(5);
    for (path, body) in [(TASKS, big_tasks), (TARGETS, big_targets)] {
        assert!(body.len() > 256);
        let (status, answer) = post(&limited, path, &token, "application/x-ndjson", body).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{path}: {answer}");
    }
    assert_eq!(footprint(pool).await, before);
    assert_eq!(counters(pool, "HT-UBKT-01").await, counters_before);
    let refusals: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'ingest%refused' ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(
        refusals
            .iter()
            .filter(|a| *a == "ingest_tasks_refused")
            .count(),
        7
    );
    assert_eq!(
        refusals
            .iter()
            .filter(|a| *a == "ingest_targets_refused")
            .count(),
        5
    );
}

#[tokio::test]
async fn a_hanoi_token_cannot_write_tasks_or_targets_elsewhere() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let directive = a_directive(pool).await;
    let saigon = commune_of(pool, "79").await;
    let before = footprint(pool).await;
    let mut other_source = a_task("NV-S-3", &directive, "01");
    other_source["source"] = json!("HT-UBKT-79");
    let body = json!([
        a_task("NV-S-1", &directive, "01"),
        a_task("NV-S-2", &directive, &saigon),
        other_source
    ]);
    let report = ingested(
        &app.router,
        TASKS,
        &token,
        "application/json",
        body.to_string(),
    )
    .await;
    assert_eq!(
        errors_of(&report),
        vec![(2, "unit".to_string()), (3, "source".into())],
        "{report}"
    );
    assert_eq!(
        report["errors"][0]["reason"],
        format!("unit '{saigon}' is outside your scope (01)")
    );
    assert_eq!(
        report["errors"][1]["reason"],
        "this token writes as data source 'HT-UBKT-01' only, not 'HT-UBKT-79'"
    );
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM task WHERE external_id LIKE 'NV-S-%'"
        )
        .await,
        1
    );

    let target = |unit: &str, source: &str| json!({"source": source, "unit": unit, "year": 2099, "measure": "supervisions", "planned": 7});
    let body = json!([
        target("01", "HT-UBKT-01"),
        target("79", "HT-UBKT-01"),
        target(&saigon, "HT-UBKT-01"),
        target("01", "HT-UBKT-79")
    ]);
    let report = ingested(
        &app.router,
        TARGETS,
        &token,
        "application/json",
        body.to_string(),
    )
    .await;
    assert_eq!(
        errors_of(&report),
        vec![
            (2, "unit".to_string()),
            (3, "unit".into()),
            (4, "source".into()),
            (4, String::new())
        ],
        "{report}"
    );
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM target WHERE year = 2099").await,
        1
    );
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM target WHERE year = 2099 AND province = '79'"
        )
        .await,
        0
    );
    assert_eq!(
        footprint(pool).await,
        [before[0] + 1, before[1] + 1, before[2] + 1, before[3] + 2]
    );
}

#[tokio::test]
async fn a_dry_run_of_tasks_or_targets_keeps_nothing() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let directive = a_directive(pool).await;
    let before = footprint(pool).await;
    let counters_before = counters(pool, "HT-UBKT-01").await;
    let tasks = json!([
        a_task("NV-D-1", &directive, "01"),
        a_task("NV-D-1", &directive, "01")
    ]);
    let report = ingested(
        &app.router,
        &format!("{TASKS}?dry_run=true"),
        &token,
        "application/json",
        tasks.to_string(),
    )
    .await;
    assert_eq!(
        (
            report["accepted"].as_u64(),
            report["rejected"].as_u64(),
            report["dry_run"].as_bool()
        ),
        (Some(1), Some(1), Some(true)),
        "{report}"
    );
    let targets = json!([{"source": "HT-UBKT-01", "unit": "01", "year": 2099, "measure": "inspections", "planned": 3}]);
    let report = ingested(
        &app.router,
        &format!("{TARGETS}?dry_run=1"),
        &token,
        "application/json",
        targets.to_string(),
    )
    .await;
    assert_eq!(
        (report["accepted"].as_u64(), report["dry_run"].as_bool()),
        (Some(1), Some(true)),
        "{report}"
    );
    assert_eq!(footprint(pool).await, before);
    assert_eq!(counters(pool, "HT-UBKT-01").await, counters_before);
}

/// A target as stored: `(source, path, province, planned)`.
async fn stored_target(
    pool: &PgPool,
    unit: &str,
    year: i16,
    measure: &str,
    sector: Option<&str>,
) -> (String, String, String, i32) {
    sqlx::query_as(
        "SELECT source, path::text, province, planned FROM target
         WHERE unit = $1 AND year = $2 AND measure = $3 AND sector IS NOT DISTINCT FROM $4",
    )
    .bind(unit)
    .bind(year)
    .bind(measure)
    .bind(sector)
    .fetch_one(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn targets_in_json_ndjson_and_csv_land_read_back_and_update_on_re_send() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let before = footprint(pool).await;
    let counters_before = counters(pool, "HT-UBKT-01").await;
    let hanoi = |unit: &str, measure: &str, sector: Option<&str>, planned: i64| {
        let mut t = json!({"source": "HT-UBKT-01", "unit": unit, "year": 2099, "measure": measure, "planned": planned});
        if let Some(s) = sector {
            t["sector"] = json!(s);
        }
        t
    };
    let body = json!([
        hanoi("01", "inspections", Some("land"), 120),
        hanoi("01", "inspections", None, 900)
    ]);
    let report = ingested(
        &app.router,
        TARGETS,
        &token,
        "application/json",
        body.to_string(),
    )
    .await;
    assert_eq!(report["accepted"], 2, "{report}");
    let ndjson = format!(
        "{}\n\n{}\n",
        hanoi(&commune, "supervisions", Some("health"), 4),
        hanoi(&commune, "settled_on_time", None, 0)
    );
    let report = ingested(&app.router, TARGETS, &token, "application/x-ndjson", ndjson).await;
    assert_eq!(report["accepted"], 2, "{report}");
    let csv = format!(
        "\u{feff}source,unit,year,measure,sector,planned\r\nHT-UBKT-01, {commune} ,2099,inspections,,\" 15\"\r\nHT-UBKT-01,01,2099,supervisions,finance_budget,10000000\r\n"
    );
    let report = ingested(&app.router, TARGETS, &token, "text/csv", csv).await;
    assert_eq!(report["accepted"], 2, "{report}");

    let hn = (
        "HT-UBKT-01".to_string(),
        "VN.01".to_string(),
        "01".to_string(),
    );
    let cm = (
        "HT-UBKT-01".to_string(),
        format!("VN.01.{commune}"),
        "01".to_string(),
    );
    let with = |(s, p, v): &(String, String, String), planned: i32| {
        (s.clone(), p.clone(), v.clone(), planned)
    };
    assert_eq!(
        stored_target(pool, "01", 2099, "inspections", Some("land")).await,
        with(&hn, 120)
    );
    assert_eq!(
        stored_target(pool, "01", 2099, "inspections", None).await,
        with(&hn, 900)
    );
    assert_eq!(
        stored_target(pool, &commune, 2099, "supervisions", Some("health")).await,
        with(&cm, 4)
    );
    assert_eq!(
        stored_target(pool, &commune, 2099, "settled_on_time", None).await,
        with(&cm, 0)
    );
    assert_eq!(
        stored_target(pool, &commune, 2099, "inspections", None).await,
        with(&cm, 15)
    );
    assert_eq!(
        stored_target(pool, "01", 2099, "supervisions", Some("finance_budget")).await,
        with(&hn, 10_000_000)
    );
    assert_eq!(
        footprint(pool).await,
        [before[0], before[1], before[2] + 6, before[3] + 3]
    );
    assert_eq!(
        counters(pool, "HT-UBKT-01").await,
        (counters_before.0 + 6, counters_before.1)
    );
    let (kind, source): (String, String) =
        sqlx::query_as("SELECT record_kind, source FROM ingest_batch ORDER BY id DESC LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((kind.as_str(), source.as_str()), ("targets", "HT-UBKT-01"));
    let action: String = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'ingest%' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(action, "ingest_targets");

    // Re-sent by another source (the centre's): `planned` and `source` change, nothing doubles.
    let centre = centre_token(pool).await;
    let mut again = hanoi("01", "inspections", Some("land"), 130);
    again["source"] = json!("HT-UBKT-TW");
    let report = ingested(
        &app.router,
        TARGETS,
        &centre,
        "application/json",
        json!([again]).to_string(),
    )
    .await;
    assert_eq!(report["accepted"], 1, "{report}");
    assert_eq!(
        stored_target(pool, "01", 2099, "inspections", Some("land")).await,
        (
            "HT-UBKT-TW".to_string(),
            "VN.01".to_string(),
            "01".to_string(),
            130
        )
    );
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM target WHERE year = 2099").await,
        6
    );
}

#[tokio::test]
async fn bad_targets_are_named_by_row_and_field_while_good_ones_land() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let before = footprint(pool).await;
    let counters_before = counters(pool, "HT-UBKT-01").await;
    let t = || json!({"source": "HT-UBKT-01", "unit": "01", "year": 2099, "measure": "inspections", "sector": "land", "planned": 10});
    let set = |mut v: Value, key: &str, value: Value| {
        v[key] = value;
        v
    };
    let rows = vec![
        t(),
        set(t(), "unit", json!("99999")),
        set(t(), "year", json!(1999)),
        set(t(), "measure", json!("arrests")),
        set(t(), "sector", json!("sports")),
        set(t(), "planned", json!(-5)),
        set(t(), "planned", json!("10")),
        set(t(), "external_id", json!("x")),
        set(t(), "planned", json!(11)),
        set(t(), "sector", json!(null)),
    ];
    let report = ingested(
        &app.router,
        TARGETS,
        &token,
        "application/json",
        json!(rows).to_string(),
    )
    .await;
    assert_eq!(
        errors_of(&report),
        vec![
            (2, "unit".to_string()),
            (3, "year".into()),
            (4, "measure".into()),
            (5, "sector".into()),
            (6, "planned".into()),
            (7, "planned".into()),
            (8, "external_id".into()),
            (9, String::new()),
            (10, "sector".into()),
        ],
        "{report}"
    );
    assert_eq!(
        report["errors"][7]["reason"],
        "repeats row 1 (same unit, year, measure and sector); the first is kept"
    );
    assert_eq!(report["errors"][6]["reason"], "is not a field of a target");
    assert_eq!(
        (report["accepted"].as_u64(), report["rejected"].as_u64()),
        (Some(1), Some(9))
    );
    assert_eq!(
        stored_target(pool, "01", 2099, "inspections", Some("land"))
            .await
            .3,
        10
    );
    assert_eq!(
        footprint(pool).await,
        [before[0], before[1], before[2] + 1, before[3] + 1]
    );
    assert_eq!(
        counters(pool, "HT-UBKT-01").await,
        (counters_before.0 + 1, counters_before.1 + 9)
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_task_and_target_routes() {
    let app = TestApp::seeded().await;
    let (status, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    for path in ["/api/v1/ingest/tasks", "/api/v1/ingest/targets"] {
        let op = &doc["paths"][path]["post"];
        assert!(
            op["requestBody"]["content"]["text/csv"].is_object(),
            "{path}: {op}"
        );
        assert!(
            op["requestBody"]["content"]["application/x-ndjson"].is_object(),
            "{path}"
        );
        assert!(op["responses"]["413"].is_object(), "{path}");
        assert!(op["responses"]["415"].is_object(), "{path}");
        assert_eq!(
            op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
            "#/components/schemas/IngestReport",
            "{path}"
        );
    }
}
