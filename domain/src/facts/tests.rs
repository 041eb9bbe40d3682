//! The engine against known answers on hand-made tables and against a naive full rescan.

use super::synth::{FIRST_DAY, Rng, SPAN_DAYS, synthetic};
use super::*;
use crate::geometry::haversine_km;

/// A row at a place with a kind and a sector; the rest fixed.
fn row(id: u32, day: u16, kind: u8, sector: u8, lat: f64, lon: f64) -> FactRow {
    FactRow {
        id,
        day,
        kind,
        sector,
        status: 2,
        subject: 0,
        discipline: 0,
        categories: 0,
        province: 0,
        commune: 0,
        lat: quantize_lat(lat),
        lon: quantize_lon(lon),
        amount: id,
    }
}

fn table(rows: &[FactRow]) -> Facts {
    let mut f = Facts {
        provinces: vec!["01".into()],
        communes: vec!["00004".into()],
        ..Facts::default()
    };
    for r in rows {
        f.push(*r);
    }
    f
}

fn ids(e: &Engine) -> Vec<u32> {
    let mut v: Vec<u32> = e.selected_rows().map(|r| e.facts().id(r)).collect();
    v.sort();
    v
}

#[test]
fn a_brushed_chart_keeps_its_whole_shape() {
    // kinds: 0,0,1,2 ; sectors: 0,1,1,1
    let e_rows = [
        row(1, 100, 0, 0, 21.0, 105.8),
        row(2, 101, 0, 1, 21.0, 105.8),
        row(3, 102, 1, 1, 21.0, 105.8),
        row(4, 103, 2, 1, 21.0, 105.8),
    ];
    let mut e = Engine::new(table(&e_rows)).unwrap();
    assert_eq!(e.views().total, 4);
    assert_eq!(e.views().amount, 10);
    e.set_filter(Dimension::Kind, Filter::Values(vec![0]))
        .unwrap();
    let v = e.views();
    // The kind chart still shows every kind (its own filter is not applied to it)...
    assert_eq!(&v.kind[..3], &[2, 1, 1]);
    // ...while the others only count kind 0.
    assert_eq!(&v.sector[..2], &[1, 1]);
    assert_eq!(v.days, &[1, 1, 0, 0]);
    assert_eq!((v.total, v.amount), (2, 3));
    e.set_filter(Dimension::Sector, Filter::Values(vec![1]))
        .unwrap();
    let v = e.views();
    assert_eq!(&v.kind[..3], &[1, 1, 1], "kinds of sector 1");
    assert_eq!(&v.sector[..2], &[1, 1], "sectors of kind 0");
    assert_eq!((v.total, v.amount), (1, 2));
    assert_eq!(ids(&e), vec![2]);
    e.set_filter(Dimension::Time, Filter::Days { from: 101, to: 102 })
        .unwrap();
    let v = e.views();
    assert_eq!(v.days, &[0, 1, 0, 0], "days of kind 0 and sector 1");
    assert_eq!(&v.kind[..3], &[1, 1, 0]);
    e.clear(Dimension::Kind);
    assert_eq!(ids(&e), vec![2, 3]);
    e.clear_all();
    assert_eq!(e.views().total, 4);
    assert_eq!(e.views().days, &[1, 1, 1, 1]);
}

#[test]
fn an_empty_value_list_passes_nothing_and_wrong_filters_are_refused() {
    let mut e = Engine::new(table(&[row(1, 5, 0, 0, 16.0, 108.0)])).unwrap();
    e.set_filter(Dimension::Status, Filter::Values(vec![]))
        .unwrap();
    assert_eq!(e.views().total, 0);
    assert_eq!(e.views().status, &[0, 0, 1, 0]);
    e.clear(Dimension::Status);
    assert_eq!(e.views().total, 1);
    let err = e
        .set_filter(Dimension::Kind, Filter::Days { from: 0, to: 9 })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a days filter does not apply to the kind dimension"
    );
    assert!(
        e.set_filter(Dimension::Space, Filter::Values(vec![1]))
            .is_err()
    );
    assert_eq!(e.filter(Dimension::Kind), None);
}

