//! The overview (`GET /overview`) and the rollups behind it: attainment and pro-rata expectation on
//! hand-made cases and targets with known answers, rollups equal to the cases after inserts,
//! updates and deletes (before and after compaction), and scope.

mod common;

use axum::http::StatusCode;
use chrono::Datelike;
use common::{TestApp, clear_unit, commune_of, scalar};
use domain::summary::Period;
use domain::targets::{Attainment, calendar_share, seasonal_share};
use serde_json::Value;
use sqlx::PgPool;

/// A case of `kind` about `unit`, opened `opened` days ago, due `due` days after opening,
/// concluded `concluded` days ago (with a violation) if given.
async fn case(
    pool: &PgPool,
    id: &str,
    unit: &str,
    kind: &str,
    opened: i32,
    due: i32,
    concluded: Option<i32>,
) {
    sqlx::query(
        "INSERT INTO cases (source, external_id, kind, conducting_unit, subject_type, subject_unit,
             path, province, sector, status, opened_on, due_on, concluded_on, violation, amount_vnd,
             lat, lon, written_by)
         SELECT 'HT-UBKT-01', $1, $3, '01', 'organization', code, path, province, 'land',
                CASE WHEN $6::int IS NULL THEN 'in_progress' ELSE 'concluded' END,
                current_date - $4, current_date - $4 + $5, current_date - $6::int,
                CASE WHEN $6::int IS NULL THEN NULL ELSE true END,
                CASE WHEN $6::int IS NULL THEN NULL ELSE 1000000 END,
                21.0, 105.8, 'test'
         FROM unit WHERE code = $2",
    )
    .bind(id)
    .bind(unit)
    .bind(kind)
    .bind(opened)
    .bind(due)
    .bind(concluded)
    .execute(pool)
    .await
    .unwrap();
}

async fn target(pool: &PgPool, unit: &str, measure: &str, planned: i32) {
    sqlx::query(
        "INSERT INTO target (unit, path, province, year, measure, sector, planned)
         SELECT code, path, province, extract(year FROM current_date)::smallint, $2, NULL, $3
         FROM unit WHERE code = $1",
    )
    .bind(unit)
    .bind(measure)
    .bind(planned)
    .execute(pool)
    .await
    .unwrap();
}

/// The organization's usual share of a measure's events by today's day of the year in the
/// three previous years, measured on the cases (the oracle of the server's seasonal share).
async fn season(pool: &PgPool, events: &str) -> f64 {
    let years: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "WITH e AS ({events})
         SELECT count(*) FILTER (WHERE to_char(day, 'MMDD') <= to_char(current_date, 'MMDD')),
                count(*)
         FROM e
         WHERE day >= make_date(extract(year FROM current_date)::int - 3, 1, 1)
           AND day < make_date(extract(year FROM current_date)::int, 1, 1)
         GROUP BY extract(year FROM day)"
    ))
    .fetch_all(pool)
    .await
    .unwrap();
    let today = chrono::Local::now().date_naive();
    seasonal_share(&years).unwrap_or(calendar_share(today))
}

fn attainment(v: &Value) -> Attainment {
    serde_json::from_value(v.clone()).unwrap()
}

