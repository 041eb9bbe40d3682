//! `GET /api/v1/cases` on the tiny demo data: totals and pages equal SQL, the scope holds, bad
//! parameters are named, and the spatial extensions select exactly what the analyst map's filter
//! engine selects.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{TestApp, scalar};
use domain::facts::space::{within_polygon, within_radius};
use domain::facts::{Dimension, Engine, Filter, decode};
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::PgPool;
use tower::ServiceExt;

/// `GET /api/v1/cases?{query}` as `cookie`; the status and the JSON answer.
async fn cases(app: &TestApp, cookie: &str, query: &str) -> (StatusCode, Value) {
    app.get(&format!("/api/v1/cases?{query}"), Some(cookie))
        .await
}

/// The answer of a request that must succeed.
async fn ok(app: &TestApp, cookie: &str, query: &str) -> Value {
    let (status, json) = cases(app, cookie, query).await;
    assert_eq!(status, StatusCode::OK, "{query}: {json}");
    json
}

fn ids(page: &Value) -> Vec<i64> {
    page["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect()
}

/// Every matching id, page after page of 1000.
async fn all_ids(app: &TestApp, cookie: &str, query: &str) -> (i64, Vec<i64>) {
    let mut out = Vec::new();
    let mut total = 0;
    for page in 1.. {
        let json = ok(app, cookie, &format!("{query}&per_page=1000&page={page}")).await;
        total = json["total"].as_i64().unwrap();
        let got = ids(&json);
        if got.is_empty() {
            break;
        }
        out.extend(got);
    }
    (total, out)
}

async fn id_list(pool: &PgPool, sql: &str) -> Vec<i64> {
    sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
}

#[tokio::test]
async fn the_centre_gets_every_case_newest_first_in_pages_that_continue() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let cookie = app.login("lanhdao", "lanhdao-demo").await;

    let first = ok(&app, &cookie, "").await;
    let count = scalar(pool, "SELECT count(*) FROM cases").await;
    assert!(count > 1000, "the tiny data set has {count} cases");
    assert_eq!(first["total"], count);
    assert_eq!(first["page"], 1);
    assert_eq!(first["per_page"], 100);
    let newest = id_list(
        pool,
        "SELECT id FROM cases ORDER BY opened_on DESC, id DESC LIMIT 250",
    )
    .await;
    assert_eq!(ids(&first), newest[..100]);

    // Pages of 50: page 2 continues page 1 with no overlap, page 5 ends at the 250th.
    let p1 = ids(&ok(&app, &cookie, "per_page=50&page=1").await);
    let p2 = ids(&ok(&app, &cookie, "per_page=50&page=2").await);
    let p5 = ids(&ok(&app, &cookie, "per_page=50&page=5").await);
    assert_eq!(p1, newest[..50]);
    assert_eq!(p2, newest[50..100]);
    assert_eq!(p5, newest[200..250]);
    assert!(p1.iter().all(|id| !p2.contains(id)));

    // Past the last page: no records, the same total.
    let past = ok(&app, &cookie, "per_page=1000&page=1000").await;
    assert_eq!(past["total"], count);
    assert_eq!(past["cases"], serde_json::json!([]));
}

#[tokio::test]
async fn filters_combine_and_totals_equal_a_direct_sql_count() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    for (query, sql) in [
        (
            "kind=complaint,denunciation",
            "SELECT count(*) FROM cases WHERE kind IN ('complaint','denunciation')",
        ),
        (
            "sector=land&status=concluded,in_progress",
            "SELECT count(*) FROM cases WHERE sector = 'land' AND status IN ('concluded','in_progress')",
        ),
        (
            "from=2024-01-01&to=2024-06-30",
            "SELECT count(*) FROM cases WHERE opened_on BETWEEN '2024-01-01' AND '2024-06-30'",
        ),
        (
            "unit=79&kind=inspection_finance&from=2023-01-01",
            "SELECT count(*) FROM cases WHERE path <@ 'VN.79' AND kind = 'inspection_finance' \
             AND opened_on >= '2023-01-01'",
        ),
        (
            "unit=TW1",
            "SELECT count(*) FROM cases WHERE path <@ (SELECT path FROM unit WHERE code = 'TW1')",
        ),
    ] {
        let expected = scalar(pool, sql).await;
        let json = ok(&app, &cookie, query).await;
        assert_eq!(json["total"], expected, "{query}");
        assert!(expected > 0, "{query} matches no case: a weak test");
    }
    // The ends of the period are included.
    let day: chrono::NaiveDate =
        sqlx::query_scalar("SELECT opened_on FROM cases ORDER BY id LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    let on_day = scalar(
        pool,
        &format!("SELECT count(*) FROM cases WHERE opened_on = '{day}'"),
    )
    .await;
    let json = ok(&app, &cookie, &format!("from={day}&to={day}")).await;
    assert_eq!(json["total"], on_day);
    assert!(
        json["cases"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["opened_on"] == day.to_string())
    );
}