#[test]
fn rows_are_ordered_by_day_and_invalid_tables_refused() {
    let e = Engine::new(table(&[
        row(1, 9, 0, 0, 16.0, 108.0),
        row(2, 3, 0, 0, 16.0, 108.0),
        row(3, 9, 0, 0, 16.0, 108.0),
        row(4, 5, 0, 0, 16.0, 108.0),
    ]))
    .unwrap();
    let by_day: Vec<u32> = (0..4).map(|r| e.facts().id(r)).collect();
    assert_eq!(by_day, vec![2, 4, 1, 3]);
    assert_eq!(e.views().first_day, 3);
    assert_eq!(e.views().days, &[1, 0, 1, 0, 0, 0, 2]);
    let mut bad = table(&[row(1, 9, 0, 0, 16.0, 108.0)]);
    bad.kind[0] = 8;
    assert!(Engine::new(bad).is_err());
}

#[test]
fn a_radius_selects_by_great_circle_distance() {
    // Hanoi; a point 20 km north; one 40 km east; Hai Phong (~100 km); Ho Chi Minh City.
    let (lat, lon) = (21.0285f64, 105.8542f64);
    let north = lat + 20.0 / 111.195;
    let east = lon + 40.0 / (111.195 * lat.to_radians().cos());
    let rows = [
        row(1, 1, 0, 0, lat, lon),
        row(2, 1, 0, 0, north, lon),
        row(3, 1, 0, 0, lat, east),
        row(4, 1, 0, 0, 20.8449, 106.6881),
        row(5, 1, 0, 0, 10.7769, 106.7009),
    ];
    let mut e = Engine::new(table(&rows)).unwrap();
    let at = |km| Filter::Radius { lat, lon, km };
    e.set_filter(Dimension::Space, at(10.0)).unwrap();
    assert_eq!(ids(&e), vec![1]);
    e.set_filter(Dimension::Space, at(25.0)).unwrap();
    assert_eq!(ids(&e), vec![1, 2]);
    e.set_filter(Dimension::Space, at(45.0)).unwrap();
    assert_eq!(ids(&e), vec![1, 2, 3]);
    e.set_filter(Dimension::Space, at(120.0)).unwrap();
    assert_eq!(ids(&e), vec![1, 2, 3, 4]);
    e.set_filter(Dimension::Space, at(1200.0)).unwrap();
    assert_eq!(ids(&e), vec![1, 2, 3, 4, 5]);
    e.set_filter(Dimension::Space, at(-1.0)).unwrap();
    assert_eq!(ids(&e), Vec::<u32>::new());
    e.clear(Dimension::Space);
    assert_eq!(e.views().total, 5);
}

#[test]
fn a_concave_lasso_leaves_out_its_notch() {
    // A "U": arms at lon 105..106 and 107..108, joined by a base at lat 10..11, open notch above.
    let u = vec![
        (10.0, 105.0),
        (10.0, 108.0),
        (14.0, 108.0),
        (14.0, 107.0),
        (11.0, 107.0),
        (11.0, 106.0),
        (14.0, 106.0),
        (14.0, 105.0),
    ];
    assert!(engine::point_in_polygon(12.0, 105.5, &u));
    assert!(!engine::point_in_polygon(12.0, 106.5, &u));
    let rows = [
        row(1, 1, 0, 0, 12.0, 105.5), // left arm
        row(2, 1, 0, 0, 12.0, 106.5), // the notch
        row(3, 1, 0, 0, 12.0, 107.5), // right arm
        row(4, 1, 0, 0, 10.5, 106.5), // the base
        row(5, 1, 0, 0, 15.0, 106.5), // above
        row(6, 1, 0, 0, 12.0, 104.0), // left of it
    ];
    let mut e = Engine::new(table(&rows)).unwrap();
    e.set_filter(Dimension::Space, Filter::Lasso(u)).unwrap();
    assert_eq!(ids(&e), vec![1, 3, 4]);
    e.set_filter(
        Dimension::Space,
        Filter::Lasso(vec![(1.0, 1.0), (2.0, 2.0)]),
    )
    .unwrap();
    assert_eq!(e.views().total, 0);
}

