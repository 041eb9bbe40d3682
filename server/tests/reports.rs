//! Reports (`/api/v1/reports…`): a province's quarter whose figures equal SQL over its cases and
//! `GET /summary`; the XLSX, the CSV and the PDF hold the same figures; scope, roles, bad input;
//! a schedule keeps exactly one report of a closed period however often its job runs.

mod common;

use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use calamine::Reader;
use common::{TestApp, scalar};
use domain::format::{self, Lang};
use domain::report::{Cadence, Report, ReportPeriod};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

/// The quarter that closed last (so the test holds on any day it runs).
fn quarter() -> ReportPeriod {
    ReportPeriod::last_closed(Cadence::Quarter, chrono::Local::now().date_naive())
}

/// A request with a cookie or a bearer token; the status, the headers and the raw body.
async fn raw(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: &str,
    body: &str,
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::builder().method(method).uri(path);
    req = if let Some(token) = auth.strip_prefix("Bearer ") {
        req.header(header::AUTHORIZATION, format!("Bearer {token}"))
    } else {
        // Our app's scripts send the anti-forgery cookie's value back in a header.
        match server::auth::cookie_of(
            &[(header::COOKIE, auth.parse().unwrap())]
                .into_iter()
                .collect(),
            "oversight_csrf",
        ) {
            Some(csrf) => req
                .header(header::COOKIE, auth)
                .header("x-csrf-token", csrf),
            None => req.header(header::COOKIE, auth),
        }
    };
    if !body.is_empty() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    (status, headers, bytes)
}

async fn json(
    app: &TestApp,
    method: &str,
    path: &str,
    auth: &str,
    body: &str,
) -> (StatusCode, Value) {
    let (s, _, b) = raw(app, method, path, auth, body).await;
    (s, serde_json::from_slice(&b).unwrap_or(Value::Null))
}

