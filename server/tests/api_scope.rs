//! The API on a real PostgreSQL with the tiny demo data: values equal SQL, and the scope rule holds
//! on every route (a province's user never sees another province's data).

mod common;

use axum::http::StatusCode;
use common::TestApp;

#[tokio::test]
async fn health_reports_the_database() {
    let app = TestApp::seeded().await;
    let (status, json) = app.get("/api/v1/health", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["status"], "ok");
    assert_eq!(json["database"], "ok");
}

#[tokio::test]
async fn login_sets_a_strict_http_only_cookie_and_me_tells_the_scope() {
    let app = TestApp::seeded().await;
    let body = serde_json::json!({"username": "hanoi", "password": "hanoi-demo",
        "totp": app.totp_now("hanoi").await.unwrap()})
    .to_string();
    let (status, headers, json) = app.post("/api/v1/auth/login", &body, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(json["scope"], "01");
    assert_eq!(json["scope_name"], "Thành phố Hà Nội");
    let cookie = headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.starts_with("oversight_session="));
    assert!(cookie.contains("HttpOnly"));
    assert!(cookie.contains("SameSite=Strict"));
    let session = cookie.split(';').next().unwrap();
    let (status, me) = app.get("/api/v1/me", Some(session)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["username"], "hanoi");
    assert_eq!(me["role"], "leader");
    assert_eq!(me["scope_level"], "province");
}

