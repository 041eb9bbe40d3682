//! Urgent notices against PostgreSQL: a leader of the centre sends one to three provinces; their
//! walls hear of it at once and a fourth never does; reading it marks the site as having seen it;
//! two sites acknowledge; the reminder goes to the third alone, once; every step is in the audit
//! trail; every refusal names its field; scope holds through every route and in the database.

mod common;

use axum::http::StatusCode;
use common::{Events, TestApp, scalar};
use serde_json::{Value, json};
use std::time::Duration;

/// A wall display's token scoped to `unit`.
async fn wall(app: &TestApp, unit: &str) -> String {
    server::auth::token::create(
        &app.db.pool,
        &format!("Phòng họp {unit}"),
        domain::Role::Display,
        unit,
        None,
    )
    .await
    .unwrap()
}

async fn post(app: &TestApp, path: &str, body: &Value, cookie: &str) -> (StatusCode, Value) {
    let (s, _, j) = app.post(path, &body.to_string(), Some(cookie)).await;
    (s, j)
}

fn site<'a>(record: &'a Value, unit: &str) -> &'a Value {
    record["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["unit"] == unit)
        .unwrap_or_else(|| panic!("no site {unit} in {record}"))
}

/// Whether an event stream hears of notice `id` (any action) within `wait`.
async fn hears(events: &mut Events, id: i64, wait: Duration) -> Option<(String, Value)> {
    events
        .until(wait, |name, data| {
            name.starts_with("notice") && data["id"].as_i64() == Some(id)
        })
        .await
        .1
}

