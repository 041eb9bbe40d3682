//! Year-end forecasts on the overview's targets (`server::forecast`): a hand-made commune with a
//! known monthly history gets the domain's forecast of those counts, with backtest figures equal
//! to a hand computation; the centre's summed targets are forecast from their provinces' cases;
//! the scope rules stay those of the overview.

mod common;

use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use common::{TestApp, clear_unit, commune_of, scalar};
use domain::forecast::{Forecast, Months, forecast};
use serde_json::Value;
use sqlx::PgPool;

/// An inspection about `unit` opened on `day`, still in progress.
async fn inspection(pool: &PgPool, id: &str, unit: &str, day: NaiveDate) {
    sqlx::query(
        "INSERT INTO cases (source, external_id, kind, conducting_unit, subject_type, subject_unit,
             path, province, sector, status, opened_on, due_on, lat, lon, written_by)
         SELECT 'HT-UBKT-01', $1, 'inspection_duty', '01', 'organization', code, path, province,
                'land', 'in_progress', $3, $3 + 30, 21.0, 105.8, 'test'
         FROM unit WHERE code = $2",
    )
    .bind(id)
    .bind(unit)
    .bind(day)
    .execute(pool)
    .await
    .unwrap();
}

fn line<'a>(overview: &'a Value, measure: &str) -> &'a Value {
    overview["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["measure"] == measure && t["sector"].is_null())
        .unwrap_or_else(|| panic!("no {measure} target in {overview}"))
}

fn forecast_of(line: &Value) -> Forecast {
    serde_json::from_value(line["forecast"].clone()).unwrap()
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    (next.unwrap() - NaiveDate::from_ymd_opt(year, month, 1).unwrap()).num_days() as u32
}

#[tokio::test]
async fn a_communes_known_history_gives_the_domains_forecast_and_a_hand_computed_backtest() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let commune = commune_of(pool, "01").await;
    clear_unit(pool, &commune).await;
    let today: NaiveDate = sqlx::query_scalar("SELECT current_date")
        .fetch_one(pool)
        .await
        .unwrap();
    let year = today.year();
    // Three past years: 2 a month; 1 a month with a December rush of 12; 3 a month. This year:
    // 3 in each month so far (on its first day, so never after today).
    let mut rush = [1; 12];
    rush[11] = 12;
    let past: Vec<(i32, Months)> = vec![(year - 3, [2; 12]), (year - 2, rush), (year - 1, [3; 12])];
    let mut current: Months = [0; 12];
    current[..=today.month0() as usize].fill(3);
    let mut n = 0;
    for (y, months) in past.iter().chain([(year, current)].iter()) {
        for (m, count) in months.iter().enumerate() {
            for _ in 0..*count {
                n += 1;
                let day = NaiveDate::from_ymd_opt(*y, m as u32 + 1, 1).unwrap();
                inspection(pool, &format!("f{n}"), &commune, day).await;
            }
        }
    }
    let planned = 40;
    sqlx::query(
        "INSERT INTO target (unit, path, province, year, measure, sector, planned)
         SELECT code, path, province, $2, 'inspections', NULL, $3 FROM unit WHERE code = $1",
    )
    .bind(&commune)
    .bind(year as i16)
    .bind(planned)
    .execute(pool)
    .await
    .unwrap();

    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    let (status, o) = app
        .get(&format!("/api/v1/overview?unit={commune}"), Some(&cookie))
        .await;
    assert_eq!(status, StatusCode::OK, "{o}");
    let got = forecast_of(line(&o, "inspections"));
    // The domain's forecast of the same counts (four past years are read; the oldest is empty).
    let mut read = vec![(year - 4, [0; 12])];
    read.extend(past.iter().copied());
    let expected = forecast(&read, &current, today, Some(i64::from(planned))).unwrap();
    assert_eq!(got, expected);
    assert_eq!(got.achieved, current.iter().sum::<i64>());
    assert_eq!(
        got.achieved,
        line(&o, "inspections")["attainment"]["achieved"]
            .as_i64()
            .unwrap()
    );
    assert_eq!(got.years, 3);
    assert_eq!(got.level, 0.8);
    assert!(got.low.unwrap() <= got.point && got.point <= got.high.unwrap());
    assert!(got.chance_of_meeting.is_some());

    // By hand: the events by today's calendar day in a year are its earlier months and this
    // month pro rata of its days gone.
    let cut = |y: i32, months: &Months| {
        let m = today.month0() as usize;
        let part = f64::from(today.day()) / f64::from(days_in_month(y, today.month()));
        months[..m].iter().sum::<i64>() as f64 + months[m] as f64 * part
    };
    let total = |months: &Months| months.iter().sum::<i64>() as f64;
    // Each year's share starts from the calendar's with ten events' weight.
    let calendar = |y: i32| {
        let day = today.day().min(days_in_month(y, today.month()));
        let by_cut = NaiveDate::from_ymd_opt(y, today.month(), day)
            .unwrap()
            .ordinal();
        let days = if NaiveDate::from_ymd_opt(y, 1, 1).unwrap().leap_year() {
            366.0
        } else {
            365.0
        };
        f64::from(by_cut) / days
    };
    let share = |(y, months): &(i32, Months)| {
        (cut(*y, months) + 10.0 * calendar(*y)) / (total(months) + 10.0)
    };
    // The middle year from the first alone; the last from the first two.
    let point_2 = cut(past[1].0, &past[1].1) / share(&past[0]);
    let point_3 = cut(past[2].0, &past[2].1) / ((share(&past[0]) + share(&past[1])) / 2.0);
    let mape = ((point_2 - total(&past[1].1)).abs() / total(&past[1].1)
        + (point_3 - total(&past[2].1)).abs() / total(&past[2].1))
        / 2.0;
    let b = &got.backtest;
    assert_eq!(b.years, 2);
    assert_eq!(
        b.runs
            .iter()
            .map(|r| (r.year, r.actual))
            .collect::<Vec<_>>(),
        vec![(year - 2, 23), (year - 1, 36)]
    );
    assert!((b.runs[0].point - point_2).abs() <= 0.005, "{b:?}");
    assert!((b.runs[1].point - point_3).abs() <= 0.005, "{b:?}");
    assert!((b.mape.unwrap() - mape).abs() <= 0.00005, "{b:?} vs {mape}");
    // Only the last run had two earlier years, so only it has an interval.
    assert_eq!((b.runs[0].low, b.runs[0].high), (None, None));
    let (lo, hi) = (b.runs[1].low.unwrap(), b.runs[1].high.unwrap());
    let inside = lo <= 36.0 && 36.0 <= hi;
    assert_eq!(b.coverage, Some(if inside { 1.0 } else { 0.0 }));

    // The report's entry point gives the same forecast.
    let for_unit = server::forecast::for_unit(&mut pool.acquire().await.unwrap(), &commune, today)
        .await
        .unwrap();
    let inspections = for_unit
        .iter()
        .find(|f| f.measure == "inspections" && f.sector.is_none())
        .unwrap();
    assert_eq!(inspections.planned, Some(i64::from(planned)));
    assert_eq!(inspections.forecast.as_ref(), Some(&expected));
    // A measure it has no target for is forecast from its own events, without a chance.
    let supervisions = for_unit
        .iter()
        .find(|f| f.measure == "supervisions")
        .unwrap();
    assert_eq!(supervisions.planned, None);
    assert_eq!(supervisions.forecast, None, "no supervision in its history");

    // Another province's user cannot see it.
    let hcm = app.login("hcm", "hcm-demo").await;
    let (status, _) = app
        .get(&format!("/api/v1/overview?unit={commune}"), Some(&hcm))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// A month's counts of a year from `(month, count)` rows.
