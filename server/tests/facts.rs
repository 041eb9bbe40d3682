//! `GET /api/v1/facts` on the tiny demo data: the decoded columns equal SQL, and scope holds.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use common::TestApp;
use domain::facts::{Facts, NO_COMMUNE, NO_PROVINCE, decode};
use domain::{
    CaseKind, CaseStatus, DisciplineForm, Sector, SubjectType, UnitCode, ViolationCategory,
};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// `GET /api/v1/facts`: status, headers and the raw body.
async fn get_facts(
    app: &TestApp,
    cookie: Option<&str>,
    encoding: Option<&str>,
) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
    let mut req = Request::get("/api/v1/facts");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    if let Some(e) = encoding {
        req = req.header(header::ACCEPT_ENCODING, e);
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, body)
}

async fn facts_of(app: &TestApp, user: &str, password: &str) -> Facts {
    let cookie = app.login(user, password).await;
    let (status, headers, body) = get_facts(app, Some(&cookie), None).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "application/vnd.oversight.facts"
    );
    decode(&body).expect("the payload decodes")
}

type CaseRow = (
    i64,
    NaiveDate,
    String,
    String,
    String,
    String,
    Option<String>,
    Vec<String>,
    Option<String>,
    String,
    f64,
    f64,
    Option<i64>,
);

#[tokio::test]
async fn the_centre_gets_every_case_and_rows_equal_sql() {
    let app = TestApp::seeded().await;
    let facts = facts_of(&app, "lanhdao", "lanhdao-demo").await;
    let pool = &app.db.pool;
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM cases")
        .fetch_one(pool)
        .await
        .unwrap();
    assert!(count > 0);
    assert_eq!(facts.len() as i64, count);
    assert!(facts.id.is_sorted(), "rows come ordered by id");

    // A few plain cases and the ones with the rarer fields set.
    let ids: Vec<(i64,)> = sqlx::query_as(
        "(SELECT id FROM cases ORDER BY id LIMIT 3)
         UNION (SELECT id FROM cases WHERE discipline_form IS NOT NULL ORDER BY id LIMIT 3)
         UNION (SELECT id FROM cases WHERE cardinality(violation_categories) > 1 ORDER BY id LIMIT 3)
         UNION (SELECT id FROM cases WHERE amount_vnd IS NOT NULL ORDER BY id DESC LIMIT 3)
         UNION (SELECT id FROM cases WHERE subject_unit LIKE '%\\_%' ORDER BY id LIMIT 2)",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(ids.len() >= 8, "{ids:?}");
    for (id,) in ids {
        let c: CaseRow = sqlx::query_as(
            "SELECT id, opened_on, kind, sector, status, subject_type, discipline_form,
                    violation_categories, province, subject_unit, lat, lon, amount_vnd
             FROM cases WHERE id = $1",
        )
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap();
        let i = facts.id.binary_search(&(id as u32)).expect("id present");
        let r = facts.row(i).unwrap();
        assert_eq!(domain::facts::date_of(r.day), c.1, "day of {id}");
        assert_eq!(CaseKind::ALL[r.kind as usize].as_str(), c.2, "kind of {id}");
        assert_eq!(Sector::ALL[r.sector as usize].as_str(), c.3);
        assert_eq!(CaseStatus::ALL[r.status as usize].as_str(), c.4);
        assert_eq!(SubjectType::ALL[r.subject as usize].as_str(), c.5);
        let form = (r.discipline > 0).then(|| {
            DisciplineForm::ALL[r.discipline as usize - 1]
                .as_str()
                .to_string()
        });
        assert_eq!(form, c.6, "discipline of {id}");
        let cats: Vec<String> = ViolationCategory::ALL
            .iter()
            .enumerate()
            .filter(|(b, _)| r.categories & (1 << b) != 0)
            .map(|(_, v)| v.as_str().to_string())
            .collect();
        let mut want = c.7.clone();
        want.sort_by_key(|w| w.parse::<ViolationCategory>().unwrap().index());
        assert_eq!(cats, want, "categories of {id}");
        let province =
            (r.province != NO_PROVINCE).then(|| facts.provinces[r.province as usize].clone());
        assert_eq!(province, c.8, "province of {id}");
        let commune =
            (r.commune != NO_COMMUNE).then(|| facts.communes[r.commune as usize].as_str());
        let unit = UnitCode::parse(&c.9).unwrap();
        assert_eq!(commune, unit.commune(), "commune of {id} ({})", c.9);
        assert!(
            (domain::facts::lat_of(r.lat) - c.10).abs() < 2e-4,
            "lat of {id}"
        );
        assert!(
            (domain::facts::lon_of(r.lon) - c.11).abs() < 2e-4,
            "lon of {id}"
        );
        assert_eq!(
            r.amount,
            domain::facts::amount_millions(c.12),
            "amount of {id}"
        );
    }

    // On the wire: the compression layer gzips the payload; state the sizes.
    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    let (_, _, raw) = get_facts(&app, Some(&cookie), None).await;
    let (status, headers, gz) = get_facts(&app, Some(&cookie), Some("gzip")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_ENCODING], "gzip");
    eprintln!(
        "facts of {count} cases: {} bytes ({:.2} a row), gzip {} bytes ({:.2} a row)",
        raw.len(),
        raw.len() as f64 / count as f64,
        gz.len(),
        gz.len() as f64 / count as f64
    );
}

#[tokio::test]
async fn a_province_gets_only_its_own_cases() {
    let app = TestApp::seeded().await;
    let facts = facts_of(&app, "hanoi", "hanoi-demo").await;
    let (count,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM cases WHERE path <@ (SELECT path FROM unit WHERE code = '01')",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(count > 0);
    assert_eq!(facts.len() as i64, count);
    assert_eq!(facts.provinces, vec!["01".to_string()]);
    assert!(facts.province.iter().all(|&p| p == 0));
    assert!(facts.communes.iter().all(|c| c.len() == 5));
    let (all,): (i64,) = sqlx::query_as("SELECT count(*) FROM cases")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(count < all);
}

#[tokio::test]
async fn facts_need_a_login() {
    let app = TestApp::seeded().await;
    let (status, _, _) = get_facts(&app, None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = get_facts(&app, Some("oversight_session=forged"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