// ---- the naive reference ----

fn passes(f: &Facts, r: usize, d: Dimension, filter: &Filter) -> bool {
    let has = |v: &[u16], x: u16| v.contains(&x);
    match (d, filter) {
        (Dimension::Time, Filter::Days { from, to }) => (*from..=*to).contains(&f.day[r]),
        (Dimension::Kind, Filter::Values(v)) => has(v, f.kind[r] as u16),
        (Dimension::Sector, Filter::Values(v)) => has(v, f.sector[r] as u16),
        (Dimension::Status, Filter::Values(v)) => has(v, f.status[r] as u16),
        (Dimension::Subject, Filter::Values(v)) => has(v, f.subject[r] as u16),
        (Dimension::Discipline, Filter::Values(v)) => has(v, f.discipline[r] as u16),
        (Dimension::Category, Filter::Values(v)) => {
            v.iter().any(|&c| c < 16 && f.categories[r] & (1 << c) != 0)
        }
        (Dimension::Province, Filter::Values(v)) => {
            f.province[r] != NO_PROVINCE && has(v, f.province[r] as u16)
        }
        (Dimension::Commune, Filter::Values(v)) => {
            f.commune[r] != NO_COMMUNE && has(v, f.commune[r])
        }
        (Dimension::Space, Filter::Radius { lat, lon, km }) => {
            haversine_km(lat_of(f.lat[r]), lon_of(f.lon[r]), *lat, *lon) <= *km
        }
        (Dimension::Space, Filter::Lasso(p)) => {
            p.len() >= 3 && engine::point_in_polygon(lat_of(f.lat[r]), lon_of(f.lon[r]), p)
        }
        _ => unreachable!(),
    }
}

#[derive(Debug, PartialEq)]
struct Reference {
    days: Vec<u32>,
    kind: Vec<u32>,
    sector: Vec<u32>,
    status: Vec<u32>,
    subject: Vec<u32>,
    discipline: Vec<u32>,
    category: Vec<u32>,
    province: Vec<u32>,
    commune: Vec<u32>,
    total: u32,
    amount: u64,
    rows: Vec<usize>,
}

fn of_views(v: Views<'_>, rows: Vec<usize>) -> Reference {
    Reference {
        days: v.days.to_vec(),
        kind: v.kind.to_vec(),
        sector: v.sector.to_vec(),
        status: v.status.to_vec(),
        subject: v.subject.to_vec(),
        discipline: v.discipline.to_vec(),
        category: v.category.to_vec(),
        province: v.province.to_vec(),
        commune: v.commune.to_vec(),
        total: v.total,
        amount: v.amount,
        rows,
    }
}

fn rescan(f: &Facts, filters: &[Option<Filter>; 10], first_day: u16, ndays: usize) -> Reference {
    let mut out = Reference {
        days: vec![0; ndays],
        kind: vec![0; 8],
        sector: vec![0; 12],
        status: vec![0; 4],
        subject: vec![0; 2],
        discipline: vec![0; 6],
        category: vec![0; 9],
        province: vec![0; f.provinces.len()],
        commune: vec![0; f.communes.len()],
        total: 0,
        amount: 0,
        rows: vec![],
    };
    for r in 0..f.len() {
        let fails: Vec<usize> = Dimension::ALL
            .iter()
            .filter(|d| {
                filters[d.index()]
                    .as_ref()
                    .is_some_and(|flt| !passes(f, r, **d, flt))
            })
            .map(|d| d.index())
            .collect();
        let counts_in = |g: usize| fails.iter().all(|&d| d == g);
        if counts_in(0) {
            out.days[(f.day[r] - first_day) as usize] += 1;
        }
        if counts_in(1) {
            out.kind[f.kind[r] as usize] += 1;
        }
        if counts_in(2) {
            out.sector[f.sector[r] as usize] += 1;
        }
        if counts_in(3) {
            out.status[f.status[r] as usize] += 1;
        }
        if counts_in(4) {
            out.subject[f.subject[r] as usize] += 1;
        }
        if counts_in(5) {
            out.discipline[f.discipline[r] as usize] += 1;
        }
        if counts_in(6) {
            for c in 0..9 {
                if f.categories[r] & (1 << c) != 0 {
                    out.category[c] += 1;
                }
            }
        }
        if counts_in(7) && f.province[r] != NO_PROVINCE {
            out.province[f.province[r] as usize] += 1;
        }
        if counts_in(8) && f.commune[r] != NO_COMMUNE {
            out.commune[f.commune[r] as usize] += 1;
        }
        if fails.is_empty() {
            out.total += 1;
            out.amount += f.amount[r] as u64;
            out.rows.push(r);
        }
    }
    out
}

