//! Seeded synthetic fact tables shaped like the demo data (for tests and benchmarks): 34 provinces
//! of a few hundred communes each, each province's cases a stream sorted by opening day with
//! consecutive ids, locations near the subject unit inside its commune, skewed vocabularies.

use super::{
    Dimension, Facts, Filter, NO_COMMUNE, NO_PROVINCE, PackedFacts, lat_of, lon_of, quantize_lat,
    quantize_lon,
};
use std::collections::BTreeMap;

/// A small, fast, seeded generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x5851_f42d_4c95_7f2d)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            ((self.next_u64() >> 32) * n) >> 32
        }
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform in `[lo, hi)`.
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.unit()
    }

    /// An index picked by weight.
    pub fn pick(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.unit() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len().saturating_sub(1)
    }
}

/// First opening day of the synthetic cases (2016-01-01 as a day number).
pub const FIRST_DAY: u16 = 5844;
/// Number of days the synthetic cases span (ten years).
pub const SPAN_DAYS: u16 = 3653;

/// `n` synthetic rows from `seed`, sorted by id (province streams one after the other).
pub fn synthetic(n: usize, seed: u64) -> Facts {
    let mut rng = Rng::new(seed);
    let provinces = 34usize;
    let mut f = Facts::with_capacity(n);
    // Province weights (two big cities), centres spread over the country.
    let pw: Vec<f64> = (0..provinces)
        .map(|p| if p < 2 { 6.0 } else { 0.5 + rng.unit() })
        .collect();
    let total: f64 = pw.iter().sum();
    struct Commune {
        index: u16,
        lat: f64,
        lon: f64,
        units: Vec<(f64, f64)>,
    }
    let mut per_province: Vec<Vec<Commune>> = Vec::new();
    for p in 0..provinces {
        f.provinces.push(format!("{:02}", p * 2 + 1));
        let (plat, plon) = (rng.range(9.5, 22.5), rng.range(103.5, 109.0));
        let m = 60 + rng.below(140) as usize;
        let mut cs = Vec::with_capacity(m);
        for _ in 0..m {
            let index = f.communes.len() as u16;
            f.communes.push(format!("{:05}", f.communes.len() * 3 + 4));
            let (lat, lon) = (plat + rng.range(-0.6, 0.6), plon + rng.range(-0.6, 0.6));
            let units = (0..1 + rng.below(12))
                .map(|_| (lat + rng.range(-0.03, 0.03), lon + rng.range(-0.03, 0.03)))
                .collect();
            cs.push(Commune {
                index,
                lat,
                lon,
                units,
            });
        }
        per_province.push(cs);
    }
    let kind_w = [3.0, 1.0, 1.0, 2.0, 6.0, 2.0, 4.0, 3.0];
    let sector_w = [5.0, 4.0, 3.0, 2.0, 1.5, 1.5, 1.5, 2.0, 1.0, 3.0, 0.5, 1.0];
    let mut id = 1u32;
    let mut rows = 0usize;
    for (p, communes) in per_province.iter().enumerate() {
        let share = if p + 1 == provinces {
            n - rows
        } else {
            ((n as f64) * pw[p] / total) as usize
        }
        .min(n - rows);
        let mut days: Vec<u16> = (0..share)
            .map(|_| FIRST_DAY + rng.below(SPAN_DAYS as u64) as u16)
            .collect();
        days.sort_unstable();
        for day in days {
            let c = &communes[rng.below(communes.len() as u64) as usize];
            let at_province = rng.unit() < 0.03;
            let (lat, lon, commune) = if at_province {
                (
                    c.lat + rng.range(-0.04, 0.04),
                    c.lon + rng.range(-0.04, 0.04),
                    NO_COMMUNE,
                )
            } else {
                let u = c.units[rng.below(c.units.len() as u64) as usize];
                (
                    u.0 + rng.range(-0.004, 0.004),
                    u.1 + rng.range(-0.004, 0.004),
                    c.index,
                )
            };
            let kind = rng.pick(&kind_w) as u8;
            let subject = (rng.unit() < 0.35) as u8;
            let status = match rng.unit() {
                x if x < 0.08 => 0,
                x if x < 0.25 => 1,
                x if x < 0.97 => 2,
                _ => 3,
            };
            let violation = status == 2 && rng.unit() < 0.3;
            let mut categories = 0u16;
            let mut amount = 0u32;
            let mut discipline = 0u8;
            if violation {
                for _ in 0..1 + (rng.unit() < 0.3) as u32 {
                    categories |= 1 << rng.below(9);
                }
                if rng.unit() < 0.6 {
                    amount = (rng.unit().powi(3) * 5_000.0) as u32;
                }
                if rng.unit() < 0.4 {
                    discipline = 1 + rng.below(if subject == 1 { 4 } else { 2 }) as u8;
                }
            }
            f.push(super::FactRow {
                id,
                day,
                kind,
                sector: rng.pick(&sector_w) as u8,
                status,
                subject,
                discipline,
                categories,
                province: if rng.unit() < 0.001 {
                    NO_PROVINCE
                } else {
                    p as u8
                },
                commune,
                lat: quantize_lat(lat),
                lon: quantize_lon(lon),
                amount,
            });
            id += 1;
            rows += 1;
        }
    }
    f
}

