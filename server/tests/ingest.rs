//! `POST /api/v1/ingest/cases` on the tiny demo data: JSON, NDJSON and CSV land and read back equal
//! through `GET /cases`; re-sending updates; bad rows are named by row and field while good rows
//! land; batches that cannot be read, are cut off, too large or of an unknown type are refused
//! whole with nothing kept; writers stay within their scope and source; the parsers never panic.

mod common;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use bytes::Bytes;
use common::{TestApp, commune_of, errors_of, hanoi_token, scalar};
use futures::StreamExt;
use http_body_util::BodyExt;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};
use server::ingest::parse::{self, Format};
use server::ingest::{IngestLimits, record::Record, validate};
use sqlx::PgPool;
use std::ops::ControlFlow;
use tower::ServiceExt;

/// Who sends a request.
#[derive(Clone, Copy)]
enum Who<'a> {
    Token(&'a str),
    Cookie(&'a str),
    Nobody,
}

/// `POST /api/v1/ingest/cases`; the status and the JSON answer.
async fn post(
    router: &Router,
    who: Who<'_>,
    content_type: Option<&str>,
    body: impl Into<Body>,
) -> (StatusCode, Value) {
    let mut req = Request::post("/api/v1/ingest/cases");
    if let Some(t) = content_type {
        req = req.header(header::CONTENT_TYPE, t);
    }
    req = match who {
        Who::Token(t) => req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        // As our app's scripts send it: the session's anti-forgery token beside its cookie.
        Who::Cookie(c) => match c
            .split("; ")
            .find_map(|c| c.strip_prefix("oversight_csrf="))
        {
            Some(csrf) => req.header(header::COOKIE, c).header("x-csrf-token", csrf),
            None => req.header(header::COOKIE, c),
        },
        Who::Nobody => req,
    };
    send(router, req.body(body.into()).unwrap()).await
}

async fn send(router: &Router, mut req: Request<Body>) -> (StatusCode, Value) {
    // As our app's scripts send a change: the session's anti-forgery token beside its cookie.
    if !req.headers().contains_key("x-csrf-token")
        && let Some(csrf) = server::auth::cookie_of(req.headers(), "oversight_csrf")
    {
        req.headers_mut()
            .insert("x-csrf-token", csrf.parse().unwrap());
    }
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
    who: Who<'_>,
    content_type: &str,
    body: impl Into<Body>,
) -> Value {
    let (status, json) = post(router, who, Some(content_type), body).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    json
}

/// `GET /cases?source=..&external_id=..`: the one record, without its id.
async fn read_back(app: &TestApp, who: Who<'_>, source: &str, external_id: &str) -> Value {
    let mut req = Request::get(format!(
        "/api/v1/cases?source={source}&external_id={external_id}"
    ));
    req = match who {
        Who::Token(t) => req.header(header::AUTHORIZATION, format!("Bearer {t}")),
        Who::Cookie(c) => req.header(header::COOKIE, c),
        Who::Nobody => req,
    };
    let (status, page) = send(&app.router, req.body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1, "{source}/{external_id}: {page}");
    let mut record = page["cases"][0].clone();
    record.as_object_mut().unwrap().remove("id");
    record
}

async fn text(pool: &PgPool, sql: &str) -> String {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

/// Cases and batches in the database, to show that a refused batch left nothing.
async fn footprint(pool: &PgPool) -> (i64, i64) {
    (
        scalar(pool, "SELECT count(*) FROM cases").await,
        scalar(pool, "SELECT count(*) FROM ingest_batch").await,
    )
}

/// A full case of Hà Nội's system about a member of `commune`.
fn full_case(id: &str, commune: &str) -> Value {
    json!({
        "source": "HT-UBKT-01",
        "external_id": id,
        "kind": "supervision_thematic",
        "theme": "Quản lý đất đai, \"quy hoạch treo\"; tài chính",
        "conducting_unit": "01",
        "subject": {"type": "member", "unit": commune, "ref": "ĐV-0042"},
        "sector": "land",
        "status": "concluded",
        "opened_on": "2025-03-01",
        "due_on": "2025-06-30",
        "concluded_on": "2025-05-20",
        "violation": true,
        "violation_categories": ["land_management", "corruption"],
        "amount_vnd": 1_250_000_000i64,
        "discipline": {"form": "warning", "decided_on": "2025-05-28"},
        "location": {"lat": 21.0285, "lon": 105.8542}
    })
}

/// The fewest fields a case may have.
fn minimal_case(id: &str, commune: &str) -> Value {
    json!({
        "source": "HT-UBKT-01",
        "external_id": id,
        "kind": "complaint",
        "conducting_unit": commune,
        "subject": {"type": "organization", "unit": commune},
        "sector": "personnel",
        "status": "in_progress",
        "opened_on": "2025-07-15"
    })
}

/// The location the center gives a case without one: its subject unit's.
async fn unit_location(pool: &PgPool, code: &str) -> Value {
    let (lat, lon): (f64, f64) = sqlx::query_as("SELECT lat, lon FROM unit WHERE code = $1")
        .bind(code)
        .fetch_one(pool)
        .await
        .unwrap();
    json!({"lat": lat, "lon": lon})
}

#[tokio::test]
async fn a_json_array_lands_and_reads_back_equal_with_its_trail() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let before = footprint(pool).await;
    let accepted_before = scalar(
        pool,
        "SELECT rows_accepted FROM data_source WHERE code = 'HT-UBKT-01'",
    )
    .await;
    let full = full_case("T-JSON-1", &commune);
    let minimal = minimal_case("T-JSON-2", &commune);
    let body = json!([full, minimal]).to_string();

    let report = ingested(&app.router, Who::Token(&token), "application/json", body).await;
    assert_eq!(report["accepted"], 2, "{report}");
    assert_eq!(report["rejected"], 0);
    assert_eq!(report["errors"], json!([]));

    assert_eq!(
        read_back(&app, Who::Token(&token), "HT-UBKT-01", "T-JSON-1").await,
        full
    );
    let mut expected = minimal.clone();
    expected["location"] = unit_location(pool, &commune).await;
    assert_eq!(
        read_back(&app, Who::Token(&token), "HT-UBKT-01", "T-JSON-2").await,
        expected
    );

    assert_eq!(footprint(pool).await, (before.0 + 2, before.1 + 1));
    let batch = report["batch"].as_i64().unwrap();
    let (path, province, written_by, case_batch): (String, String, String, i64) = sqlx::query_as(
        "SELECT path::text, province, written_by, batch FROM cases WHERE external_id = 'T-JSON-1'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(path, format!("VN.01.{commune}"));
    assert_eq!(province, "01");
    assert_eq!(written_by, "ubkt-01");
    assert_eq!(case_batch, batch);
    assert_eq!(
        scalar(
            pool,
            "SELECT rows_accepted FROM data_source WHERE code = 'HT-UBKT-01'"
        )
        .await,
        accepted_before + 2
    );
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM data_source WHERE code = 'HT-UBKT-01' AND last_arrival > now() - interval '1 minute'"
        )
        .await,
        1
    );
    let (action, object, detail): (String, String, Value) =
        sqlx::query_as("SELECT action, object, detail FROM audit_log WHERE action LIKE 'ingest%' ORDER BY id DESC LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!(
        (action.as_str(), object.as_str()),
        ("ingest_cases", "HT-UBKT-01")
    );
    assert_eq!(detail["accepted"], 2);
    assert_eq!(detail["format"], "json");
    assert_eq!(detail["batch"], batch);
    assert_eq!(
        text(pool, "SELECT format || ' ' || accepted || ' ' || rejected FROM ingest_batch ORDER BY id DESC LIMIT 1").await,
        "json 2 0"
    );
}