fn subset(rng: &mut Rng, n: u64, max: u64) -> Vec<u16> {
    (0..1 + rng.below(max))
        .map(|_| rng.below(n) as u16)
        .collect()
}

/// A random filter of the kinds the workspace makes.
fn random_filter(rng: &mut Rng, f: &Facts, d: Dimension, current: Option<&Filter>) -> Filter {
    match d {
        Dimension::Time => match current {
            // Small and large moves of an existing brush.
            Some(Filter::Days { from, to }) if rng.unit() < 0.6 => {
                let span: u64 = if rng.unit() < 0.5 { 10 } else { 400 };
                let shift = |x: u16, rng: &mut Rng| {
                    (x as i64 + rng.below(2 * span + 1) as i64 - span as i64)
                        .clamp(0, u16::MAX as i64) as u16
                };
                let (a, b) = (shift(*from, rng), shift(*to, rng));
                Filter::Days {
                    from: a.min(b),
                    to: a.max(b),
                }
            }
            _ => {
                let a = FIRST_DAY - 30 + rng.below(SPAN_DAYS as u64 + 60) as u16;
                let long = rng.unit() < 0.5;
                let len = rng.below(if long { 2000 } else { 60 }) as u16;
                Filter::Days {
                    from: a,
                    to: a + len,
                }
            }
        },
        Dimension::Kind => Filter::Values(subset(rng, 8, 4)),
        Dimension::Sector => Filter::Values(subset(rng, 12, 5)),
        Dimension::Status => Filter::Values(subset(rng, 4, 2)),
        Dimension::Subject => Filter::Values(subset(rng, 2, 1)),
        Dimension::Discipline => Filter::Values(subset(rng, 6, 3)),
        Dimension::Category => Filter::Values(subset(rng, 9, 3)),
        Dimension::Province => Filter::Values(subset(rng, f.provinces.len() as u64, 3)),
        Dimension::Commune => Filter::Values(subset(rng, f.communes.len() as u64, 40)),
        Dimension::Space => {
            let r = rng.below(f.len() as u64) as usize;
            let (lat, lon) = (lat_of(f.lat[r]), lon_of(f.lon[r]));
            if rng.unit() < 0.5 {
                Filter::Radius {
                    lat,
                    lon,
                    km: 1.0 + rng.unit() * 150.0,
                }
            } else {
                // A star-shaped, usually concave polygon around the point.
                let k = 3 + rng.below(12) as usize;
                let size = 0.05 + rng.unit() * 1.5;
                Filter::Lasso(
                    (0..k)
                        .map(|i| {
                            let t = i as f64 / k as f64 * std::f64::consts::TAU;
                            let rad = size * (0.3 + rng.unit());
                            (lat + rad * t.sin(), lon + rad * t.cos())
                        })
                        .collect(),
                )
            }
        }
    }
}