#[tokio::test]
async fn a_record_found_by_source_and_external_id_carries_the_stored_values() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    // A disciplined member case, which has the most optional fields set.
    type Row = (
        i64,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        String,
        String,
        chrono::NaiveDate,
        Option<chrono::NaiveDate>,
        Option<i64>,
        String,
        chrono::NaiveDate,
        f64,
        f64,
    );
    let row: Row = sqlx::query_as(
        "SELECT id, source, external_id, kind, conducting_unit, subject_unit, subject_ref, sector,
                status, opened_on, concluded_on, amount_vnd, discipline_form, discipline_decided_on,
                lat, lon
         FROM cases WHERE discipline_form IS NOT NULL AND subject_type = 'member'
         ORDER BY id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let (id, source, external_id, kind, conducting, subject_unit, subject_ref, sector) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7);
    let json = ok(
        &app,
        &cookie,
        &format!("source={source}&external_id={external_id}"),
    )
    .await;
    assert_eq!(json["total"], 1);
    let c = &json["cases"][0];
    assert_eq!(c["id"], id);
    assert_eq!(c["source"], source);
    assert_eq!(c["external_id"], external_id);
    assert_eq!(c["kind"], kind);
    assert_eq!(c["conducting_unit"], conducting);
    assert_eq!(c["subject"]["type"], "member");
    assert_eq!(c["subject"]["unit"], subject_unit);
    match subject_ref {
        Some(r) => assert_eq!(c["subject"]["ref"], r),
        None => assert!(c["subject"].get("ref").is_none()),
    }
    assert_eq!(c["sector"], sector);
    assert_eq!(c["status"], row.8);
    assert_eq!(c["opened_on"], row.9.to_string());
    match row.10 {
        Some(d) => assert_eq!(c["concluded_on"], d.to_string()),
        None => assert!(c.get("concluded_on").is_none()),
    }
    match row.11 {
        Some(a) => assert_eq!(c["amount_vnd"], a),
        None => assert!(c.get("amount_vnd").is_none()),
    }
    assert_eq!(c["discipline"]["form"], row.12);
    assert_eq!(c["discipline"]["decided_on"], row.13.to_string());
    assert_eq!(c["location"]["lat"], row.14);
    assert_eq!(c["location"]["lon"], row.15);

    // The same external id under another source is another record.
    let (s, j) = cases(&app, &cookie, "source=no-such-system").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(j["field"], "source");
}

#[tokio::test]
async fn a_province_user_gets_its_province_only_and_403_elsewhere() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let cookie = app.login("hanoi", "hanoi-demo").await;

    let (total, got) = all_ids(&app, &cookie, "").await;
    let expected = id_list(
        pool,
        "SELECT id FROM cases WHERE path <@ 'VN.01' ORDER BY opened_on DESC, id DESC",
    )
    .await;
    assert!(!expected.is_empty());
    assert_eq!(total, expected.len() as i64);
    assert_eq!(got, expected);
    let outside = scalar(
        pool,
        &format!(
            "SELECT count(*) FROM cases WHERE id = ANY('{{{}}}') AND province IS DISTINCT FROM '01'",
            got.iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        ),
    )
    .await;
    assert_eq!(outside, 0);

    let commune_of_79: String = sqlx::query_scalar(
        "SELECT code FROM unit WHERE province = '79' AND level = 'commune' ORDER BY code LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    for unit in ["79", "VN", "TW1", commune_of_79.as_str()] {
        let (s, j) = cases(&app, &cookie, &format!("unit={unit}")).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "unit={unit}: {j}");
        assert!(j["error"].as_str().unwrap().contains("outside your scope"));
        assert!(j.get("cases").is_none());
    }
    // A filter that would match only elsewhere finds nothing inside the scope.
    let elsewhere: (String, String) = sqlx::query_as(
        "SELECT source, external_id FROM cases WHERE province = '79' ORDER BY id LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let json = ok(
        &app,
        &cookie,
        &format!("source={}&external_id={}", elsewhere.0, elsewhere.1),
    )
    .await;
    assert_eq!(json["total"], 0);
    assert_eq!(json["cases"], serde_json::json!([]));

    // A commune of Hà Nội: its subtree's cases.
    let (commune, path): (String, String) = sqlx::query_as(
        "SELECT u.code, u.path::text FROM unit u JOIN cases c ON c.path <@ u.path
         WHERE u.level = 'commune' AND u.province = '01'
         GROUP BY u.code, u.path ORDER BY count(*) DESC, u.code LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let (total, got) = all_ids(&app, &cookie, &format!("unit={commune}")).await;
    let expected = id_list(
        pool,
        &format!("SELECT id FROM cases WHERE path <@ '{path}' ORDER BY opened_on DESC, id DESC"),
    )
    .await;
    assert!(
        expected.len() > 1,
        "commune {commune} has {} cases",
        expected.len()
    );
    assert_eq!(total, expected.len() as i64);
    assert_eq!(got, expected);
}