#[tokio::test]
async fn ndjson_lands_line_by_line_and_reads_back_equal() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let before = footprint(pool).await;
    let a = full_case("T-ND-1", &commune);
    let b = minimal_case("T-ND-2", &commune);
    let body = format!("{a}\r\n\n{b}\n   \n");

    let report = ingested(
        &app.router,
        Who::Token(&token),
        "application/x-ndjson",
        body,
    )
    .await;
    assert_eq!(
        (report["accepted"].as_u64(), report["rejected"].as_u64()),
        (Some(2), Some(0)),
        "{report}"
    );
    assert_eq!(
        read_back(&app, Who::Token(&token), "HT-UBKT-01", "T-ND-1").await,
        a
    );
    assert_eq!(footprint(pool).await, (before.0 + 2, before.1 + 1));
}

#[tokio::test]
async fn csv_with_bom_vietnamese_text_and_quoted_commas_reads_back_equal() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let admin = app.login("admin", "admin-demo").await;
    let commune = commune_of(pool, "01").await;
    let before = footprint(pool).await;
    let csv = format!(
        "\u{feff}source,external_id,kind,theme,conducting_unit,subject.type,subject.unit,subject.ref,\
         sector,status,opened_on,due_on,concluded_on,violation,violation_categories,amount_vnd,\
         discipline.form,discipline.decided_on,location.lat,location.lon\r\n\
         HT-UBKT-01,T-CSV-1,supervision_thematic,\"Quản lý đất đai, \"\"quy hoạch treo\"\"; tài chính\",01,member,{commune},ĐV-0042,\
         land,concluded,2025-03-01,2025-06-30,2025-05-20,true,land_management;corruption,1250000000,\
         warning,2025-05-28,21.0285,105.8542\r\n\
         HT-UBKT-01,T-CSV-2,complaint,,{commune},organization,{commune},,personnel,in_progress,2025-07-15,,,,,,,,,\r\n"
    );

    let report = ingested(
        &app.router,
        Who::Cookie(&admin),
        "text/csv; charset=utf-8",
        csv,
    )
    .await;
    assert_eq!(
        (report["accepted"].as_u64(), report["rejected"].as_u64()),
        (Some(2), Some(0)),
        "{report}"
    );
    let mut full = full_case("T-CSV-1", &commune);
    assert_eq!(
        read_back(&app, Who::Cookie(&admin), "HT-UBKT-01", "T-CSV-1").await,
        full
    );
    let mut minimal = minimal_case("T-CSV-2", &commune);
    minimal["location"] = unit_location(pool, &commune).await;
    assert_eq!(
        read_back(&app, Who::Cookie(&admin), "HT-UBKT-01", "T-CSV-2").await,
        minimal
    );
    assert_eq!(footprint(pool).await, (before.0 + 2, before.1 + 1));
    assert_eq!(
        text(
            pool,
            "SELECT written_by FROM cases WHERE external_id = 'T-CSV-1'"
        )
        .await,
        "admin"
    );

    // The same record as NDJSON lands on the same row: one format's record is the other's.
    full["status"] = json!("in_progress");
    full.as_object_mut().unwrap().remove("concluded_on");
    ingested(
        &app.router,
        Who::Cookie(&admin),
        "application/x-ndjson",
        full.to_string(),
    )
    .await;
    assert_eq!(
        read_back(&app, Who::Cookie(&admin), "HT-UBKT-01", "T-CSV-1").await,
        full
    );
    assert_eq!(footprint(pool).await.0, before.0 + 2);
    // A session's batch of one source is recorded as that source's.
    assert_eq!(
        text(
            pool,
            "SELECT source FROM ingest_batch ORDER BY id DESC LIMIT 1"
        )
        .await,
        "HT-UBKT-01"
    );
}