#[tokio::test]
async fn a_notice_reaches_its_three_sites_only_and_the_sender_follows_each() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let walls = [
        ("01", wall(&app, "01").await),
        ("79", wall(&app, "79").await),
        ("48", wall(&app, "48").await),
        ("31", wall(&app, "31").await),
    ];
    let mut hanoi_wall = Events::open_as(&app, &walls[0].1).await;
    let mut other_wall = Events::open_as(&app, &walls[3].1).await;
    let mut sender = Events::open(&app, &leader).await;

    // The form's choices: the 34 provinces and the 6 committees under the centre.
    let (s, list) = app.get("/api/v1/notices", Some(&leader)).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let choices = list["sites"].as_array().unwrap();
    let provinces = scalar(
        pool,
        "SELECT count(*) FROM unit WHERE parent = 'VN' AND level = 'province'",
    )
    .await;
    let committees = scalar(
        pool,
        "SELECT count(*) FROM unit WHERE parent = 'VN' AND level = 'committee'",
    )
    .await;
    assert_eq!(choices.len() as i64, provinces + committees);
    assert!(
        choices
            .iter()
            .any(|c| c["code"] == "TW1" && c["level"] == "committee")
    );

    let (s, sent) = post(
        &app,
        "/api/v1/notices",
        &json!({"text": "Họp trực tuyến khẩn lúc 14:00 về công tác phòng chống bão số 3.",
                "severity": "critical", "sites": ["01", "79", "48"],
                "link": "/overview/01", "unit": "01", "remind_after_seconds": 60,
                "expires_after_hours": 4}),
        &leader,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{sent}");
    let id = sent["id"].as_i64().unwrap();
    assert_eq!(sent["state"], "active");
    assert_eq!(sent["sender"], "lanhdao");
    assert_eq!(sent["sender_unit"], "VN");
    assert_eq!(sent["unit_name"], "Thành phố Hà Nội");
    assert_eq!(
        sent["tally"],
        json!({"sites": 3, "seen": 0, "acknowledged": 0, "reminded": 0, "overdue": 0})
    );
    assert_eq!(site(&sent, "79")["name"], "Thành phố Hồ Chí Minh");

    // Hà Nội's wall hears of it at once; Hải Phòng's never does.
    let (name, data) = hears(&mut hanoi_wall, id, Duration::from_secs(5))
        .await
        .expect("Hà Nội's wall hears of the notice");
    assert_eq!(name, "notice");
    assert_eq!(data, json!({"id": id, "action": "sent", "site": "01"}));
    assert!(
        hears(&mut other_wall, id, Duration::from_millis(1500))
            .await
            .is_none()
    );

    // What each wall shows: the three sites' walls the notice, the fourth nothing.
    for (unit, token) in &walls {
        let (s, active) = app.get_as(token, "/api/v1/notices/active").await;
        assert_eq!(s, StatusCode::OK, "{active}");
        let shown = active["notices"].as_array().unwrap();
        if *unit == "31" {
            assert!(shown.is_empty(), "{active}");
        } else {
            assert_eq!(shown.len(), 1, "{unit}: {active}");
            assert_eq!(shown[0]["id"], id);
            assert_eq!(shown[0]["site"], *unit);
            assert_eq!(shown[0]["severity"], "critical");
            assert_eq!(shown[0]["sender_unit_name"], "Trung ương");
            assert_eq!(shown[0]["link"], "/overview/01");
        }
    }
    // The sender hears that the walls showed it; its record says by whom.
    let (_, seen) = sender
        .until(Duration::from_secs(5), |name, data| {
            name == "notice_seen" && data["id"].as_i64() == Some(id)
        })
        .await;
    assert_eq!(
        seen.expect("the sender hears a wall saw it").1["action"],
        "seen"
    );
    let (_, now) = app
        .get(&format!("/api/v1/notices/{id}"), Some(&leader))
        .await;
    assert_eq!(now["tally"]["seen"], 3, "{now}");
    assert_eq!(site(&now, "01")["seen_by"], "Phòng họp 01");

    // Two sites acknowledge: Hà Nội's leader and Hồ Chí Minh City's analyst.
    let hanoi = app.login("hanoi", "hanoi-demo").await;
    let hcm = app.login("hcm", "hcm-demo").await;
    for (who, cookie) in [("hanoi", &hanoi), ("hcm", &hcm)] {
        let (s, acked) = post(
            &app,
            &format!("/api/v1/notices/{id}/ack"),
            &json!({}),
            cookie,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{acked}");
        // A site sees its own row, no other site's.
        assert_eq!(acked["sites"].as_array().unwrap().len(), 1, "{acked}");
        assert_eq!(acked["sites"][0]["acknowledged_by"], who);
    }
    // Again changes nothing.
    let (s, again) = post(
        &app,
        &format!("/api/v1/notices/{id}/ack"),
        &json!({}),
        &hanoi,
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let first_ack = site(&again, "01")["acknowledged_at"].clone();
    let (_, now) = app
        .get(&format!("/api/v1/notices/{id}"), Some(&leader))
        .await;
    assert_eq!(site(&now, "01")["acknowledged_at"], first_ack);
    assert_eq!(
        now["tally"],
        json!({"sites": 3, "seen": 3, "acknowledged": 2, "reminded": 0, "overdue": 0})
    );
    // The wall keeps showing it, acknowledged.
    let (_, active) = app.get_as(&walls[0].1, "/api/v1/notices/active").await;
    assert_eq!(active["notices"][0]["acknowledged_by"], "hanoi");

    // Not yet time: no reminder.
    assert_eq!(server::notices::remind_due(pool).await.unwrap(), 0);
    // The time comes (moved back rather than waited for): the third site alone, once.
    sqlx::query(
        "UPDATE notice SET sent_at = now() - interval '2 minutes',
                           remind_at = now() - interval '1 second' WHERE id = $1",
    )
    .bind(id)
    .execute(pool)
    .await
    .unwrap();
    let mut danang_wall = Events::open_as(&app, &walls[2].1).await;
    assert_eq!(server::notices::remind_due(pool).await.unwrap(), 1);
    assert_eq!(server::notices::remind_due(pool).await.unwrap(), 0);
    let (name, data) = hears(&mut danang_wall, id, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(
        (name.as_str(), &data["action"]),
        ("notice", &json!("reminded"))
    );
    let (_, now) = app
        .get(&format!("/api/v1/notices/{id}"), Some(&leader))
        .await;
    assert_eq!(
        now["tally"],
        json!({"sites": 3, "seen": 3, "acknowledged": 2, "reminded": 1, "overdue": 1})
    );
    assert!(site(&now, "48")["reminded_at"].is_string());
    assert!(site(&now, "01")["reminded_at"].is_null());

    // Everything about it is in the audit trail, in order.
    let trail: Vec<(String, String)> = sqlx::query_as(
        "SELECT action, actor FROM audit_log WHERE object = $1 AND action LIKE 'notice%' ORDER BY id",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await
    .unwrap();
    let actions: Vec<&str> = trail.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(actions.first(), Some(&"notice_send"));
    assert_eq!(actions.iter().filter(|a| **a == "notice_seen").count(), 3);
    assert_eq!(actions.iter().filter(|a| **a == "notice_ack").count(), 2);
    assert_eq!(
        trail.last().unwrap(),
        &("notice_remind".to_string(), "system".to_string())
    );
    assert!(matches!(
        server::audit::verify(pool).await.unwrap(),
        server::audit::Verdict::Intact(_)
    ));

    // The receiving side's list: Hồ Chí Minh City received it and sent nothing, and may not send.
    let (_, theirs) = app.get("/api/v1/notices", Some(&hcm)).await;
    assert_eq!(theirs["sent"], json!([]));
    assert_eq!(theirs["sites"], json!([]));
    assert_eq!(theirs["received"][0]["id"], id);
    assert_eq!(theirs["received"][0]["sites"].as_array().unwrap().len(), 1);

    // The sender closes it: every wall takes it down.
    let (s, closed) = post(
        &app,
        &format!("/api/v1/notices/{id}/close"),
        &json!({}),
        &leader,
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{closed}");
    assert_eq!(closed["state"], "closed");
    let (_, closing) = hanoi_wall
        .until(Duration::from_secs(5), |name, data| {
            name == "notice" && data["action"] == "closed"
        })
        .await;
    assert_eq!(closing.unwrap().1["id"], id);
    let (_, active) = app.get_as(&walls[0].1, "/api/v1/notices/active").await;
    assert_eq!(active["notices"], json!([]));
}

#[tokio::test]
async fn refusals_name_the_field_and_scope_holds_on_every_route() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let hanoi = app.login("hanoi", "hanoi-demo").await;
    let hcm = app.login("hcm", "hcm-demo").await;
    let commune = common::commune_of(pool, "01").await;
    let good =
        json!({"text": "Kiểm tra lại số liệu quý III.", "severity": "warning", "sites": ["01"]});

    let with = |change: Value| {
        let mut body = good.clone();
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for (body, field) in [
        (with(json!({"text": "  "})), "text"),
        (with(json!({"severity": "urgent"})), "severity"),
        (with(json!({"sites": []})), "sites"),
        (with(json!({"sites": ["01", "01"]})), "sites[1]"),
        (with(json!({"sites": ["01", "9"]})), "sites[1]"),
        (with(json!({"sites": ["01", "98"]})), "sites[1]"),
        (with(json!({"sites": ["01", commune]})), "sites[1]"),
        (with(json!({"link": "https://evil.example/"})), "link"),
        (
            with(json!({"remind_after_seconds": 5})),
            "remind_after_seconds",
        ),
        (
            with(json!({"expires_after_hours": 1000})),
            "expires_after_hours",
        ),
        (with(json!({"alert": 999_999_999})), "alert"),
        (with(json!({"colour": "red"})), "body"),
        (json!(["not", "an", "object"]), "body"),
    ] {
        let (s, j) = post(&app, "/api/v1/notices", &body, &leader).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}: {j}");
        assert_eq!(j["field"], field, "{body}: {j}");
    }
    assert_eq!(scalar(pool, "SELECT count(*) FROM notice").await, 0);

    // A province's leader sends to its own communes, never to another province.
    let (s, j) = post(
        &app,
        "/api/v1/notices",
        &with(json!({"sites": ["79"]})),
        &hanoi,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{j}");
    let (s, j) = post(
        &app,
        "/api/v1/notices",
        &with(json!({"unit": "79", "sites": [commune]})),
        &hanoi,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{j}");
    let (s, local) = post(
        &app,
        "/api/v1/notices",
        &with(json!({"sites": [commune]})),
        &hanoi,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{local}");
    let local = local["id"].as_i64().unwrap();
    // An analyst may not send; a wall may not read the lists nor acknowledge.
    let (s, _) = post(&app, "/api/v1/notices", &good, &hcm).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let token = wall(&app, "79").await;
    assert_eq!(
        app.get_as(&token, "/api/v1/notices").await.0,
        StatusCode::FORBIDDEN
    );

    // The centre's notice to Hà Nội alone.
    let (_, n) = post(&app, "/api/v1/notices", &good, &leader).await;
    let id = n["id"].as_i64().unwrap();
    // Hồ Chí Minh City sees neither notice, by any route.
    for path in [
        format!("/api/v1/notices/{id}"),
        format!("/api/v1/notices/{local}"),
    ] {
        assert_eq!(
            app.get(&path, Some(&hcm)).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let (s, _) = post(&app, &format!("/api/v1/notices/{id}/ack"), &json!({}), &hcm).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = post(
        &app,
        &format!("/api/v1/notices/{id}/close"),
        &json!({}),
        &hcm,
    )
    .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "an analyst closes nothing (the matrix)"
    );
    let (_, list) = app.get("/api/v1/notices", Some(&hcm)).await;
    assert_eq!(
        (list["sent"].clone(), list["received"].clone()),
        (json!([]), json!([]))
    );
    let (_, active) = app.get_as(&token, "/api/v1/notices/active").await;
    assert_eq!(active["notices"], json!([]));
    // The sender's side does not acknowledge; the site does not close.
    let (s, _) = post(
        &app,
        &format!("/api/v1/notices/{id}/ack"),
        &json!({}),
        &leader,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = post(
        &app,
        &format!("/api/v1/notices/{id}/close"),
        &json!({}),
        &hanoi,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // The centre sees the province's own notice (its subtree), Hà Nội sees the centre's.
    assert_eq!(
        app.get(&format!("/api/v1/notices/{local}"), Some(&leader))
            .await
            .0,
        StatusCode::OK
    );
    let (_, theirs) = app.get("/api/v1/notices", Some(&hanoi)).await;
    assert_eq!(theirs["received"][0]["id"], id);
    assert_eq!(theirs["sent"][0]["id"], local);
    assert_eq!(
        app.get("/api/v1/notices/x1", Some(&hanoi)).await.1["field"],
        "id"
    );

    // The database's own wall: in Hồ Chí Minh City's scope, no row of either notice exists.
    let mut read = server::db::scoped::begin(pool, "VN.79").await.unwrap();
    let seen: (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM notice), (SELECT count(*) FROM notice_site)")
            .fetch_one(&mut *read)
            .await
            .unwrap();
    assert_eq!(seen, (0, 0));
    drop(read);
    // In Hà Nội's: both notices, and of the centre's only its own row.
    let mut read = server::db::scoped::begin(pool, "VN.01").await.unwrap();
    let seen: (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM notice), (SELECT count(*) FROM notice_site)")
            .fetch_one(&mut *read)
            .await
            .unwrap();
    assert_eq!(seen, (2, 2));
}
