//! Thematic supervision programmes (issue 10, part 2) through the real router and PostgreSQL:
//! the demo's programmes show coverage and findings equal to a direct SQL query over `cases`
//! (the acceptance test), milestones and pace on hand-made cases, the comparison, the
//! remote supervision view, refusals that name their field, and scope on every route.

mod common;

use axum::http::StatusCode;
use common::{TestApp, commune_of, scalar};
use serde_json::{Value, json};
use sqlx::PgPool;
use std::collections::BTreeMap;

/// The cases of programme `id` in SQL written apart from the server's: its theme, thematic, not
/// cancelled, subject within one of its planned units.
const OF_PROGRAMME: &str = "c.kind = 'supervision_thematic' AND c.status <> 'cancelled'
     AND c.theme = (SELECT theme FROM programme WHERE id = $1)
     AND EXISTS (SELECT 1 FROM programme_unit pu WHERE pu.programme = $1 AND c.path <@ pu.path)";

async fn count(pool: &PgPool, sql: &str, id: i64) -> i64 {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn as_admin(app: &TestApp) -> String {
    app.login("admin", "admin-demo").await
}

#[tokio::test]
async fn the_demo_programmes_show_coverage_and_findings_equal_to_sql_over_their_cases() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let admin = as_admin(&app).await;
    let (s, list) = app.get("/api/v1/programmes", Some(&admin)).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let programmes = list["programmes"].as_array().unwrap();
    assert_eq!(
        programmes.len() as i64,
        scalar(pool, "SELECT count(*) FROM programme").await
    );
    assert!(
        programmes.len() >= 5,
        "the seed makes the centre's programmes"
    );
    let (mut below_full, mut some_covered, mut cases_seen) = (false, false, 0);
    for p in programmes {
        let id = p["id"].as_i64().unwrap();
        let (s, d) = app
            .get(&format!("/api/v1/programmes/{id}"), Some(&admin))
            .await;
        assert_eq!(s, StatusCode::OK, "{d}");
        let prog = &d["programme"];
        assert_eq!(prog, p, "the list and the page say the same");
        let planned = count(
            pool,
            "SELECT count(*) FROM programme_unit WHERE programme = $1",
            id,
        )
        .await;
        // A unit is supervised by its most advanced case of the programme: count by that stage.
        let by_stage: BTreeMap<String, i64> = sqlx::query_as::<_, (String, i64)>(&format!(
            "SELECT stage, count(*) FROM (
                 SELECT pu.unit, CASE max(CASE c.status WHEN 'concluded' THEN 3
                                     WHEN 'in_progress' THEN 2 ELSE 1 END)
                     WHEN 3 THEN 'concluded' WHEN 2 THEN 'in_progress' ELSE 'planned' END AS stage
                 FROM programme_unit pu JOIN cases c ON c.path <@ pu.path
                 WHERE pu.programme = $1 AND {}
                 GROUP BY pu.unit) s GROUP BY stage",
            OF_PROGRAMME
        ))
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
        let supervised: i64 = by_stage.values().sum();
        let cov = &prog["coverage"];
        assert_eq!(cov["planned_units"], planned, "{}", prog["code"]);
        assert_eq!(cov["supervised"], supervised, "{}", prog["code"]);
        for stage in ["planned", "in_progress", "concluded"] {
            assert_eq!(
                cov["by_stage"][stage],
                by_stage.get(stage).copied().unwrap_or(0),
                "{} {stage}",
                prog["code"]
            );
        }
        below_full |= supervised < planned;
        some_covered |= supervised > 0;

        let (cases, concluded, violations, amount, disciplined): (i64, i64, i64, i64, i64) =
            sqlx::query_as(&format!(
                "SELECT count(*), count(*) FILTER (WHERE status = 'concluded'),
                        count(*) FILTER (WHERE status = 'concluded' AND violation),
                        coalesce(sum(amount_vnd) FILTER (WHERE status = 'concluded' AND violation), 0)::bigint,
                        count(*) FILTER (WHERE discipline_form IS NOT NULL)
                 FROM cases c WHERE {OF_PROGRAMME}"
            ))
            .bind(id)
            .fetch_one(pool)
            .await
            .unwrap();
        let f = &prog["findings"];
        assert_eq!(f["cases"], cases);
        assert_eq!(f["concluded"], concluded);
        assert_eq!(f["violations"], violations);
        assert_eq!(f["amount_vnd"], amount);
        assert_eq!(f["disciplined"], disciplined);
        cases_seen += cases;
        let categories: Vec<(String, i64, i64)> = sqlx::query_as(&format!(
            "SELECT cat, count(*), coalesce(sum(amount_vnd), 0)::bigint
             FROM cases c, unnest(c.violation_categories) cat
             WHERE {OF_PROGRAMME} AND status = 'concluded' AND violation
             GROUP BY cat ORDER BY count(*) DESC, cat"
        ))
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap();
        let mut got: Vec<(String, i64, i64)> = f["by_category"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["category"].as_str().unwrap().to_string(),
                    c["cases"].as_i64().unwrap(),
                    c["amount_vnd"].as_i64().unwrap(),
                )
            })
            .collect();
        let mut want = categories.clone();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{}", prog["code"]);
        let forms: BTreeMap<String, i64> = sqlx::query_as::<_, (String, i64)>(&format!(
            "SELECT discipline_form, count(*) FROM cases c
             WHERE {OF_PROGRAMME} AND discipline_form IS NOT NULL GROUP BY 1"
        ))
        .bind(id)
        .fetch_all(pool)
        .await
        .unwrap()
        .into_iter()
        .collect();
        let got: BTreeMap<String, i64> = f["disciplines"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["form"].as_str().unwrap().to_string(),
                    d["cases"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, forms);
        // Per unit: the rows add up to the programme.
        let units = d["units"].as_array().unwrap();
        assert_eq!(units.len() as i64, planned);
        let sum = |k: &str| units.iter().map(|u| u[k].as_i64().unwrap()).sum::<i64>();
        assert_eq!(sum("cases"), cases);
        assert_eq!(sum("violations"), violations);
    }
    assert!(below_full, "some planned units are not supervised yet");
    assert!(some_covered, "some are");
    assert!(cases_seen > 0);
}