#[tokio::test]
async fn re_sending_updates_and_never_duplicates() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let mut case = full_case("T-AGAIN", &commune);
    let body = json!([case]).to_string();
    ingested(
        &app.router,
        Who::Token(&token),
        "application/json",
        body.clone(),
    )
    .await;
    let id = scalar(pool, "SELECT id FROM cases WHERE external_id = 'T-AGAIN'").await;
    let count = footprint(pool).await.0;

    let again = ingested(&app.router, Who::Token(&token), "application/json", body).await;
    assert_eq!(again["accepted"], 1);
    case["status"] = json!("in_progress");
    case.as_object_mut().unwrap().remove("concluded_on");
    case["kind"] = json!("inspection_finance");
    let changed = ingested(
        &app.router,
        Who::Token(&token),
        "application/json",
        json!([case]).to_string(),
    )
    .await;
    assert_eq!(changed["accepted"], 1);

    assert_eq!(footprint(pool).await.0, count);
    assert_eq!(
        scalar(pool, "SELECT id FROM cases WHERE external_id = 'T-AGAIN'").await,
        id
    );
    assert_eq!(
        read_back(&app, Who::Token(&token), "HT-UBKT-01", "T-AGAIN").await,
        case
    );
    // A changed kind takes the procedure of its kind along.
    assert_eq!(
        text(
            pool,
            "SELECT c.procedure FROM cases c WHERE external_id = 'T-AGAIN'"
        )
        .await,
        text(
            pool,
            "SELECT code FROM procedure WHERE case_kind = 'inspection_finance'"
        )
        .await
    );
}

