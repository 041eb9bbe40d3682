//! The second wall of scope: PostgreSQL's row-level security (migration 0011) shows a scoped read
//! (`server::db::scoped`) only the rows within its scope, with no filter in the query at all; a
//! missing scope is an error, never every row; the scoped role writes nothing. And each wall holds
//! alone: the database's without the application's filters, the application's with the
//! database's policies switched off.

mod common;

use axum::http::StatusCode;
use common::{TestApp, scalar};
use server::db::scoped;
use sqlx::{Connection, PgConnection, PgPool};

/// Every table the scoped role reads that holds data of a unit, with the owner's condition for
/// "within the subtree at $1" (the policy's meaning written out another way).
/// Protected tables the demo data leaves empty (a notice is sent by a person, not seeded): their
/// wall is tested in tests/notices.rs, from both sides, with PostgreSQL alone.
const PROTECTED_ELSEWHERE: &[&str] = &["notice", "notice_site"];

const PROTECTED: &[(&str, &str)] = &[
    ("unit", "path <@ $1::ltree"),
    ("member", "path <@ $1::ltree"),
    ("cases", "path <@ $1::ltree"),
    (
        "case_step",
        "case_id IN (SELECT id FROM cases WHERE path <@ $1::ltree)",
    ),
    (
        "case_version",
        "case_id IN (SELECT id FROM cases WHERE path <@ $1::ltree)",
    ),
    ("task", "path <@ $1::ltree"),
    (
        "task_report",
        "task IN (SELECT id FROM task WHERE path <@ $1::ltree)",
    ),
    ("target", "path <@ $1::ltree"),
    ("alert", "path <@ $1::ltree"),
    (
        "alert_event",
        "alert IN (SELECT id FROM alert WHERE path <@ $1::ltree)",
    ),
    (
        "unit_geometry",
        "unit IN (SELECT code FROM unit WHERE path <@ $1::ltree)",
    ),
    ("data_source", "owner_path <@ $1::ltree"),
    (
        "ingest_batch",
        "source IN (SELECT code FROM data_source WHERE owner_path <@ $1::ltree)",
    ),
    (
        "rollup_day",
        "area IN (SELECT code FROM unit WHERE path <@ $1::ltree)",
    ),
    (
        "rollup_day_delta",
        "area IN (SELECT code FROM unit WHERE path <@ $1::ltree)",
    ),
    (
        "rollup_month",
        "area IN (SELECT code FROM unit WHERE path <@ $1::ltree)",
    ),
    (
        "rollup_month_delta",
        "area IN (SELECT code FROM unit WHERE path <@ $1::ltree)",
    ),
    (
        "rollup_day_all",
        "area IN (SELECT code FROM unit WHERE path <@ $1::ltree)",
    ),
    (
        "rollup_month_all",
        "area IN (SELECT code FROM unit WHERE path <@ $1::ltree)",
    ),
    ("report_file", "path <@ $1::ltree"),
    ("report_schedule", "path <@ $1::ltree"),
    ("programme", "path <@ $1::ltree"),
    ("programme_unit", "path <@ $1::ltree"),
    (
        "programme_milestone",
        "programme IN (SELECT id FROM programme WHERE path <@ $1::ltree)",
    ),
];

/// Reference data every scope reads whole.
const SHARED: &[&str] = &["directive", "procedure", "procedure_step"];

/// Tables the scoped role may not read at all (accounts, sessions, the audit trail, displays).
const PRIVATE: &[&str] = &[
    "app_user",
    "session",
    "api_token",
    "audit_log",
    "display",
    "seed_info",
    "planted_anomaly",
];

