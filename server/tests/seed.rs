//! The demo data generator against a real database: determinism, idempotence, and the SQL-level
//! rules of the contract and the schema.

use chrono::NaiveDate;
use server::seed::{DEMO_USERS, SeedOptions, SeedReport, Size};
use sqlx::PgPool;

fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn tiny(seed: u64) -> SeedOptions {
    SeedOptions {
        size: Size::Tiny,
        seed,
        as_of: as_of(),
        progress: false,
        through_ingest: false,
    }
}

async fn scalar(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn text(pool: &PgPool, sql: &str) -> String {
    sqlx::query_scalar::<_, String>(sql)
        .fetch_one(pool)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// Row counts of every table the seed writes.
async fn counts(pool: &PgPool) -> Vec<(String, i64)> {
    let mut out = Vec::new();
    for table in [
        "unit",
        "member",
        "data_source",
        "procedure",
        "procedure_step",
        "cases",
        "case_step",
        "directive",
        "task",
        "task_report",
        "target",
        "planted_anomaly",
        "seed_info",
        "app_user",
    ] {
        out.push((
            table.to_string(),
            scalar(pool, &format!("SELECT count(*) FROM {table}")).await,
        ));
    }
    out
}

/// Checksums of the generated tables (ordered by natural keys, so independent of physical order).
async fn checksums(pool: &PgPool) -> Vec<String> {
    let queries = [
        "SELECT md5(string_agg(concat_ws('|', id, source, external_id, kind, theme, conducting_unit, subject_type, \
         subject_unit, subject_ref, path::text, province, sector, status, opened_on, due_on, concluded_on, violation, \
         violation_categories::text, amount_vnd, discipline_form, discipline_decided_on, lat, lon, procedure, \
         created_at, updated_at, written_by), E'\\n' ORDER BY source, external_id)) FROM cases",
        "SELECT md5(string_agg(concat_ws('|', case_id, ord, started_on, due_on, done_on), E'\\n' ORDER BY case_id, ord)) FROM case_step",
        "SELECT md5(string_agg(concat_ws('|', code, name, level, parent, path::text, province, lat, lon, area_km2, members), E'\\n' ORDER BY code)) FROM unit",
        "SELECT md5(string_agg(concat_ws('|', id, ref, unit, path::text, province, born_year, gender, joined_year, position), E'\\n' ORDER BY ref)) FROM member",
        "SELECT md5(string_agg(concat_ws('|', id, directive, parent_task, unit, title, assigned_on, due_on, progress, status, done_on, source, external_id, updated_at), E'\\n' ORDER BY id)) FROM task",
        "SELECT md5(string_agg(concat_ws('|', task, reported_on, progress, note), E'\\n' ORDER BY id)) FROM task_report",
        "SELECT md5(string_agg(concat_ws('|', unit, year, measure, sector, planned, source), E'\\n' ORDER BY unit, year, measure, sector)) FROM target",
        "SELECT md5(string_agg(concat_ws('|', unit, measure, sector, month, factor, note), E'\\n' ORDER BY unit, month, measure)) FROM planted_anomaly",
        "SELECT md5(string_agg(concat_ws('|', code, name, owner_unit, kind, cadence_hours, created_at, last_arrival, rows_accepted, rows_rejected), E'\\n' ORDER BY code)) FROM data_source",
    ];
    let mut out = Vec::new();
    for q in queries {
        out.push(text(pool, q).await);
    }
    out
}

fn report_counts(r: &SeedReport) -> [u64; 8] {
    [
        r.units,
        r.members,
        r.cases,
        r.directives,
        r.tasks,
        r.targets,
        r.anomalies,
        r.sources,
    ]
}

#[tokio::test]
async fn seeding_twice_gives_the_same_rows_and_never_duplicates() {
    let db = server::testing::empty_database().await;
    let pool = &db.pool;

    let first = server::seed::run(pool, &tiny(11))
        .await
        .expect("first seed");
    let counts_first = counts(pool).await;
    let sums_first = checksums(pool).await;
    assert!(
        (1_500..=3_000).contains(&first.cases),
        "{} cases",
        first.cases
    );
    assert_eq!(
        first.cases as i64,
        scalar(pool, "SELECT count(*) FROM cases").await
    );
    assert_eq!(
        first.units as i64,
        scalar(pool, "SELECT count(*) FROM unit").await
    );
    assert_eq!(
        first.targets as i64,
        scalar(pool, "SELECT count(*) FROM target").await
    );

    // A real user and a machine token survive a reseed.
    sqlx::query("INSERT INTO app_user (username, password_hash, role, scope) VALUES ('thanhtra79', 'x', 'analyst', '79')")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO api_token (name, token_hash, role, scope, source) VALUES ('ubkt-01', '\\x01', 'data_officer', '01', 'HT-UBKT-01')",
    )
    .execute(pool)
    .await
    .unwrap();

    let second = server::seed::run(pool, &tiny(11))
        .await
        .expect("second seed");
    assert_eq!(report_counts(&first), report_counts(&second));
    let mut counts_second = counts(pool).await;
    let users = counts_second
        .iter_mut()
        .find(|(t, _)| t == "app_user")
        .unwrap();
    users.1 -= 1; // the real user added in between
    assert_eq!(counts_first, counts_second, "reseeding duplicates nothing");
    assert_eq!(sums_first, checksums(pool).await, "same seed, same rows");
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM app_user WHERE username = 'thanhtra79' AND NOT demo"
        )
        .await,
        1
    );
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM api_token WHERE source = 'HT-UBKT-01'"
        )
        .await,
        1
    );

    // Another seed gives other cases, on the same real hierarchy.
    server::seed::run(pool, &tiny(12))
        .await
        .expect("third seed");
    let sums_third = checksums(pool).await;
    assert_ne!(sums_first[0], sums_third[0]);
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM unit WHERE level = 'commune'").await,
        3321
    );
    assert_eq!(scalar(pool, "SELECT seed FROM seed_info").await, 12);
    // New cases get ids after the generated ones.
    let next: i64 = sqlx::query_scalar("INSERT INTO cases (source, external_id, kind, conducting_unit, subject_type, \
         subject_unit, path, province, sector, status, opened_on, lat, lon, written_by) \
         VALUES ('HT-UBKT-01', 'new-1', 'complaint', '01', 'organization', '01', 'VN.01', '01', 'land', 'planned', \
         '2026-11-25', 21.0, 105.8, 'test') RETURNING id")
        .fetch_one(pool)
        .await
        .unwrap();
    assert_eq!(
        next,
        scalar(pool, "SELECT max(id) FROM cases WHERE written_by = 'seed'").await + 1
    );
}