/// A thematic case about `unit` (its path), with the given status and dates.
#[allow(clippy::too_many_arguments)]
async fn case(
    pool: &PgPool,
    ext: &str,
    theme: &str,
    unit: &str,
    status: &str,
    opened: &str,
    concluded: Option<&str>,
    violation: Option<(&[&str], i64)>,
    discipline: Option<&str>,
) {
    sqlx::query(
        "INSERT INTO cases (source, external_id, kind, theme, conducting_unit, subject_type,
             subject_unit, path, province, sector, status, opened_on, concluded_on, violation,
             violation_categories, amount_vnd, discipline_form, discipline_decided_on, lat, lon,
             written_by)
         SELECT (SELECT code FROM data_source ORDER BY code LIMIT 1), $1, 'supervision_thematic',
                $2, 'VN', 'member', u.code, u.path, u.province, 'land', $3, $4::date, $5::date,
                $6, $7::text[], $8, $9, CASE WHEN $9 IS NULL THEN NULL ELSE $5::date + 20 END,
                16.0, 106.0, 'test'
         FROM unit u WHERE u.code = $10",
    )
    .bind(ext)
    .bind(theme)
    .bind(status)
    .bind(opened)
    .bind(concluded)
    .bind(violation.map(|_| true))
    .bind(
        violation
            .map(|(c, _)| c.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .unwrap_or_default(),
    )
    .bind(violation.map(|(_, a)| a))
    .bind(discipline)
    .bind(unit)
    .execute(pool)
    .await
    .unwrap();
}

const THEME: &str = "Chuyên đề thử nghiệm 2024";

fn body(code: &str, owner: &str, units: &[&str]) -> Value {
    json!({
        "code": code,
        "name": "Giám sát chuyên đề thử nghiệm",
        "theme": THEME,
        "owner_unit": owner,
        "period_from": "2024-01-01",
        "period_to": "2024-12-31",
        "units": units,
        "milestones": [
            {"name": "Quý I", "due_on": "2024-03-31", "planned_units": 1},
            {"name": "6 tháng", "due_on": "2024-06-30", "planned_share": 50},
            {"name": "Cả năm", "due_on": "2024-12-31", "planned_units": units.len()}
        ]
    })
}