#[tokio::test]
async fn bad_parameters_answer_400_naming_the_field() {
    let app = TestApp::seeded().await;
    let cookie = app.login("phantich", "phantich-demo").await;
    for (query, field) in [
        ("kind=complaint,gossip", "kind"),
        ("sector=space", "sector"),
        ("status=done", "status"),
        ("from=2024-02-30", "from"),
        ("to=31/12/2024", "to"),
        ("from=2024-06-01&to=2024-05-31", "from"),
        ("page=0", "page"),
        ("page=two", "page"),
        ("per_page=1001", "per_page"),
        ("per_page=0", "per_page"),
        ("unit=99999", "unit"),
        ("unit=not-a-code", "unit"),
        ("source=nobody", "source"),
        ("near=21.0,105.8", "near"),
        ("near=21.0,105.8,-5", "near"),
        ("polygon=21,105;22,106", "polygon"),
        ("polygon=21,105;22,106;abc", "polygon"),
        ("near=21,105,5&polygon=21,105;22,106;21,106", "polygon"),
        ("colour=red", "colour"),
        ("kind=complaint&kind=denunciation", "kind"),
    ] {
        let (s, j) = cases(&app, &cookie, query).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{query}: {j}");
        assert_eq!(j["field"], field, "{query}: {j}");
        assert!(!j["error"].as_str().unwrap().is_empty());
    }
    let (s, j) = app.get("/api/v1/cases", None).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{j}");
}

/// Every case of the scope at `path`: id and stored location.
async fn locations(pool: &PgPool, path: &str) -> Vec<(i64, f64, f64)> {
    sqlx::query_as(
        "SELECT id, lat, lon FROM cases WHERE path <@ $1::ltree ORDER BY opened_on DESC, id DESC",
    )
    .bind(path)
    .fetch_all(pool)
    .await
    .unwrap()
}

/// The ids the client's filter engine selects from the caller's `GET /facts` with `filter`.
async fn engine_selection(app: &TestApp, cookie: &str, filter: Filter) -> Vec<i64> {
    let req = Request::get("/api/v1/facts")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap();
    let res = app.router.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let mut engine = Engine::new(decode(&body).unwrap()).unwrap();
    engine.set_filter(Dimension::Space, filter).unwrap();
    let mut ids: Vec<i64> = engine
        .selected_rows()
        .map(|r| i64::from(engine.facts().id(r)))
        .collect();
    ids.sort();
    ids
}

fn sorted(mut v: Vec<i64>) -> Vec<i64> {
    v.sort();
    v
}