#[tokio::test]
async fn the_data_set_keeps_the_rules_of_the_contract_and_the_schema() {
    let db = server::testing::empty_database().await;
    let pool = &db.pool;
    let started = std::time::Instant::now();
    let report = server::seed::run(pool, &tiny(3)).await.expect("seed");
    eprintln!(
        "tiny seed: {report:?} ({:?} with the test's overhead)",
        started.elapsed()
    );

    // Every case names units, a source and a procedure that exist (no per-row foreign keys).
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM cases_dangling_codes").await,
        0
    );
    let level = |l: &str| format!("SELECT count(*) FROM unit WHERE level = '{l}'");
    assert_eq!(scalar(pool, &level("central")).await, 1);
    assert_eq!(scalar(pool, &level("committee")).await, 6);
    assert_eq!(scalar(pool, &level("province")).await, 34);
    assert_eq!(scalar(pool, &level("commune")).await, 3321);
    assert_eq!(
        scalar(
            pool,
            "SELECT count(*) FROM unit WHERE level = 'commune' AND parent IS DISTINCT FROM province"
        )
        .await,
        0
    );
    assert_eq!(
        text(pool, "SELECT name FROM unit WHERE code = '01'").await,
        "Thành phố Hà Nội"
    );
    assert_eq!(
        text(pool, "SELECT path::text FROM unit WHERE code = '00004'").await,
        "VN.01.00004"
    );
    assert_eq!(scalar(pool, "SELECT count(*) FROM unit_geometry").await, 0);

    let zero = [
        // Every case's province and path are its subject unit's.
        "SELECT count(*) FROM cases c JOIN unit u ON u.code = c.subject_unit \
         WHERE c.province IS DISTINCT FROM u.province OR c.path <> u.path",
        // The conducting unit is at or above the subject.
        "SELECT count(*) FROM cases c JOIN unit s ON s.code = c.subject_unit JOIN unit k ON k.code = c.conducting_unit \
         WHERE NOT s.path <@ k.path OR k.level NOT IN ('central', 'committee', 'province', 'commune')",
        // Disciplines fit the subject type, and come after the conclusion.
        "SELECT count(*) FROM cases WHERE (discipline_form IN ('dismissal', 'expulsion') AND subject_type <> 'member') \
         OR (discipline_form = 'dissolution' AND subject_type <> 'organization') \
         OR discipline_decided_on <= concluded_on OR (discipline_form IS NOT NULL AND violation IS NOT TRUE)",
        // Status and dates.
        "SELECT count(*) FROM cases WHERE (status = 'concluded') <> (concluded_on IS NOT NULL) \
         OR concluded_on < opened_on OR due_on < opened_on + 30 OR due_on > opened_on + 90",
        "SELECT count(*) FROM cases WHERE opened_on > '2026-11-25' OR concluded_on > '2026-11-25' \
         OR discipline_decided_on > '2026-11-25' OR created_at > updated_at",
        "SELECT count(*) FROM case_step WHERE done_on > '2026-11-25' OR started_on > '2026-11-25' OR done_on <= started_on",
        // Findings only on concluded cases; amounts only with violations.
        "SELECT count(*) FROM cases WHERE (violation IS NOT NULL) <> (status = 'concluded') \
         OR (amount_vnd IS NOT NULL AND violation IS NOT TRUE) \
         OR (cardinality(violation_categories) > 0) <> (violation IS TRUE)",
        // Themes exactly for thematic supervisions; member subjects carry a member reference.
        "SELECT count(*) FROM cases WHERE (theme IS NOT NULL) <> (kind = 'supervision_thematic')",
        "SELECT count(*) FROM cases c WHERE subject_type = 'member' AND NOT EXISTS (SELECT 1 FROM member m WHERE m.ref = c.subject_ref)",
        // Every case follows its kind's procedure.
        "SELECT count(*) FROM cases c LEFT JOIN procedure p ON p.code = c.procedure WHERE p.case_kind IS DISTINCT FROM c.kind",
        // Members belong to leaf units of their province.
        "SELECT count(*) FROM member m JOIN unit u ON u.code = m.unit WHERE m.path <> u.path OR m.province IS DISTINCT FROM u.province",
        // Sources' counters match the rows they wrote.
        "SELECT count(*) FROM data_source d WHERE rows_accepted <> (SELECT count(*) FROM cases WHERE source = d.code) \
         + (SELECT count(*) FROM task WHERE source = d.code) + (SELECT count(*) FROM target WHERE source = d.code)",
        // Tasks: status and progress agree, sub-tasks are done before their parent.
        "SELECT count(*) FROM task WHERE (status = 'done') <> (progress = 100) OR assigned_on > '2026-11-25'",
        "SELECT count(*) FROM task t JOIN task p ON p.id = t.parent_task WHERE p.done_on IS NOT NULL AND (t.done_on IS NULL OR t.done_on > p.done_on)",
        // Planted anomalies are in provinces or communes, in the last two years.
        "SELECT count(*) FROM planted_anomaly a JOIN unit u ON u.code = a.unit \
         WHERE u.level NOT IN ('province', 'commune') OR a.month < '2024-10-01' OR a.month > '2026-11-01'",
    ];
    for q in zero {
        assert_eq!(scalar(pool, q).await, 0, "{q}");
    }

    // Member counts are scaled down at tiny; the demo users can log in.
    let members = scalar(pool, "SELECT sum(members)::bigint FROM unit").await;
    assert!((400_000..=700_000).contains(&members), "{members} members");
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM app_user WHERE demo").await,
        DEMO_USERS.len() as i64
    );
    for (username, password, role, scope) in DEMO_USERS {
        let (hash, r, s): (String, String, String) =
            sqlx::query_as("SELECT password_hash, role, scope FROM app_user WHERE username = $1")
                .bind(username)
                .fetch_one(pool)
                .await
                .unwrap();
        assert!(server::auth::verify_password(password, &hash), "{username}");
        assert_eq!((r.as_str(), s.as_str()), (*role, *scope));
    }

    // Some sources are late; most are fresh.
    assert!(
        scalar(
            pool,
            "SELECT count(*) FROM data_source WHERE last_arrival < '2026-11-23'"
        )
        .await
            >= 2
    );
    assert!(
        scalar(
            pool,
            "SELECT count(*) FROM data_source WHERE last_arrival >= '2026-11-24'"
        )
        .await
            >= 30
    );

    // Each planted rise of the cases opened shows in the unit's monthly series.
    let rows: Vec<(String, NaiveDate, f64)> = sqlx::query_as(
        "SELECT unit, month, factor FROM planted_anomaly WHERE measure = 'cases_opened' AND sector IS NULL",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    for (unit, month, factor) in rows {
        let (observed, before): (i64, f64) = sqlx::query_as(
            "SELECT count(*) FILTER (WHERE date_trunc('month', c.opened_on) = $2), \
                    (count(*) FILTER (WHERE c.opened_on >= $2::date - interval '12 months' AND c.opened_on < $2))::float8 / 12 \
             FROM cases c JOIN unit u ON u.code = $1 WHERE c.path <@ u.path",
        )
        .bind(&unit)
        .bind(month)
        .fetch_one(pool)
        .await
        .unwrap();
        if factor > 1.0 {
            assert!(
                observed as f64 >= 1.3 * before + 3.0,
                "{unit} {month}: {observed} against {before:.1}"
            );
        } else {
            assert!(
                (observed as f64) <= 0.75 * before,
                "{unit} {month}: {observed} against {before:.1}"
            );
        }
    }
}