/// One change of the sequence: a dimension's new filter, or `None` to clear it.
#[derive(Debug, Clone)]
pub struct Change {
    pub label: &'static str,
    pub dimension: Dimension,
    pub filter: Option<Filter>,
}

fn toggle(set: &mut Vec<u16>, v: u16) {
    match set.iter().position(|&x| x == v) {
        Some(i) => {
            set.remove(i);
        }
        None => set.push(v),
    }
}

/// The benchmarks' seeded sequence of filter changes (brushes, toggles, picks, radius and lasso
/// selections) over the engine's facts (row numbers, and so radius and lasso centres, follow the
/// engine's order). Used by `domain/examples/facts_bench.rs` and the browser benchmark alike.
pub fn change_plan(f: &PackedFacts, changes: usize, seed: u64) -> Vec<Change> {
    let n = f.len();
    let mut rng = Rng::new(seed);
    let mut brush: Option<(u16, u16)> = None;
    let mut sets: BTreeMap<Dimension, Vec<u16>> = BTreeMap::new();
    let mut out = Vec::with_capacity(changes);
    for _ in 0..changes {
        let x = rng.below(100);
        let (label, dimension, filter): (&str, Dimension, Option<Filter>) = match (x, brush) {
            (0..=9, _) | (10..=34, None) => {
                let a = FIRST_DAY + rng.below(SPAN_DAYS as u64 - 400) as u16;
                let b = a + 30 + rng.below(600) as u16;
                brush = Some((a, b));
                (
                    "brush new",
                    Dimension::Time,
                    Some(Filter::Days { from: a, to: b }),
                )
            }
            (10..=24, Some((a, b))) => {
                let s = 1 + rng.below(7) as u16;
                let (a, b) = if rng.unit() < 0.5 {
                    (a + s, b + s)
                } else {
                    (a.saturating_sub(s), b.saturating_sub(s))
                };
                brush = Some((a, b));
                (
                    "brush small move",
                    Dimension::Time,
                    Some(Filter::Days { from: a, to: b }),
                )
            }
            (25..=31, Some((a, b))) => {
                let s = 100 + rng.below(500) as u16;
                let (a, b) = if rng.unit() < 0.5 {
                    (a + s, b + s)
                } else {
                    (a.saturating_sub(s), b.saturating_sub(s))
                };
                brush = Some((a, b));
                (
                    "brush large move",
                    Dimension::Time,
                    Some(Filter::Days { from: a, to: b }),
                )
            }
            (32..=34, Some(_)) => {
                brush = None;
                ("brush clear", Dimension::Time, None)
            }
            (35..=59, _) => {
                let (dim, size) = [
                    (Dimension::Kind, 8),
                    (Dimension::Sector, 12),
                    (Dimension::Status, 4),
                    (Dimension::Discipline, 6),
                    (Dimension::Category, 9),
                    (Dimension::Subject, 2),
                ][rng.below(6) as usize];
                let set = sets.entry(dim).or_default();
                toggle(set, rng.below(size) as u16);
                let filter = (!set.is_empty()).then(|| Filter::Values(set.clone()));
                ("category toggle", dim, filter)
            }
            (60..=71, _) => {
                let filter = (rng.unit() < 0.8)
                    .then(|| Filter::Values(vec![rng.below(f.provinces.len() as u64) as u16]));
                ("province pick", Dimension::Province, filter)
            }
            (72..=77, _) => {
                let filter = (rng.unit() < 0.8)
                    .then(|| Filter::Values(vec![rng.below(f.communes.len() as u64) as u16]));
                ("commune pick", Dimension::Commune, filter)
            }
            (78..=88, _) => {
                let r = rng.below(n as u64) as usize;
                let km = 5.0 + rng.unit() * 120.0;
                (
                    "radius",
                    Dimension::Space,
                    Some(Filter::Radius {
                        lat: lat_of(f.lat(r)),
                        lon: lon_of(f.lon(r)),
                        km,
                    }),
                )
            }
            (89..=96, _) => {
                let r = rng.below(n as u64) as usize;
                let (lat, lon) = (lat_of(f.lat(r)), lon_of(f.lon(r)));
                let k = 8 + rng.below(24) as usize;
                let size = 0.1 + rng.unit();
                let poly = (0..k)
                    .map(|i| {
                        let t = i as f64 / k as f64 * std::f64::consts::TAU;
                        let rad = size * (0.5 + 0.5 * rng.unit());
                        (lat + rad * t.sin(), lon + rad * t.cos())
                    })
                    .collect();
                ("lasso", Dimension::Space, Some(Filter::Lasso(poly)))
            }
            _ => ("space clear", Dimension::Space, None),
        };
        out.push(Change {
            label,
            dimension,
            filter,
        });
    }
    out
}