/// Rows in the tables the tiny data set leaves empty, in Hà Nội (01) and in TP Hồ Chí Minh (79):
/// alerts with their history, case versions, rollup deltas, kept reports and schedules.
async fn fill_empty_tables(pool: &PgPool) {
    for province in ["01", "79"] {
        let statements = [
            "INSERT INTO alert (kind, severity, unit, path, province, measure, explanation, dedup_key)
             SELECT 'case_overdue', 'warning', code, path, code, 'cases', 'test', 'rls:' || code
             FROM unit WHERE code = $1",
            "INSERT INTO alert_event (alert, actor, action)
             SELECT id, 'system', 'raised' FROM alert WHERE dedup_key = 'rls:' || $1",
            "INSERT INTO case_version (case_id, written_by, written_at, fields)
             SELECT id, 'test', now(), '{}' FROM cases
             WHERE path <@ (SELECT path FROM unit WHERE code = $1) ORDER BY id LIMIT 3",
            "INSERT INTO rollup_day_delta SELECT * FROM rollup_day WHERE area = $1 LIMIT 2",
            "INSERT INTO rollup_month_delta SELECT * FROM rollup_month WHERE area = $1 LIMIT 2",
            "INSERT INTO report_schedule (unit, path, cadence, created_by)
             SELECT code, path, 'month', 'test' FROM unit WHERE code = $1",
            "INSERT INTO report_file (unit, path, period, lang, created_by, pdf, xlsx, csv)
             SELECT code, path, '2026-01', 'vi', 'test', '', '', '' FROM unit WHERE code = $1",
        ];
        for sql in statements {
            sqlx::query(sql).bind(province).execute(pool).await.unwrap();
        }
    }
}

/// `count(*)` of `table` in a scoped read of `scope`, with `condition` (or none).
async fn scoped_count(pool: &PgPool, scope: &str, table: &str, condition: Option<&str>) -> i64 {
    let mut tx = scoped::begin(pool, scope).await.unwrap();
    let sql = match condition {
        Some(c) => format!("SELECT count(*) FROM {table} WHERE {c}"),
        None => format!("SELECT count(*) FROM {table}"),
    };
    let mut q = sqlx::query_scalar(&sql);
    if condition.is_some() {
        // The condition's $1 is the other province, to look for it from inside this scope.
        q = q.bind("VN.79");
    }
    let n: i64 = q.fetch_one(&mut *tx).await.unwrap();
    scoped::finish(tx).await.unwrap();
    n
}