#[tokio::test]
async fn near_selects_what_the_shared_predicate_and_the_map_engine_select() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    let all = locations(pool, "VN").await;
    // Hà Nội's centre at three radii, Đà Nẵng, and a radius that covers the country.
    for (lat, lon, km) in [
        (21.0285, 105.8542, 5.0),
        (21.0285, 105.8542, 25.0),
        (21.0285, 105.8542, 80.0),
        (16.0544, 108.2022, 60.0),
        (16.0, 106.0, 2000.0),
    ] {
        let expected: Vec<i64> = all
            .iter()
            .filter(|(_, a, o)| within_radius(*a, *o, lat, lon, km))
            .map(|(id, _, _)| *id)
            .collect();
        let (total, got) = all_ids(&app, &cookie, &format!("near={lat},{lon},{km}")).await;
        assert_eq!(total, expected.len() as i64, "near {lat},{lon},{km}");
        assert_eq!(
            got, expected,
            "near {lat},{lon},{km}: the order is newest first"
        );
        let engine = engine_selection(&app, &cookie, Filter::Radius { lat, lon, km }).await;
        assert_eq!(
            sorted(got),
            engine,
            "near {lat},{lon},{km}: as the map selects"
        );
    }
    let everything = ok(&app, &cookie, "near=16,106,2000&per_page=1").await;
    assert_eq!(everything["total"], all.len() as i64);

    // Combined with other filters, and paged: page 2 continues page 1.
    let expected = scalar(pool, "SELECT count(*) FROM cases WHERE kind = 'complaint'").await;
    let json = ok(&app, &cookie, "near=16,106,2000&kind=complaint").await;
    assert_eq!(json["total"], expected);
    let (_, near_hanoi) = all_ids(&app, &cookie, "near=21.0285,105.8542,80").await;
    assert!(
        near_hanoi.len() > 20,
        "{} cases near Hà Nội",
        near_hanoi.len()
    );
    let p1 = ids(&ok(&app, &cookie, "near=21.0285,105.8542,80&per_page=10&page=1").await);
    let p2 = ids(&ok(&app, &cookie, "near=21.0285,105.8542,80&per_page=10&page=2").await);
    assert_eq!(p1, near_hanoi[..10]);
    assert_eq!(p2, near_hanoi[10..20]);

    // A province user near another province's city sees nothing of it.
    let hanoi = app.login("hanoi", "hanoi-demo").await;
    let json = ok(&app, &hanoi, "near=10.7769,106.7009,30").await;
    assert_eq!(json["total"], 0);
    let in_scope = locations(pool, "VN.01").await;
    let expected = in_scope
        .iter()
        .filter(|(_, a, o)| within_radius(*a, *o, 21.0285, 105.8542, 25.0))
        .count();
    let json = ok(&app, &hanoi, "near=21.0285,105.8542,25").await;
    assert_eq!(json["total"], expected as i64);
}

#[tokio::test]
async fn a_polygon_selects_what_the_shared_predicate_and_the_map_engine_select() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    let all = locations(pool, "VN").await;
    let polygons: Vec<Vec<(f64, f64)>> = vec![
        // Around Hà Nội.
        vec![(20.6, 105.3), (20.6, 106.1), (21.4, 106.1), (21.4, 105.3)],
        // A concave "U" over the Mekong delta: the notch is left out.
        vec![
            (9.0, 104.8),
            (9.0, 106.8),
            (11.0, 106.8),
            (11.0, 106.2),
            (9.6, 106.2),
            (9.6, 105.4),
            (11.0, 105.4),
            (11.0, 104.8),
        ],
        // A thin triangle along the coast.
        vec![(10.5, 106.5), (21.5, 108.0), (16.0, 108.4)],
    ];
    for polygon in &polygons {
        let param = polygon
            .iter()
            .map(|(a, o)| format!("{a},{o}"))
            .collect::<Vec<_>>()
            .join(";");
        let expected: Vec<i64> = all
            .iter()
            .filter(|(_, a, o)| within_polygon(*a, *o, polygon))
            .map(|(id, _, _)| *id)
            .collect();
        assert!(!expected.is_empty(), "{param} selects no case: a weak test");
        let (total, got) = all_ids(&app, &cookie, &format!("polygon={param}")).await;
        assert_eq!(total, expected.len() as i64, "{param}");
        assert_eq!(got, expected, "{param}");
        let engine = engine_selection(&app, &cookie, Filter::Lasso(polygon.clone())).await;
        assert_eq!(sorted(got), engine, "{param}: as the map selects");
    }
    // A polygon far outside the country selects nothing.
    let json = ok(&app, &cookie, "polygon=40,140;40,141;41,141").await;
    assert_eq!(json["total"], 0);
}

/// The properties `case.schema.json` allows, and the ones it requires.
const PROPERTIES: &[&str] = &[
    "source",
    "external_id",
    "kind",
    "theme",
    "conducting_unit",
    "subject",
    "sector",
    "status",
    "opened_on",
    "due_on",
    "concluded_on",
    "violation",
    "violation_categories",
    "amount_vnd",
    "discipline",
    "location",
];
const REQUIRED: &[&str] = &[
    "source",
    "external_id",
    "kind",
    "conducting_unit",
    "subject",
    "sector",
    "status",
    "opened_on",
];