fn line<'a>(overview: &'a Value, measure: &str) -> &'a Value {
    overview["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["measure"] == measure && t["sector"].is_null())
        .unwrap_or_else(|| panic!("no {measure} target in {overview}"))
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// The same attainment, floats to within rounding.
fn same(a: &Attainment, b: &Attainment) {
    assert_eq!(
        (a.planned, a.achieved, a.state),
        (b.planned, b.achieved, b.state)
    );
    for (x, y) in [
        (a.expected, b.expected),
        (a.projected, b.projected),
        (a.gap, b.gap),
    ] {
        assert!(close(x, y), "{a:?} vs {b:?}");
    }
}

#[tokio::test]
async fn attainment_is_computed_from_the_cases_against_pro_rata_targets() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let commune = commune_of(pool, "01").await;
    // A clean commune: no cases or targets but these.
    clear_unit(pool, &commune).await;
    // Six inspections opened today, three of them concluded today within their time; two
    // supervisions; a complaint concluded a day past its due day; a case opened last year.
    for i in 0..6 {
        let concluded = (i < 3).then_some(0);
        case(
            pool,
            &format!("i{i}"),
            &commune,
            "inspection_duty",
            0,
            30,
            concluded,
        )
        .await;
    }
    case(pool, "s1", &commune, "supervision_regular", 0, 30, None).await;
    case(pool, "s2", &commune, "supervision_thematic", 0, 30, None).await;
    sqlx::query(
        "UPDATE cases SET opened_on = current_date, due_on = current_date, concluded_on = current_date
         WHERE external_id = 'i0'",
    )
    .execute(pool)
    .await
    .unwrap();
    case(pool, "late", &commune, "complaint", 0, 0, None).await;
    sqlx::query(
        "UPDATE cases SET opened_on = make_date(extract(year FROM current_date)::int - 1, 6, 1),
             due_on = make_date(extract(year FROM current_date)::int - 1, 7, 1),
             status = 'concluded', concluded_on = current_date, violation = false
         WHERE external_id = 'late'",
    )
    .execute(pool)
    .await
    .unwrap();
    target(pool, &commune, "inspections", 20).await;
    target(pool, &commune, "supervisions", 2).await;
    target(pool, &commune, "settled_on_time", 10).await;

    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    let (status, o) = app
        .get(&format!("/api/v1/overview?unit={commune}"), Some(&cookie))
        .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    let today = chrono::Local::now().date_naive();
    let share = calendar_share(today);
    assert!(close(o["calendar_share"].as_f64().unwrap(), share));

    let opened = "SELECT opened_on AS day, kind FROM cases";
    let inspections_season = season(pool, &format!("{opened} WHERE kind LIKE 'inspection%'")).await;
    let supervisions_season =
        season(pool, &format!("{opened} WHERE kind LIKE 'supervision%'")).await;
    let on_time_season = season(
        pool,
        "SELECT concluded_on AS day FROM cases WHERE status = 'concluded' AND concluded_on <= due_on",
    )
    .await;

    let inspections = attainment(&line(&o, "inspections")["attainment"]);
    same(
        &inspections,
        &Attainment::of(20, 6, share, inspections_season),
    );
    assert!((inspections.expected - 20.0 * share).abs() <= 0.005);
    if today.ordinal() > 120 {
        // Six of a pro-rata share of twenty: behind, and the gap says by how much.
        assert_eq!(inspections.state.as_str(), "behind");
        assert!((inspections.gap - (6.0 - 20.0 * share)).abs() <= 0.01);
    }
    let supervisions = attainment(&line(&o, "supervisions")["attainment"]);
    same(
        &supervisions,
        &Attainment::of(2, 2, share, supervisions_season),
    );
    assert_eq!(supervisions.state.as_str(), "met");
    // i0, i1, i2 concluded on or before their due day; the complaint was late.
    let on_time = attainment(&line(&o, "settled_on_time")["attainment"]);
    same(&on_time, &Attainment::of(10, 3, share, on_time_season));
    assert_eq!(o["on_time"], 3);
    assert_eq!(o["figures"]["inspections"], 6);
    assert_eq!(o["figures"]["supervisions"], 2);
    assert_eq!(o["figures"]["concluded"], 4);
    assert_eq!(o["figures"]["violations"], 3);
    assert_eq!(o["figures"]["amount_vnd"], 3_000_000);
    // The breadcrumb runs from the caller's scope down.
    let trail: Vec<&str> = o["trail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(trail, vec!["VN", "01", commune.as_str()]);
    // The trend's last month holds this month's events.
    let trend = o["trend"].as_array().unwrap();
    assert_eq!(trend.len(), 24);
    let this_month: i64 = scalar(
        pool,
        &format!(
            "SELECT count(*) FROM cases WHERE path <@ (SELECT path FROM unit WHERE code = '{commune}')
               AND date_trunc('month', opened_on) = date_trunc('month', current_date)"
        ),
    )
    .await;
    assert_eq!(trend[23]["figures"]["cases"].as_i64().unwrap(), this_month);

    // The province's overview lists the commune among its children with the same attainment.
    let (_, p) = app.get("/api/v1/overview?unit=01", Some(&cookie)).await;
    let child = p["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == commune.as_str())
        .unwrap();
    same(&attainment(&child["inspections"]), &inspections);
    same(&attainment(&child["settled_on_time"]), &on_time);
    assert_eq!(child["cases"], o["figures"]["cases"]);
    assert_eq!(
        p["children"].as_array().unwrap().len() as i64,
        scalar(
            pool,
            "SELECT count(DISTINCT t.unit) FROM target t JOIN unit u ON u.code = t.unit
             WHERE u.parent = '01' AND t.year = extract(year FROM current_date)"
        )
        .await
    );

    // The centre was given no targets: its provinces' sum stands for them.
    let (_, vn) = app.get("/api/v1/overview", Some(&cookie)).await;
    let national = line(&vn, "inspections");
    assert_eq!(
        national["from_children"].as_i64().unwrap(),
        scalar(
            pool,
            "SELECT count(*) FROM target t JOIN unit u ON u.code = t.unit WHERE u.parent = 'VN'
               AND t.year = extract(year FROM current_date) AND t.measure = 'inspections'
               AND t.sector IS NULL"
        )
        .await
    );
    assert_eq!(
        national["attainment"]["planned"].as_i64().unwrap(),
        scalar(
            pool,
            "SELECT sum(planned) FROM target t JOIN unit u ON u.code = t.unit WHERE u.parent = 'VN'
               AND t.year = extract(year FROM current_date) AND t.measure = 'inspections'
               AND t.sector IS NULL"
        )
        .await
    );
    assert_eq!(
        national["attainment"]["achieved"].as_i64().unwrap(),
        scalar(
            pool,
            "SELECT count(*) FROM cases WHERE kind LIKE 'inspection%'
               AND opened_on >= date_trunc('year', current_date)
               AND province IN (SELECT t.unit FROM target t WHERE t.measure = 'inspections'
                   AND t.sector IS NULL AND t.year = extract(year FROM current_date))"
        )
        .await
    );

    // A new case arrives through the ingest route: the figures follow at once, before the
    // deltas are folded and after.
    let token = common::hanoi_token(pool).await;
    let body = format!(
        r#"[{{"source":"HT-UBKT-01","external_id":"new-1","kind":"inspection_finance","conducting_unit":"01",
            "subject":{{"type":"organization","unit":"{commune}"}},"sector":"land","status":"in_progress",
            "opened_on":"{today}","location":{{"lat":21.0,"lon":105.8}}}}]"#
    );
    let (status, report) = app
        .with_token(
            &token,
            axum::http::Request::post("/api/v1/ingest/cases")
                .header("content-type", "application/json"),
            axum::body::Body::from(body),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    let (_, o) = app
        .get(&format!("/api/v1/overview?unit={commune}"), Some(&cookie))
        .await;
    assert_eq!(
        attainment(&line(&o, "inspections")["attainment"]).achieved,
        7
    );
    server::rollup::compact(pool).await.unwrap();
    let (_, o) = app
        .get(&format!("/api/v1/overview?unit={commune}"), Some(&cookie))
        .await;
    assert_eq!(
        attainment(&line(&o, "inspections")["attainment"]).achieved,
        7
    );
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM rollup_month_delta").await,
        0
    );
}