/// `count(*)` of `table` as the tables' owner, within the subtree at `path`.
async fn owner_count(pool: &PgPool, table: &str, condition: &str, path: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT count(*) FROM {table} WHERE {condition}"))
        .bind(path)
        .fetch_one(pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_scoped_read_with_no_filter_sees_exactly_its_provinces_rows_of_every_protected_table() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    fill_empty_tables(pool).await;
    for (table, condition) in PROTECTED {
        let inside = owner_count(pool, table, condition, "VN.01").await;
        let other = owner_count(pool, table, condition, "VN.79").await;
        let all = scalar(pool, &format!("SELECT count(*) FROM {table}")).await;
        // Each table holds rows on both sides, so that equality means something.
        assert!(
            inside > 0 && other > 0,
            "{table}: {inside} in 01, {other} in 79"
        );
        assert!(all > inside, "{table}");
        // No WHERE at all: the database alone limits the rows to Hà Nội's.
        assert_eq!(
            scoped_count(pool, "VN.01", table, None).await,
            inside,
            "{table} as seen from 01"
        );
        // Asking for Hồ Chí Minh City's rows by name, from inside Hà Nội, finds none.
        assert_eq!(
            scoped_count(pool, "VN.01", table, Some(condition)).await,
            0,
            "{table}: 79's rows from 01"
        );
    }
    // The centre sees the whole country; a commune its own rows only.
    assert_eq!(
        scoped_count(pool, "VN", "cases", None).await,
        scalar(pool, "SELECT count(*) FROM cases").await
    );
    let commune_path: String = sqlx::query_scalar(
        "SELECT u.path::text FROM unit u WHERE u.level = 'commune' AND u.province = '01'
           AND EXISTS (SELECT 1 FROM cases c WHERE c.path <@ u.path) ORDER BY u.code LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let in_commune = owner_count(pool, "cases", "path <@ $1::ltree", &commune_path).await;
    assert!(in_commune > 0);
    assert_eq!(
        scoped_count(pool, &commune_path, "cases", None).await,
        in_commune
    );
    // Reference data is whole for everyone.
    for table in SHARED {
        assert_eq!(
            scoped_count(pool, "VN.01", table, None).await,
            scalar(pool, &format!("SELECT count(*) FROM {table}")).await,
            "{table}"
        );
    }
}

#[tokio::test]
async fn every_table_with_a_unit_path_is_protected_and_the_scoped_role_reads_nothing_else() {
    let db = server::testing::empty_database().await;
    let pool = &db.pool;
    // A table with a path (or an owner's path) and no row security would be a hole in the wall.
    let unprotected: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT c.relname::text FROM pg_class c
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
           AND a.attname IN ('path', 'owner_path') AND NOT c.relrowsecurity
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(unprotected, Vec::<String>::new());
    // What the role may read: the protected tables and views, and the shared reference data.
    let readable: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'v')
           AND has_table_privilege('oversight_scoped', c.oid, 'SELECT') ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut expected: Vec<String> = PROTECTED
        .iter()
        .map(|(t, _)| t.to_string())
        .chain(SHARED.iter().map(|t| t.to_string()))
        .chain(PROTECTED_ELSEWHERE.iter().map(|t| t.to_string()))
        .collect();
    expected.sort();
    assert_eq!(readable, expected);
    // Every protected table has its policy on (the views read through the tables').
    let without_policy: Vec<String> = sqlx::query_scalar(
        "SELECT c.relname::text FROM pg_class c
         WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
           AND has_table_privilege('oversight_scoped', c.oid, 'SELECT')
           AND NOT (c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid))
         ORDER BY 1",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(without_policy, SHARED.to_vec());
    // The private tables are refused outright, not merely empty.
    for table in PRIVATE {
        let mut tx = scoped::begin(pool, "VN").await.unwrap();
        let err = sqlx::query(&format!("SELECT 1 FROM {table} LIMIT 1"))
            .fetch_optional(&mut *tx)
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&err), "42501", "{table}: {err}");
    }
}

fn sqlstate(e: &sqlx::Error) -> String {
    e.as_database_error()
        .and_then(|d| d.code())
        .map(|c| c.into_owned())
        .unwrap_or_else(|| format!("not a database error: {e}"))
}

#[tokio::test]
async fn a_missing_scope_is_an_error_never_every_row() {
    let app = TestApp::seeded().await;
    let mut conn = PgConnection::connect(&app.db.url).await.unwrap();
    // A session that never set the scope: the setting does not exist.
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SET LOCAL ROLE oversight_scoped")
        .execute(&mut *tx)
        .await
        .unwrap();
    let err = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM cases")
        .fetch_one(&mut *tx)
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "42704", "{err}"); // unrecognized configuration parameter
    tx.rollback().await.unwrap();

    // Once set in a transaction, the setting outlives it as '' (PostgreSQL keeps the placeholder),
    // and '' is the ltree above every path: the policy refuses it.
    let mut tx = conn.begin().await.unwrap();
    sqlx::query("SELECT set_config('oversight.scope', 'VN.01', true)")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let left: String = sqlx::query_scalar("SELECT current_setting('oversight.scope')")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(left, "");
    for table in ["cases", "unit", "case_step", "rollup_month_all"] {
        let mut tx = conn.begin().await.unwrap();
        sqlx::query("SET LOCAL ROLE oversight_scoped")
            .execute(&mut *tx)
            .await
            .unwrap();
        let err = sqlx::query_scalar::<_, i64>(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&mut *tx)
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&err), "42501", "{table}: {err}");
        assert!(
            err.to_string().contains("oversight.scope is not set"),
            "{err}"
        );
        tx.rollback().await.unwrap();
    }
    // A scope that is not a path is an error too (it is bound, never spliced into SQL).
    for bad in ["VN.01; DROP TABLE cases", "not a path!"] {
        let mut tx = scoped::begin(&app.db.pool, bad).await.unwrap();
        let err = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM cases")
            .fetch_one(&mut *tx)
            .await
            .unwrap_err();
        assert_eq!(sqlstate(&err), "42601", "{bad}: {err}"); // ltree syntax error
    }
    assert!(scalar(&app.db.pool, "SELECT count(*) FROM cases").await > 0);
    conn.close().await.unwrap();
}