async fn preview(app: &TestApp, auth: &str, unit: &str, period: ReportPeriod) -> Report {
    let (s, _, b) = raw(
        app,
        "GET",
        &format!("/api/v1/reports/preview?unit={unit}&period={period}"),
        auth,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{}", String::from_utf8_lossy(&b));
    serde_json::from_slice(&b).unwrap()
}

/// A count over the cases of `unit`'s subtree with `condition` on the days `from..=to`.
async fn count(
    app: &TestApp,
    unit: &str,
    condition: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> i64 {
    let sql = format!(
        "SELECT count(*) FROM cases WHERE path <@ (SELECT path FROM unit WHERE code = '{unit}')
           AND {}",
        condition
            .replace("$from", &format!("'{from}'"))
            .replace("$to", &format!("'{to}'"))
    );
    scalar(&app.db.pool, &sql).await
}

/// A case about `unit` of `kind` and `subject` ("organization" or "member"), opened `opened` days
/// into the quarter, due `due` days in, concluded `concluded` days in (with a violation and its
/// money if `violation`), disciplined (a warning) `discipline` days in.
#[allow(clippy::too_many_arguments)]
async fn case_in_quarter(
    app: &TestApp,
    id: &str,
    unit: &str,
    kind: &str,
    subject: &str,
    (opened, due, concluded): (i64, i64, Option<i64>),
    violation: bool,
    discipline: Option<i64>,
) {
    let first = quarter().first_day();
    let day = |n: i64| first + chrono::Days::new(n as u64);
    sqlx::query(
        "INSERT INTO cases (source, external_id, kind, conducting_unit, subject_type, subject_unit,
             path, province, sector, status, opened_on, due_on, concluded_on, violation, amount_vnd,
             discipline_form, discipline_decided_on, lat, lon, written_by)
         SELECT 'HT-UBKT-01', $1, $3, '01', $4, code, path, province, 'land',
                CASE WHEN $7::date IS NULL THEN 'in_progress' ELSE 'concluded' END,
                $5, $6, $7, $8, CASE WHEN $8 THEN 5000000 END,
                CASE WHEN $9::date IS NULL THEN NULL ELSE 'warning' END, $9,
                21.0, 105.8, 'test'
         FROM unit WHERE code = $2",
    )
    .bind(id)
    .bind(unit)
    .bind(kind)
    .bind(subject)
    .bind(day(opened))
    .bind(day(due))
    .bind(concluded.map(day))
    .bind(violation)
    .bind(discipline.map(day))
    .execute(&app.db.pool)
    .await
    .unwrap();
}

#[tokio::test]
async fn hand_made_cases_move_each_headline_figure_by_what_they_are() {
    let app = TestApp::seeded().await;
    let leader = app.login("hanoi", "hanoi-demo").await;
    let q = quarter();
    let before = preview(&app, &leader, "01", q).await.headline;
    let commune = common::commune_of(&app.db.pool, "01").await;
    // Concluded on its due day (on time), a violation, a member disciplined.
    case_in_quarter(
        &app,
        "rp-a",
        &commune,
        "inspection_finance",
        "member",
        (1, 20, Some(20)),
        true,
        Some(25),
    )
    .await;
    // Concluded after its due day (late), no violation, an organization disciplined.
    case_in_quarter(
        &app,
        "rp-b",
        &commune,
        "supervision_regular",
        "organization",
        (2, 5, Some(10)),
        false,
        Some(30),
    )
    .await;
    // Another member disciplined (members and organizations must not be confused).
    case_in_quarter(
        &app,
        "rp-d",
        &commune,
        "denunciation",
        "member",
        (4, 30, Some(31)),
        true,
        Some(35),
    )
    .await;
    // Opened, still in progress.
    case_in_quarter(
        &app,
        "rp-c",
        &commune,
        "complaint",
        "member",
        (3, 40, None),
        false,
        None,
    )
    .await;
    let r = preview(&app, &leader, "01", q).await;
    let after = r.headline;
    let moved: Vec<(domain::report::Word, i64)> = after
        .rows()
        .iter()
        .zip(before.rows())
        .map(|((w, a), (_, b))| (*w, a.current - b.current))
        .collect();
    use domain::report::Word;
    assert_eq!(
        moved,
        vec![
            (Word::Cases, 4),
            (Word::Inspections, 1),
            (Word::Supervisions, 1),
            (Word::Settlements, 2),
            (Word::Concluded, 3),
            (Word::Violations, 2),
            (Word::SettledOnTime, 1),
            (Word::Disciplines, 3),
            (Word::DisciplinesOrganizations, 1),
            (Word::DisciplinesMembers, 2),
            (Word::AmountVnd, 10_000_000),
        ]
    );
    // Last year's figures did not move.
    assert_eq!(after.cases.previous, before.cases.previous);
    // The commune's row, the first month and the kinds carry them too.
    let row = r.by_child.iter().find(|c| c.code == commune).unwrap();
    assert!(row.cases.current >= 4 && row.inspections >= 1 && row.disciplines >= 3);
    let finance = r
        .by_kind
        .iter()
        .find(|k| k.kind == domain::CaseKind::InspectionFinance)
        .unwrap();
    assert!(finance.opened.current >= 1);
}

#[tokio::test]
async fn a_province_s_quarter_equals_sql_over_its_cases_and_the_summary() {
    let app = TestApp::seeded().await;
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let q = quarter();
    let r = preview(&app, &leader, "01", q).await;
    assert_eq!(r.unit, "01");
    assert_eq!((r.from, r.to), (q.first_day(), q.last_day()));
    let (from, to) = (q.first_day(), q.last_day());
    let (pfrom, pto) = (r.previous_from, r.previous_to);
    assert_eq!(pfrom, q.a_year_before().first_day());

    let opened = "opened_on BETWEEN $from AND $to";
    let insp = "opened_on BETWEEN $from AND $to AND kind IN ('inspection_violation_signs','inspection_duty','inspection_finance')";
    let sup = "opened_on BETWEEN $from AND $to AND kind IN ('supervision_regular','supervision_thematic')";
    let viol = "concluded_on BETWEEN $from AND $to AND status = 'concluded' AND violation";
    let on_time =
        "concluded_on BETWEEN $from AND $to AND status = 'concluded' AND concluded_on <= due_on";
    let disc_org = "discipline_decided_on BETWEEN $from AND $to AND subject_type = 'organization'";
    let disc_mem = "discipline_decided_on BETWEEN $from AND $to AND subject_type = 'member'";
    let h = &r.headline;
    for (what, cond, got) in [
        ("cases", opened, h.cases),
        ("inspections", insp, h.inspections),
        ("supervisions", sup, h.supervisions),
        ("violations", viol, h.violations),
        ("settled on time", on_time, h.settled_on_time),
        (
            "disciplines of organizations",
            disc_org,
            h.disciplines_organizations,
        ),
        ("disciplines of members", disc_mem, h.disciplines_members),
    ] {
        assert_eq!(
            got.current,
            count(&app, "01", cond, from, to).await,
            "{what}"
        );
        assert_eq!(
            got.previous,
            count(&app, "01", cond, pfrom, pto).await,
            "{what} last year"
        );
    }
    assert!(
        h.cases.current > 0,
        "the seeded province has cases in the quarter"
    );
    assert_eq!(
        h.disciplines.current,
        h.disciplines_organizations.current + h.disciplines_members.current
    );

    // The same figures as the overview's summary for the same days.
    let (s, summary) = json(
        &app,
        "GET",
        &format!("/api/v1/summary?unit=01&from={from}&to={to}"),
        &leader,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    for (k, got) in [
        ("cases", h.cases),
        ("inspections", h.inspections),
        ("supervisions", h.supervisions),
        ("settlements", h.settlements),
        ("concluded", h.concluded),
        ("violations", h.violations),
        ("disciplines", h.disciplines),
        ("amount_vnd", h.amount_vnd),
    ] {
        assert_eq!(
            summary["current"][k].as_i64(),
            Some(got.current),
            "summary {k}"
        );
        assert_eq!(
            summary["previous"][k].as_i64(),
            Some(got.previous),
            "summary {k} last year"
        );
    }

    // The breakdowns add up to the headline.
    let months: i64 = r.by_month.iter().map(|m| m.opened).sum();
    assert_eq!(r.by_month.len(), 3);
    assert_eq!(months, h.cases.current);
    assert_eq!(
        r.by_month.iter().map(|m| m.opened_last_year).sum::<i64>(),
        h.cases.previous
    );
    assert_eq!(
        r.by_kind.iter().map(|k| k.opened.current).sum::<i64>(),
        h.cases.current
    );
    assert_eq!(
        r.by_sector.iter().map(|k| k.opened.current).sum::<i64>(),
        h.cases.current
    );
    let communes = scalar(
        &app.db.pool,
        "SELECT count(*) FROM unit WHERE parent = '01'",
    )
    .await;
    assert_eq!(r.by_child.len() as i64, communes);
    let own = count(
        &app,
        "01",
        &format!("{opened} AND subject_unit = '01'"),
        from,
        to,
    )
    .await;
    assert_eq!(
        r.by_child.iter().map(|c| c.cases.current).sum::<i64>() + own,
        h.cases.current
    );
    // Directives count the province's subtree's tasks.
    let tasks = scalar(
        &app.db.pool,
        &format!(
            "SELECT count(*) FROM task WHERE path <@ 'VN.01' AND assigned_on <= '{}'",
            r.as_of
        ),
    )
    .await;
    assert_eq!(
        r.directives
            .iter()
            .map(|d| d.tasks.assigned as i64)
            .sum::<i64>(),
        tasks
    );
    assert!(
        !r.targets.is_empty(),
        "the province's targets and forecasts"
    );
}

#[tokio::test]
async fn the_xlsx_csv_and_pdf_hold_the_report_s_figures() {
    let app = TestApp::seeded().await;
    let leader = app.login("hanoi", "hanoi-demo").await;
    let q = quarter();
    let r = preview(&app, &leader, "01", q).await;

    // XLSX: a summary sheet, then a sheet per table; counts are numbers.
    let (s, headers, xlsx) = raw(
        &app,
        "GET",
        &format!("/api/v1/reports/file?unit=01&period={q}&format=xlsx"),
        &leader,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&xlsx[..2], b"PK");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION].to_str().unwrap(),
        format!("attachment; filename=\"bao-cao-01-{q}.xlsx\"")
    );
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names[0], "Tổng hợp");
    assert_eq!(names.len(), 9, "{names:?}");
    let sheet = book.worksheet_range("Tổng hợp").unwrap();
    let cell = |row: u32, col: u32| sheet.get_value((row, col)).cloned();
    assert_eq!(cell(0, 0), Some(calamine::Data::String("Chỉ tiêu".into())));
    let row_of = |label: &str| {
        (0..sheet.height() as u32)
            .find(|&i| cell(i, 0) == Some(calamine::Data::String(label.into())))
            .unwrap_or_else(|| panic!("no row {label}"))
    };
    let i = row_of("Cuộc kiểm tra");
    assert_eq!(
        cell(i, 1),
        Some(calamine::Data::Float(r.headline.inspections.current as f64))
    );
    assert_eq!(
        cell(i, 2),
        Some(calamine::Data::Float(
            r.headline.inspections.previous as f64
        ))
    );
    let i = row_of("Kỷ luật đảng viên");
    assert_eq!(
        cell(i, 1),
        Some(calamine::Data::Float(
            r.headline.disciplines_members.current as f64
        ))
    );
    let months = book.worksheet_range("Theo tháng").unwrap();
    let opened: f64 = (1..months.height() as u32)
        .filter_map(|i| match months.get_value((i, 1)) {
            Some(calamine::Data::Float(f)) => Some(*f),
            _ => None,
        })
        .sum();
    assert_eq!(opened, r.headline.cases.current as f64);

    // CSV: UTF-8 with a BOM, every table, counts as plain digits.
    let (s, headers, csv) = raw(
        &app,
        "GET",
        &format!("/api/v1/reports/file?unit=01&period={q}&format=csv"),
        &leader,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(&csv[..3], b"\xEF\xBB\xBF");
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    // A field with a comma is quoted.
    assert!(text.starts_with("\"Báo cáo công tác kiểm tra, giám sát và thi hành kỷ luật\"\r\n"));
    assert!(
        text.contains("\r\n\r\nSố liệu chính\r\nChỉ tiêu,Kỳ này,Cùng kỳ năm trước,Thay đổi\r\n")
    );
    let line = format!(
        "\r\nCuộc kiểm tra,{},{},",
        r.headline.inspections.current, r.headline.inspections.previous
    );
    assert!(text.contains(&line), "{line} in {text}");
    assert!(text.contains("\r\n\r\nTheo lĩnh vực\r\n"));

    // PDF: A4 pages, the figures and the Vietnamese text in it, page numbers.
    let (s, headers, pdf) = raw(
        &app,
        "GET",
        &format!("/api/v1/reports/file?unit=01&period={q}&format=pdf"),
        &leader,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION].to_str().unwrap(),
        format!("attachment; filename=\"bao-cao-01-{q}.pdf\"")
    );
    assert_eq!(&pdf[..5], b"%PDF-");
    let doc = lopdf::Document::load_mem(&pdf).unwrap();
    let pages = doc.get_pages().len();
    assert!(pages >= 2, "{pages} pages");
    if let Ok(out) = std::env::var("OVERSIGHT_REPORT_PDF_OUT") {
        std::fs::write(out, &pdf).unwrap();
    }
    let text = pdf_text(&pdf);
    for needle in [
        "ỦY BAN KIỂM TRA".to_string(),
        "Báo cáo công tác kiểm tra, giám sát và thi hành kỷ luật".to_string(),
        "Thành phố Hà Nội (01)".to_string(),
        q.label(Lang::Vi),
        q.dates_label(),
        "Kỷ luật đảng viên".to_string(),
        "Giải quyết đúng hạn".to_string(),
        format!("Trang 1/{pages}"),
        format!("Trang {pages}/{pages}"),
        format!(
            "Cuộc kiểm tra {} {}",
            format::integer(r.headline.inspections.current, Lang::Vi),
            format::integer(r.headline.inspections.previous, Lang::Vi)
        ),
    ] {
        assert!(text.contains(&needle), "the PDF says {needle:?}");
    }
}