#[tokio::test]
async fn bad_logins_are_answered_with_reasons() {
    let app = TestApp::seeded().await;
    let (s, _, j) = app
        .post(
            "/api/v1/auth/login",
            r#"{"username":"hanoi","password":"wrong"}"#,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(j["error"], "wrong username or password");
    let (s, _, j) = app
        .post(
            "/api/v1/auth/login",
            r#"{"username":"nobody","password":"x"}"#,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    assert_eq!(j["error"], "wrong username or password");
    let (s, _, j) = app
        .post("/api/v1/auth/login", r#"{"username": 12}"#, None)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(j["field"], "body");
    let (s, _, j) = app
        .post(
            "/api/v1/auth/login",
            r#"{"username":"","password":"x"}"#,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(j["field"], "username");
}

#[tokio::test]
async fn five_failed_logins_lock_the_account() {
    let app = TestApp::seeded().await;
    for _ in 0..5 {
        let (s, _, _) = app
            .post(
                "/api/v1/auth/login",
                r#"{"username":"hcm","password":"wrong"}"#,
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, _, j) = app
        .post(
            "/api/v1/auth/login",
            r#"{"username":"hcm","password":"hcm-demo"}"#,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(j["error"].as_str().unwrap().contains("locked"));
}

#[tokio::test]
async fn every_route_but_health_needs_a_session() {
    let app = TestApp::seeded().await;
    for path in [
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/boundaries?level=province",
        "/api/v1/summary",
        "/api/v1/events",
        "/api/v1/procedures",
        "/api/v1/alerts",
    ] {
        let (status, json) = app.get(path, None).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(json["error"], "log in first", "{path}");
    }
    let (status, _) = app
        .get("/api/v1/me", Some("oversight_session=forged"))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let app = TestApp::seeded().await;
    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    let (s, _, _) = app.post("/api/v1/auth/logout", "", Some(&cookie)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get("/api/v1/me", Some(&cookie)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn units_of_a_province_user_are_that_province_and_its_subtree_only() {
    let app = TestApp::seeded().await;
    let cookie = app.login("hanoi", "hanoi-demo").await;
    let (s, json) = app.get("/api/v1/units", Some(&cookie)).await;
    assert_eq!(s, StatusCode::OK);
    let codes: Vec<String> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap().into())
        .collect();
    let expected: Vec<String> =
        sqlx::query_scalar("SELECT code FROM unit WHERE path <@ 'VN.01' ORDER BY path")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(codes, expected);
    assert!(codes.contains(&"01".to_string()));
    assert!(!codes.contains(&"79".to_string()));
    assert!(!codes.contains(&"VN".to_string()));

    let (s, json) = app.get("/api/v1/units?level=commune", Some(&cookie)).await;
    assert_eq!(s, StatusCode::OK);
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM unit WHERE province = '01' AND level = 'commune'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(json.as_array().unwrap().len() as i64, n);
    assert!(n > 100, "Hà Nội has {n} communes");

    let (s, json) = app.get("/api/v1/units?parent=79", Some(&cookie)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("outside your scope")
    );
    let (s, json) = app.get("/api/v1/units?level=district", Some(&cookie)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(json["field"], "level");
    let (s, json) = app.get("/api/v1/units?colour=red", Some(&cookie)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(json["error"].as_str().unwrap().contains("colour"));
}

#[tokio::test]
async fn the_centre_sees_34_provinces_and_6_committees() {
    let app = TestApp::seeded().await;
    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    let (_, provinces) = app.get("/api/v1/units?level=province", Some(&cookie)).await;
    assert_eq!(provinces.as_array().unwrap().len(), 34);
    let (_, committees) = app
        .get("/api/v1/units?level=committee", Some(&cookie))
        .await;
    assert_eq!(committees.as_array().unwrap().len(), 6);
    let (_, communes) = app.get("/api/v1/units?level=commune", Some(&cookie)).await;
    assert_eq!(communes.as_array().unwrap().len(), 3321);
}

#[tokio::test]
async fn boundaries_follow_the_scope() {
    let app = TestApp::seeded().await;
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let (s, fc) = app
        .get("/api/v1/boundaries?level=province", Some(&leader))
        .await;
    assert_eq!(s, StatusCode::OK);
    let features = fc["features"].as_array().unwrap();
    assert_eq!(features.len(), 34);
    assert_eq!(features[0]["properties"]["code"], "01");
    assert_eq!(features[0]["id"], "01");
    assert_eq!(features[0]["properties"]["synthetic"], false);

    let hanoi = app.login("hanoi", "hanoi-demo").await;
    let (_, fc) = app
        .get("/api/v1/boundaries?level=province", Some(&hanoi))
        .await;
    let codes: Vec<&str> = fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["01"]);
    let (_, fc) = app
        .get("/api/v1/boundaries?level=commune", Some(&hanoi))
        .await;
    let communes = fc["features"].as_array().unwrap();
    let n: i64 =
        sqlx::query_scalar("SELECT count(*) FROM unit WHERE province = '01' AND level = 'commune'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(communes.len() as i64, n);
    assert!(communes.iter().all(|f| f["properties"]["parent"] == "01"));
    assert!(
        communes
            .iter()
            .all(|f| f["properties"]["synthetic"] == true)
    );

    let (s, _) = app
        .get("/api/v1/boundaries?level=commune&within=79", Some(&hanoi))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, j) = app
        .get("/api/v1/boundaries?level=country", Some(&hanoi))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(j["field"], "level");
    let (s, j) = app
        .get("/api/v1/boundaries?level=province&lod=7", Some(&hanoi))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(j["field"], "lod");
}

/// The figures of the cases under `path` for a period, computed independently of the API's query.
async fn sql_figures(pool: &sqlx::PgPool, path: &str, from: &str, to: &str) -> serde_json::Value {
    let row: (i64, i64, i64, i64, i64, i64, i64) = sqlx::query_as(
        "SELECT
            (SELECT count(*) FROM cases WHERE path <@ $1::ltree AND opened_on BETWEEN $2::date AND $3::date),
            (SELECT count(*) FROM cases WHERE path <@ $1::ltree AND opened_on BETWEEN $2::date AND $3::date AND kind LIKE 'inspection%'),
            (SELECT count(*) FROM cases WHERE path <@ $1::ltree AND opened_on BETWEEN $2::date AND $3::date AND kind LIKE 'supervision%'),
            (SELECT count(*) FROM cases WHERE path <@ $1::ltree AND discipline_decided_on BETWEEN $2::date AND $3::date),
            (SELECT count(*) FROM cases WHERE path <@ $1::ltree AND status = 'concluded' AND concluded_on BETWEEN $2::date AND $3::date),
            (SELECT count(*) FROM cases WHERE path <@ $1::ltree AND status = 'concluded' AND violation AND concluded_on BETWEEN $2::date AND $3::date),
            (SELECT coalesce(sum(amount_vnd), 0)::bigint FROM cases WHERE path <@ $1::ltree AND status = 'concluded' AND violation AND concluded_on BETWEEN $2::date AND $3::date)",
    )
    .bind(path)
    .bind(from)
    .bind(to)
    .fetch_one(pool)
    .await
    .unwrap();
    serde_json::json!({"cases": row.0, "inspections": row.1, "supervisions": row.2, "disciplines": row.3,
                       "concluded": row.4, "violations": row.5, "amount_vnd": row.6})
}

fn pick(f: &serde_json::Value) -> serde_json::Value {
    serde_json::json!({"cases": f["cases"], "inspections": f["inspections"], "supervisions": f["supervisions"],
                       "disciplines": f["disciplines"], "concluded": f["concluded"], "violations": f["violations"],
                       "amount_vnd": f["amount_vnd"]})
}

#[tokio::test]
async fn the_summary_equals_sql_for_the_whole_country() {
    let app = TestApp::seeded().await;
    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    let (s, sum) = app
        .get(
            "/api/v1/summary?from=2025-01-01&to=2025-12-31",
            Some(&cookie),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{sum}");
    assert_eq!(sum["unit"], "VN");
    assert_eq!(
        pick(&sum["current"]),
        sql_figures(&app.db.pool, "VN", "2025-01-01", "2025-12-31").await
    );
    assert_eq!(
        pick(&sum["previous"]),
        sql_figures(&app.db.pool, "VN", "2024-01-01", "2024-12-31").await
    );
    assert!(sum["current"]["cases"].as_i64().unwrap() > 100, "{sum}");
    let children = sum["children"].as_array().unwrap();
    assert_eq!(children.len(), 40);
    let hanoi = children.iter().find(|c| c["code"] == "01").unwrap();
    assert_eq!(
        pick(&hanoi["current"]),
        sql_figures(&app.db.pool, "VN.01", "2025-01-01", "2025-12-31").await
    );
    let total: i64 = children
        .iter()
        .map(|c| c["current"]["cases"].as_i64().unwrap())
        .sum();
    let at_centre: i64 = sqlx::query_scalar("SELECT count(*) FROM cases WHERE path = 'VN' AND opened_on BETWEEN '2025-01-01' AND '2025-12-31'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(total + at_centre, sum["current"]["cases"].as_i64().unwrap());
}

#[tokio::test]
async fn a_province_user_gets_its_own_summary_and_no_other() {
    let app = TestApp::seeded().await;
    let hanoi = app.login("hanoi", "hanoi-demo").await;
    let (s, sum) = app
        .get(
            "/api/v1/summary?from=2025-01-01&to=2025-12-31",
            Some(&hanoi),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sum["unit"], "01");
    assert_eq!(
        pick(&sum["current"]),
        sql_figures(&app.db.pool, "VN.01", "2025-01-01", "2025-12-31").await
    );
    assert!(
        sum["children"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["code"].as_str().unwrap().len() == 5)
    );

    let (s, j) = app.get("/api/v1/summary?unit=79", Some(&hanoi)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert!(j["error"].as_str().unwrap().contains("outside your scope"));
    let (s, _) = app.get("/api/v1/summary?unit=VN", Some(&hanoi)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A commune of Hà Nội is within scope.
    let commune: String = sqlx::query_scalar(
        "SELECT min(code) FROM unit WHERE province = '01' AND level = 'commune'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let (s, j) = app
        .get(&format!("/api/v1/summary?unit={commune}"), Some(&hanoi))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(j["unit"], commune);
    // The centre's view of Hà Nội and Hà Nội's own view agree.
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let (_, from_centre) = app
        .get(
            "/api/v1/summary?unit=01&from=2025-01-01&to=2025-12-31",
            Some(&leader),
        )
        .await;
    assert_eq!(from_centre["current"], sum["current"]);
}

#[tokio::test]
async fn summary_filters_are_validated() {
    let app = TestApp::seeded().await;
    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    for (query, field) in [
        ("from=2025-13-01", "from"),
        ("from=-0001-01-01", "from"),
        ("to=99999-01-01", "to"),
        ("to=yesterday", "to"),
        ("from=2025-06-01&to=2025-01-01", "from"),
        ("kind=inspection", "kind"),
        ("sector=farming", "sector"),
        ("unit=XX", "unit"),
        ("unit=99", "unit"),
    ] {
        let (s, j) = app
            .get(&format!("/api/v1/summary?{query}"), Some(&cookie))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{query}: {j}");
        assert_eq!(j["field"], field, "{query}: {j}");
    }
    let (s, j) = app
        .get(
            "/api/v1/summary?kind=complaint&from=2025-01-01&to=2025-12-31",
            Some(&cookie),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(j["current"]["inspections"], 0);
    let complaints: i64 = sqlx::query_scalar("SELECT count(*) FROM cases WHERE kind = 'complaint' AND opened_on BETWEEN '2025-01-01' AND '2025-12-31'")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(j["current"]["cases"], complaints);
}

#[tokio::test]
async fn the_openapi_document_describes_the_routes() {
    let app = TestApp::seeded().await;
    let (s, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/health",
        "/api/v1/auth/login",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/units",
        "/api/v1/boundaries",
        "/api/v1/summary",
        "/api/v1/events",
        "/api/v1/procedures",
        "/api/v1/procedures/{code}",
        "/api/v1/alerts/{id}/ack",
        "/api/v1/alerts/{id}/resolve",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing");
    }
}

#[tokio::test]
async fn the_audit_trail_records_logins_and_verifies() {
    let app = TestApp::seeded().await;
    app.login("lanhdao", "lanhdao-demo").await;
    let _ = app
        .post(
            "/api/v1/auth/login",
            r#"{"username":"lanhdao","password":"nope"}"#,
            None,
        )
        .await;
    let actions: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE actor = 'lanhdao' ORDER BY id")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(actions, vec!["login", "login_failed"]);
    assert!(
        matches!(server::audit::verify(&app.db.pool).await.unwrap(), server::audit::Verdict::Intact(n) if n >= 2)
    );
    // The database itself refuses to alter the trail.
    let err = sqlx::query("UPDATE audit_log SET actor = 'someone else'")
        .execute(&app.db.pool)
        .await;
    assert!(err.is_err());
}