#[tokio::test]
async fn the_scoped_role_writes_nothing_even_within_its_scope() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    fill_empty_tables(pool).await;
    let before = (
        scalar(pool, "SELECT count(*) FROM cases").await,
        scalar(pool, "SELECT count(*) FROM alert WHERE state = 'new'").await,
        scalar(pool, "SELECT count(*) FROM audit_log").await,
    );
    // A scoped read is read only.
    let mut tx = scoped::begin(pool, "VN.01").await.unwrap();
    let err = sqlx::query("DELETE FROM cases")
        .execute(&mut *tx)
        .await
        .unwrap_err();
    assert_eq!(sqlstate(&err), "25006", "{err}"); // read-only transaction
    drop(tx);
    // And the role itself has no right to write, in a transaction that could.
    let writes = [
        "UPDATE cases SET theme = 'x' WHERE path <@ 'VN.01'",
        "DELETE FROM alert WHERE path <@ 'VN.01'",
        "INSERT INTO alert_event (alert, actor, action) SELECT id, 'x', 'comment' FROM alert",
        "UPDATE unit SET name = 'x' WHERE code = '01'",
        "INSERT INTO audit_log (actor, action, prev_hash, hash) VALUES ('x', 'x', '', '')",
        "TRUNCATE rollup_day",
    ];
    for sql in writes {
        let mut tx = pool.begin().await.unwrap();
        sqlx::query(
            "SELECT set_config('role', 'oversight_scoped', true), \
             set_config('oversight.scope', 'VN.01', true)",
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        let err = sqlx::query(sql).execute(&mut *tx).await.unwrap_err();
        assert_eq!(sqlstate(&err), "42501", "{sql}: {err}"); // permission denied
    }
    let after = (
        scalar(pool, "SELECT count(*) FROM cases").await,
        scalar(pool, "SELECT count(*) FROM alert WHERE state = 'new'").await,
        scalar(pool, "SELECT count(*) FROM audit_log").await,
    );
    assert_eq!(after, before);
    // The owner is not subject to the policies: it still reads and writes everything.
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM cases WHERE path <@ 'VN.79'").await,
        owner_count(pool, "cases", "path <@ $1::ltree", "VN.79").await
    );
}