/// The PDF's text, through poppler's `pdftotext` (xtask installs poppler-utils), with runs of
/// spaces made one.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("oversight-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils; `cargo xtask test` installs it)");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every report route, with a unit or a kept report of `unit` and a schedule `schedule`.
fn routes(unit: &str, kept: i64, schedule: i64) -> Vec<(&'static str, String, String)> {
    let q = quarter();
    vec![
        (
            "GET",
            format!("/api/v1/reports/preview?unit={unit}&period={q}"),
            String::new(),
        ),
        (
            "GET",
            format!("/api/v1/reports/file?unit={unit}&period={q}&format=pdf"),
            String::new(),
        ),
        (
            "GET",
            format!("/api/v1/reports/file?unit={unit}&period={q}&format=xlsx"),
            String::new(),
        ),
        (
            "POST",
            "/api/v1/reports".into(),
            format!(r#"{{"unit":"{unit}","period":"{q}"}}"#),
        ),
        ("GET", format!("/api/v1/reports?unit={unit}"), String::new()),
        ("GET", format!("/api/v1/reports/{kept}/pdf"), String::new()),
        ("GET", format!("/api/v1/reports/{kept}/csv"), String::new()),
        (
            "POST",
            "/api/v1/reports/schedules".into(),
            format!(r#"{{"unit":"{unit}","cadence":"month"}}"#),
        ),
        (
            "DELETE",
            format!("/api/v1/reports/schedules/{schedule}"),
            String::new(),
        ),
    ]
}

/// Keeps a report and adds a schedule for Hà Nội as its leader; their ids.
async fn hanoi_kept_and_scheduled(app: &TestApp) -> (i64, i64) {
    let hanoi = app.login("hanoi", "hanoi-demo").await;
    let (s, kept) = json(
        app,
        "POST",
        "/api/v1/reports",
        &hanoi,
        &format!(r#"{{"unit":"01","period":"{}"}}"#, quarter()),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{kept}");
    assert_eq!(kept["unit"], "01");
    assert!(kept["pdf_bytes"].as_i64().unwrap() > 10_000);
    let (s, sch) = json(
        app,
        "POST",
        "/api/v1/reports/schedules",
        &hanoi,
        r#"{"unit":"01","cadence":"quarter"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{sch}");
    (kept["id"].as_i64().unwrap(), sch["id"].as_i64().unwrap())
}

#[tokio::test]
async fn another_province_gets_403_on_its_units_and_404_on_its_kept_reports() {
    let app = TestApp::seeded().await;
    let (kept, schedule) = hanoi_kept_and_scheduled(&app).await;
    let hcm_leader =
        server::auth::token::create(&app.db.pool, "hcm-leader", domain::Role::Leader, "79", None)
            .await
            .unwrap();
    let auth = format!("Bearer {hcm_leader}");
    let expect = [403, 403, 403, 403, 403, 404, 404, 403, 404];
    for ((method, path, body), want) in routes("01", kept, schedule).into_iter().zip(expect) {
        let (s, _, b) = raw(&app, method, &path, &auth, &body).await;
        assert_eq!(
            s.as_u16(),
            want,
            "{method} {path}: {}",
            String::from_utf8_lossy(&b)
        );
        assert!(
            !String::from_utf8_lossy(&b).contains("Hà Nội"),
            "{method} {path} reveals Hà Nội"
        );
    }
    // Its own lists hold nothing of Hà Nội.
    let (s, list) = json(&app, "GET", "/api/v1/reports", &auth, "").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list, serde_json::json!([]));
    let (_, schedules) = json(&app, "GET", "/api/v1/reports/schedules", &auth, "").await;
    assert_eq!(schedules, serde_json::json!([]));
    // Hà Nội's are still there for Hà Nội and for the centre.
    let centre = app.login("lanhdao", "lanhdao-demo").await;
    let (_, list) = json(&app, "GET", "/api/v1/reports?unit=01", &centre, "").await;
    assert_eq!(list[0]["id"].as_i64(), Some(kept));
    let (s, _, pdf) = raw(
        &app,
        "GET",
        &format!("/api/v1/reports/{kept}/pdf"),
        &centre,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&pdf[..5], b"%PDF-");
}

#[tokio::test]
async fn wall_displays_and_data_officers_get_no_report_at_all() {
    let app = TestApp::seeded().await;
    let (kept, schedule) = hanoi_kept_and_scheduled(&app).await;
    let display =
        server::auth::token::create(&app.db.pool, "wall", domain::Role::Display, "VN", None)
            .await
            .unwrap();
    let officer = app.login("dulieu", "dulieu-demo").await;
    for auth in [format!("Bearer {display}"), officer] {
        let mut all = routes("01", kept, schedule);
        all.push(("GET", "/api/v1/reports".into(), String::new()));
        all.push(("GET", "/api/v1/reports/schedules".into(), String::new()));
        // Even bad input is refused for the role first.
        all.push((
            "GET",
            "/api/v1/reports/file?period=nope&format=doc".into(),
            String::new(),
        ));
        for (method, path, body) in all {
            let (s, b) = json(&app, method, &path, &auth, &body).await;
            assert_eq!(s, StatusCode::FORBIDDEN, "{method} {path}: {b}");
        }
    }
    // Without a session, nothing.
    for path in [
        "/api/v1/reports/preview?period=2026",
        "/api/v1/reports",
        "/api/v1/reports/schedules",
    ] {
        let (s, b) = app.get(path, None).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{path}: {b}");
    }
    // An analyst reads but does not schedule.
    let analyst = app.login("phantich", "phantich-demo").await;
    let (s, _) = json(
        &app,
        "GET",
        &format!("/api/v1/reports/preview?unit=01&period={}", quarter()),
        &analyst,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = json(
        &app,
        "POST",
        "/api/v1/reports/schedules",
        &analyst,
        r#"{"cadence":"year"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_input_gets_400_naming_the_field() {
    let app = TestApp::seeded().await;
    let leader = app.login("lanhdao", "lanhdao-demo").await;
    let q = quarter();
    for (method, path, body, field) in [
        (
            "GET",
            "/api/v1/reports/preview?unit=01".to_string(),
            "",
            "period",
        ),
        (
            "GET",
            "/api/v1/reports/preview?unit=01&period=2026-Q5".into(),
            "",
            "period",
        ),
        (
            "GET",
            "/api/v1/reports/preview?unit=01&period=2026-13".into(),
            "",
            "period",
        ),
        (
            "GET",
            "/api/v1/reports/preview?unit=01&period=1850".into(),
            "",
            "period",
        ),
        (
            "GET",
            format!("/api/v1/reports/preview?unit=ZZ%27;--&period={q}"),
            "",
            "unit",
        ),
        (
            "GET",
            format!("/api/v1/reports/preview?unit=98&period={q}"),
            "",
            "unit",
        ),
        (
            "GET",
            format!("/api/v1/reports/preview?unit=01&period={q}&colour=red"),
            "",
            "colour",
        ),
        (
            "GET",
            format!("/api/v1/reports/file?unit=01&period={q}&format=docx"),
            "",
            "format",
        ),
        (
            "GET",
            format!("/api/v1/reports/file?unit=01&period={q}"),
            "",
            "format",
        ),
        (
            "GET",
            format!("/api/v1/reports/file?unit=01&period={q}&format=pdf&lang=fr"),
            "",
            "lang",
        ),
        (
            "POST",
            "/api/v1/reports".into(),
            r#"{"unit":"01"}"#,
            "period",
        ),
        (
            "POST",
            "/api/v1/reports".into(),
            r#"{"unit":"01","period":"Q3"}"#,
            "period",
        ),
        (
            "POST",
            "/api/v1/reports".into(),
            r#"{"unit":"01","period":"2026","lang":"de"}"#,
            "lang",
        ),
        ("POST", "/api/v1/reports".into(), "not json", "body"),
        (
            "POST",
            "/api/v1/reports/schedules".into(),
            r#"{"unit":"01","cadence":"weekly"}"#,
            "cadence",
        ),
        ("GET", "/api/v1/reports/abc/pdf".into(), "", "id"),
        ("GET", "/api/v1/reports/1/docx".into(), "", "format"),
        ("DELETE", "/api/v1/reports/schedules/x".into(), "", "id"),
    ] {
        let (s, b) = json(&app, method, &path, &leader, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{method} {path}: {b}");
        assert_eq!(b["field"], field, "{method} {path}: {b}");
    }
}

#[tokio::test]
async fn a_schedule_keeps_exactly_one_report_of_a_closed_period_however_often_it_runs() {
    let app = TestApp::seeded().await;
    let leader = app.login("hanoi", "hanoi-demo").await;
    let (s, sch) = json(
        &app,
        "POST",
        "/api/v1/reports/schedules",
        &leader,
        r#"{"unit":"01","cadence":"quarter","lang":"en"}"#,
    )
    .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = sch["id"].as_i64().unwrap();
    // The same schedule again is the same schedule.
    let (s, again) = json(
        &app,
        "POST",
        "/api/v1/reports/schedules",
        &leader,
        r#"{"unit":"01","cadence":"quarter","lang":"en"}"#,
    )
    .await;
    assert_eq!((s, again["id"].as_i64()), (StatusCode::OK, Some(id)));

    let today = chrono::Local::now().date_naive();
    let first = server::report::schedule::run_once(&app.db.pool, today)
        .await
        .unwrap();
    let second = server::report::schedule::run_once(&app.db.pool, today)
        .await
        .unwrap();
    assert_eq!((first, second), (1, 0));
    let n = scalar(
        &app.db.pool,
        &format!("SELECT count(*) FROM report_file WHERE schedule = {id}"),
    )
    .await;
    assert_eq!(n, 1);
    let (_, list) = json(&app, "GET", "/api/v1/reports?unit=01", &leader, "").await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["period"], quarter().to_string());
    assert_eq!(list[0]["lang"], "en");
    assert_eq!(list[0]["schedule"].as_i64(), Some(id));
    let (_, schedules) = json(&app, "GET", "/api/v1/reports/schedules", &leader, "").await;
    assert_eq!(schedules[0]["last_period"], quarter().to_string());
    let kept = list[0]["id"].as_i64().unwrap();
    let (s, headers, xlsx) = raw(
        &app,
        "GET",
        &format!("/api/v1/reports/{kept}/xlsx"),
        &leader,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(&xlsx[..2], b"PK");
    assert_eq!(
        headers[header::CONTENT_DISPOSITION].to_str().unwrap(),
        format!("attachment; filename=\"report-01-{}.xlsx\"", quarter())
    );
    // A made file and a download are in the audit trail.
    let generated = scalar(&app.db.pool, "SELECT count(*) FROM audit_log WHERE action = 'report_generate' AND actor = 'system:schedule'").await;
    let downloads = scalar(&app.db.pool, &format!("SELECT count(*) FROM audit_log WHERE action = 'report_download' AND object = 'report:{kept}' AND actor = 'hanoi'")).await;
    assert_eq!((generated, downloads), (1, 1));

    // Deleting the schedule keeps its reports.
    let (s, _) = json(
        &app,
        "DELETE",
        &format!("/api/v1/reports/schedules/{id}"),
        &leader,
        "",
    )
    .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let n = scalar(&app.db.pool, "SELECT count(*) FROM report_file").await;
    assert_eq!(n, 1);
}

#[tokio::test]
async fn the_openapi_document_describes_every_report_route() {
    let app = TestApp::seeded().await;
    let (status, doc) = app.get("/api/v1/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    for (path, method) in [
        ("/api/v1/reports/preview", "get"),
        ("/api/v1/reports/file", "get"),
        ("/api/v1/reports", "get"),
        ("/api/v1/reports", "post"),
        ("/api/v1/reports/{id}/{format}", "get"),
        ("/api/v1/reports/schedules", "get"),
        ("/api/v1/reports/schedules", "post"),
        ("/api/v1/reports/schedules/{id}", "delete"),
    ] {
        let route = &doc["paths"][path][method];
        assert!(
            route["responses"]["403"].is_object(),
            "{method} {path}: {route}"
        );
    }
    let schema = &doc["components"]["schemas"]["Report"]["properties"];
    for field in [
        "headline",
        "by_kind",
        "by_sector",
        "by_child",
        "by_month",
        "directives",
        "alerts",
        "targets",
    ] {
        assert!(schema.get(field).is_some(), "{field} missing");
    }
}
