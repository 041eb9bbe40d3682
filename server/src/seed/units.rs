//! The unit hierarchy: the real centre, committees, 34 provinces and 3,321 communes (from the
//! embedded geodata inputs), and synthetic grassroots organizations and cells with member counts.
//! Pure: no I/O beyond the files compiled into the binary.

use super::model::{self, CENTRE_LOCATION, COMMITTEES};
use super::{SizeParams, rng_for, tag};
use domain::UnitLevel;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};
use std::ops::Range;

const MERGER: &str = include_str!("../../../geodata/inputs/merger_63_to_34.txt");
const COMMUNES: &str = include_str!("../../../geodata/inputs/communes_2025_centroids.csv");

/// One unit of the hierarchy, as it goes into the `unit` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Unit {
    pub code: String,
    pub name: String,
    pub level: UnitLevel,
    pub parent: Option<u32>,
    /// ltree path, e.g. `VN.01.00004.00004_03`.
    pub path: String,
    /// Index into [`Hierarchy::provinces`] for a province and everything below it.
    pub province: Option<u16>,
    /// Index into [`Hierarchy::communes`] for a commune and everything below it.
    pub commune: Option<u32>,
    pub lat: f64,
    pub lon: f64,
    pub area_km2: Option<f64>,
    /// Members directly in this unit (cells, grassroots organizations without cells, and the
    /// committees under the centre hold members; the sum over all units is the national total).
    pub members: u32,
    /// How many of this unit's members the `member` table holds (a pseudonymous sample).
    pub sampled: u32,
    /// Sequence number of the first sampled member, within its commune (or committee).
    pub first_seq: u32,
}

/// A province and what the generator needs to know about it.
#[derive(Clone, Debug)]
pub struct Province {
    pub unit: u32,
    pub code: String,
    pub name: String,
    /// Indices into [`Hierarchy::communes`].
    pub communes: Range<u32>,
    /// Members in the province (sum over its units).
    pub members: u64,
    /// The sampled members of the province: (leaf unit, sequence number in its commune).
    pub sample: Vec<(u32, u32)>,
    /// Cumulative weights of grassroots organizations (by members and the commune's activity),
    /// for picking the organization a case is about.
    pub grassroots_cum: Vec<(f64, u32)>,
    /// Cumulative weights of communes (by members and activity).
    pub communes_cum: Vec<f64>,
}

/// A commune and the synthetic units below it.
#[derive(Clone, Debug)]
pub struct Commune {
    pub unit: u32,
    pub province: u16,
    /// Unit indices of its grassroots organizations and cells (each grassroots organization is
    /// followed by its cells).
    pub below: Range<u32>,
    pub members: u64,
    /// How busy the commune is relative to its size (hot spots and quiet places).
    pub activity: f64,
    /// Range of its members in the province's `sample`.
    pub sample: Range<u32>,
}

/// The whole hierarchy. Units are ordered: `VN`, `TW1`..`TW6`, provinces, communes (grouped by
/// province), then grassroots organizations and cells grouped by commune.
#[derive(Clone, Debug)]
pub struct Hierarchy {
    pub units: Vec<Unit>,
    pub committees: Vec<u32>,
    pub provinces: Vec<Province>,
    pub communes: Vec<Commune>,
}

struct CommuneInput {
    province: String,
    code: String,
    name: String,
    lat: f64,
    lon: f64,
    area: f64,
}

fn parse_provinces() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = MERGER
        .lines()
        .filter_map(|line| {
            let (head, _) = line.split_once("<=")?;
            let head = head.trim();
            let (code, name) = head.split_once(' ')?;
            (code.len() == 2 && code.bytes().all(|b| b.is_ascii_digit()))
                .then(|| (code.to_string(), name.trim().to_string()))
        })
        .collect();
    out.sort();
    out
}