/// The first wall alone: the database's policies switched off in this test's database (each test
/// has its own), the application's filters still give a Hà Nội user nothing of Hồ Chí Minh City.
#[tokio::test]
async fn the_applications_filters_alone_keep_a_province_user_inside_its_province() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    fill_empty_tables(pool).await;
    for (table, _) in PROTECTED.iter().filter(|(t, _)| !t.ends_with("_all")) {
        sqlx::query(&format!("ALTER TABLE {table} DISABLE ROW LEVEL SECURITY"))
            .execute(pool)
            .await
            .unwrap();
    }
    // The second wall is down: a scoped read with no filter sees the whole country.
    assert_eq!(
        scoped_count(pool, "VN.01", "cases", None).await,
        scalar(pool, "SELECT count(*) FROM cases").await
    );
    let hanoi = app.login("hanoi", "hanoi-demo").await;
    let in_01 = scalar(pool, "SELECT count(*) FROM cases WHERE path <@ 'VN.01'").await;

    let (s, page) = app.get("/api/v1/cases?per_page=1000", Some(&hanoi)).await;
    assert_eq!(s, StatusCode::OK, "{page}");
    assert_eq!(page["total"], in_01);
    let cases = page["cases"].as_array().unwrap();
    assert_eq!(cases.len() as i64, in_01.min(1000));
    // Every case's subject unit lies in Hà Nội.
    let units_01: std::collections::HashSet<String> =
        sqlx::query_scalar("SELECT code FROM unit WHERE path <@ 'VN.01'")
            .fetch_all(pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    let outside: Vec<&serde_json::Value> = cases
        .iter()
        .filter(|c| !units_01.contains(c["subject"]["unit"].as_str().unwrap_or_default()))
        .collect();
    assert!(outside.is_empty(), "{outside:?}");

    let (s, alerts) = app.get("/api/v1/alerts?limit=500", Some(&hanoi)).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(alerts["total"], 1);
    assert_eq!(alerts["alerts"][0]["unit"], "01");

    let (s, units) = app.get("/api/v1/units?level=province", Some(&hanoi)).await;
    assert_eq!(s, StatusCode::OK);
    let codes: Vec<&str> = units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["01"]);

    let (s, sources) = app.get("/api/v1/sources", Some(&hanoi)).await;
    assert_eq!(s, StatusCode::OK);
    let codes: Vec<&str> = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["HT-UBKT-01"]);

    let (s, kept) = app.get("/api/v1/reports", Some(&hanoi)).await;
    assert_eq!(s, StatusCode::OK);
    let units: Vec<&str> = kept
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["unit"].as_str().unwrap())
        .collect();
    assert_eq!(units, ["01"]);

    let (s, directives) = app.get("/api/v1/directives", Some(&hanoi)).await;
    assert_eq!(s, StatusCode::OK);
    let assigned: i64 = directives["directives"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["tasks"]["assigned"].as_i64().unwrap())
        .sum();
    assert_eq!(
        assigned,
        scalar(pool, "SELECT count(*) FROM task WHERE path <@ 'VN.01'").await
    );

    // Something of 79 by its id: as if it did not exist.
    let id_79 = scalar(pool, "SELECT id FROM alert WHERE province = '79'").await;
    let (s, _) = app
        .get(&format!("/api/v1/alerts/{id_79}"), Some(&hanoi))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let case_79 = scalar(pool, "SELECT min(id) FROM cases WHERE path <@ 'VN.79'").await;
    let (s, _) = app
        .get(&format!("/api/v1/cases/{case_79}/history"), Some(&hanoi))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

