//! Property tests of the parsers through the real router, on the tiny demo data:
//! - any query string to any read route is answered, never 5xx; a 400 is our JSON error naming a
//!   parameter of the route, or one the query gave;
//! - any path segment where a route takes an id or a code is answered, never 5xx;
//! - any body to login and to the edit routes (reports, schedules, displays, procedures, alerts)
//!   is answered, never 5xx; a 400 names a field;
//! - a batch that cannot be read (cases, tasks, targets; JSON, NDJSON, CSV) is refused whole with
//!   a 4xx naming where, and nothing of it is kept (rows counted before and after);
//! - valid cases with any text, sent as JSON or CSV, read back equal through `GET /cases`.
//!
//! Each property runs [`CASES`] cases against one database (`PROPTEST_CASES` for more).

mod common;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use common::{TestApp, commune_of, hanoi_token, scalar};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, TestRunner, contextualize_config};
use serde_json::{Value, json};
use sqlx::PgPool;

/// Cases per property unless `PROPTEST_CASES` says otherwise: each is a request or two.
const CASES: u32 = 48;

fn runner() -> TestRunner {
    TestRunner::new(contextualize_config(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    }))
}

/// A runtime for the requests, and the app on its own seeded database.
fn app() -> (tokio::runtime::Runtime, TestApp) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let app = rt.block_on(TestApp::seeded());
    (rt, app)
}

/// Percent-encodes a query value or path segment.
fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The parameter names a query string holds, decoded.
fn names(q: &str) -> Vec<String> {
    form_urlencoded::parse(q.as_bytes())
        .map(|(k, _)| k.into_owned())
        .collect()
}

/// Whether an answer is ours: not a server error, and a 400 is JSON naming a field.
fn answered(status: StatusCode, body: &Value) -> Result<(), String> {
    if status.is_server_error() {
        return Err(format!("{status}: {body}"));
    }
    if status == StatusCode::BAD_REQUEST {
        let field = body["field"].as_str().unwrap_or_default();
        if field.is_empty() || body["error"].as_str().is_none_or(str::is_empty) {
            return Err(format!("400 without a field or a reason: {body}"));
        }
    }
    Ok(())
}

/// The read routes and their parameters.
const READS: [(&str, &[&str]); 11] = [
    (
        "/api/v1/cases",
        &[
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
        ],
    ),
    ("/api/v1/summary", &["from", "to", "unit", "kind", "sector"]),
    (
        "/api/v1/alerts",
        &["state", "severity", "kind", "unit", "limit", "offset"],
    ),
    ("/api/v1/units", &["level", "parent"]),
    ("/api/v1/boundaries", &["level", "lod", "within"]),
    ("/api/v1/directives", &["unit"]),
    ("/api/v1/overview", &["unit"]),
    ("/api/v1/sources", &["unit"]),
    ("/api/v1/quality", &["unit"]),
    ("/api/v1/reports", &["unit"]),
    // A valid period would make a whole report: only periods that are not.
    ("/api/v1/reports/preview", &["unit", "period"]),
];

/// A value a parameter may be given: right, nearly right, or anything.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        select(vec![
            "01",
            "79",
            "VN",
            "TW1",
            "00004",
            "99",
            "complaint,denunciation",
            "land",
            "concluded",
            "open",
            "critical",
            "province",
            "commune",
            "1",
            "0",
            "-1",
            "2025-01-01",
            "2025-02-30",
            "21.0,105.8,5",
            "21,105;21.1,105;21,105.1",
            "91,0,1",
            "HT-UBKT-01",
        ])
        .prop_map(str::to_string),
        "-?[0-9]{1,22}",
        "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}",
        "[0-9.,;\\- ]{0,30}",
        "[a-z_,]{0,20}",
        any::<String>(),
        Just("\0".to_string()),
        "[a-z]{0,3}\0[a-z]{0,3}",
        (100usize..3000).prop_map(|n| "x".repeat(n)),
    ]
}