/// Applies `steps` seeded random changes (filters, clears, clearing all) to an engine over
/// `facts`, checking its views and selection against a full rescan first and after each change;
/// returns how many changes it made.
fn check_against_rescan(facts: Facts, steps: usize, seed: u64) -> usize {
    let mut e = Engine::new(facts).unwrap();
    let f = e.facts().to_facts();
    let (first_day, ndays) = (e.views().first_day, e.views().days.len());
    let mut filters: [Option<Filter>; 10] = Default::default();
    let want = rescan(&f, &filters, first_day, ndays);
    assert_eq!(of_views(e.views(), e.selected_rows().collect()), want);
    let mut rng = Rng::new(seed);
    let mut changes = 0;
    for step in 0..steps {
        let d = Dimension::ALL[rng.below(10) as usize];
        let x = rng.unit();
        if x < 0.02 {
            e.clear_all();
            filters = Default::default();
        } else if x < 0.2 {
            e.clear(d);
            filters[d.index()] = None;
        } else {
            let flt = random_filter(&mut rng, &f, d, filters[d.index()].as_ref());
            e.set_filter(d, flt.clone()).unwrap();
            filters[d.index()] = Some(flt);
        }
        changes += 1;
        let want = rescan(&f, &filters, first_day, ndays);
        let got = of_views(e.views(), e.selected_rows().collect());
        assert_eq!(
            got, want,
            "after change {step} ({d:?}), filters {filters:?}"
        );
        assert!((0..f.len()).all(|r| e.passes(r) == want.rows.binary_search(&r).is_ok()));
    }
    changes
}

#[test]
fn incremental_updates_equal_a_full_rescan() {
    assert!(check_against_rescan(synthetic(10_000, 42), 700, 2026) >= 500);
}

#[test]
fn untidy_places_and_days_filter_as_a_full_rescan_says() {
    // Communes named under another province than their own, rows without a province or a
    // commune or both, days far from the rest, a row count that is no multiple of 64.
    let mut f = synthetic(3_001, 9);
    let mut rng = Rng::new(3);
    for r in 0..f.len() {
        match rng.below(40) {
            0 => f.commune[r] = rng.below(f.communes.len() as u64) as u16,
            1 => f.province[r] = NO_PROVINCE,
            2 => f.commune[r] = NO_COMMUNE,
            3 => (f.province[r], f.commune[r]) = (NO_PROVINCE, NO_COMMUNE),
            4 => f.day[r] = [0, 1, 65_535][rng.below(3) as usize],
            _ => {}
        }
    }
    assert!(check_against_rescan(f, 400, 77) >= 300);
}

#[test]
fn an_empty_table_filters_without_rows() {
    let mut e = Engine::new(table(&[])).unwrap();
    assert_eq!((e.len(), e.views().total, e.views().days.len()), (0, 0, 0));
    for d in Dimension::ALL {
        let flt = match d {
            Dimension::Time => Filter::Days { from: 3, to: 9 },
            Dimension::Space => Filter::Radius {
                lat: 16.0,
                lon: 108.0,
                km: 50.0,
            },
            _ => Filter::Values(vec![0]),
        };
        e.set_filter(d, flt).unwrap();
    }
    e.clear_all();
    assert_eq!(e.views().total, 0);
    assert_eq!(e.selected_rows().count(), 0);
    assert!(e.area_figures(true).iter().all(|a| a.cases == 0));
}

#[test]
fn the_packed_table_reads_back_every_row_in_day_order() {
    let f = synthetic(5_000, 4);
    let mut by_day: Vec<usize> = (0..f.len()).collect();
    by_day.sort_by_key(|&r| (f.day[r], r));
    let e = Engine::new(f.clone()).unwrap();
    let packed = e.facts();
    assert_eq!(packed.len(), f.len());
    for (r, &i) in by_day.iter().enumerate() {
        assert_eq!(packed.row(r), f.row(i), "row {r}");
        assert_eq!(
            (packed.id(r), packed.day(r), packed.categories(r)),
            (f.id[i], f.day[i], f.categories[i])
        );
    }
    assert_eq!(packed.row(f.len()), None);
    assert_eq!(packed.to_facts().provinces, f.provinces);
}