/// The database's wall alone under the overview and the summary: their reads, given Hà Nội's unit
/// as if the application's check (`Scope::unit_within`) had let it through and its filters named
/// Hà Nội, run in a scoped read of Hồ Chí Minh City and get nothing of Hà Nội; the same reads in
/// Hà Nội's own scoped read give what `/overview` and `/summary` answer a Hà Nội leader.
#[tokio::test]
async fn the_overview_and_the_summary_get_nothing_outside_the_scope_without_the_applications_check()
{
    use chrono::NaiveDate;
    use domain::summary::{Figures, Period};
    use server::http::{overview, summary};
    use server::rollup::{self, Counts};

    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    // Pending rollup deltas and open alerts on both sides, besides the compacted rollups.
    fill_empty_tables(pool).await;
    let name: String = sqlx::query_scalar("SELECT name FROM unit WHERE code = '01'")
        .fetch_one(pool)
        .await
        .unwrap();
    let hanoi = server::scope::ScopedUnit {
        code: "01".into(),
        path: "VN.01".into(),
        name,
        level: domain::UnitLevel::Province,
    };
    let today: NaiveDate = sqlx::query_scalar("SELECT current_date")
        .fetch_one(pool)
        .await
        .unwrap();
    let all_time = Period {
        from: NaiveDate::from_ymd_opt(2000, 1, 1).unwrap(),
        to: today,
    };
    let hanoi_areas: Vec<String> =
        sqlx::query_scalar("SELECT code FROM unit WHERE path <@ 'VN.01' AND nlevel(path) <= 3")
            .fetch_all(pool)
            .await
            .unwrap();
    let mut both = hanoi_areas.clone();
    both.push("79".into());

    // The rollups, asked for Hà Nội's areas by code from inside Hồ Chí Minh City.
    let owner = rollup::by_day(pool, &both, all_time).await.unwrap();
    assert!(owner["01"].figures.cases > 0, "Hà Nội has cases to hide");
    let mut tx = scoped::begin(pool, "VN.79").await.unwrap();
    let seen = rollup::by_day(&mut *tx, &both, all_time).await.unwrap();
    assert_eq!(seen.keys().collect::<Vec<_>>(), ["79"]);
    assert_eq!(seen["79"], owner["79"]);
    let year = today.format("%Y").to_string().parse().unwrap();
    assert!(
        !rollup::by_year(pool, &hanoi_areas, year)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        rollup::by_year(&mut *tx, &hanoi_areas, year)
            .await
            .unwrap()
            .is_empty()
    );
    let months = rollup::months(&mut *tx, "01", today, 24).await.unwrap();
    assert_eq!(months.len(), 24);
    assert!(months.iter().all(|(_, c)| *c == Counts::default()));
    assert_eq!(rollup::written_at(&mut *tx, "01").await.unwrap(), None);
    assert_eq!(
        rollup::raw(&mut *tx, "VN.01", all_time).await.unwrap(),
        Counts::default()
    );

    // The overview and the summary of Hà Nội, made from inside Hồ Chí Minh City: empty.
    let season = rollup::season(pool, today).await.unwrap();
    let o = overview::of_unit(&mut tx, &hanoi, "VN.01", today, &season)
        .await
        .unwrap();
    assert_eq!(o.unit, "01");
    assert_eq!(o.figures, Figures::default());
    assert_eq!(o.last_year, Figures::default());
    assert_eq!((o.on_time, o.last_year_on_time), (0, 0));
    assert!(o.targets.is_empty(), "{:?}", o.targets);
    assert!(o.children.is_empty() && !o.children_open);
    assert!(o.trail.is_empty());
    assert_eq!(o.trend.len(), 24);
    assert!(o.trend.iter().all(|m| m.figures == Figures::default()));
    assert_eq!(o.alerts, Default::default());
    assert_eq!(o.data_as_of, None);
    let year_so_far = summary::SummaryFilter {
        period: Period::year_to_date(today),
        kind: None,
        sector: None,
    };
    let kind: String = sqlx::query_scalar(
        "SELECT kind FROM cases WHERE path <@ 'VN.01' GROUP BY kind ORDER BY count(*) DESC LIMIT 1",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    let by_kind = summary::SummaryFilter {
        kind: Some(kind.parse().unwrap()),
        ..year_so_far.clone()
    };
    for filter in [&year_so_far, &by_kind] {
        let s = summary::compute(&mut tx, &hanoi, filter).await.unwrap();
        assert_eq!(s.current, Figures::default(), "{filter:?}");
        assert_eq!(s.previous, Figures::default(), "{filter:?}");
        assert!(s.children.is_empty(), "{filter:?}");
        assert_eq!(s.data_as_of, None, "{filter:?}");
    }
    scoped::finish(tx).await.unwrap();

    // The same reads inside Hà Nội's own scope are what a Hà Nội leader is answered.
    let leader = app.login("hanoi", "hanoi-demo").await;
    let mut tx = scoped::begin(pool, "VN.01").await.unwrap();
    let o = overview::of_unit(&mut tx, &hanoi, "VN.01", today, &season)
        .await
        .unwrap();
    assert!(o.figures.cases > 0 && !o.children.is_empty() && !o.targets.is_empty());
    let (status, answered) = app.get("/api/v1/overview", Some(&leader)).await;
    assert_eq!(status, StatusCode::OK, "{answered}");
    assert_eq!(serde_json::to_value(&o).unwrap(), answered);
    for (filter, query) in [
        (&year_so_far, String::new()),
        (&by_kind, format!("?kind={kind}")),
    ] {
        let s = summary::compute(&mut tx, &hanoi, filter).await.unwrap();
        assert!(s.current.cases > 0 && !s.children.is_empty(), "{filter:?}");
        let (status, answered) = app
            .get(&format!("/api/v1/summary{query}"), Some(&leader))
            .await;
        assert_eq!(status, StatusCode::OK, "{answered}");
        assert_eq!(serde_json::to_value(&s).unwrap(), answered, "{filter:?}");
    }
    scoped::finish(tx).await.unwrap();
}

/// The price of the second wall, per request and per row (run with `--ignored --nocapture`; the
/// figures are in docs/ARCHITECTURE.md): the same small read on the pool and in a scoped read,
/// and a scan of every case as the owner and through the policy.
#[tokio::test]
#[ignore]
async fn measure_the_cost_of_a_scoped_read() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    const N: usize = 2000;
    let small = "SELECT count(*) FROM alert WHERE path <@ $1::ltree AND state <> 'resolved'";
    let scan = "SELECT count(*), sum(amount_vnd)::bigint FROM cases WHERE path <@ $1::ltree";
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        (v[v.len() / 2], v[v.len() * 95 / 100])
    };
    // Warm both paths (prepared statements, caches).
    for _ in 0..100 {
        let _: i64 = sqlx::query_scalar(small)
            .bind("VN.01")
            .fetch_one(pool)
            .await
            .unwrap();
        let mut tx = scoped::begin(pool, "VN.01").await.unwrap();
        let _: i64 = sqlx::query_scalar(small)
            .bind("VN.01")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        scoped::finish(tx).await.unwrap();
    }
    let (mut plain, mut walled) = (Vec::new(), Vec::new());
    for _ in 0..N {
        let t = std::time::Instant::now();
        let _: i64 = sqlx::query_scalar(small)
            .bind("VN.01")
            .fetch_one(pool)
            .await
            .unwrap();
        plain.push(t.elapsed().as_secs_f64() * 1e6);
        let t = std::time::Instant::now();
        let mut tx = scoped::begin(pool, "VN.01").await.unwrap();
        let _: i64 = sqlx::query_scalar(small)
            .bind("VN.01")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        scoped::finish(tx).await.unwrap();
        walled.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let (p50, p95) = median(plain);
    let (w50, w95) = median(walled);
    eprintln!(
        "one small read: pool {p50:.0} µs (p95 {p95:.0}), scoped {w50:.0} µs (p95 {w95:.0}): +{:.0} µs a request",
        w50 - p50
    );
    let (mut owner, mut policy) = (Vec::new(), Vec::new());
    let rows = scalar(pool, "SELECT count(*) FROM cases").await;
    for _ in 0..200 {
        let t = std::time::Instant::now();
        let _: (i64, Option<i64>) = sqlx::query_as(scan)
            .bind("VN")
            .fetch_one(pool)
            .await
            .unwrap();
        owner.push(t.elapsed().as_secs_f64() * 1e6);
        let mut tx = scoped::begin(pool, "VN").await.unwrap();
        let t = std::time::Instant::now();
        let _: (i64, Option<i64>) = sqlx::query_as(scan)
            .bind("VN")
            .fetch_one(&mut *tx)
            .await
            .unwrap();
        policy.push(t.elapsed().as_secs_f64() * 1e6);
        scoped::finish(tx).await.unwrap();
    }
    let (o50, _) = median(owner);
    let (s50, _) = median(policy);
    eprintln!(
        "a scan of {rows} cases: owner {o50:.0} µs, through the policy {s50:.0} µs ({:.2} µs a row more)",
        (s50 - o50) / rows as f64
    );
}