fn read_query() -> impl Strategy<Value = (usize, String)> {
    (0..READS.len()).prop_flat_map(|r| {
        let param = prop_oneof![
            6 => select(READS[r].1).prop_map(str::to_string),
            1 => "[a-z_]{0,8}",
        ];
        (
            Just(r),
            proptest::collection::vec((param, value()), 0..5).prop_map(|pairs| {
                pairs
                    .into_iter()
                    .map(|(k, v)| format!("{}={}", encode(&k), encode(&v)))
                    .collect::<Vec<_>>()
                    .join("&")
            }),
        )
    })
}

#[test]
fn any_query_to_a_read_route_is_answered_naming_a_parameter() {
    let (rt, app) = app();
    let (admin, hanoi) = rt.block_on(async {
        (
            app.login("admin", "admin-demo").await,
            app.login("hanoi", "hanoi-demo").await,
        )
    });
    let result = runner().run(&(read_query(), any::<bool>()), |((r, q), as_admin)| {
        let (route, params) = READS[r];
        let cookie = if as_admin { &admin } else { &hanoi };
        let period_is_valid = form_urlencoded::parse(q.as_bytes())
            .any(|(k, v)| k == "period" && v.parse::<domain::report::ReportPeriod>().is_ok());
        if route.ends_with("preview") && period_is_valid {
            return Ok(());
        }
        let (status, body) = rt.block_on(app.get(&format!("{route}?{q}"), Some(cookie)));
        answered(status, &body).map_err(|e| TestCaseError::fail(format!("{route}?{q}: {e}")))?;
        if status == StatusCode::BAD_REQUEST {
            let field = body["field"].as_str().unwrap_or_default().to_string();
            let given = names(&q);
            prop_assert!(
                params.contains(&field.as_str())
                    || given.contains(&field)
                    || (field == "query" && given.iter().any(|n| n.is_empty() || n.contains('\0'))),
                "{route}?{q}: {body}"
            );
        }
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn any_id_or_code_in_a_path_is_answered() {
    let (rt, app) = app();
    let admin = rt.block_on(app.login("admin", "admin-demo"));
    let segment = prop_oneof![
        "-?[0-9]{1,22}",
        "[A-Za-z0-9_\\-]{1,12}",
        any::<String>().prop_filter("not empty", |s| !s.is_empty()),
        Just("\0".to_string()),
        Just("01".to_string()),
    ];
    let routes = select(vec![
        (Method::GET, "/api/v1/alerts/{}"),
        (Method::POST, "/api/v1/alerts/{}/ack"),
        (Method::GET, "/api/v1/cases/{}/history"),
        (Method::GET, "/api/v1/cases/{}/steps"),
        (Method::GET, "/api/v1/directives/{}"),
        (Method::GET, "/api/v1/units/{}/workload"),
        (Method::GET, "/api/v1/procedures/{}"),
        (Method::GET, "/api/v1/reports/{}/pdf"),
        (Method::GET, "/api/v1/reports/1/{}"),
        (Method::DELETE, "/api/v1/reports/schedules/{}"),
        (Method::POST, "/api/v1/displays/{}/revoke"),
    ]);
    let result = runner().run(&(routes, segment), |((method, route), s)| {
        let path = route.replace("{}", &encode(&s).replace('+', "%20"));
        let req = Request::builder()
            .method(method.clone())
            .uri(&path)
            .header(header::COOKIE, &admin)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::empty())
            .expect("a request");
        let (status, _, body) = rt.block_on(app.send(req));
        answered(status, &body).map_err(|e| TestCaseError::fail(format!("{method} {path}: {e}")))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// A JSON value of any shape, often of the wrong type for a field.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        Just(json!(u64::MAX)),
        any::<f64>().prop_map(|x| json!(x)),
        any::<String>().prop_map(Value::String),
        select(vec![
            "01", "VN", "2026-Q3", "2026-13", "vi", "xx", "month", "overview", "\0"
        ])
        .prop_map(|s| json!(s)),
        (100usize..5000).prop_map(|n| Value::String("đ".repeat(n))),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A body for an edit route: an object of its fields with values of any type, or any bytes.
fn edit_body(fields: &'static [&'static str]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::collection::vec((select(fields), any_json()), 0..5).prop_map(|fs| {
            Value::Object(fs.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
                .to_string()
                .into_bytes()
        }),
        1 => proptest::collection::vec(any::<u8>(), 0..64),
        1 => any::<String>().prop_map(String::into_bytes),
    ]
}

#[test]
fn any_body_to_login_and_the_edit_routes_is_answered() {
    let (rt, app) = app();
    let admin = rt.block_on(app.login("admin", "admin-demo"));
    let routes: Vec<(Method, &str, &[&str])> = vec![
        (
            Method::POST,
            "/api/v1/auth/login",
            &["username", "password", "totp"],
        ),
        (Method::POST, "/api/v1/reports", &["unit", "lang", "x"]),
        (
            Method::POST,
            "/api/v1/reports/schedules",
            &["unit", "cadence", "lang", "x"],
        ),
        (
            Method::POST,
            "/api/v1/displays",
            &["name", "unit", "scenes", "interval_seconds", "lang"],
        ),
        (
            Method::PUT,
            "/api/v1/procedures/complaint",
            &["name", "steps", "version"],
        ),
        (
            Method::POST,
            "/api/v1/alerts/1/actions",
            &["action", "comment", "owner"],
        ),
        (Method::POST, "/api/v1/alerts/1/ack", &["comment", "x"]),
    ];
    let strategy = (0..routes.len()).prop_flat_map(move |r| {
        let fields = match r {
            0 => &["username", "password", "totp"][..],
            1 => &["unit", "lang", "x"][..],
            2 => &["unit", "cadence", "lang", "x"][..],
            3 => &["name", "unit", "scenes", "interval_seconds", "lang"][..],
            4 => &["name", "steps", "version"][..],
            5 => &["action", "comment", "owner"][..],
            _ => &["comment", "x"][..],
        };
        (Just(r), edit_body(fields))
    });
    let result = runner().run(&strategy, |(r, body)| {
        let (method, route, _) = &routes[r];
        let req = Request::builder()
            .method(method.clone())
            .uri(*route)
            .header(header::COOKIE, &admin)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.clone()))
            .expect("a request");
        let (status, _, answer) = rt.block_on(app.send(req));
        answered(status, &answer).map_err(|e| {
            TestCaseError::fail(format!(
                "{method} {route} {}: {e}",
                String::from_utf8_lossy(&body)
            ))
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// What a batch may leave behind.
async fn footprint(pool: &PgPool) -> [i64; 6] {
    [
        scalar(pool, "SELECT count(*) FROM cases").await,
        scalar(pool, "SELECT count(*) FROM task").await,
        scalar(pool, "SELECT count(*) FROM task_report").await,
        scalar(pool, "SELECT count(*) FROM target").await,
        scalar(pool, "SELECT count(*) FROM ingest_batch").await,
        scalar(
            pool,
            "SELECT coalesce(sum(xmin::text::bigint), 0)::bigint FROM cases",
        )
        .await,
    ]
}

/// A good record of each kind for Hà Nội's source, by number.
fn good_record(kind: usize, n: u32, commune: &str) -> Value {
    match kind {
        0 => json!({
            "source": "HT-UBKT-01", "external_id": format!("P-{n}"), "kind": "complaint",
            "conducting_unit": "01", "subject": {"type": "member", "unit": commune},
            "sector": "land", "status": "planned", "opened_on": "2025-01-02"
        }),
        1 => json!({
            "source": "HT-UBKT-01", "external_id": format!("P-{n}"), "directive": "CT-05",
            "unit": "01", "title": "Việc", "assigned_on": "2025-01-02", "due_on": "2025-06-30",
            "progress": 10, "status": "in_progress"
        }),
        _ => json!({
            "source": "HT-UBKT-01", "unit": "01", "year": 2000 + n % 100,
            "measure": "inspections", "planned": n
        }),
    }
}

/// A whole-batch defect: what to do to a batch that is otherwise readable.
#[derive(Debug, Clone)]
enum Defect {
    /// The body cut at this fraction of its length (JSON arrays only: truncation anywhere).
    Truncated(u8),
    /// Bytes that are not UTF-8, in the middle of the `n`th record.
    NotUtf8(usize),
    /// A JSON syntax error in the `n`th record (JSON, NDJSON), or a row with a field too many
    /// (CSV).
    Broken(usize),
    /// An unknown column (CSV), or a body that is one object, not an array (JSON).
    WrongShape,
}

fn defect() -> impl Strategy<Value = Defect> {
    prop_oneof![
        (1u8..99).prop_map(Defect::Truncated),
        (0usize..8).prop_map(Defect::NotUtf8),
        (0usize..8).prop_map(Defect::Broken),
        Just(Defect::WrongShape),
    ]
}

/// Writes the records in `format` (0 JSON, 1 NDJSON, 2 CSV) with the defect; `None` when the
/// defect cannot apply.
fn bad_batch(records: &[Value], format: usize, defect: &Defect) -> Option<Vec<u8>> {
    let n = records.len();
    let csv = || {
        let mut keys: Vec<String> = Vec::new();
        for r in records {
            for (k, v) in r.as_object()? {
                match v.as_object() {
                    Some(inner) => keys.extend(inner.keys().map(|i| format!("{k}.{i}"))),
                    None => keys.push(k.clone()),
                }
            }
        }
        keys.sort();
        keys.dedup();
        let cell = |r: &Value, k: &str| -> String {
            let v = match k.split_once('.') {
                Some((o, i)) => &r[o][i],
                None => &r[k],
            };
            match v {
                Value::String(s) => s.clone(),
                Value::Null => String::new(),
                other => other.to_string(),
            }
        };
        let mut lines = vec![keys.join(",")];
        lines.extend(records.iter().map(|r| {
            keys.iter()
                .map(|k| cell(r, k))
                .collect::<Vec<_>>()
                .join(",")
        }));
        Some(lines)
    };
    let mut lines: Vec<String> = match format {
        0 => vec![serde_json::to_string(records).ok()?],
        1 => records.iter().map(Value::to_string).collect(),
        _ => csv()?,
    };
    let mut bytes;
    match (defect, format) {
        (Defect::Truncated(at), 0) => {
            bytes = lines.join("\n").into_bytes();
            bytes.truncate(bytes.len() * *at as usize / 100);
        }
        (Defect::Truncated(_), _) => return None,
        (Defect::NotUtf8(i), _) => {
            let line = if format == 0 {
                0
            } else {
                (i % n) + usize::from(format == 2)
            };
            let mut joined = Vec::new();
            for (j, l) in lines.iter().enumerate() {
                if j == line {
                    // Inside the record's first string.
                    let at = l.find('"').map_or(l.len() / 2, |q| q + 1);
                    joined.extend(&l.as_bytes()[..at]);
                    joined.extend(b"\xff\xfe");
                    joined.extend(&l.as_bytes()[at..]);
                } else {
                    joined.extend(l.as_bytes());
                }
                joined.push(b'\n');
            }
            bytes = joined;
        }
        (Defect::Broken(i), 0) => {
            let l = &lines[0];
            // An element's closing brace dropped.
            let cut = l.match_indices('}').nth(i % n)?.0;
            bytes = format!("{}{}", &l[..cut], &l[cut + 1..]).into_bytes();
        }
        (Defect::Broken(i), 1) => {
            lines[i % n].push_str(" x");
            bytes = lines.join("\n").into_bytes();
        }
        (Defect::Broken(i), _) => {
            lines[1 + i % n].push_str(",extra");
            bytes = lines.join("\r\n").into_bytes();
        }
        (Defect::WrongShape, 0) => {
            bytes = records.first()?.to_string().into_bytes();
        }
        (Defect::WrongShape, 1) => return None,
        (Defect::WrongShape, _) => {
            lines[0].push_str(",colour");
            for l in lines.iter_mut().skip(1) {
                l.push_str(",red");
            }
            bytes = lines.join("\n").into_bytes();
        }
    }
    Some(bytes)
}

#[test]
fn a_batch_that_cannot_be_read_is_refused_whole_and_nothing_is_kept() {
    let (rt, app) = app();
    let pool = &app.db.pool;
    let (token, commune) =
        rt.block_on(async { (hanoi_token(pool).await, commune_of(pool, "01").await) });
    let strategy = (0usize..3, 0usize..3, 1usize..6, defect(), any::<u32>());
    let result = runner().run(&strategy, |(kind, format, n, defect, seed)| {
        let records: Vec<Value> = (0..n as u32)
            .map(|i| good_record(kind, seed.wrapping_add(i) % 100_000, &commune))
            .collect();
        let Some(body) = bad_batch(&records, format, &defect) else {
            return Ok(());
        };
        let route = ["cases", "tasks", "targets"][kind];
        let content_type = ["application/json", "application/x-ndjson", "text/csv"][format];
        rt.block_on(async {
            let before = footprint(pool).await;
            let (status, answer) = app
                .with_token(
                    &token,
                    Request::post(format!("/api/v1/ingest/{route}"))
                        .header(header::CONTENT_TYPE, content_type),
                    Body::from(body.clone()),
                )
                .await;
            let after = footprint(pool).await;
            let shown = String::from_utf8_lossy(&body);
            prop_assert_eq!(
                status,
                StatusCode::BAD_REQUEST,
                "{} {}: {}",
                route,
                shown,
                answer
            );
            prop_assert!(
                answer["field"].as_str().is_some_and(|f| !f.is_empty()),
                "{} {}: {}",
                route,
                shown,
                answer
            );
            prop_assert_eq!(before, after, "{} {}: {}", route, shown, answer);
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn any_bytes_sent_as_a_batch_are_answered_and_a_refusal_keeps_nothing() {
    let (rt, app) = app();
    let pool = &app.db.pool;
    let token = rt.block_on(hanoi_token(pool));
    let body = prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..300),
        "[\\[\\]{}\",:0-9a-z_. \\r\\n]{0,200}".prop_map(String::into_bytes),
        "(source,unit,year,measure,planned\\r?\\n)?([A-Z0-9\\-]{0,10},[0-9]{0,2},20[0-9]{2},[a-z_]{0,12},[0-9]{0,4}\\r?\\n){0,4}"
            .prop_map(String::into_bytes),
    ];
    let strategy = (0usize..3, 0usize..4, body);
    let result = runner().run(&strategy, |(kind, format, body)| {
        let route = ["cases", "tasks", "targets"][kind];
        let content_type = [
            "application/json",
            "application/x-ndjson",
            "text/csv",
            "text/plain",
        ][format];
        rt.block_on(async {
            let before = footprint(pool).await;
            let (status, answer) = app
                .with_token(
                    &token,
                    Request::post(format!("/api/v1/ingest/{route}"))
                        .header(header::CONTENT_TYPE, content_type),
                    Body::from(body.clone()),
                )
                .await;
            let after = footprint(pool).await;
            let shown = String::from_utf8_lossy(&body);
            prop_assert!(
                answered(status, &answer).is_ok(),
                "{} {}: {} {}",
                route,
                shown,
                status,
                answer
            );
            if status.is_client_error() {
                prop_assert_eq!(before, after, "{} {}: {}", route, shown, answer);
                prop_assert!(
                    answer["field"].as_str().is_some_and(|f| !f.is_empty()),
                    "{}",
                    answer
                );
            } else {
                prop_assert_eq!(status, StatusCode::OK, "{}", answer);
                prop_assert_eq!(after[4], before[4] + 1, "one batch recorded: {}", answer);
            }
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Free text: plain, or with what COPY, CSV, JSON and URLs must escape (tabs, CR, LF,
/// backslashes, quotes, commas, `;`, `%`, `&`, `+`, a BOM), Vietnamese, anything but NUL.
fn free_text(min: usize, max: usize) -> BoxedStrategy<String> {
    let chars = prop_oneof![
        any::<char>().prop_filter("no NUL", |c| *c != '\0'),
        select(vec![
            '\t', '\r', '\n', '\\', '"', ',', ';', '%', '&', '+', '=', '#', '?', '\u{feff}', ' ',
            'đ', 'Ư', '.',
        ]),
    ];
    prop_oneof![
        proptest::string::string_regex(&format!("[A-Za-z0-9\\-]{{{min},{max}}}"))
            .expect("a pattern"),
        proptest::collection::vec(chars, min..=max).prop_map(|c| c.into_iter().collect()),
    ]
    .boxed()
}

#[test]
fn valid_cases_with_any_text_read_back_equal_through_the_api() {
    let (rt, app) = app();
    let pool = &app.db.pool;
    let (token, commune) =
        rt.block_on(async { (hanoi_token(pool).await, commune_of(pool, "01").await) });
    let case = (
        free_text(1, 40),
        proptest::option::of(free_text(1, 60)),
        proptest::option::of(free_text(1, 30)),
        select(domain::CaseKind::ALL),
        select(domain::Sector::ALL),
        (8.0f64..=24.0, 102.0f64..=118.0),
        proptest::option::of(0i64..=i64::MAX),
    );
    let strategy = (proptest::collection::vec(case, 1..4), any::<bool>());
    let serial = std::sync::atomic::AtomicU32::new(0);
    let result = runner().run(&strategy, |(cases, as_csv)| {
        let serial = serial.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let records: Vec<Value> = cases
            .iter()
            .enumerate()
            .map(|(i, (id, theme, sref, kind, sector, (lat, lon), amount))| {
                let mut subject = json!({"type": "member", "unit": commune});
                if let Some(r) = sref {
                    subject["ref"] = json!(r);
                }
                let mut v = json!({
                    "source": "HT-UBKT-01",
                    "external_id": format!("{serial}.{i}:{id}"),
                    "kind": kind.as_str(),
                    "conducting_unit": "01",
                    "subject": subject,
                    "sector": sector.as_str(),
                    "status": "in_progress",
                    "opened_on": "2025-03-01",
                    "location": {"lat": lat, "lon": lon},
                });
                if let Some(t) = theme {
                    v["theme"] = json!(t);
                }
                if let Some(a) = amount {
                    v["amount_vnd"] = json!(a);
                }
                v
            })
            .collect();
        let (content_type, body) = if as_csv {
            let columns = [
                "source",
                "external_id",
                "kind",
                "theme",
                "conducting_unit",
                "subject.type",
                "subject.unit",
                "subject.ref",
                "sector",
                "status",
                "opened_on",
                "amount_vnd",
                "location.lat",
                "location.lon",
            ];
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(columns).expect("in memory");
            for r in &records {
                w.write_record(columns.iter().map(|c| {
                    let v = match c.split_once('.') {
                        Some((o, k)) => &r[o][k],
                        None => &r[*c],
                    };
                    match v {
                        Value::String(s) => s.clone(),
                        Value::Null => String::new(),
                        other => other.to_string(),
                    }
                }))
                .expect("in memory");
            }
            ("text/csv", w.into_inner().unwrap_or_default())
        } else {
            (
                "application/json",
                serde_json::to_vec(&records).unwrap_or_default(),
            )
        };
        rt.block_on(async {
            let (status, report) = app
                .with_token(
                    &token,
                    Request::post("/api/v1/ingest/cases")
                        .header(header::CONTENT_TYPE, content_type),
                    Body::from(body),
                )
                .await;
            prop_assert_eq!(status, StatusCode::OK, "{}", report);
            prop_assert_eq!(&report["accepted"], &json!(records.len()), "{}", report);
            for r in &records {
                let id = r["external_id"].as_str().unwrap_or_default();
                let (status, page) = app
                    .get_as(
                        &token,
                        &format!("/api/v1/cases?source=HT-UBKT-01&external_id={}", encode(id)),
                    )
                    .await;
                prop_assert_eq!(status, StatusCode::OK, "{}", page);
                prop_assert_eq!(&page["total"], &json!(1), "{:?}: {}", id, page);
                let mut got = page["cases"][0].clone();
                if let Some(o) = got.as_object_mut() {
                    o.remove("id");
                }
                prop_assert_eq!(&got, r);
            }
            Ok(())
        })
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