#[test]
fn the_packed_table_and_its_index_take_less_than_the_plain_columns() {
    let e = Engine::new(synthetic(300_000, 4)).unwrap();
    let per_row = (e.facts().memory_bytes() + e.index_bytes()) as f64 / e.len() as f64;
    assert!(per_row < ROW_BYTES as f64, "{per_row} bytes a row");
}

#[test]
fn a_synthetic_table_encodes_in_few_bytes_a_row() {
    let f = synthetic(100_000, 1);
    let bytes = encode(&f);
    let per_row = bytes.len() as f64 / f.len() as f64;
    assert!(per_row < 20.0, "{per_row} bytes a row");
    assert_eq!(f.memory_bytes(), 24 * f.len());
    assert_eq!(decode(&bytes).unwrap(), f);
}

#[test]
fn the_builder_interns_codes_and_quantizes() {
    let mut b = FactsBuilder::with_capacity(2);
    let date = chrono::NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let case = CaseFact {
        id: 77,
        opened_on: date,
        kind: crate::CaseKind::Complaint,
        sector: crate::Sector::Land,
        status: crate::CaseStatus::Concluded,
        subject: crate::SubjectType::Member,
        discipline: Some(crate::DisciplineForm::Warning),
        categories: category_mask(&[
            crate::ViolationCategory::Corruption,
            crate::ViolationCategory::Other,
        ]),
        province: Some("01"),
        commune: Some("00004"),
        lat: 21.0285,
        lon: 105.8542,
        amount_vnd: Some(2_600_000),
    };
    b.push(&case);
    b.push(&CaseFact {
        id: 78,
        province: None,
        commune: None,
        discipline: None,
        amount_vnd: None,
        ..case
    });
    let f = b.finish();
    assert_eq!(f.provinces, vec!["01"]);
    assert_eq!(f.communes, vec!["00004"]);
    let r = f.row(0).unwrap();
    assert_eq!(date_of(r.day), date);
    assert_eq!((r.kind, r.sector, r.status, r.subject), (6, 0, 2, 1));
    assert_eq!(
        (r.discipline, r.categories, r.amount),
        (2, 0b1_0000_0001, 3)
    );
    assert!((lat_of(r.lat) - 21.0285).abs() < 2e-4);
    assert!((lon_of(r.lon) - 105.8542).abs() < 2e-4);
    let r = f.row(1).unwrap();
    assert_eq!(
        (r.province, r.commune, r.discipline, r.amount),
        (NO_PROVINCE, NO_COMMUNE, 0, 0)
    );
    assert_eq!(decode(&encode(&f)).unwrap(), f);
}

#[test]
fn the_map_counts_every_area_while_one_is_selected() {
    let mut f = Facts {
        provinces: vec!["01".into(), "79".into()],
        communes: vec!["00004".into(), "26734".into()],
        ..Facts::default()
    };
    for (id, province, sector, discipline, categories, amount) in [
        (1, 0, 0, 0, 0, 5),
        (2, 0, 0, 2, 1, 7),
        (3, 1, 0, 0, 4, 11),
        (4, 1, 1, 1, 0, 13),
    ] {
        f.push(FactRow {
            province,
            commune: province as u16,
            sector,
            discipline,
            categories,
            amount,
            ..row(id, 100, 0, sector, 21.0, 105.8)
        });
    }
    let mut e = Engine::new(f).unwrap();
    e.set_filter(Dimension::Province, Filter::Values(vec![0]))
        .unwrap();
    e.set_filter(Dimension::Sector, Filter::Values(vec![0]))
        .unwrap();
    // The province filter does not hide province 1 from the map; the sector filter does filter.
    let by_province = e.area_figures(false);
    assert_eq!(
        by_province,
        vec![
            AreaFigures {
                cases: 2,
                violating: 1,
                disciplined: 1,
                amount: 12
            },
            AreaFigures {
                cases: 1,
                violating: 1,
                disciplined: 0,
                amount: 11
            },
        ]
    );
    assert_eq!(e.area_figures(true), by_province);
    assert_eq!(e.views().total, 2);
}