/// The hand-made programme: 01 (two cases, one concluded with a violation and a discipline),
/// 79 (in progress from May), 48 (planned from August), 31 (only a cancelled case); a case of
/// the theme in 92, which is not planned, does not count.
async fn made(app: &TestApp, cookie: &str) -> i64 {
    let pool = &app.db.pool;
    let commune = commune_of(pool, "01").await;
    case(
        pool,
        "t-1",
        THEME,
        "01",
        "concluded",
        "2024-02-10",
        Some("2024-04-01"),
        Some((&["corruption", "land_management"], 5_000_000_000)),
        Some("warning"),
    )
    .await;
    case(
        pool,
        "t-2",
        THEME,
        &commune,
        "planned",
        "2024-09-01",
        None,
        None,
        None,
    )
    .await;
    case(
        pool,
        "t-3",
        THEME,
        "79",
        "in_progress",
        "2024-05-05",
        None,
        None,
        None,
    )
    .await;
    case(
        pool,
        "t-4",
        THEME,
        "48",
        "planned",
        "2024-08-01",
        None,
        None,
        None,
    )
    .await;
    case(
        pool,
        "t-5",
        THEME,
        "31",
        "cancelled",
        "2024-03-01",
        None,
        None,
        None,
    )
    .await;
    case(
        pool,
        "t-6",
        THEME,
        "92",
        "planned",
        "2024-03-01",
        None,
        None,
        None,
    )
    .await;
    let (s, _, d) = app
        .post(
            "/api/v1/programmes",
            &body("TEST-2024", "VN", &["01", "79", "48", "31"]).to_string(),
            Some(cookie),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{d}");
    d["programme"]["id"].as_i64().unwrap()
}

#[tokio::test]
async fn milestones_count_the_units_supervised_by_their_day_and_the_pace_follows_the_plan() {
    let app = TestApp::seeded().await;
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let id = made(&app, &leader).await;
    let (s, d) = app
        .get(&format!("/api/v1/programmes/{id}"), Some(&leader))
        .await;
    assert_eq!(s, StatusCode::OK);
    let p = &d["programme"];
    assert_eq!(d["created_by"], "lanhdao");
    assert_eq!(
        p["coverage"],
        json!({"planned_units": 4, "supervised": 3, "share": 0.75,
               "by_stage": {"planned": 1, "in_progress": 1, "concluded": 1}})
    );
    let m: Vec<(String, u64, u64, String)> = p["milestones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap().to_string(),
                m["planned_units"].as_u64().unwrap(),
                m["achieved"].as_u64().unwrap(),
                m["state"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        m,
        [
            ("Quý I".to_string(), 1, 1, "met".to_string()),
            ("6 tháng".to_string(), 2, 2, "met".to_string()),
            ("Cả năm".to_string(), 4, 3, "missed".to_string()),
        ]
    );
    assert_eq!(p["pace"]["expected"], 4.0);
    assert_eq!(p["pace"]["state"], "behind");
    let f = &p["findings"];
    assert_eq!(
        (
            &f["cases"],
            &f["concluded"],
            &f["violations"],
            &f["amount_vnd"]
        ),
        (&json!(4), &json!(1), &json!(1), &json!(5_000_000_000i64))
    );
    assert_eq!(f["violation_rate"], 1.0);
    assert_eq!(
        f["by_category"],
        json!([{"category": "corruption", "cases": 1, "amount_vnd": 5_000_000_000i64},
               {"category": "land_management", "cases": 1, "amount_vnd": 5_000_000_000i64}])
    );
    assert_eq!(f["disciplines"], json!([{"form": "warning", "cases": 1}]));
    // Units not yet supervised first; 01 counts its commune's case too, from its first day.
    let units = d["units"].as_array().unwrap();
    assert_eq!(units[0]["unit"], "31");
    assert_eq!(units[0]["stage"], Value::Null);
    let hanoi = units.iter().find(|u| u["unit"] == "01").unwrap();
    assert_eq!(hanoi["cases"], 2);
    assert_eq!(hanoi["first_opened"], "2024-02-10");
    assert_eq!(hanoi["stage"], "concluded");
    // Written to the audit trail.
    assert_eq!(
        scalar(
            &app.db.pool,
            "SELECT count(*) FROM audit_log WHERE action = 'programme_create' AND actor = 'lanhdao'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn programmes_compare_side_by_side_in_the_order_asked() {
    let app = TestApp::seeded().await;
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let made = made(&app, &leader).await;
    let other: i64 = sqlx::query_scalar("SELECT id FROM programme WHERE code = 'GS-2026-01'")
        .fetch_optional(&app.db.pool)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("the seed's first programme"));
    let (s, c) = app
        .get(
            &format!("/api/v1/programmes/compare?ids={made},{other}"),
            Some(&leader),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{c}");
    let both = c["programmes"].as_array().unwrap();
    assert_eq!(both.len(), 2);
    assert_eq!(both[0]["id"], made);
    assert_eq!(both[1]["id"], other);
    for p in both {
        let (_, d) = app
            .get(&format!("/api/v1/programmes/{}", p["id"]), Some(&leader))
            .await;
        assert_eq!(&d["programme"], p);
    }
    for (query, status) in [
        (format!("ids={made}"), StatusCode::BAD_REQUEST),
        (format!("ids={made},{made}"), StatusCode::BAD_REQUEST),
        ("ids=1,x".into(), StatusCode::BAD_REQUEST),
        (String::new(), StatusCode::BAD_REQUEST),
        (format!("ids={made},999999"), StatusCode::NOT_FOUND),
    ] {
        let (s, j) = app
            .get(
                &format!("/api/v1/programmes/compare?{query}"),
                Some(&leader),
            )
            .await;
        assert_eq!(s, status, "{query}: {j}");
        if status == StatusCode::BAD_REQUEST {
            assert_eq!(j["field"], "ids", "{query}: {j}");
        }
    }
}

#[tokio::test]
async fn the_remote_view_holds_what_the_center_has_about_a_unit() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let id = made(&app, &leader).await;
    let (s, r) = app.get("/api/v1/units/01/remote", Some(&leader)).await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["unit"], "01");
    assert_eq!(r["parent"]["code"], "VN");
    let c = &r["cases"];
    let within = "FROM cases WHERE path <@ (SELECT path FROM unit WHERE code = '01')";
    assert_eq!(
        c["total"],
        scalar(pool, &format!("SELECT count(*) {within}")).await
    );
    assert_eq!(
        c["open"],
        scalar(
            pool,
            &format!("SELECT count(*) {within} AND status IN ('planned', 'in_progress')")
        )
        .await
    );
    assert_eq!(
        c["overdue"],
        scalar(
            pool,
            &format!(
                "SELECT count(*) {within} AND status IN ('planned', 'in_progress') AND due_on < current_date"
            )
        )
        .await
    );
    let by_kind: i64 = c["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["total"].as_i64().unwrap())
        .sum();
    assert_eq!(c["total"], by_kind);
    let recent = c["recent"].as_array().unwrap();
    assert!(!recent.is_empty() && recent.len() <= domain::remote::LISTED_CASES);
    let newest: String = sqlx::query_scalar(&format!("SELECT max(opened_on)::text {within}"))
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(recent[0]["opened_on"], newest);
    assert!(
        c["open_list"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| k["status"] == "planned" || k["status"] == "in_progress")
    );
    // Its own directive tasks, and its open alerts.
    assert_eq!(
        r["task_counts"]["assigned"],
        scalar(pool, "SELECT count(*) FROM task WHERE unit = '01'").await
    );
    assert_eq!(
        r["tasks"].as_array().unwrap().len() as i64,
        scalar(pool, "SELECT count(*) FROM task WHERE unit = '01'").await
    );
    assert_eq!(
        r["alerts"].as_array().unwrap().len() as i64,
        scalar(
            pool,
            "SELECT least(count(*), 50) FROM alert WHERE state <> 'resolved'
             AND path <@ (SELECT path FROM unit WHERE code = '01')"
        )
        .await
    );
    // The sources that send its data: every source holding its cases is there, with its state.
    let sources: Vec<String> = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap().to_string())
        .collect();
    let holding: Vec<String> = sqlx::query_scalar(&format!("SELECT DISTINCT source {within}"))
        .fetch_all(pool)
        .await
        .unwrap();
    for s in &holding {
        assert!(sources.contains(s), "{s} in {sources:?}");
    }
    assert!(r["sources"][0]["state"].is_string());
    // The programmes that plan it, and how far its supervision has gone.
    let p = r["programmes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == id)
        .unwrap();
    assert_eq!(p["supervised"], true);
    assert_eq!(p["stage"], "concluded");
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM audit_log WHERE action = 'unit_remote_read' AND object = '01'"
        )
        .await,
        1
    );
    let (s, _) = app.get("/api/v1/units/NOPE/remote", Some(&leader)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app.get("/api/v1/units/99/remote", Some(&leader)).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_programme_is_refused_naming_the_field_and_the_reason() {
    let app = TestApp::seeded().await;
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let hanoi = app.login("hanoi", "hanoi-demo").await;
    let hanoi_commune = commune_of(&app.db.pool, "01").await;
    let hcm_commune = commune_of(&app.db.pool, "79").await;
    let post = |b: Value, cookie: String| {
        let app = &app;
        async move {
            let (s, _, j) = app
                .post("/api/v1/programmes", &b.to_string(), Some(&cookie))
                .await;
            (s, j)
        }
    };
    let with = |f: &dyn Fn(&mut Value)| {
        let mut b = body("REFUSED-1", "VN", &["01", "79"]);
        f(&mut b);
        b
    };
    let refusals: Vec<(Value, &str)> = vec![
        (with(&|b| b["code"] = json!("a b")), "code"),
        (with(&|b| b["name"] = json!("")), "name"),
        (with(&|b| b["theme"] = json!("x".repeat(201))), "theme"),
        (with(&|b| b["period_to"] = json!("2023-12-31")), "period_to"),
        (with(&|b| b["units"] = json!([])), "units"),
        (with(&|b| b["units"] = json!(["01", "01"])), "units[1]"),
        (with(&|b| b["units"] = json!(["01", "XX"])), "units[1]"),
        (with(&|b| b["units"] = json!(["01", "99"])), "units[1]"),
        (
            with(&|b| b["units"] = json!(["01", hanoi_commune])),
            "units[1]",
        ),
        (with(&|b| b["units"] = json!(["VN", "01"])), "units[0]"),
        (
            with(&|b| b["milestones"][0]["due_on"] = json!("2025-01-01")),
            "milestones[0].due_on",
        ),
        (
            with(&|b| b["milestones"][1]["planned_share"] = json!(150)),
            "milestones[1].planned_share",
        ),
        (
            with(&|b| b["milestones"][2]["planned_units"] = json!(9)),
            "milestones[2].planned_units",
        ),
        (with(&|b| b["owner_unit"] = json!("XX")), "owner_unit"),
        (with(&|b| b["colour"] = json!("red")), "body"),
        (json!({"code": "only"}), "body"),
    ];
    for (b, field) in refusals {
        let (s, j) = post(b.clone(), leader.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{b}: {j}");
        assert_eq!(j["field"], field, "{b}: {j}");
        assert!(
            j["error"].as_str().unwrap().starts_with(field),
            "the message names the field: {j}"
        );
    }
    // A code in use.
    let (s, j) = post(with(&|b| b["code"] = json!("GS-2026-01")), leader.clone()).await;
    assert_eq!((s, &j["field"]), (StatusCode::BAD_REQUEST, &json!("code")));
    // Hà Nội's leader: not for the centre, nor over Hồ Chí Minh City's communes.
    let (s, j) = post(with(&|_| {}), hanoi.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{j}");
    assert!(j["error"].as_str().unwrap().starts_with("owner_unit"));
    let (s, j) = post(body("HN-1", "01", &[&hcm_commune]), hanoi.clone()).await;
    assert_eq!(
        (s, &j["field"]),
        (StatusCode::BAD_REQUEST, &json!("units[0]"))
    );
    assert!(
        !j["error"].as_str().unwrap().contains("outside"),
        "says nothing of the other scope's unit: {j}"
    );
    let (s, j) = post(body("HN-1", "01", &[&hanoi_commune]), hanoi).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    // An analyst reads programmes but makes none.
    let analyst = app.login("phantich", "phantich-demo").await;
    let (s, _) = post(body("AN-1", "VN", &["01"]), analyst).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(
        scalar(
            &app.db.pool,
            "SELECT count(*) FROM programme WHERE code IN ('REFUSED-1', 'AN-1')"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_user_of_another_scope_gets_nothing_of_hanoi_through_any_programme_route() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let hcm = app.login("hcm", "hcm-demo").await;
    let (s, list) = app.get("/api/v1/programmes", Some(&hcm)).await;
    assert_eq!(s, StatusCode::OK);
    let mine = list["programmes"].as_array().unwrap();
    assert_eq!(
        mine.len() as i64,
        scalar(
            pool,
            "SELECT count(*) FROM programme WHERE owner_unit = '79'"
        )
        .await
    );
    assert!(!mine.is_empty(), "the seed gives Hồ Chí Minh City its own");
    for p in mine {
        assert_eq!(p["owner_unit"], "79");
        let (s, d) = app
            .get(&format!("/api/v1/programmes/{}", p["id"]), Some(&hcm))
            .await;
        assert_eq!(s, StatusCode::OK);
        for u in d["units"].as_array().unwrap() {
            let code = u["unit"].as_str().unwrap();
            let province: String = sqlx::query_scalar("SELECT province FROM unit WHERE code = $1")
                .bind(code)
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(province, "79");
        }
    }
    let hanoi_programme: i64 =
        sqlx::query_scalar("SELECT id FROM programme WHERE owner_unit = '01' LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    let centre_programme: i64 =
        sqlx::query_scalar("SELECT id FROM programme WHERE owner_unit = 'VN' LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    let own = mine[0]["id"].as_i64().unwrap();
    let commune = commune_of(pool, "01").await;
    for path in [
        format!("/api/v1/programmes/{hanoi_programme}"),
        format!("/api/v1/programmes/{centre_programme}"),
        format!("/api/v1/programmes/compare?ids={own},{hanoi_programme}"),
        format!("/api/v1/programmes/compare?ids={centre_programme},{own}"),
        "/api/v1/units/01/remote".into(),
        format!("/api/v1/units/{commune}/remote"),
        "/api/v1/units/VN/remote".into(),
    ] {
        let (s, j) = app.get(&path, Some(&hcm)).await;
        assert!(
            s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
            "{path}: {s} {j}"
        );
        assert!(!j.to_string().contains("Hà Nội"), "{path}: {j}");
    }
    // Its own province's remote view holds nothing of another province.
    let (s, r) = app.get("/api/v1/units/79/remote", Some(&hcm)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["parent"], Value::Null, "the centre is outside its scope");
    for c in r["cases"]["recent"].as_array().unwrap() {
        let unit = c["subject_unit"].as_str().unwrap();
        assert!(unit == "79" || unit.len() > 2, "{unit}");
    }
    assert!(
        r["programmes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| mine.iter().any(|m| m["id"] == p["id"]))
    );
}

#[tokio::test]
async fn postgresql_itself_shows_a_scoped_read_only_its_programmes() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let path: String = sqlx::query_scalar("SELECT path::text FROM unit WHERE code = '79'")
        .fetch_one(pool)
        .await
        .unwrap();
    let mut tx = server::db::scoped::begin(pool, &path).await.unwrap();
    // No filter of our own: the policies alone limit what is seen.
    let owners: Vec<String> = sqlx::query_scalar("SELECT DISTINCT owner_unit FROM programme")
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(owners, ["79"]);
    let outside: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM programme_unit WHERE NOT path <@ (SELECT oversight_scope())",
    )
    .fetch_one(&mut *tx)
    .await
    .unwrap();
    assert_eq!(outside, 0);
    let milestones: i64 = sqlx::query_scalar("SELECT count(*) FROM programme_milestone")
        .fetch_one(&mut *tx)
        .await
        .unwrap();
    assert_eq!(
        milestones,
        scalar(
            pool,
            "SELECT count(*) FROM programme_milestone m JOIN programme p ON p.id = m.programme
             WHERE p.owner_unit = '79'"
        )
        .await
    );
    server::db::scoped::finish(tx).await.unwrap();
}
