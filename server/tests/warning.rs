//! Early warning end to end against PostgreSQL: the rules' alerts equal what SQL finds, an alert
//! caused by ingested data reaches an open event stream within 2 seconds (and never a stream of
//! another scope), procedures are edited by an admin and their escalations follow, the detector
//! flags a burst with its band, and the contract's short alert routes work.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Events, TestApp, hanoi_token, scalar};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::time::{Duration, Instant};

/// Open steps late by more than their procedure allows: each should have its escalation.
const ESCALATED_STEPS: &str = "SELECT count(*) FROM case_step s JOIN cases c ON c.id = s.case_id
    JOIN procedure_step ps ON ps.procedure = c.procedure AND ps.ord = s.ord
    WHERE s.done_on IS NULL AND c.status <> 'cancelled'
      AND current_date - s.due_on > ps.escalate_after";

/// Everything the rules and the detector find now, before a test watches what changes.
async fn settle(pool: &PgPool) {
    server::warning::evaluate(pool).await.unwrap();
    server::warning::detect(pool).await.unwrap();
}

/// A commune of `province` that conducts no open case past its deadline.
async fn quiet_commune(pool: &PgPool, province: &str) -> String {
    sqlx::query_scalar(
        "SELECT code FROM unit WHERE parent = $1 AND level = 'commune'
           AND code NOT IN (SELECT conducting_unit FROM cases
                            WHERE status IN ('planned', 'in_progress') AND due_on < current_date)
         ORDER BY code LIMIT 1",
    )
    .bind(province)
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn ingest(app: &TestApp, token: &str, cases: Value) -> Value {
    let req = Request::post("/api/v1/ingest/cases")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(cases.to_string()))
        .unwrap();
    let (status, _, report) = app.send(req).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    report
}

fn days_ago(n: i64) -> String {
    (chrono::Local::now().date_naive() - chrono::Duration::days(n)).to_string()
}

#[tokio::test]
async fn an_ingested_case_past_its_deadline_reaches_an_open_screen_within_two_seconds() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    settle(pool).await;
    server::warning::spawn(pool.clone(), server::events::Hub::new(pool.clone()));
    let commune = quiet_commune(pool, "01").await;
    let token = hanoi_token(pool).await;

    let hanoi = app.login("hanoi", "hanoi-demo").await;
    let hcm = app.login("hcm", "hcm-demo").await;
    let mut mine = Events::open(&app, &hanoi).await;
    let mut other = Events::open(&app, &hcm).await;
    let (name, hello) = mine.next(Duration::from_secs(2)).await.unwrap();
    assert_eq!(
        (name.as_str(), hello["scope"].as_str()),
        ("hello", Some("01"))
    );
    let (name, hello) = other.next(Duration::from_secs(2)).await.unwrap();
    assert_eq!(
        (name.as_str(), hello["scope"].as_str()),
        ("hello", Some("79"))
    );

    // A case of the commune's own, in progress, 10 days past its deadline.
    let sent = Instant::now();
    let report = ingest(
        &app,
        &token,
        json!([{
            "source": "HT-UBKT-01", "external_id": "LATE-1", "kind": "complaint",
            "conducting_unit": commune, "subject": {"type": "member", "unit": commune, "ref": "ĐV-9"},
            "sector": "land", "status": "in_progress", "opened_on": days_ago(60), "due_on": days_ago(10)
        }]),
    )
    .await;
    assert_eq!(report["accepted"], 1);

    let (before, alert) = mine
        .until(Duration::from_secs(2), |n, d| {
            n == "alert" && d["kind"] == "cases_overdue" && d["unit"] == commune.as_str()
        })
        .await;
    let elapsed = sent.elapsed();
    let (_, alert) = alert.unwrap_or_else(|| panic!("no alert within 2 s; saw {before:?}"));
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(alert["action"], "raised");
    assert_eq!(alert["severity"], "warning");
    // The data's arrival came first, for Hà Nội.
    assert!(
        before
            .iter()
            .any(|(n, d)| n == "data" && d["area"] == "01" && d["records"] == "cases"),
        "{before:?}"
    );

    // The alert as the API gives it: the unit, the measure, expected and observed, the link.
    let (status, page) = app
        .get(
            &format!("/api/v1/alerts?kind=cases_overdue&unit={commune}"),
            Some(&hanoi),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let a = &page["alerts"][0];
    assert_eq!(page["total"], 1);
    assert_eq!(a["id"], alert["id"]);
    assert_eq!(
        (a["expected"].as_f64(), a["observed"].as_f64()),
        (Some(0.0), Some(1.0))
    );
    assert_eq!(a["state"], "new");
    assert_eq!(
        a["link"].as_str().unwrap(),
        format!("/analysis?unit={commune}&status=in_progress")
    );

    // The open case started its procedure's first step.
    let steps = scalar(
        pool,
        "SELECT count(*) FROM case_step s JOIN cases c ON c.id = s.case_id
         WHERE c.external_id = 'LATE-1' AND s.ord = 1 AND s.done_on IS NULL",
    )
    .await;
    assert_eq!(steps, 1);

    // Hồ Chí Minh City's screen heard nothing of Hà Nội.
    let (seen, _) = other.until(Duration::from_millis(500), |_, _| false).await;
    assert!(
        seen.iter()
            .all(|(n, d)| n == "resync" || (d["area"] != "01" && d["unit"] != commune.as_str())),
        "{seen:?}"
    );
}