#[tokio::test]
async fn records_have_the_shape_of_the_contract_schema() {
    // Where the contract is checked out beside the repository, hold the lists above to it.
    let schema_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/contract/case.schema.json"
    );
    if let Ok(text) = std::fs::read_to_string(schema_path) {
        let schema: Value = serde_json::from_str(&text).unwrap();
        let mut props: Vec<&str> = schema["properties"]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        props.sort();
        let mut ours = PROPERTIES.to_vec();
        ours.sort();
        assert_eq!(props, ours);
        let required: Vec<&str> = schema["required"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(required, REQUIRED);
    }

    let app = TestApp::seeded().await;
    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    let json = ok(&app, &cookie, "per_page=1000").await;
    let records = json["cases"].as_array().unwrap();
    assert_eq!(records.len(), 1000);
    let date =
        |v: &Value| chrono::NaiveDate::parse_from_str(v.as_str().unwrap(), "%Y-%m-%d").is_ok();
    let (mut with_discipline, mut with_categories) = (0, 0);
    for c in records {
        let fields = c.as_object().unwrap();
        assert!(fields["id"].is_i64());
        for (k, v) in fields {
            assert!(
                k == "id" || PROPERTIES.contains(&k.as_str()),
                "unknown field {k}"
            );
            assert!(!v.is_null(), "{k} is null: absent fields are left out");
        }
        for k in REQUIRED {
            assert!(fields.contains_key(*k), "{k} missing in {c}");
        }
        assert!(
            c["kind"]
                .as_str()
                .unwrap()
                .parse::<domain::CaseKind>()
                .is_ok()
        );
        assert!(
            c["sector"]
                .as_str()
                .unwrap()
                .parse::<domain::Sector>()
                .is_ok()
        );
        assert!(
            c["status"]
                .as_str()
                .unwrap()
                .parse::<domain::CaseStatus>()
                .is_ok()
        );
        assert!(date(&c["opened_on"]));
        let subject = c["subject"].as_object().unwrap();
        assert!(
            subject
                .keys()
                .all(|k| ["type", "unit", "ref"].contains(&k.as_str()))
        );
        assert!(["organization", "member"].contains(&subject["type"].as_str().unwrap()));
        assert!(subject["unit"].is_string());
        for k in ["due_on", "concluded_on"] {
            if let Some(d) = fields.get(k) {
                assert!(date(d), "{k}: {d}");
            }
        }
        if c["status"] == "concluded" {
            assert!(date(&c["concluded_on"]));
        }
        if let Some(d) = fields.get("discipline") {
            with_discipline += 1;
            assert_eq!(d.as_object().unwrap().len(), 2);
            assert!(
                d["form"]
                    .as_str()
                    .unwrap()
                    .parse::<domain::DisciplineForm>()
                    .is_ok()
            );
            assert!(date(&d["decided_on"]));
        }
        if let Some(v) = fields.get("violation_categories") {
            with_categories += 1;
            let v = v.as_array().unwrap();
            assert!(!v.is_empty());
            assert!(v.iter().all(|c| {
                c.as_str()
                    .unwrap()
                    .parse::<domain::ViolationCategory>()
                    .is_ok()
            }));
        }
        if let Some(a) = fields.get("amount_vnd") {
            assert!(a.as_i64().unwrap() >= 0);
        }
        let location = c["location"].as_object().unwrap();
        assert_eq!(location.len(), 2);
        assert!((8.0..=24.0).contains(&location["lat"].as_f64().unwrap()));
        assert!((102.0..=118.0).contains(&location["lon"].as_f64().unwrap()));
    }
    assert!(with_discipline > 0 && with_categories > 0);
}

#[tokio::test]
async fn each_read_is_written_to_the_audit_trail() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let cookie = app.login("hanoi", "hanoi-demo").await;
    let json = ok(&app, &cookie, "kind=complaint&page=1").await;
    let (actor, object, detail): (String, String, Value) = sqlx::query_as(
        "SELECT actor, object, detail FROM audit_log WHERE action = 'cases_read' ORDER BY id DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(actor, "hanoi");
    assert_eq!(object, "01");
    assert_eq!(
        detail,
        serde_json::json!({"kind": "complaint", "page": "1", "total": json["total"]})
    );
    assert_eq!(
        server::audit::verify(pool).await.unwrap(),
        server::audit::Verdict::Intact(scalar(pool, "SELECT count(*) FROM audit_log").await as u64)
    );
}

#[tokio::test]
async fn the_openapi_document_describes_the_route_and_its_extensions() {
    let app = TestApp::seeded().await;
    let (s, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    let get = &doc["paths"]["/api/v1/cases"]["get"];
    let params: Vec<&str> = get["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for p in [
        "unit",
        "kind",
        "sector",
        "status",
        "from",
        "to",
        "source",
        "external_id",
        "page",
        "per_page",
        "near",
        "polygon",
    ] {
        assert!(params.contains(&p), "{p} in {params:?}");
    }
    let near = get["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "near")
        .unwrap();
    assert!(
        near["description"]
            .as_str()
            .unwrap()
            .starts_with("Extension")
    );
    let record = &doc["components"]["schemas"]["CaseRecord"];
    let mut required: Vec<&str> = record["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    required.sort();
    let mut expected = REQUIRED.to_vec();
    expected.push("id");
    expected.sort();
    assert_eq!(required, expected);
}