#[tokio::test]
async fn bad_rows_are_named_by_row_and_field_while_good_rows_land() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let before = footprint(pool).await;
    let good = |id: &str| minimal_case(id, &commune);
    let with = |mut v: Value, f: &dyn Fn(&mut Value)| {
        f(&mut v);
        v
    };
    let rows = vec![
        good("T-BAD-1"),
        with(good("T-BAD-2"), &|v| v["amount_vnd"] = json!("100")),
        with(good("T-BAD-3"), &|v| v["subject"]["unit"] = json!("99999")),
        with(full_case("T-BAD-4", &commune), &|v| {
            v["concluded_on"] = json!("2025-02-01")
        }),
        good("T-BAD-1"),
        with(good("T-BAD-6"), &|v| {
            v["status"] = json!("concluded");
            v["concluded_on"] = json!("2025-08-01");
            v["discipline"] = json!({"form": "expulsion", "decided_on": "2025-08-02"});
        }),
        good("T-BAD-7"),
        with(good("T-BAD-8"), &|v| v["colour"] = json!("đỏ")),
        with(good("T-BAD-9"), &|v| v["kind"] = json!(7)),
        with(good("T-BAD-10"), &|v| {
            v["location"] = json!({"lat": 30.0, "lon": 105.0})
        }),
        json!("not a case"),
    ];
    let report = ingested(
        &app.router,
        Who::Token(&token),
        "application/json",
        json!(rows).to_string(),
    )
    .await;

    assert_eq!(
        errors_of(&report),
        vec![
            (2, "amount_vnd".to_string()),
            (3, "subject.unit".into()),
            (4, "concluded_on".into()),
            (5, "external_id".into()),
            (6, "discipline.form".into()),
            (8, "colour".into()),
            (9, "kind".into()),
            (10, "location.lat".into()),
            (11, String::new()),
        ],
        "{report}"
    );
    assert_eq!(report["accepted"], 2);
    assert_eq!(report["rejected"], 9);
    let reason = |row: u64| {
        report["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["row"] == row)
            .unwrap()["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(reason(3), "no unit has the code '99999'");
    assert_eq!(reason(4), "2025-02-01 is before opened_on (2025-03-01)");
    assert!(reason(5).contains("repeats row 1"), "{}", reason(5));
    assert!(reason(6).contains("does not apply to a subject of type 'organization'"));
    assert_eq!(footprint(pool).await, (before.0 + 2, before.1 + 1));
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM cases WHERE external_id IN ('T-BAD-1', 'T-BAD-7')"
        )
        .await,
        2
    );
    let (accepted, rejected): (i64, i64) =
        sqlx::query_as("SELECT accepted, rejected FROM ingest_batch ORDER BY id DESC LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    assert_eq!((accepted, rejected), (2, 9));
}

#[tokio::test]
async fn batches_that_cannot_be_read_are_refused_whole_and_leave_nothing() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let good = minimal_case("T-WHOLE-1", &commune).to_string();
    let head =
        "source,external_id,kind,conducting_unit,subject.type,subject.unit,sector,status,opened_on";
    let before = footprint(pool).await;
    let audit_before = scalar(pool, "SELECT count(*) FROM audit_log").await;
    for (content_type, body, row, field) in [
        (
            "application/json",
            format!("[{good}, {good}, {{\"kind\": ]"),
            Some(3),
            "body",
        ),
        ("application/json", good.clone(), None, "body"),
        ("application/json", format!("[{good},"), Some(2), "body"),
        ("application/json", String::new(), None, "body"),
        (
            "application/x-ndjson",
            format!("{good}\n{{\"source\": \"HT-UBKT-01\", \"kind\""),
            Some(2),
            "body",
        ),
        (
            "text/csv",
            format!(
                "{head},colour\nHT-UBKT-01,T-WHOLE-2,complaint,01,member,01,land,planned,2025-01-01,red\n"
            ),
            None,
            "colour",
        ),
        (
            "text/csv",
            format!(
                "{head}\nHT-UBKT-01,T-WHOLE-3,complaint,01,member,01,land,planned,2025-01-01\nHT-UBKT-01,T-WHOLE-4\n"
            ),
            Some(2),
            "body",
        ),
        ("text/csv", "kind,status\n".to_string(), None, "source"),
    ] {
        let (status, json) = post(
            &app.router,
            Who::Token(&token),
            Some(content_type),
            body.clone(),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {json}");
        assert_eq!(json["row"].as_u64(), row, "{body}: {json}");
        assert_eq!(json["field"], field, "{body}: {json}");
        assert!(
            json["error"]
                .as_str()
                .unwrap()
                .contains("nothing of it was kept"),
            "{json}"
        );
    }
    // Bytes that are not UTF-8.
    let mut bytes = format!("[{good}, ").into_bytes();
    bytes.extend_from_slice(b"{\"theme\": \"\xff\xfe\"}]");
    let (status, json) = post(
        &app.router,
        Who::Token(&token),
        Some("application/json"),
        bytes,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["row"], 2, "{json}");
    assert!(json["error"].as_str().unwrap().contains("UTF-8"), "{json}");

    assert_eq!(footprint(pool).await, before);
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM cases WHERE external_id LIKE 'T-WHOLE-%'"
        )
        .await,
        0
    );
    // Each refusal is in the audit trail.
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM audit_log WHERE action = 'ingest_cases_refused'"
        )
        .await,
        9
    );
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM audit_log").await,
        audit_before + 9
    );
}

#[tokio::test]
async fn a_truncated_upload_is_refused_whole() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let before = footprint(pool).await;
    // Enough rows to fill a chunk and write it before the upload breaks off.
    let lines: String = (0..5_200)
        .map(|i| format!("{}\n", minimal_case(&format!("T-CUT-{i}"), &commune)))
        .collect();
    let pieces: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(Bytes::from(lines)),
        Err(std::io::Error::other("connection reset by peer")),
    ];
    let body = Body::from_stream(futures::stream::iter(pieces));
    let (status, json) = post(
        &app.router,
        Who::Token(&token),
        Some("application/x-ndjson"),
        body,
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    assert_eq!(json["field"], "body");
    assert!(
        json["error"].as_str().unwrap().contains("broke off"),
        "{json}"
    );
    assert_eq!(footprint(pool).await, before);
}