#[tokio::test]
async fn the_rules_alerts_equal_what_sql_finds_and_clear_when_the_work_is_done() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    settle(pool).await;

    // Cases past their deadline: one alert per conducting unit, observing its count.
    let units = scalar(
        pool,
        "SELECT count(DISTINCT conducting_unit) FROM cases
         WHERE status IN ('planned', 'in_progress') AND due_on < current_date",
    )
    .await;
    let alerts = scalar(
        pool,
        "SELECT count(*) FROM alert WHERE kind = 'cases_overdue' AND state <> 'resolved'",
    )
    .await;
    assert!(units > 0);
    assert_eq!(alerts, units);
    let mismatched = scalar(
        pool,
        "SELECT count(*) FROM alert a
         WHERE a.kind = 'cases_overdue' AND a.observed <> (
             SELECT count(*) FROM cases c WHERE c.conducting_unit = a.unit
               AND c.status IN ('planned', 'in_progress') AND c.due_on < current_date)",
    )
    .await;
    assert_eq!(mismatched, 0);

    // Tasks likewise.
    let units = scalar(
        pool,
        "SELECT count(DISTINCT unit) FROM task WHERE status <> 'done' AND due_on < current_date",
    )
    .await;
    let alerts = scalar(
        pool,
        "SELECT count(*) FROM alert WHERE kind = 'tasks_overdue' AND state <> 'resolved'",
    )
    .await;
    assert_eq!(alerts, units);

    // Late steps: a reminder each; an escalation to the level above for those late by more
    // than their step allows.
    let late = scalar(
        pool,
        "SELECT count(*) FROM case_step s JOIN cases c ON c.id = s.case_id
         WHERE s.done_on IS NULL AND s.due_on < current_date AND c.status <> 'cancelled'",
    )
    .await;
    let escalated = scalar(pool, ESCALATED_STEPS).await;
    let open = |kind: &'static str| {
        scalar(
            pool,
            match kind {
                "step_late" => {
                    "SELECT count(*) FROM alert WHERE kind = 'step_late' AND state <> 'resolved'"
                }
                _ => {
                    "SELECT count(*) FROM alert WHERE kind = 'step_escalated' AND state <> 'resolved'"
                }
            },
        )
    };
    assert!(late > 0 && escalated > 0, "{late} {escalated}");
    assert_eq!(open("step_late").await, late);
    assert_eq!(open("step_escalated").await, escalated);
    // An escalation is held by the parent of the unit doing the case.
    let misplaced = scalar(
        pool,
        "SELECT count(*) FROM alert a JOIN cases c ON c.id = (a.detail->>'case')::bigint
         JOIN unit u ON u.code = c.conducting_unit
         WHERE a.kind = 'step_escalated' AND a.unit <> coalesce(u.parent, u.code)",
    )
    .await;
    assert_eq!(misplaced, 0);

    // Targets: every target line of Hà Nội's overview that heads under its plan has its alert,
    // with the overview's figures.
    let cookie = app.login("hanoi", "hanoi-demo").await;
    let (_, overview) = app.get("/api/v1/overview?unit=01", Some(&cookie)).await;
    for t in overview["targets"].as_array().unwrap() {
        if t["from_children"].is_number() {
            continue;
        }
        let a = &t["attainment"];
        let planned = a["planned"].as_f64().unwrap();
        let projected = a["projected"].as_f64().unwrap();
        let key = format!(
            "target:{}:01:{}:{}",
            &overview["today"].as_str().unwrap()[..4],
            t["measure"].as_str().unwrap(),
            t["sector"].as_str().unwrap_or("all")
        );
        let row: Option<(String, f64, f64)> = sqlx::query_as(
            "SELECT kind, expected, observed FROM alert WHERE dedup_key = $1 AND state <> 'resolved'",
        )
        .bind(&key)
        .fetch_optional(pool)
        .await
        .unwrap();
        let achieved = a["achieved"].as_f64().unwrap();
        if achieved < planned && projected < planned {
            assert_eq!(
                row,
                Some(("target_at_risk".into(), planned, projected)),
                "{key}"
            );
        } else if row.is_some() {
            assert_eq!(row.as_ref().unwrap().0, "target_behind", "{key}");
        }
    }

    // Work done: the step finished, the next evaluation resolves its reminder as `system`.
    let (case, ord): (i64, i16) = sqlx::query_as(
        "SELECT (detail->>'case')::bigint, (detail->>'ord')::smallint FROM alert
         WHERE kind = 'step_late' AND state <> 'resolved' ORDER BY id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    sqlx::query("UPDATE case_step SET done_on = current_date WHERE case_id = $1 AND ord = $2")
        .bind(case)
        .bind(ord)
        .execute(pool)
        .await
        .unwrap();
    server::warning::evaluate(pool).await.unwrap();
    let (state, by): (String, Option<String>) =
        sqlx::query_as("SELECT state, resolved_by FROM alert WHERE dedup_key = $1")
            .bind(format!("step:late:{case}:{ord}"))
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(
        (state.as_str(), by.as_deref()),
        ("resolved", Some("system"))
    );

    // A person's resolution stands while the finding stays the same.
    let id: i64 = scalar(
        pool,
        "SELECT id FROM alert WHERE (starts_with(dedup_key, 'overdue:') OR starts_with(dedup_key, 'step:'))
           AND state <> 'resolved' AND path <@ 'VN.01' ORDER BY id LIMIT 1",
    )
    .await;
    let (status, _, body) = app
        .post(
            &format!("/api/v1/alerts/{id}/resolve"),
            r#"{"comment": "Đã đôn đốc, hạn mới cuối tháng"}"#,
            Some(&cookie),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    server::warning::evaluate(pool).await.unwrap();
    let state: String = sqlx::query_scalar("SELECT state FROM alert WHERE id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(state, "resolved");
}

#[tokio::test]
async fn an_admin_edits_a_procedure_and_its_escalations_follow() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    settle(pool).await;
    let admin = app.login("admin", "admin-demo").await;
    let leader = app.login("lanhdao", "lanhdao-demo").await;

    let (status, all) = app.get("/api/v1/procedures", Some(&leader)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        all.as_array().unwrap().len() as i64,
        scalar(pool, "SELECT count(*) FROM procedure").await
    );
    // The procedure with the most late steps that do not yet escalate.
    let (code, ord): (String, i16) = sqlx::query_as(
        "SELECT c.procedure, s.ord FROM case_step s JOIN cases c ON c.id = s.case_id
         JOIN procedure_step ps ON ps.procedure = c.procedure AND ps.ord = s.ord
         WHERE s.done_on IS NULL AND c.status <> 'cancelled' AND s.due_on < current_date
           AND current_date - s.due_on <= ps.escalate_after
         GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let (_, mut p) = app
        .get(&format!("/api/v1/procedures/{code}"), Some(&leader))
        .await;
    let version = p["version"].as_i64().unwrap();
    let escalated = |pool: PgPool| async move {
        scalar(
            &pool,
            "SELECT count(*) FROM alert WHERE kind = 'step_escalated' AND state <> 'resolved'",
        )
        .await
    };
    let before = escalated(pool.clone()).await;

    // Not an admin: refused. Bad steps: refused, naming the field.
    let edit = |p: &Value| {
        json!({"name": p["name"], "steps": p["steps"], "version": p["version"]}).to_string()
    };
    let put = |cookie: String, body: String| {
        let app = &app;
        let code = code.clone();
        async move {
            let req = Request::put(format!("/api/v1/procedures/{code}"))
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body))
                .unwrap();
            let (s, _, j) = app.send(req).await;
            (s, j)
        }
    };
    let (status, _) = put(leader.clone(), edit(&p)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut bad = p.clone();
    bad["steps"][0]["days"] = json!(0);
    let (status, err) = put(admin.clone(), edit(&bad)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(err["field"], "steps[0].days", "{err}");

    // Escalate at once: every late step of that kind escalates at the next look.
    p["steps"][ord as usize - 1]["escalate_after"] = json!(0);
    let (status, saved) = put(admin.clone(), edit(&p)).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"].as_i64(), Some(version + 1));
    assert_eq!(saved["updated_by"], "admin");
    assert_eq!(saved["steps"][ord as usize - 1]["escalate_after"], 0);
    // A stale version is refused.
    let (status, err) = put(admin.clone(), edit(&p)).await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("version"))
    );

    server::warning::evaluate(pool).await.unwrap();
    let expected = scalar(pool, ESCALATED_STEPS).await;
    let after = escalated(pool.clone()).await;
    assert!(after > before, "{before} -> {after}");
    assert_eq!(after, expected);
    let audited = scalar(
        pool,
        "SELECT count(*) FROM audit_log WHERE action = 'procedure_edit'",
    )
    .await;
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn a_burst_of_cases_is_flagged_with_its_band() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    // 40 more cases opened last month in Hà Nội, where a handful is usual.
    sqlx::query(
        "INSERT INTO cases (source, external_id, kind, conducting_unit, subject_type, subject_unit,
             path, province, sector, status, opened_on, lat, lon, written_by)
         SELECT c.source, 'BURST-' || g, c.kind, c.conducting_unit, c.subject_type, c.subject_unit,
                c.path, c.province, c.sector, 'in_progress',
                (date_trunc('month', current_date) - interval '1 month')::date + (g % 20), c.lat, c.lon, 'test'
         FROM (SELECT * FROM cases WHERE province = '01' ORDER BY id LIMIT 1) c,
              generate_series(1, 40) g",
    )
    .execute(pool)
    .await
    .unwrap();
    server::warning::detect(pool).await.unwrap();
    let month = scalar(
        pool,
        "SELECT to_char(date_trunc('month', current_date) - interval '1 month', 'YYYYMM')::bigint",
    )
    .await;
    let key = format!(
        "anomaly:01:cases_opened:all:{}-{:02}",
        month / 100,
        month % 100
    );
    let cookie = app.login("hanoi", "hanoi-demo").await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM alert WHERE dedup_key = $1")
        .bind(&key)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|_| panic!("no alert {key}"));
    let (status, detail) = app
        .get(&format!("/api/v1/alerts/{id}"), Some(&cookie))
        .await;
    assert_eq!(status, StatusCode::OK);
    let opened = scalar(
        pool,
        "SELECT count(*) FROM cases WHERE province = '01'
           AND date_trunc('month', opened_on) = date_trunc('month', current_date) - interval '1 month'",
    )
    .await;
    assert_eq!(detail["alert"]["observed"].as_f64(), Some(opened as f64));
    let series = detail["detail"]["series"].as_array().unwrap();
    assert_eq!(series.len(), 24);
    let last = series.last().unwrap();
    assert_eq!(last["observed"].as_f64(), Some(opened as f64));
    assert_eq!(last["flagged"], true);
    assert!(last["high"].as_f64().unwrap() < opened as f64);
    assert!(last["expected"].as_f64().unwrap() < last["high"].as_f64().unwrap());
    // Another province's leader cannot see it.
    let hcm = app.login("hcm", "hcm-demo").await;
    let (status, _) = app.get(&format!("/api/v1/alerts/{id}"), Some(&hcm)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_contracts_short_routes_acknowledge_and_resolve() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    settle(pool).await;
    let cookie = app.login("hanoi", "hanoi-demo").await;
    let id: i64 = scalar(
        pool,
        "SELECT id FROM alert WHERE state = 'new' AND path <@ 'VN.01' ORDER BY id LIMIT 1",
    )
    .await;
    let (status, _, body) = app
        .post(&format!("/api/v1/alerts/{id}/ack"), "", Some(&cookie))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["alert"]["state"], "acknowledged");
    let (status, _, body) = app
        .post(&format!("/api/v1/alerts/{id}/ack"), "", Some(&cookie))
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("action"))
    );
    let (status, _, body) = app
        .post(
            &format!("/api/v1/alerts/{id}/resolve"),
            "{\"oops\": 1}",
            Some(&cookie),
        )
        .await;
    assert_eq!(
        (status, body["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("body"))
    );
    let (status, _, body) = app
        .post(&format!("/api/v1/alerts/{id}/resolve"), "", Some(&cookie))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["alert"]["state"], "resolved");
    let last = body["events"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (
            last["action"].as_str(),
            last["comment"].as_str(),
            last["actor"].as_str()
        ),
        (
            Some("resolve"),
            Some("resolved through the API"),
            Some("hanoi")
        )
    );
    // Another scope's alert does not exist for this caller.
    let other: i64 = scalar(
        pool,
        "SELECT id FROM alert WHERE NOT path <@ 'VN.01' ORDER BY id LIMIT 1",
    )
    .await;
    let (status, _, _) = app
        .post(&format!("/api/v1/alerts/{other}/ack"), "", Some(&cookie))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_case_follows_its_procedure_step_by_step() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = quiet_commune(pool, "01").await;
    let case = |status: &str| {
        let mut c = json!({
            "source": "HT-UBKT-01", "external_id": "SOP-1", "kind": "denunciation",
            "conducting_unit": "01", "subject": {"type": "member", "unit": commune, "ref": "ĐV-7"},
            "sector": "land", "status": status, "opened_on": days_ago(30)
        });
        if status == "concluded" {
            c["concluded_on"] = json!(days_ago(1));
            c["violation"] = json!(false);
        }
        json!([c])
    };
    let report = ingest(&app, &token, case("in_progress")).await;
    assert_eq!(report["accepted"], 1, "{report}");
    let id: i64 = scalar(pool, "SELECT id FROM cases WHERE external_id = 'SOP-1'").await;
    let cookie = app.login("dulieu", "dulieu-demo").await;

    // Step 1 started the day the case opened; its deadline is the template's.
    let (status, steps) = app
        .get(&format!("/api/v1/cases/{id}/steps"), Some(&cookie))
        .await;
    assert_eq!(status, StatusCode::OK, "{steps}");
    let first_days = steps["steps"][0]["days"].as_i64().unwrap();
    assert_eq!(steps["procedure"], "QT-GQTC");
    assert_eq!(steps["steps"][0]["started_on"], days_ago(30));
    assert_eq!(steps["steps"][0]["due_on"], days_ago(30 - first_days));
    assert_eq!(steps["steps"][0]["state"], "escalated");
    assert_eq!(steps["steps"][1]["state"], "waiting");
    server::warning::evaluate(pool).await.unwrap();
    let open_for = |pool: PgPool, key: String| async move {
        sqlx::query_scalar::<_, String>("SELECT state FROM alert WHERE dedup_key = $1")
            .bind(key)
            .fetch_optional(&pool)
            .await
            .unwrap()
    };
    assert_eq!(
        open_for(pool.clone(), format!("step:escalated:{id}:1"))
            .await
            .as_deref(),
        Some("new")
    );

    // Refusals name the field.
    let post = |path: String, body: &'static str| {
        let app = &app;
        let cookie = cookie.clone();
        async move { app.post(&path, body, Some(&cookie)).await }
    };
    let (status, _, err) = post(format!("/api/v1/cases/{id}/steps/2/done"), "").await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("ord"))
    );
    let (status, _, err) = post(
        format!("/api/v1/cases/{id}/steps/1/done"),
        r#"{"done_on": "2001-01-01"}"#,
    )
    .await;
    assert_eq!(
        (status, err["field"].as_str()),
        (StatusCode::BAD_REQUEST, Some("done_on"))
    );
    let (status, _, _) = post("/api/v1/cases/0/steps/1/done".into(), "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let hcm = app.login("hcm", "hcm-demo").await;
    let (status, _) = app
        .get(&format!("/api/v1/cases/{id}/steps"), Some(&hcm))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app
        .post(&format!("/api/v1/cases/{id}/steps/1/done"), "", Some(&hcm))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Done today: step 2 starts today with its own deadline; the escalation clears.
    let (status, _, steps) = post(format!("/api/v1/cases/{id}/steps/1/done"), "").await;
    assert_eq!(status, StatusCode::OK, "{steps}");
    let second_days = steps["steps"][1]["days"].as_i64().unwrap();
    assert_eq!(steps["steps"][0]["state"], "done");
    assert_eq!(steps["steps"][0]["done_on"], days_ago(0));
    assert_eq!(steps["steps"][1]["started_on"], days_ago(0));
    assert_eq!(steps["steps"][1]["due_on"], days_ago(-second_days));
    assert_eq!(steps["steps"][1]["state"], "open");
    server::warning::evaluate(pool).await.unwrap();
    assert_eq!(
        open_for(pool.clone(), format!("step:escalated:{id}:1"))
            .await
            .as_deref(),
        Some("resolved")
    );
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM audit_log WHERE action = 'case_step_done'"
        )
        .await,
        1
    );

    // Concluded through ingest: the steps up to the conclusion are done.
    ingest(&app, &token, case("concluded")).await;
    let open = scalar(
        pool,
        &format!("SELECT count(*) FROM case_step WHERE case_id = {id} AND done_on IS NULL"),
    )
    .await;
    assert_eq!(open, 0);
}