/// Every area's rollup figures equal the figures counted on the cases.
async fn assert_rollups_equal_cases(pool: &PgPool) {
    let today = chrono::Local::now().date_naive();
    let periods = [
        Period::year_to_date(today),
        Period::year_to_date(today).a_year_before(),
    ];
    let areas: Vec<(String, String)> =
        sqlx::query_as("SELECT code, path::text FROM unit WHERE nlevel(path) <= 2 ORDER BY code")
            .fetch_all(pool)
            .await
            .unwrap();
    let codes: Vec<String> = areas.iter().map(|a| a.0.clone()).collect();
    for period in periods {
        let rolled = server::rollup::by_day(pool, &codes, period).await.unwrap();
        for (code, path) in &areas {
            let raw = server::rollup::raw(pool, path, period).await.unwrap();
            assert_eq!(
                rolled.get(code).copied().unwrap_or_default(),
                raw,
                "{code} over {period:?}"
            );
        }
    }
    // Months down to the communes, for this year.
    let communes: Vec<(String, String)> = sqlx::query_as(
        "SELECT code, path::text FROM unit WHERE parent IN ('01', '79') AND level = 'commune'",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let codes: Vec<String> = communes.iter().map(|a| a.0.clone()).collect();
    let year = server::rollup::by_year(pool, &codes, today.year())
        .await
        .unwrap();
    let whole = Period {
        from: chrono::NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap(),
        to: chrono::NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap(),
    };
    for (code, path) in &communes {
        let raw = server::rollup::raw(pool, path, whole).await.unwrap();
        assert_eq!(
            year.get(&(code.clone(), String::new()))
                .copied()
                .unwrap_or_default(),
            raw,
            "{code}"
        );
    }
}

#[tokio::test]
async fn rollups_follow_inserts_updates_and_deletes() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    assert_rollups_equal_cases(pool).await;
    // Move cases between provinces and sectors, conclude some, delete others.
    sqlx::query(
        "UPDATE cases SET path = (SELECT path FROM unit WHERE code = '79'), subject_unit = '79',
             province = '79', sector = 'health'
         WHERE id IN (SELECT id FROM cases WHERE province = '01' ORDER BY id LIMIT 40)",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE cases SET status = 'concluded', concluded_on = current_date, violation = true,
             amount_vnd = 5
         WHERE id IN (SELECT id FROM cases WHERE status = 'in_progress' ORDER BY id LIMIT 30)",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query("DELETE FROM cases WHERE id IN (SELECT id FROM cases ORDER BY id DESC LIMIT 25)")
        .execute(pool)
        .await
        .unwrap();
    assert!(scalar(pool, "SELECT count(*) FROM rollup_day_delta").await > 0);
    assert_rollups_equal_cases(pool).await;
    assert!(server::rollup::compact(pool).await.unwrap() > 0);
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM rollup_day_delta").await,
        0
    );
    assert_rollups_equal_cases(pool).await;
    // Sector rows of a province sum to its all-sector row.
    let sectors = scalar(
        pool,
        "SELECT sum(cases) FROM rollup_month_all WHERE area = '79' AND sector <> ''",
    )
    .await;
    let all = scalar(
        pool,
        "SELECT sum(cases) FROM rollup_month_all WHERE area = '79' AND sector = ''",
    )
    .await;
    assert_eq!(sectors, all);
    assert_eq!(
        scalar(
            pool,
            "SELECT sum(cases) FROM rollup_month_all WHERE area = '79' AND sector = 'health'"
        )
        .await,
        scalar(
            pool,
            "SELECT count(*) FROM cases WHERE province = '79' AND sector = 'health'"
        )
        .await
    );
}