fn months_of(rows: &[(i32, i32, i64)], year: i32) -> Months {
    let mut m = [0; 12];
    for (y, month, n) in rows {
        if *y == year {
            m[*month as usize - 1] += n;
        }
    }
    m
}

#[tokio::test]
async fn the_centres_summed_targets_are_forecast_from_their_provinces_cases() {
    let app = TestApp::seeded().await;
    let pool = &app.db.pool;
    let today: NaiveDate = sqlx::query_scalar("SELECT current_date")
        .fetch_one(pool)
        .await
        .unwrap();
    let year = today.year();
    let cookie = app.login("lanhdao", "lanhdao-demo").await;
    let (status, vn) = app.get("/api/v1/overview", Some(&cookie)).await;
    assert_eq!(status, StatusCode::OK, "{vn}");
    let national = line(&vn, "inspections");
    assert!(national["from_children"].as_i64().unwrap() > 0);
    // Counted on the cases: inspections in the provinces given an all-sector target this year.
    let rows: Vec<(i32, i32, i64)> = sqlx::query_as(
        "SELECT extract(year FROM opened_on)::int, extract(month FROM opened_on)::int, count(*)
         FROM cases
         WHERE kind LIKE 'inspection%' AND opened_on >= make_date($1 - 4, 1, 1)
           AND province IN (SELECT t.unit FROM target t WHERE t.measure = 'inspections'
               AND t.sector IS NULL AND t.year = $1)
         GROUP BY 1, 2",
    )
    .bind(year)
    .fetch_all(pool)
    .await
    .unwrap();
    let past: Vec<(i32, Months)> = (year - 4..year).map(|y| (y, months_of(&rows, y))).collect();
    let planned = national["attainment"]["planned"].as_i64().unwrap();
    let expected = forecast(&past, &months_of(&rows, year), today, Some(planned)).unwrap();
    assert_eq!(forecast_of(national), expected);
    assert!(expected.backtest.years >= 2, "{expected:?}");
    // Every line of the centre has one, per sector too.
    for t in vn["targets"].as_array().unwrap() {
        assert!(t["forecast"].is_object(), "{t}");
    }
    assert!(
        scalar(
            pool,
            "SELECT count(*) FROM target t JOIN unit u ON u.code = t.unit
             WHERE u.parent = 'VN' AND t.sector IS NOT NULL AND t.year = extract(year FROM current_date)"
        )
        .await
            > 0
    );
    assert!(
        vn["targets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["sector"].is_string())
    );
}