/// The same cases by key, whatever ids they got: the fields a case has under the contract.
const CASES_BY_KEY: &str = "SELECT md5(string_agg(concat_ws('|', source, external_id, kind, theme, \
    conducting_unit, subject_type, subject_unit, subject_ref, path::text, province, sector, status, \
    opened_on, due_on, concluded_on, violation, violation_categories::text, amount_vnd, \
    discipline_form, discipline_decided_on, lat, lon, procedure, written_by), E'\\n' \
    ORDER BY source, external_id)) FROM cases";
const STEPS_BY_KEY: &str = "SELECT md5(string_agg(concat_ws('|', c.source, c.external_id, s.ord, \
    s.started_on, s.due_on, s.done_on), E'\\n' ORDER BY c.source, c.external_id, s.ord)) \
    FROM case_step s JOIN cases c ON c.id = s.case_id";
const SOURCES: &str = "SELECT md5(string_agg(concat_ws('|', code, last_arrival, rows_accepted, \
    rows_rejected), E'\\n' ORDER BY code)) FROM data_source";

#[tokio::test]
async fn seeding_through_the_ingest_path_gives_the_same_data_as_copy() {
    let copied = server::testing::empty_database().await;
    let ingested = server::testing::empty_database().await;
    let by_copy = server::seed::run(&copied.pool, &tiny(5))
        .await
        .expect("COPY seed");
    let mut opts = tiny(5);
    opts.through_ingest = true;
    let by_ingest = server::seed::run(&ingested.pool, &opts)
        .await
        .expect("seed through ingest");
    assert_eq!(report_counts(&by_copy), report_counts(&by_ingest));
    assert_eq!(counts(&copied.pool).await, counts(&ingested.pool).await);
    for q in [CASES_BY_KEY, STEPS_BY_KEY, SOURCES] {
        assert_eq!(
            text(&copied.pool, q).await,
            text(&ingested.pool, q).await,
            "{q}"
        );
    }
    let pool = &ingested.pool;
    // One generated batch wrote every case, and the sources' counters are the seed's own.
    let (kind, format, actor, accepted): (String, String, String, i64) = sqlx::query_as(
        "SELECT record_kind, format, actor, accepted FROM ingest_batch WHERE format = 'generated'",
    )
    .fetch_one(pool)
    .await
    .unwrap();
    assert_eq!(
        (&kind[..], &format[..], &actor[..], accepted),
        ("cases", "generated", "seed", by_ingest.cases as i64)
    );
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM cases WHERE batch IS NULL").await,
        0
    );
    assert_eq!(
        scalar(pool, "SELECT count(*) FROM cases_dangling_codes").await,
        0
    );
}