#[tokio::test]
async fn the_overview_stays_within_the_callers_scope() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let cookie = app.login("hanoi", "hanoi-demo").await;
    let (status, o) = app.get("/api/v1/overview", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(o["unit"], "01");
    assert_eq!(o["trail"].as_array().unwrap().len(), 1, "{}", o["trail"]);
    // Its children are its own communes, all of them.
    for c in o["children"].as_array().unwrap() {
        let code = c["code"].as_str().unwrap();
        assert_eq!(
            scalar(
                pool,
                &format!("SELECT count(*) FROM unit WHERE code = '{code}' AND parent = '01'")
            )
            .await,
            1
        );
    }
    let (status, e) = app.get("/api/v1/overview?unit=79", Some(&cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{e}");
    let (status, e) = app.get("/api/v1/overview?unit=VN", Some(&cookie)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{e}");
    let (status, e) = app.get("/api/v1/overview?unit=99999", Some(&cookie)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{e}");
    assert_eq!(e["field"], "unit");
    let (status, e) = app.get("/api/v1/overview?year=2020", Some(&cookie)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(e["field"], "year", "{e}");
    let (status, _) = app.get("/api/v1/overview", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Open alerts by severity, the resolved ones left out, only those within the unit.
    sqlx::query(
        "INSERT INTO alert (kind, severity, unit, path, province, measure, explanation, dedup_key, state)
         SELECT 'test', s, '01', 'VN.01', '01', 'm', 'x', 'test:' || s || n, st
         FROM (VALUES ('critical', 1, 'new'), ('critical', 2, 'acknowledged'), ('warning', 1, 'new'),
                      ('info', 1, 'resolved')) AS v(s, n, st)",
    )
    .execute(pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO alert (kind, severity, unit, path, province, measure, explanation, dedup_key)
         VALUES ('test', 'critical', '79', 'VN.79', '79', 'm', 'x', 'test:hcm')",
    )
    .execute(pool)
    .await
    .unwrap();
    let before = |s: &str| {
        format!(
            "SELECT count(*) FROM alert WHERE path <@ 'VN.01' AND state <> 'resolved' AND severity = '{s}'"
        )
    };
    let (_, o) = app.get("/api/v1/overview", Some(&cookie)).await;
    assert_eq!(
        o["alerts"]["critical"].as_i64().unwrap(),
        scalar(pool, &before("critical")).await
    );
    assert_eq!(
        o["alerts"]["warning"].as_i64().unwrap(),
        scalar(pool, &before("warning")).await
    );
    assert_eq!(
        o["alerts"]["info"].as_i64().unwrap(),
        scalar(pool, &before("info")).await
    );
    assert!(o["alerts"]["critical"].as_i64().unwrap() >= 2);
}