/// The handler dropped mid-batch (as when the server stops): the rows it wrote are not kept.
#[tokio::test]
async fn a_batch_cut_off_mid_way_leaves_nothing() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let before = footprint(pool).await;
    let lines: String = (0..5_200)
        .map(|i| format!("{}\n", minimal_case(&format!("T-STOP-{i}"), &commune)))
        .collect();
    // The first chunk arrives, then the body never ends.
    let body = futures::stream::iter([Ok::<_, std::io::Error>(Bytes::from(lines))])
        .chain(futures::stream::pending());
    let request = post(
        &app.router,
        Who::Token(&token),
        Some("application/x-ndjson"),
        Body::from_stream(body),
    );
    let cut = tokio::time::timeout(std::time::Duration::from_secs(3), request).await;
    assert!(
        cut.is_err(),
        "the request should still be waiting for its body"
    );
    assert_eq!(footprint(pool).await, before);
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM cases WHERE external_id LIKE 'T-STOP-%'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn an_unknown_content_type_is_415_naming_the_header() {
    let app = TestApp::seeded().await;
    let token = hanoi_token(&app.db.pool).await;
    for content_type in [
        Some("text/plain"),
        None,
        Some("text/csv; charset=windows-1258"),
        Some("application/xml"),
    ] {
        let (status, json) = post(&app.router, Who::Token(&token), content_type, "[]").await;
        assert_eq!(
            status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type:?}: {json}"
        );
        assert_eq!(json["field"], "Content-Type");
        assert!(
            json["error"]
                .as_str()
                .unwrap()
                .starts_with("Content-Type: "),
            "{json}"
        );
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_and_leaves_nothing() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let before = footprint(pool).await;
    let limited = app.router.clone().layer(axum::Extension(IngestLimits {
        max_bytes: 64 * 1024,
    }));
    let lines: Vec<String> = (0..400)
        .map(|i| format!("{}\n", minimal_case(&format!("T-BIG-{i}"), &commune)))
        .collect();
    let total: usize = lines.iter().map(String::len).sum();
    assert!(total > 64 * 1024);
    // Streamed without a length: counted as it arrives.
    let pieces: Vec<Result<Bytes, std::io::Error>> =
        lines.into_iter().map(|l| Ok(Bytes::from(l))).collect();
    let (status, json) = post(
        &limited,
        Who::Token(&token),
        Some("application/x-ndjson"),
        Body::from_stream(futures::stream::iter(pieces)),
    )
    .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{json}");
    assert_eq!(json["field"], "body");
    assert_eq!(
        json["error"],
        "the body is larger than the limit of 65536 bytes"
    );
    // Declared too large (default limit, 1 GiB): refused before reading.
    let req = Request::post("/api/v1/ingest/cases")
        .header(header::CONTENT_TYPE, "text/csv")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_LENGTH, (1u64 << 30) + 1)
        .body(Body::from("source\n"))
        .unwrap();
    let (status, json) = send(&app.router, req).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{json}");
    assert_eq!(footprint(pool).await, before);
    // Under the limit, the same route takes a batch.
    let small = minimal_case("T-BIG-OK", &commune).to_string();
    let (status, json) = post(
        &limited,
        Who::Token(&token),
        Some("application/x-ndjson"),
        small,
    )
    .await;
    assert_eq!(
        (status, json["accepted"].as_u64()),
        (StatusCode::OK, Some(1)),
        "{json}"
    );
}