fn parse_communes() -> Vec<CommuneInput> {
    let mut reader = csv::Reader::from_reader(COMMUNES.as_bytes());
    let mut out: Vec<CommuneInput> = reader
        .records()
        .filter_map(|r| r.ok())
        .filter_map(|r| {
            Some(CommuneInput {
                province: r.get(0)?.to_string(),
                code: r.get(2)?.to_string(),
                name: r.get(3)?.to_string(),
                lat: r.get(4)?.parse().ok()?,
                lon: r.get(5)?.parse().ok()?,
                area: r.get(6)?.parse().unwrap_or(0.0),
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.province, &a.code).cmp(&(&b.province, &b.code)));
    out
}

fn numeric(code: &str) -> u64 {
    code.bytes()
        .filter(u8::is_ascii_digit)
        .fold(0, |n, b| n * 10 + u64::from(b - b'0'))
}

/// The commune's name without its "Phường"/"Xã"/"Đặc khu" prefix.
fn short_name(name: &str) -> &str {
    for prefix in ["Phường ", "Xã ", "Đặc khu ", "Thị trấn "] {
        if let Some(rest) = name.strip_prefix(prefix) {
            return rest;
        }
    }
    name
}

fn clamp_lat(x: f64) -> f64 {
    x.clamp(8.2, 23.8)
}

fn clamp_lon(x: f64) -> f64 {
    x.clamp(102.2, 117.8)
}

impl Hierarchy {
    /// Builds the hierarchy for a size and seed.
    pub fn build(params: &SizeParams, seed: u64) -> Hierarchy {
        let province_list = parse_provinces();
        let inputs = parse_communes();
        let committee_share: f64 = COMMITTEES.iter().map(|c| c.2).sum();

        // Commune weights (a proxy of population), each from the commune's own random stream.
        let weights: Vec<(f64, f64)> = inputs
            .iter()
            .map(|c| {
                let mut rng = rng_for(seed, tag::COMMUNE, numeric(&c.code));
                let base = if c.name.starts_with("Phường") {
                    1.5
                } else if c.name.starts_with("Đặc khu") {
                    0.5
                } else {
                    1.0
                };
                let area = (c.area.max(1.0) / 50.0).powf(0.15).clamp(0.5, 2.0);
                let noise: f64 = LogNormal::new(0.0, 0.35)
                    .map(|d| d.sample(&mut rng))
                    .unwrap_or(1.0);
                let city = if model::is_big_city(&c.province) {
                    1.2
                } else {
                    1.0
                };
                let activity = LogNormal::new(0.0, 0.3)
                    .map(|d| d.sample(&mut rng))
                    .unwrap_or(1.0_f64)
                    .clamp(0.4, 2.5);
                (base * area * noise * city, activity)
            })
            .collect();
        let total_w: f64 = weights.iter().map(|w| w.0).sum();
        let total_w08: f64 = weights.iter().map(|w| w.0.powf(0.8)).sum();
        let commune_members_total = params.members_total * (1.0 - committee_share);
        let sample_rate = params.member_sample / params.members_total;

        let mut units: Vec<Unit> = Vec::with_capacity(200_000);
        units.push(Unit {
            code: "VN".into(),
            name: "Trung ương".into(),
            level: UnitLevel::Central,
            parent: None,
            path: "VN".into(),
            province: None,
            commune: None,
            lat: CENTRE_LOCATION.0,
            lon: CENTRE_LOCATION.1,
            area_km2: Some(inputs.iter().map(|c| c.area).sum::<f64>().round()),
            members: 0,
            sampled: 0,
            first_seq: 1,
        });
        let mut committees = Vec::new();
        for (i, (code, name, share)) in COMMITTEES.iter().enumerate() {
            let mut rng = rng_for(seed, tag::COMMITTEE, i as u64);
            let members = (params.members_total * share).round() as u32;
            let sampled = stochastic_round(&mut rng, f64::from(members) * sample_rate);
            committees.push(units.len() as u32);
            // Seated in Hà Nội, a few hundred metres apart.
            let angle = i as f64 * std::f64::consts::TAU / 6.0;
            units.push(Unit {
                code: (*code).into(),
                name: (*name).into(),
                level: UnitLevel::Committee,
                parent: Some(0),
                path: format!("VN.{code}"),
                province: None,
                commune: None,
                lat: CENTRE_LOCATION.0 + 0.012 * angle.sin(),
                lon: CENTRE_LOCATION.1 + 0.012 * angle.cos(),
                area_km2: None,
                members,
                sampled,
                first_seq: 1,
            });
        }

        // Provinces: location = mean of their communes' centroids, area = sum of their areas.
        let mut provinces = Vec::with_capacity(province_list.len());
        for (pi, (code, name)) in province_list.iter().enumerate() {
            let own: Vec<&CommuneInput> = inputs.iter().filter(|c| &c.province == code).collect();
            let n = own.len().max(1) as f64;
            let lat = own.iter().map(|c| c.lat).sum::<f64>() / n;
            let lon = own.iter().map(|c| c.lon).sum::<f64>() / n;
            let area = own.iter().map(|c| c.area).sum::<f64>();
            provinces.push(Province {
                unit: units.len() as u32,
                code: code.clone(),
                name: name.clone(),
                communes: 0..0,
                members: 0,
                sample: Vec::new(),
                grassroots_cum: Vec::new(),
                communes_cum: Vec::new(),
            });
            units.push(Unit {
                code: code.clone(),
                name: name.clone(),
                level: UnitLevel::Province,
                parent: Some(0),
                path: format!("VN.{code}"),
                province: Some(pi as u16),
                commune: None,
                lat,
                lon,
                area_km2: Some((area * 100.0).round() / 100.0),
                members: 0,
                sampled: 0,
                first_seq: 1,
            });
        }

        // Communes.
        let mut communes = Vec::with_capacity(inputs.len());
        for (ci, c) in inputs.iter().enumerate() {
            let Some(pi) = province_list
                .iter()
                .position(|(code, _)| code == &c.province)
            else {
                continue;
            };
            let p = &mut provinces[pi];
            if p.communes.is_empty() {
                p.communes = communes.len() as u32..communes.len() as u32;
            }
            p.communes.end = communes.len() as u32 + 1;
            let members = (commune_members_total * weights[ci].0 / total_w).round() as u64;
            communes.push(Commune {
                unit: units.len() as u32,
                province: pi as u16,
                below: 0..0,
                members,
                activity: weights[ci].1,
                sample: 0..0,
            });
            units.push(Unit {
                code: c.code.clone(),
                name: c.name.clone(),
                level: UnitLevel::Commune,
                parent: Some(p.unit),
                path: format!("VN.{}.{}", c.province, c.code),
                province: Some(pi as u16),
                commune: Some(communes.len() as u32 - 1),
                lat: c.lat,
                lon: c.lon,
                area_km2: Some(c.area),
                members: 0,
                sampled: 0,
                first_seq: 1,
            });
        }

        // Grassroots organizations and cells, commune by commune.
        for ci in 0..communes.len() {
            let input = &inputs[ci];
            let mut rng = rng_for(seed, tag::GRASSROOTS, numeric(&input.code));
            let count = match params.grassroots_per_commune {
                Some(n) => n,
                None => ((params.grassroots_total * weights[ci].0.powf(0.8) / total_w08).round()
                    as usize)
                    .clamp(4, 90),
            };
            let commune_unit = communes[ci].unit;
            let pi = communes[ci].province;
            let start = units.len() as u32;
            let plans = plan_grassroots(&mut rng, params, count, communes[ci].members);
            let mut names = Namer::new(&input.name);
            let spread = (0.45 * input.area.max(1.0).sqrt() / 111.0).clamp(0.004, 0.06);
            let mut seq = 1u32;
            for (g, (has_cells, members, cells)) in plans.into_iter().enumerate() {
                let code = format!("{}_{:02}", input.code, g + 1);
                let lat = clamp_lat(input.lat + rng.gen_range(-spread..spread));
                let lon = clamp_lon(input.lon + rng.gen_range(-spread..spread));
                let g_index = units.len() as u32;
                let direct = if has_cells { 0 } else { members };
                let sampled = stochastic_round(&mut rng, f64::from(direct) * sample_rate);
                units.push(Unit {
                    name: names.grassroots(&mut rng, has_cells),
                    level: UnitLevel::Grassroots,
                    parent: Some(commune_unit),
                    path: format!("VN.{}.{}.{}", input.province, input.code, code),
                    code,
                    province: Some(pi),
                    commune: Some(ci as u32),
                    lat,
                    lon,
                    area_km2: None,
                    members: direct,
                    sampled,
                    first_seq: seq,
                });
                seq += sampled;
                for (n, cell_members) in cells.into_iter().enumerate() {
                    let parent = &units[g_index as usize];
                    let code = format!("{}_{:02}", parent.code, n + 1);
                    let path = format!("{}.{}", parent.path, code);
                    let lat = clamp_lat(parent.lat + rng.gen_range(-0.004..0.004));
                    let lon = clamp_lon(parent.lon + rng.gen_range(-0.004..0.004));
                    let sampled = stochastic_round(&mut rng, f64::from(cell_members) * sample_rate);
                    units.push(Unit {
                        code,
                        name: names.cell(n + 1),
                        level: UnitLevel::Cell,
                        parent: Some(g_index),
                        path,
                        province: Some(pi),
                        commune: Some(ci as u32),
                        lat,
                        lon,
                        area_km2: None,
                        members: cell_members,
                        sampled,
                        first_seq: seq,
                    });
                    seq += sampled;
                }
            }
            communes[ci].below = start..units.len() as u32;
            communes[ci].members = units[start as usize..]
                .iter()
                .map(|u| u64::from(u.members))
                .sum();
        }

        // Per province: the member sample and the weights for picking subjects.
        for p in provinces.iter_mut() {
            for ci in p.communes.clone() {
                let c = &mut communes[ci as usize];
                let from = p.sample.len() as u32;
                for ui in c.below.clone() {
                    let u = &units[ui as usize];
                    for k in 0..u.sampled {
                        p.sample.push((ui, u.first_seq + k));
                    }
                }
                c.sample = from..p.sample.len() as u32;
                p.members += c.members;
                let mut acc = p.communes_cum.last().copied().unwrap_or(0.0);
                acc += c.members as f64 * c.activity;
                p.communes_cum.push(acc);
                for ui in c.below.clone() {
                    let u = &units[ui as usize];
                    if u.level != UnitLevel::Grassroots {
                        continue;
                    }
                    let subtree: u32 = std::iter::once(ui)
                        .chain(
                            (ui + 1..c.below.end)
                                .take_while(|&k| units[k as usize].level == UnitLevel::Cell),
                        )
                        .map(|k| units[k as usize].members)
                        .sum();
                    let mut acc = p.grassroots_cum.last().map(|x| x.0).unwrap_or(0.0);
                    acc += f64::from(subtree.max(1)) * c.activity;
                    p.grassroots_cum.push((acc, ui));
                }
            }
        }

        Hierarchy {
            units,
            committees,
            provinces,
            communes,
        }
    }

    /// The pseudonymous reference of a sampled member: `M`, province, commune, sequence
    /// (`M0100004-000123`), or `MTW5-000012` for a member of a committee under the centre.
    pub fn member_ref(&self, leaf: u32, seq: u32) -> String {
        let u = &self.units[leaf as usize];
        match u.commune {
            Some(c) => {
                let commune = &self.units[self.communes[c as usize].unit as usize];
                let province = &self.provinces[self.communes[c as usize].province as usize];
                format!("M{}{}-{:06}", province.code, commune.code, seq)
            }
            None => format!("M{}-{:06}", u.code, seq),
        }
    }

    /// The grassroots organization a leaf unit belongs to (itself for a grassroots organization).
    pub fn grassroots_of(&self, unit: u32) -> u32 {
        let u = &self.units[unit as usize];
        match u.level {
            UnitLevel::Cell => u.parent.unwrap_or(unit),
            _ => unit,
        }
    }

    /// Total members (sum over all units).
    pub fn total_members(&self) -> u64 {
        self.units.iter().map(|u| u64::from(u.members)).sum()
    }

    /// Rows of the `member` table.
    pub fn total_sampled(&self) -> u64 {
        self.units.iter().map(|u| u64::from(u.sampled)).sum()
    }
}

/// Rounds `x` down or up at random, keeping the expectation.
pub fn stochastic_round<R: Rng>(rng: &mut R, x: f64) -> u32 {
    let floor = x.floor();
    let up = rng.r#gen::<f64>() < x - floor;
    floor as u32 + u32::from(up)
}

/// Plans a commune's grassroots organizations: (has cells, members, members of each cell).
fn plan_grassroots<R: Rng>(
    rng: &mut R,
    params: &SizeParams,
    count: usize,
    members: u64,
) -> Vec<(bool, u32, Vec<u32>)> {
    let size = LogNormal::new(0.0, 0.7).expect("valid log-normal");
    let drafts: Vec<(bool, f64)> = (0..count)
        .map(|_| {
            let has_cells = rng.r#gen::<f64>() < params.cell_share;
            let w = size.sample(rng) * if has_cells { 2.5 } else { 1.0 };
            (has_cells, w)
        })
        .collect();
    let total: f64 = drafts.iter().map(|d| d.1).sum();
    drafts
        .into_iter()
        .map(|(has_cells, w)| {
            let m = ((members as f64 * w / total).round() as u32).max(3);
            if !has_cells {
                return (false, m, Vec::new());
            }
            let n = rng.gen_range(params.cells.0..=params.cells.1) as usize;
            let ws: Vec<f64> = (0..n).map(|_| rng.gen_range(0.6..1.4)).collect();
            let wt: f64 = ws.iter().sum();
            let cells: Vec<u32> = ws
                .iter()
                .map(|x| ((f64::from(m) * x / wt).round() as u32).max(3))
                .collect();
            let m = cells.iter().sum();
            (true, m, cells)
        })
        .collect()
}

/// Gives synthetic names to a commune's grassroots organizations and cells.
struct Namer {
    commune: String,
    short: String,
    urban: bool,
    used: Vec<bool>,
    residential: u32,
    enterprise: u32,
}

const CHI_BO_INSTITUTIONS: [&str; 7] = [
    "Trường Tiểu học",
    "Trường Trung học cơ sở",
    "Trường Mầm non",
    "Trạm Y tế",
    "Công an",
    "Quân sự",
    "Hợp tác xã",
];

const DANG_BO_INSTITUTIONS: [&str; 4] = [
    "Khối cơ quan",
    "Trường Trung học phổ thông",
    "Trung tâm Y tế",
    "Trung tâm Phục vụ hành chính công",
];

impl Namer {
    fn new(commune: &str) -> Namer {
        Namer {
            commune: commune.to_string(),
            short: short_name(commune).to_string(),
            urban: commune.starts_with("Phường"),
            used: vec![false; CHI_BO_INSTITUTIONS.len() + DANG_BO_INSTITUTIONS.len()],
            residential: 0,
            enterprise: 0,
        }
    }

    fn grassroots<R: Rng>(&mut self, rng: &mut R, has_cells: bool) -> String {
        let (prefix, list, offset) = if has_cells {
            (
                "Đảng bộ cơ sở",
                &DANG_BO_INSTITUTIONS[..],
                CHI_BO_INSTITUTIONS.len(),
            )
        } else {
            ("Chi bộ cơ sở", &CHI_BO_INSTITUTIONS[..], 0)
        };
        let r = rng.r#gen::<f64>();
        if r < 0.45 {
            let i = rng.gen_range(0..list.len());
            if !self.used[offset + i] {
                self.used[offset + i] = true;
                let place = match list[i] {
                    "Công an" | "Quân sự" | "Khối cơ quan" => &self.commune,
                    _ => &self.short,
                };
                return format!("{prefix} {} {place}", list[i]);
            }
        }
        if r < 0.6 || has_cells {
            self.enterprise += 1;
            let kind = if has_cells {
                "Công ty cổ phần"
            } else {
                "Doanh nghiệp"
            };
            return format!("{prefix} {kind} {} số {}", self.short, self.enterprise);
        }
        self.residential += 1;
        let place = if self.urban {
            "Tổ dân phố"
        } else {
            "Thôn"
        };
        format!("{prefix} {place} {}", self.residential)
    }

    fn cell(&self, n: usize) -> String {
        format!("Chi bộ số {n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Size;

    #[test]
    fn inputs_hold_34_provinces_and_3321_communes() {
        assert_eq!(parse_provinces().len(), 34);
        assert_eq!(
            parse_provinces()[0],
            ("01".to_string(), "Thành phố Hà Nội".to_string())
        );
        assert_eq!(parse_communes().len(), 3321);
    }

    #[test]
    fn tiny_hierarchy_is_well_formed() {
        let h = Hierarchy::build(&SizeParams::of(Size::Tiny), 7);
        assert_eq!(h.provinces.len(), 34);
        assert_eq!(h.communes.len(), 3321);
        let mut codes = std::collections::BTreeSet::new();
        for (i, u) in h.units.iter().enumerate() {
            assert!(codes.insert(u.code.clone()), "duplicate {}", u.code);
            let parsed = domain::UnitCode::parse(&u.code).expect("valid code");
            assert_eq!(parsed.level(), u.level, "{}", u.code);
            if let Some(p) = u.parent {
                assert!((p as usize) < i, "parents come first");
                let parent = &h.units[p as usize];
                assert_eq!(u.path, format!("{}.{}", parent.path, u.code));
            }
            assert!((8.0..=24.0).contains(&u.lat) && (102.0..=118.0).contains(&u.lon));
        }
        let grassroots = h
            .units
            .iter()
            .filter(|u| u.level == UnitLevel::Grassroots)
            .count();
        assert_eq!(grassroots, 2 * 3321);
    }
}
