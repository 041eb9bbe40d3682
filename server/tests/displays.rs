//! Wall displays against PostgreSQL: an administrator creates one (a read-only token scoped to a
//! unit); its token reads what its scenes show and nothing else (no case list, no export, no
//! write); edits reach its open stream; revoking it ends the stream with `revoked` and refuses
//! the token from then on; only the allow-listed origin may frame `/display`.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Events, TestApp};
use serde_json::{Value, json};
use std::time::Duration;

async fn send_json(
    app: &TestApp,
    method: &str,
    path: &str,
    body: &Value,
    cookie: &str,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::COOKIE, cookie)
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, json) = app.send(req).await;
    (status, json)
}

/// A display scoped to `unit` made by the admin; its id and token.
async fn display(app: &TestApp, admin: &str, unit: &str, scenes: Value) -> (i64, String) {
    let (status, made) = send_json(
        app,
        "POST",
        "/api/v1/displays",
        &json!({"name": format!("Phòng họp {unit}"), "unit": unit, "scenes": scenes,
                "interval_seconds": 15}),
        admin,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{made}");
    let token = made["token"].as_str().unwrap().to_string();
    assert_eq!(made["url"], format!("/display#token={token}"));
    (made["display"]["id"].as_i64().unwrap(), token)
}

#[tokio::test]
async fn a_display_token_reads_its_scenes_and_nothing_else() {
    let app = TestApp::seeded().await;
    let admin = app.login("admin", "admin-demo").await;
    let (id, token) = display(
        &app,
        &admin,
        "01",
        json!([{"kind": "overview"}, {"kind": "map"}, {"kind": "alerts"},
               {"kind": "directives"}, {"kind": "unit", "unit": "01"}]),
    )
    .await;

    let (status, setup) = app.get_as(&token, "/api/v1/display").await;
    assert_eq!(status, StatusCode::OK, "{setup}");
    assert_eq!(setup["id"], id);
    assert_eq!(setup["unit"], "01");
    assert_eq!(setup["unit_name"], "Thành phố Hà Nội");
    assert_eq!(setup["interval_seconds"], 15);
    assert_eq!(setup["lang"], "vi");
    assert_eq!(setup["scenes"].as_array().unwrap().len(), 5);
    assert_eq!(setup["scenes"][4], json!({"kind": "unit", "unit": "01"}));

    // What the scenes show, within Hà Nội.
    let (status, overview) = app.get_as(&token, "/api/v1/overview").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(overview["unit"], "01");
    let leader = app.login("hanoi", "hanoi-demo").await;
    let (_, same) = app.get("/api/v1/overview", Some(&leader)).await;
    assert_eq!(overview["figures"], same["figures"]);
    let (status, alerts) = app
        .get_as(&token, "/api/v1/alerts?state=open&limit=5")
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        alerts["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["unit"].as_str().unwrap().starts_with("01")),
        "{alerts}"
    );
    for path in ["/api/v1/directives", "/api/v1/boundaries?level=province"] {
        let (status, body) = app.get_as(&token, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {body}");
    }
    // Not another province.
    let (status, _) = app.get_as(&token, "/api/v1/overview?unit=79").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // No case list, no export, no other read, no write.
    for path in [
        "/api/v1/cases",
        "/api/v1/facts",
        "/api/v1/summary",
        "/api/v1/units",
        "/api/v1/sources",
        "/api/v1/displays",
        "/api/v1/procedures",
        "/api/v1/alerts/1",
    ] {
        let (status, body) = app.get_as(&token, path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        // The matrix's refusal names the role and the action (docs/SECURITY.md).
        assert!(
            body["error"]
                .as_str()
                .unwrap()
                .starts_with("the role 'display' may not "),
            "{path}: {body}"
        );
    }
    for path in [
        "/api/v1/ingest/cases",
        "/api/v1/alerts/1/ack",
        "/api/v1/displays",
        "/api/v1/auth/logout",
    ] {
        let (status, _) = app
            .with_token(
                &token,
                Request::post(path).header(header::CONTENT_TYPE, "application/json"),
                Body::from("[]"),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "POST {path}");
    }
}

#[tokio::test]
async fn only_an_administrator_manages_displays_within_their_scope() {
    let app = TestApp::seeded().await;
    let admin = app.login("admin", "admin-demo").await;
    let (id, _) = display(&app, &admin, "01", json!([{"kind": "overview"}])).await;

    // A leader may not; nor a display's token.
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let (status, _) = app.get("/api/v1/displays", Some(&leader)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = send_json(
        &app,
        "POST",
        "/api/v1/displays",
        &json!({"name": "x", "scenes": [{"kind": "map"}]}),
        &leader,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // An administrator of Hồ Chí Minh City neither sees nor touches Hà Nội's display.
    let pool = &app.db.pool;
    let hash = server::auth::password::hash_password("hcm-admin-pass").unwrap();
    sqlx::query(
        // An administrator logs in with a second factor (the demo kind of secret, for the test).
        "INSERT INTO app_user (username, password_hash, role, scope, totp_secret) VALUES ('hcm-admin', $1, 'admin', '79', $2)",
    )
    .bind(hash)
    .bind(server::auth::secret_key::seal_secret(&server::auth::totp::demo_secret("hcm-admin")).unwrap())
    .execute(pool)
    .await
    .unwrap();
    let other = app.login("hcm-admin", "hcm-admin-pass").await;
    let (status, list) = app.get("/api/v1/displays", Some(&other)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list, json!([]));
    let edit = json!({"name": "x", "scenes": [{"kind": "map"}]});
    let (status, _) = send_json(
        &app,
        "PUT",
        &format!("/api/v1/displays/{id}"),
        &edit,
        &other,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = send_json(
        &app,
        "POST",
        &format!("/api/v1/displays/{id}/revoke"),
        &json!({}),
        &other,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Nor makes one for Hà Nội, nor shows Hà Nội on a wall of its own.
    let (status, body) = send_json(
        &app,
        "POST",
        "/api/v1/displays",
        &json!({"name": "x", "unit": "01", "scenes": [{"kind": "map"}]}),
        &other,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = send_json(
        &app,
        "POST",
        "/api/v1/displays",
        &json!({"name": "x", "scenes": [{"kind": "map"}, {"kind": "unit", "unit": "01"}]}),
        &other,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["field"], "scenes[1].unit");

    // The centre's administrator sees it.
    let (_, list) = app.get("/api/v1/displays", Some(&admin)).await;
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["unit"], "01");
    assert_eq!(list[0]["revoked_at"], Value::Null);
}

#[tokio::test]
async fn bad_display_edits_are_refused_naming_the_field() {
    let app = TestApp::seeded().await;
    let admin = app.login("admin", "admin-demo").await;
    for (body, field) in [
        (json!({"name": "", "scenes": [{"kind": "map"}]}), "name"),
        (json!({"name": "a", "scenes": []}), "scenes"),
        (
            json!({"name": "a", "scenes": [{"kind": "map"}], "interval_seconds": 2}),
            "interval_seconds",
        ),
        (
            json!({"name": "a", "scenes": [{"kind": "unit", "unit": "abc"}]}),
            "scenes[0].unit",
        ),
        (
            json!({"name": "a", "scenes": [{"kind": "map"}], "lang": "fr"}),
            "lang",
        ),
        (
            json!({"name": "a", "scenes": [{"kind": "weather"}]}),
            "body",
        ),
        (
            json!({"name": "a", "scenes": [{"kind": "map"}], "colour": "red"}),
            "body",
        ),
        (
            json!({"name": "a", "unit": "99999", "scenes": [{"kind": "map"}]}),
            "unit",
        ),
    ] {
        let (status, got) = send_json(&app, "POST", "/api/v1/displays", &body, &admin).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {got}");
        assert_eq!(got["field"], field, "{body}: {got}");
    }
    let (status, got) = send_json(
        &app,
        "PUT",
        "/api/v1/displays/abc",
        &json!({"name": "a", "scenes": [{"kind": "map"}]}),
        &admin,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(got["field"], "id");
    // Nothing half-made: no display, no token.
    let displays = common::scalar(&app.db.pool, "SELECT count(*) FROM display").await;
    let tokens = common::scalar(
        &app.db.pool,
        "SELECT count(*) FROM api_token WHERE role = 'display'",
    )
    .await;
    assert_eq!((displays, tokens), (0, 0));
}

#[tokio::test]
async fn edits_reach_the_wall_and_revoking_ends_its_stream() {
    let app = TestApp::seeded().await;
    let admin = app.login("admin", "admin-demo").await;
    let (id, token) = display(&app, &admin, "01", json!([{"kind": "overview"}])).await;
    let (other_id, other_token) = display(&app, &admin, "01", json!([{"kind": "map"}])).await;
    let mut wall = Events::open_as(&app, &token).await;
    let mut other = Events::open_as(&app, &other_token).await;
    let (name, hello) = wall.next(Duration::from_secs(2)).await.unwrap();
    assert_eq!(
        (name.as_str(), hello["scope"].as_str()),
        ("hello", Some("01"))
    );
    other.next(Duration::from_secs(2)).await.unwrap();

    let edit = json!({"name": "Phòng họp", "scenes": [{"kind": "alerts"}, {"kind": "map"}],
                      "interval_seconds": 30, "lang": "en"});
    let (status, saved) = send_json(
        &app,
        "PUT",
        &format!("/api/v1/displays/{id}"),
        &edit,
        &admin,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, got) = wall
        .until(Duration::from_secs(3), |n, _| n == "display")
        .await;
    let (_, data) = got.expect("the wall hears of its new settings");
    assert_eq!(data["id"], id);
    let (_, setup) = app.get_as(&token, "/api/v1/display").await;
    assert_eq!(
        setup["scenes"],
        json!([{"kind": "alerts"}, {"kind": "map"}])
    );
    assert_eq!(setup["interval_seconds"], 30);
    assert_eq!(setup["lang"], "en");

    let (status, revoked) = send_json(
        &app,
        "POST",
        &format!("/api/v1/displays/{id}/revoke"),
        &json!({}),
        &admin,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(revoked["revoked_at"].is_string());
    let (_, got) = wall
        .until(Duration::from_secs(3), |n, _| n == "revoked")
        .await;
    assert!(got.is_some(), "the wall is told it is revoked");
    // The stream ends right after.
    assert!(wall.next(Duration::from_millis(500)).await.is_none());
    // The other display heard neither.
    let (seen, _) = other.until(Duration::from_millis(700), |_, _| false).await;
    assert!(
        seen.iter().all(|(n, _)| n != "display" && n != "revoked"),
        "{seen:?}"
    );
    // The token is refused from now on; the other still works.
    let (status, _) = app.get_as(&token, "/api/v1/display").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.get_as(&token, "/api/v1/overview").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, setup) = app.get_as(&other_token, "/api/v1/display").await;
    assert_eq!(
        (status, setup["id"].as_i64()),
        (StatusCode::OK, Some(other_id))
    );
    // A revoked display is not edited.
    let (status, _) = send_json(
        &app,
        "PUT",
        &format!("/api/v1/displays/{id}"),
        &edit,
        &admin,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Every step is in the audit trail.
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'display_%' AND object = $1 ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        actions,
        ["display_create", "display_edit", "display_revoke"]
    );
}

#[tokio::test]
async fn a_display_token_from_the_command_line_gets_the_default_scenes_and_can_be_revoked() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = server::auth::token::create(pool, "phong-hop-1", domain::Role::Display, "VN", None)
        .await
        .unwrap();
    let (status, setup) = app.get_as(&token, "/api/v1/display").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(setup["name"], "phong-hop-1");
    assert_eq!(
        setup["scenes"],
        json!([{"kind": "overview"}, {"kind": "map"}, {"kind": "alerts"}, {"kind": "directives"}])
    );
    // A token of another role is no display.
    let leader = server::auth::token::create(pool, "bi", domain::Role::Leader, "VN", None)
        .await
        .unwrap();
    let (status, _) = app.get_as(&leader, "/api/v1/display").await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let mut wall = Events::open_as(&app, &token).await;
    wall.next(Duration::from_secs(2)).await.unwrap();
    let n = server::display::revoke_tokens_named(pool, "phong-hop-1", "cli")
        .await
        .unwrap();
    assert_eq!(n, 1);
    let (_, got) = wall
        .until(Duration::from_secs(3), |n, _| n == "revoked")
        .await;
    assert!(got.is_some());
    let (status, _) = app.get_as(&token, "/api/v1/display").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        server::display::revoke_tokens_named(pool, "phong-hop-1", "cli")
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn only_the_allowed_origin_may_frame_the_wall() {
    let app = TestApp::seeded().await;
    let get = |path: &'static str| {
        let app = &app;
        async move {
            let (_, headers, _) = app
                .send(Request::get(path).body(Body::empty()).unwrap())
                .await;
            headers
        }
    };
    let wall = get("/display").await;
    let csp = wall[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(
        csp.ends_with("frame-ancestors https://room.example.gov"),
        "{csp}"
    );
    assert!(wall.get(header::X_FRAME_OPTIONS).is_none());
    for path in ["/login", "/api/v1/health", "/displays", "/display/x"] {
        let h = get(path).await;
        let csp = h[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.ends_with("frame-ancestors 'none'"), "{path}: {csp}");
        assert_eq!(h[header::X_FRAME_OPTIONS], "DENY", "{path}");
    }
}