#[tokio::test]
async fn writers_stay_within_their_scope_and_source() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let hanoi = commune_of(pool, "01").await;
    let saigon = commune_of(pool, "79").await;
    let before = footprint(pool).await;
    let good = minimal_case("T-SCOPE-1", &hanoi);
    let mut subject_out = minimal_case("T-SCOPE-2", &hanoi);
    subject_out["subject"]["unit"] = json!(saigon);
    let mut conductor_out = minimal_case("T-SCOPE-3", &hanoi);
    conductor_out["conducting_unit"] = json!("79");
    let mut other_source = minimal_case("T-SCOPE-4", &hanoi);
    other_source["source"] = json!("HT-UBKT-79");
    let body = json!([good, subject_out, conductor_out, other_source]).to_string();

    let report = ingested(
        &app.router,
        Who::Token(&token),
        "application/json",
        body.clone(),
    )
    .await;
    assert_eq!(
        errors_of(&report),
        vec![
            (2, "subject.unit".to_string()),
            (3, "conducting_unit".into()),
            (4, "source".into())
        ],
        "{report}"
    );
    assert_eq!(
        report["errors"][0]["reason"],
        format!("unit '{saigon}' is outside your scope (01)")
    );
    assert_eq!(
        report["errors"][2]["reason"],
        "this token writes as data source 'HT-UBKT-01' only, not 'HT-UBKT-79'"
    );
    assert_eq!(footprint(pool).await.0, before.0 + 1);

    // A data officer by session writes as the sources of their scope only.
    let officer = app.login("dulieu", "dulieu-demo").await;
    let mut mine = minimal_case("T-SCOPE-5", &hanoi);
    mine["source"] = json!("HT-UBKT-01");
    let mut theirs = minimal_case("T-SCOPE-6", &hanoi);
    theirs["source"] = json!("HT-UBKT-79");
    let report = ingested(
        &app.router,
        Who::Cookie(&officer),
        "application/json",
        json!([mine, theirs]).to_string(),
    )
    .await;
    assert_eq!(
        errors_of(&report),
        vec![(2, "source".to_string())],
        "{report}"
    );
    assert!(
        report["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("outside your scope")
    );

    // Only admins and data officers send data; nobody without logging in.
    let leader = app.login("hanoi", "hanoi-demo").await;
    let (status, json) = post(
        &app.router,
        Who::Cookie(&leader),
        Some("application/json"),
        body.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{json}");
    let (status, _) = post(&app.router, Who::Nobody, Some("application/json"), body).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(footprint(pool).await.0, before.0 + 2);
}

#[tokio::test]
async fn a_key_repeated_across_chunks_is_reported_and_errors_are_capped() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let commune = commune_of(pool, "01").await;
    let before = footprint(pool).await;
    // 5,003 rows: the last repeats the first, in another chunk of 5,000.
    let mut csv = String::from(
        "source,external_id,kind,conducting_unit,subject.type,subject.unit,sector,status,opened_on\n",
    );
    for i in 1..=5_003 {
        let id = if i == 5_003 { 1 } else { i };
        csv.push_str(&format!(
            "HT-UBKT-01,T-MANY-{id},complaint,{commune},member,{commune},land,planned,2025-01-01\n"
        ));
    }
    let report = ingested(&app.router, Who::Token(&token), "text/csv", csv).await;
    assert_eq!(
        errors_of(&report),
        vec![(5_003, "external_id".to_string())],
        "{report}"
    );
    assert_eq!(
        (report["accepted"].as_u64(), report["rejected"].as_u64()),
        (Some(5_002), Some(1))
    );
    assert_eq!(footprint(pool).await.0, before.0 + 5_002);

    // 1,100 bad rows: 1,000 errors listed, the rest counted.
    let lines: String = (0..1_100)
        .map(|i| {
            let mut c = minimal_case(&format!("T-CAP-{i}"), &commune);
            c["sector"] = json!("weather");
            format!("{c}\n")
        })
        .collect();
    let report = ingested(
        &app.router,
        Who::Token(&token),
        "application/x-ndjson",
        lines,
    )
    .await;
    assert_eq!(report["rejected"], 1_100);
    assert_eq!(report["errors"].as_array().unwrap().len(), 1_000);
    assert_eq!(report["errors_omitted"], 100);
    assert_eq!(report["errors"][999]["row"], 1_000);
}

#[tokio::test]
async fn a_dry_run_reports_every_row_and_keeps_nothing() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let admin = app.login("admin", "admin-demo").await;
    let commune = commune_of(pool, "01").await;
    let good = minimal_case("T-DRY-1", &commune);
    let mut bad = minimal_case("T-DRY-2", &commune);
    bad["sector"] = json!("farming");
    let body = format!("{good}\n{bad}\n{}\n", minimal_case("T-DRY-3", &commune));
    let before = footprint(pool).await;
    let audit = scalar(pool, "SELECT count(*) FROM audit_log").await;

    let dry = |q: &'static str| {
        Request::post(format!("/api/v1/ingest/cases{q}"))
            .header(header::CONTENT_TYPE, "application/x-ndjson")
            .header(header::COOKIE, admin.as_str())
    };
    let (status, report) = send(
        &app.router,
        dry("?dry_run=true").body(Body::from(body.clone())).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (
            report["accepted"].as_u64(),
            report["rejected"].as_u64(),
            report["dry_run"].as_bool()
        ),
        (Some(2), Some(1), Some(true))
    );
    assert_eq!(errors_of(&report), vec![(2, "sector".to_string())]);
    assert_eq!(
        footprint(pool).await,
        before,
        "a check keeps no case and no batch"
    );
    assert_eq!(scalar(pool, "SELECT count(*) FROM audit_log").await, audit);

    let (status, report) = send(
        &app.router,
        dry("?dry_run=maybe")
            .body(Body::from(body.clone()))
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(report["field"], "dry_run");

    // The real batch then lands what the check said it would.
    let (status, report) = send(&app.router, dry("").body(Body::from(body)).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["accepted"].as_u64(), report.get("dry_run")),
        (Some(2), None)
    );
    assert_eq!(footprint(pool).await, (before.0 + 2, before.1 + 1));
}

#[tokio::test]
async fn the_openapi_document_describes_the_route() {
    let app = TestApp::seeded().await;
    let (status, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let op = &doc["paths"]["/api/v1/ingest/cases"]["post"];
    assert!(op["requestBody"]["content"]["text/csv"].is_object(), "{op}");
    assert!(op["responses"]["413"].is_object());
    assert!(doc["components"]["schemas"]["IngestReport"].is_object());
}

/// Valid batches of each format, to mutate.
fn samples() -> Vec<(Format, Vec<u8>)> {
    let cases: Vec<Value> = (0..4)
        .map(|i| {
            let mut c = full_case(&format!("F-{i}"), "00004");
            if i % 2 == 1 {
                c["discipline"] = json!({"form": "dismissal", "decided_on": "2025-05-28"});
            }
            c
        })
        .collect();
    let ndjson: String = cases.iter().map(|c| format!("{c}\n")).collect();
    let csv = "\u{feff}source,external_id,kind,theme,conducting_unit,subject.type,subject.unit,\
               sector,status,opened_on,concluded_on,violation_categories,amount_vnd,discipline.form,\
               discipline.decided_on,location.lat,location.lon\r\n\
               S,1,complaint,\"Đất, \"\"treo\"\"\",01,member,00004,land,concluded,2025-01-02,2025-02-03,\
               corruption;other,12,warning,2025-02-04,21.5,105.5\r\n\
               S,2,denunciation,,01,organization,00004,health,planned,2025-01-02,,,,,,,\r\n";
    vec![
        (Format::Json, serde_json::to_vec(&cases).unwrap()),
        (Format::Ndjson, ndjson.into_bytes()),
        (Format::Csv, csv.as_bytes().to_vec()),
    ]
}

/// A random change of a few bytes: flips, insertions of syntax characters, cuts, repeats.
fn mutate(rng: &mut ChaCha8Rng, bytes: &mut Vec<u8>) {
    const SPICE: &[&[u8]] = &[
        b"\"",
        b",",
        b"\n",
        b"\r\n",
        b"{",
        b"}",
        b"[",
        b"]",
        b"\\",
        b";",
        b":",
        b"\xff",
        b"\xc3",
        b"\0",
        b"\xef\xbb\xbf",
        b"null",
        b"-1",
        b"1e999",
        b"\"\"",
        b"\\u0000",
        b"\\ud800",
        "đ".as_bytes(),
        b"9999-99-99",
        b"NaN",
    ];
    for _ in 0..rng.gen_range(1..=4) {
        let at = if bytes.is_empty() {
            0
        } else {
            rng.gen_range(0..bytes.len())
        };
        match rng.gen_range(0..5) {
            0 if !bytes.is_empty() => bytes[at] = rng.r#gen(),
            1 => {
                let s = SPICE[rng.gen_range(0..SPICE.len())];
                bytes.splice(at..at, s.iter().copied());
            }
            2 => {
                let end = (at + rng.gen_range(1..64)).min(bytes.len());
                bytes.drain(at..end);
            }
            3 => bytes.truncate(at),
            _ => {
                let end = (at + rng.gen_range(1..200)).min(bytes.len());
                let piece = bytes[at..end].to_vec();
                bytes.splice(at..at, piece);
            }
        }
    }
}

/// Reads and checks a batch the way the server does; a panic fails the test.
/// Reads a batch as tasks and as targets too, checking every record it yields.
fn read_as_tasks_and_targets(format: Format, bytes: &[u8]) {
    let _ = parse::read_as(&server::ingest::record::TASK, format, bytes, |_, record| {
        if let Err(errors) = server::ingest::tasks::task(&record) {
            assert!(!errors.is_empty());
        }
        ControlFlow::Continue(())
    });
    let _ = parse::read_as(
        &server::ingest::record::TARGET,
        format,
        bytes,
        |_, record| {
            if let Err(errors) = server::ingest::targets::target(&record) {
                assert!(!errors.is_empty());
            }
            ControlFlow::Continue(())
        },
    );
}

fn read_all(format: Format, bytes: &[u8]) -> Result<(u64, u64), parse::Unreadable> {
    let (mut valid, mut invalid) = (0, 0);
    parse::read(format, bytes, |_, record: Record| {
        validate::source_of(&record);
        match validate::case(&record) {
            Ok(_) => valid += 1,
            Err(errors) => {
                assert!(!errors.is_empty());
                invalid += 1;
            }
        }
        ControlFlow::Continue(())
    })?;
    Ok((valid, invalid))
}

#[test]
fn the_parsers_never_panic_on_random_bytes_or_mutated_batches() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let samples = samples();
    for (format, bytes) in &samples {
        assert_eq!(
            read_all(*format, bytes).unwrap(),
            (if *format == Format::Csv { 2 } else { 4 }, 0),
            "{format:?}"
        );
    }
    for i in 0..20_000 {
        let (format, mut bytes) = if i % 10 == 0 {
            let format = [Format::Json, Format::Ndjson, Format::Csv][rng.gen_range(0..3)];
            let len = rng.gen_range(0..512);
            (format, (0..len).map(|_| rng.r#gen::<u8>()).collect())
        } else {
            let (format, bytes) = &samples[rng.gen_range(0..samples.len())];
            (*format, bytes.clone())
        };
        mutate(&mut rng, &mut bytes);
        let _ = read_all(format, &bytes);
        read_as_tasks_and_targets(format, &bytes);
    }
}

#[tokio::test]
async fn mutated_batches_over_http_are_answered_and_never_half_written() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let admin = app.login("admin", "admin-demo").await;
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let samples = samples();
    for i in 0..60 {
        let (format, bytes) = &samples[i % samples.len()];
        let mut bytes = String::from_utf8_lossy(bytes)
            .replace("\"S\"", "\"HT-UBKT-01\"")
            .replace("S,", "HT-UBKT-01,")
            .replace("F-", &format!("F{i}-"))
            .into_bytes();
        mutate(&mut rng, &mut bytes);
        let content_type = match format {
            Format::Json => "application/json",
            Format::Ndjson => "application/x-ndjson",
            Format::Csv => "text/csv",
        };
        let before = footprint(pool).await;
        let (status, json) =
            post(&app.router, Who::Cookie(&admin), Some(content_type), bytes).await;
        let after = footprint(pool).await;
        match status {
            StatusCode::OK => {
                let accepted = json["accepted"].as_i64().unwrap();
                assert!(after.0 - before.0 <= accepted, "{json}");
                assert_eq!(after.1, before.1 + 1);
            }
            StatusCode::BAD_REQUEST => assert_eq!(after, before, "{json}"),
            other => panic!("{other}: {json}"),
        }
    }
}

/// Rows a second through the whole route (read, check, upsert, commit) for NDJSON and CSV, new
/// rows then the same rows again (updates), printed. A measurement, not a check: run it with
/// `cargo test --release -p server --test ingest -- --ignored --nocapture throughput`.
#[tokio::test]
#[ignore = "a measurement"]
async fn throughput() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let token = hanoi_token(pool).await;
    let communes: Vec<String> = sqlx::query_scalar(
        "SELECT code FROM unit WHERE parent = '01' AND level = 'commune' ORDER BY code",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let n = 100_000;
    let case = |i: usize, tag: &str| {
        let mut c = full_case(&format!("T-{tag}-{i}"), &communes[i % communes.len()]);
        c["conducting_unit"] = json!("01");
        c
    };
    let ndjson: String = (0..n).map(|i| format!("{}\n", case(i, "ND"))).collect();
    let mut csv = String::from(
        "source,external_id,kind,theme,conducting_unit,subject.type,subject.unit,subject.ref,\
         sector,status,opened_on,due_on,concluded_on,violation,violation_categories,amount_vnd,\
         discipline.form,discipline.decided_on,location.lat,location.lon\n",
    );
    for i in 0..n {
        csv.push_str(&format!(
            "HT-UBKT-01,T-CSV-{i},supervision_thematic,\"Quản lý đất đai, quy hoạch\",01,member,{},ĐV-{i},\
             land,concluded,2025-03-01,2025-06-30,2025-05-20,true,land_management;corruption,1250000000,\
             warning,2025-05-28,21.0285,105.8542\n",
            communes[i % communes.len()]
        ));
    }
    for (name, content_type, body) in [
        ("ndjson", "application/x-ndjson", ndjson),
        ("csv", "text/csv", csv),
    ] {
        // Reading and checking alone, without the database.
        let format = if name == "csv" {
            Format::Csv
        } else {
            Format::Ndjson
        };
        let started = std::time::Instant::now();
        assert_eq!(read_all(format, body.as_bytes()).unwrap(), (n as u64, 0));
        println!(
            "{name:6} read and check only: {:.0} rows/s",
            n as f64 / started.elapsed().as_secs_f64()
        );
        for pass in ["insert", "update"] {
            let started = std::time::Instant::now();
            let report =
                ingested(&app.router, Who::Token(&token), content_type, body.clone()).await;
            let secs = started.elapsed().as_secs_f64();
            assert_eq!(report["accepted"], n, "{report}");
            println!(
                "{name:6} {pass}: {n} rows, {:.1} MB in {secs:.2} s = {:.0} rows/s",
                body.len() as f64 / 1e6,
                n as f64 / secs
            );
        }
    }
}
