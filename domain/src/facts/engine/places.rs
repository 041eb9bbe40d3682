//! Where the rows are: one list of row numbers sorted by province and commune, so that a
//! province's rows are one slice of it and a commune's one slice a province it appears in (one,
//! in clean data). Each slice ("group": one province, one commune) carries the box of its rows'
//! locations; the spatial selections (a radius, a lasso) decide a group whole when its box is
//! wholly in or out (communes are small), and test each row of the groups on their edge.

use super::super::space::within_km;
use super::super::{LAT_MAX, LAT_MIN, lat_of, lon_of, quantize_lat, quantize_lon};
use super::packed::{CHUNK, PackedFacts, words};
use super::point_in_polygon;
use crate::geometry::{EARTH_RADIUS_KM, haversine_km};
use std::ops::Range;

/// The grid: cells of 256 x 256 quantization steps (0.0625 degrees, about 7 km).
const GRID: usize = 256;
const CELL_SHIFT: u32 = 8;

/// What a group of rows is to a selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Outside,
    Inside,
    /// Some of it may be in, some out: test each row.
    Edge,
}

fn cell_of(lat: u16, lon: u16) -> usize {
    (lat as usize >> CELL_SHIFT) * GRID + (lon as usize >> CELL_SHIFT)
}

/// Cell range (inclusive) covering the degrees `lo..=hi` with a step of margin.
fn cell_range(lo: f64, hi: f64, quantize: fn(f64) -> u16) -> (usize, usize) {
    (
        (quantize(lo).saturating_sub(2) >> CELL_SHIFT) as usize,
        (quantize(hi).saturating_add(2) >> CELL_SHIFT) as usize,
    )
}

/// A radius selection's test: the exact one ([`within_km`]) behind bounds on the distance that
/// need no trigonometry, so that only rows very near the circle take the exact formula.
struct Circle {
    lat: f64,
    lon: f64,
    km: f64,
    /// Cosine and sine of the centre's latitude (no bounds when the cosine is small).
    cos: f64,
    sin: f64,
    /// Squared distances below which a row is surely in, above which surely out (margins far
    /// beyond the exact formula's rounding).
    inside: f64,
    outside: f64,
}

impl Circle {
    fn new(lat: f64, lon: f64, km: f64) -> Circle {
        let p = lat.to_radians();
        let inside = km * (1.0 - 1e-9) - 1e-9;
        let outside = km * (1.0 + 1e-9) + 1e-9;
        Circle {
            lat,
            lon,
            km,
            cos: p.cos(),
            sin: p.sin(),
            inside: if inside > 0.0 { inside * inside } else { -1.0 },
            outside: outside * outside,
        }
    }

    /// Whether a row at (lat, lon) (the quantization box's latitudes) is within the radius, as
    /// [`within_km`] says.
    #[inline(always)]
    fn contains(&self, lat: f64, lon: f64) -> bool {
        if self.cos > 0.1 && self.km.is_finite() {
            // With d the latitude difference and h half a difference, in radians: sin h lies in
            // [h - h^3/6, h]; the row's cosine in [t - d^2/2, t + d^2/2] (t: first order around
            // the centre's); the distance 2R asin(sqrt a) in [2R sqrt a, 2R sqrt(a / (1 - a))].
            let d = (lat - self.lat).to_radians();
            let (hp, hl) = (d.abs() / 2.0, ((lon - self.lon).to_radians() / 2.0).abs());
            let low = |h: f64| (h - h * h * h / 6.0).max(0.0);
            let t = self.cos - self.sin * d;
            let e = d * d / 2.0;
            let (c_lo, c_hi) = (self.cos * (t - e).max(0.0), self.cos * (t + e));
            let a_lo = low(hp) * low(hp) + c_lo * low(hl) * low(hl);
            let a_hi = hp * hp + c_hi * hl * hl;
            let r2 = 4.0 * EARTH_RADIUS_KM * EARTH_RADIUS_KM;
            if a_hi < 1.0 && r2 * a_hi / (1.0 - a_hi) <= self.inside {
                return true;
            }
            if r2 * a_lo > self.outside {
                return false;
            }
        }
        within_km(lat, lon, self.lat, self.lon, self.km)
    }
}

/// A lasso's test: [`point_in_polygon`] with the edges sorted into horizontal bands, so that a
/// point only looks at the edges of its band (the same edges decide, with the same arithmetic).
struct Bands<'a> {
    polygon: &'a [(f64, f64)],
    south: f64,
    north: f64,
    /// Bands per degree.
    scale: f64,
    /// Edge indexes (edge i joins vertex i - 1 to vertex i) by band (offsets into `edges`).
    at: Vec<u32>,
    edges: Vec<u32>,
}

impl<'a> Bands<'a> {
    fn new(polygon: &'a [(f64, f64)]) -> Bands<'a> {
        let k = polygon.len();
        let (south, north) = polygon
            .iter()
            .fold((f64::MAX, f64::MIN), |(s, n), &(a, _)| (s.min(a), n.max(a)));
        let bands = (2 * k).clamp(1, 256);
        let scale = if north > south {
            bands as f64 / (north - south)
        } else {
            0.0
        };
        let band = |a: f64| (((a - south) * scale) as usize).min(bands - 1);
        let span = |i: usize| {
            let (a, b) = (polygon[i].0, polygon[(i + k - 1) % k].0);
            band(a.min(b))..=band(a.max(b))
        };
        let mut at = vec![0u32; bands + 1];
        for i in 0..k {
            for b in span(i) {
                at[b + 1] += 1;
            }
        }
        for b in 0..bands {
            at[b + 1] += at[b];
        }
        let mut next = at.clone();
        let mut edges = vec![0u32; at[bands] as usize];
        for i in 0..k {
            for b in span(i) {
                edges[next[b] as usize] = i as u32;
                next[b] += 1;
            }
        }
        Bands {
            polygon,
            south,
            north,
            scale,
            at,
            edges,
        }
    }

    /// Whether (lat, lon) is inside the polygon, as [`point_in_polygon`] says.
    #[inline(always)]
    fn contains(&self, lat: f64, lon: f64) -> bool {
        // An edge counts only when lat is in [its south end, its north end).
        if !(lat >= self.south && lat < self.north) {
            return false;
        }
        let b = (((lat - self.south) * self.scale) as usize).min(self.at.len() - 2);
        let k = self.polygon.len();
        let mut inside = false;
        for &i in &self.edges[self.at[b] as usize..self.at[b + 1] as usize] {
            let i = i as usize;
            let ((yi, xi), (yj, xj)) = (self.polygon[i], self.polygon[(i + k - 1) % k]);
            if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
                inside = !inside;
            }
        }
        inside
    }
}

/// The areas rows are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Area {
    Province,
    Commune,
}

/// A box of quantized locations, both ends included (empty: `lat[0] > lat[1]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Bounds {
    lat: [u16; 2],
    lon: [u16; 2],
}

impl Bounds {
    const EMPTY: Bounds = Bounds {
        lat: [u16::MAX, 0],
        lon: [u16::MAX, 0],
    };

    fn add(&mut self, lat: u16, lon: u16) {
        self.lat = [self.lat[0].min(lat), self.lat[1].max(lat)];
        self.lon = [self.lon[0].min(lon), self.lon[1].max(lon)];
    }

    fn meets(&self, lat: [u16; 2], lon: [u16; 2]) -> bool {
        self.lat[0] <= lat[1]
            && lat[0] <= self.lat[1]
            && self.lon[0] <= lon[1]
            && lon[0] <= self.lon[1]
    }

    /// The part of the box in grid cell `cell`.
    fn within(&self, cell: usize) -> Bounds {
        let side = |i: usize| {
            let lo = (i << CELL_SHIFT) as u16;
            [lo, lo | ((1 << CELL_SHIFT) - 1)]
        };
        let (lat, lon) = (side(cell / GRID), side(cell % GRID));
        Bounds {
            lat: [self.lat[0].max(lat[0]), self.lat[1].min(lat[1])],
            lon: [self.lon[0].max(lon[0]), self.lon[1].min(lon[1])],
        }
    }

    /// The box in degrees: (south, north, west, east).
    fn degrees(&self) -> (f64, f64, f64, f64) {
        (
            lat_of(self.lat[0]),
            lat_of(self.lat[1]),
            lon_of(self.lon[0]),
            lon_of(self.lon[1]),
        )
    }
}

/// The rows of one province slot and one commune slot: a slice of [`Places::rows`], and the
/// box of their locations (or of a box holding them).
#[derive(Debug, Clone, Copy)]
struct Group {
    rows: [u32; 2],
    bounds: Bounds,
}

/// The rows by place (see the module documentation).
#[derive(Debug, Clone, Default)]
pub(super) struct Places {
    /// Row numbers by (province slot, commune slot, row); a slot a province (or commune), then
    /// one for rows without.
    rows: Vec<u32>,
    /// Where each province slot's rows start in `rows`, then the end.
    province_at: Vec<u32>,
    /// The groups, in the order of `rows`.
    groups: Vec<Group>,
    /// Indexes into `groups` by commune slot (offsets into `commune_groups`).
    commune_at: Vec<u32>,
    commune_groups: Vec<u32>,
}

/// No home province yet.
const NO_HOME: u32 = u32::MAX;

/// The first pass over the rows: each commune's home province (its first row's) and how many of
/// its rows name it, the other (province, commune) pairs rows name (one entry a row, as
/// `province << 16 | commune`), the rows without a commune by province, and the boxes of the
/// locations (a commune's over all its rows; rows without a commune, their province's).
struct Survey {
    home: Vec<u32>,
    at_home: Vec<u32>,
    loose: Vec<u32>,
    strays: Vec<u32>,
    commune_box: Vec<Bounds>,
    loose_box: Vec<Bounds>,
}

impl Survey {
    #[inline(never)]
    fn add(&mut self, f: &PackedFacts, rows: Range<usize>) {
        let (np, nc) = (self.loose.len() - 1, self.home.len());
        for r in rows {
            let (_, c, p) = f.place(r);
            let (c, p) = ((c as usize).min(nc), (p as usize).min(np) as u32);
            let (lat, lon) = (f.lat(r), f.lon(r));
            match self.home.get_mut(c) {
                Some(home) => {
                    if *home == NO_HOME {
                        *home = p;
                    }
                    if *home == p {
                        self.at_home[c] += 1;
                    } else {
                        self.strays.push(p << 16 | c as u32);
                    }
                    self.commune_box[c].add(lat, lon);
                }
                None => {
                    self.loose[p as usize] += 1;
                    self.loose_box[p as usize].add(lat, lon);
                }
            }
        }
    }
}

/// Each row's (province slot, commune slot) pair, as an index into the ordered pairs.
struct Keys {
    /// By commune: its home province slot and the pair with it.
    home: Vec<(u32, u32)>,
    /// By province slot: the pair without a commune.
    loose: Vec<u32>,
    /// The other pairs (`province << 16 | commune`), ascending, with their index.
    strays: Vec<(u32, u32)>,
    nc: usize,
}

impl Keys {
    /// Places rows at their pair's next place.
    #[inline(never)]
    fn place(&self, f: &PackedFacts, rows: Range<usize>, next: &mut [u32], out: &mut [u32]) {
        let np = self.loose.len() - 1;
        for r in rows {
            let (_, c, p) = f.place(r);
            let (c, p) = ((c as usize).min(self.nc), (p as usize).min(np));
            let key = match self.home.get(c) {
                None => self.loose[p],
                Some(&(home, k)) if home as usize == p => k,
                Some(_) => {
                    let pc = (p as u32) << 16 | c as u32;
                    let i = self.strays.partition_point(|&(x, _)| x < pc);
                    self.strays[i].1
                }
            };
            let s = &mut next[key as usize];
            out[*s as usize] = r as u32;
            *s += 1;
        }
    }
}

/// Counting-sort offsets of `n` items into `slots` slots: where each slot starts, then `n`.
fn offsets(slots: usize, n: usize, slot: impl Fn(usize) -> usize) -> Vec<u32> {
    let mut at = vec![0u32; slots + 1];
    for i in 0..n {
        at[slot(i) + 1] += 1;
    }
    for s in 0..slots {
        at[s + 1] += at[s];
    }
    at
}

impl Places {
    pub(super) fn new(f: &PackedFacts) -> Places {
        let n = f.len();
        let (np, nc) = (f.provinces.len(), f.communes.len());
        let mut s = Survey {
            home: vec![NO_HOME; nc],
            at_home: vec![0; nc],
            loose: vec![0; np + 1],
            strays: Vec::new(),
            commune_box: vec![Bounds::EMPTY; nc],
            loose_box: vec![Bounds::EMPTY; np + 1],
        };
        for r in (0..n).step_by(CHUNK) {
            s.add(f, r..(r + CHUNK).min(n));
        }
        // The (province slot, commune slot) pairs with rows, ordered, with their row counts:
        // each commune's home province, the other provinces some of its rows name, and each
        // province's rows without a commune.
        s.strays.sort_unstable();
        let mut pairs: Vec<(u32, u32)> = Vec::new();
        for (c, (&p, &k)) in s.home.iter().zip(&s.at_home).enumerate() {
            if k > 0 {
                pairs.push((p << 16 | c as u32, k));
            }
        }
        for run in s.strays.chunk_by(|a, b| a == b) {
            pairs.push((run[0], run.len() as u32));
        }
        for (p, &k) in s.loose.iter().enumerate() {
            if k > 0 {
                pairs.push(((p as u32) << 16 | nc as u32, k));
            }
        }
        pairs.sort_unstable();
        // Where each pair's rows go, then the rows placed (stable: by row within a pair).
        let mut key = Keys {
            home: s.home.iter().map(|&p| (p, 0)).collect(),
            loose: vec![0; np + 1],
            strays: Vec::new(),
            nc,
        };
        let mut next = Vec::with_capacity(pairs.len() + 1);
        let mut sum = 0u32;
        for (i, &(pc, k)) in pairs.iter().enumerate() {
            let (p, c) = ((pc >> 16) as usize, (pc & 0xffff) as usize);
            if c == nc {
                key.loose[p] = i as u32;
            } else if s.home[c] as usize == p {
                key.home[c].1 = i as u32;
            } else {
                key.strays.push((pc, i as u32));
            }
            next.push(sum);
            sum += k;
        }
        next.push(sum);
        let starts = next.clone();
        let mut rows = vec![0u32; n];
        for r in (0..n).step_by(CHUNK) {
            key.place(f, r..(r + CHUNK).min(n), &mut next, &mut rows);
        }
        // The groups: a pair each, those without a commune split by grid cell.
        let mut province_at = vec![0u32; np + 2];
        let mut groups: Vec<(usize, Group)> = Vec::new();
        for (i, &(pc, _)) in pairs.iter().enumerate() {
            let (p, c) = ((pc >> 16) as usize, (pc & 0xffff) as usize);
            let (a, b) = (starts[i] as usize, starts[i + 1] as usize);
            province_at[p + 1] = b as u32;
            if c < nc {
                let rows = [a as u32, b as u32];
                groups.push((
                    c,
                    Group {
                        rows,
                        bounds: s.commune_box[c],
                    },
                ));
                continue;
            }
            let cell = |r: u32| cell_of(f.lat(r as usize), f.lon(r as usize));
            let mut keyed: Vec<u64> = rows[a..b]
                .iter()
                .map(|&r| (cell(r) as u64) << 32 | r as u64)
                .collect();
            keyed.sort_unstable();
            for (r, k) in rows[a..b].iter_mut().zip(&keyed) {
                *r = *k as u32;
            }
            let mut start = a;
            for run in keyed.chunk_by(|x, y| x >> 32 == y >> 32) {
                let end = start + run.len();
                let bounds = s.loose_box[p].within((run[0] >> 32) as usize);
                let rows = [start as u32, end as u32];
                groups.push((nc, Group { rows, bounds }));
                start = end;
            }
        }
        for p in 0..=np {
            province_at[p + 1] = province_at[p + 1].max(province_at[p]);
        }
        let group_at = offsets(nc + 1, groups.len(), |i| groups[i].0);
        let mut commune_groups = vec![0u32; groups.len()];
        let mut next = group_at.clone();
        for (i, &(c, _)) in groups.iter().enumerate() {
            commune_groups[next[c] as usize] = i as u32;
            next[c] += 1;
        }
        Places {
            rows,
            province_at,
            groups: groups.into_iter().map(|(_, g)| g).collect(),
            commune_at: group_at,
            commune_groups,
        }
    }

    /// Rows of an area: a province slot (a province index, or the number of provinces for rows
    /// without one), or a commune slot likewise; in slices.
    pub(super) fn area_rows(&self, area: Area, slot: usize) -> impl Iterator<Item = &[u32]> + '_ {
        let slice = |at: &[u32], s: usize| match (at.get(s), at.get(s + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        };
        let (province, groups) = match area {
            Area::Province => (slice(&self.province_at, slot), 0..0),
            Area::Commune => (0..0, slice(&self.commune_at, slot)),
        };
        std::iter::once(&self.rows[province]).chain(self.commune_groups[groups].iter().map(|&g| {
            let [a, b] = self.groups[g as usize].rows;
            &self.rows[a as usize..b as usize]
        }))
    }

    /// Number of rows of an area slot.
    pub(super) fn area_len(&self, area: Area, slot: usize) -> usize {
        self.area_rows(area, slot).map(<[u32]>::len).sum()
    }

    /// Bytes held.
    pub(super) fn bytes(&self) -> usize {
        self.rows.len() * 4
            + self.province_at.len() * 4
            + self.groups.len() * std::mem::size_of::<Group>()
            + (self.commune_at.len() + self.commune_groups.len()) * 4
    }

    /// Rows whose location passes `test` (a bitset of rows), among the groups whose box meets
    /// the quantized box `lat x lon`: groups wholly in or out are taken or skipped whole, only
    /// groups on the edge test each row.
    fn select(
        &self,
        f: &PackedFacts,
        (lat, lon): ([u16; 2], [u16; 2]),
        judge: impl Fn(&Bounds) -> Verdict,
        test: impl Fn(f64, f64) -> bool,
    ) -> Vec<u64> {
        let mut bits = vec![0u64; words(f.len())];
        for g in self.groups.iter().filter(|g| g.bounds.meets(lat, lon)) {
            let rows = &self.rows[g.rows[0] as usize..g.rows[1] as usize];
            match judge(&g.bounds) {
                Verdict::Outside => {}
                Verdict::Inside => {
                    for &r in rows {
                        bits[r as usize / 64] |= 1 << (r % 64);
                    }
                }
                Verdict::Edge => {
                    for &r in rows {
                        let r = r as usize;
                        if test(lat_of(f.lat(r)), lon_of(f.lon(r))) {
                            bits[r / 64] |= 1 << (r % 64);
                        }
                    }
                }
            }
        }
        bits
    }

    /// Rows within `km` of (lat, lon), as a bitset of rows.
    pub(super) fn radius(&self, f: &PackedFacts, lat: f64, lon: f64, km: f64) -> Vec<u64> {
        if !(km >= 0.0 && lat.is_finite() && lon.is_finite()) {
            return vec![0; words(f.len())];
        }
        // A degree of latitude is at least 111.19 km of great circle; a degree of longitude at
        // least that times the cosine of the farthest latitude in the band.
        let dlat = km / 111.0 + 1e-4;
        let far = (lat.abs() + dlat).min(89.0).to_radians().cos();
        let dlon = dlat / far;
        let circle = Circle::new(lat, lon, km);
        // Groups are decided whole only with a margin; rows near the circle are tested exactly.
        let (inner, outer) = (km * 0.99 - 0.1, km * 1.01 + 0.1);
        let judge = |b: &Bounds| {
            let (a0, a1, o0, o1) = b.degrees();
            let near = haversine_km(lat.clamp(a0, a1), lon.clamp(o0, o1), lat, lon);
            if near > outer {
                return Verdict::Outside;
            }
            let far = [(a0, o0), (a0, o1), (a1, o0), (a1, o1)]
                .iter()
                .map(|&(a, o)| haversine_km(a, o, lat, lon))
                .fold(0.0, f64::max);
            if far < inner {
                Verdict::Inside
            } else {
                Verdict::Edge
            }
        };
        let around = |lo: f64, hi: f64, quantize: fn(f64) -> u16| {
            [
                quantize(lo).saturating_sub(2),
                quantize(hi).saturating_add(2),
            ]
        };
        self.select(
            f,
            (
                around(lat - dlat, lat + dlat, quantize_lat),
                around(lon - dlon, lon + dlon, quantize_lon),
            ),
            judge,
            |a, o| circle.contains(a, o),
        )
    }

    /// Rows inside the polygon, as a bitset of rows.
    pub(super) fn lasso(&self, f: &PackedFacts, polygon: &[(f64, f64)]) -> Vec<u64> {
        if !super::super::space::is_polygon(polygon) {
            return vec![0; words(f.len())];
        }
        let (mut a0, mut a1, mut o0, mut o1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
        for &(a, o) in polygon {
            (a0, a1, o0, o1) = (a0.min(a), a1.max(a), o0.min(o), o1.max(o));
        }
        let (is, js) = (
            cell_range(a0, a1, quantize_lat),
            cell_range(o0, o1, quantize_lon),
        );
        let (h, w) = (is.1 - is.0 + 1, js.1 - js.0 + 1);
        // Mark the cells an edge passes through: each edge in pieces shorter than half a cell,
        // each piece marking the cells its box (with a margin) touches.
        let mut boundary = vec![false; h * w];
        let cell_deg = (LAT_MAX - LAT_MIN) / GRID as f64;
        let mut j = polygon.len() - 1;
        for (i, &(pa, po)) in polygon.iter().enumerate() {
            let (qa, qo) = polygon[j];
            j = i;
            let pieces = (((qa - pa).abs().max((qo - po).abs()) / (cell_deg / 2.0)).ceil()
                as usize)
                .clamp(1, 1 << 16);
            for k in 0..pieces {
                let (t0, t1) = (k as f64 / pieces as f64, (k + 1) as f64 / pieces as f64);
                let (x0, x1) = (pa + (qa - pa) * t0, pa + (qa - pa) * t1);
                let (y0, y1) = (po + (qo - po) * t0, po + (qo - po) * t1);
                let (ci0, ci1) = cell_range(x0.min(x1), x0.max(x1), quantize_lat);
                let (cj0, cj1) = cell_range(y0.min(y1), y0.max(y1), quantize_lon);
                for ci in ci0.max(is.0)..=ci1.min(is.1) {
                    for cj in cj0.max(js.0)..=cj1.min(js.1) {
                        boundary[(ci - is.0) * w + (cj - js.0)] = true;
                    }
                }
            }
        }
        // A group whose box meets no marked cell is wholly in or out (no edge crosses it): its
        // box's centre tells which.
        let judge = |b: &Bounds| {
            let rows = (b.lat[0] as usize >> CELL_SHIFT).max(is.0)
                ..=(b.lat[1] as usize >> CELL_SHIFT).min(is.1);
            let cols = (b.lon[0] as usize >> CELL_SHIFT).max(js.0)
                ..=(b.lon[1] as usize >> CELL_SHIFT).min(js.1);
            for i in rows {
                for j in cols.clone() {
                    if boundary[(i - is.0) * w + (j - js.0)] {
                        return Verdict::Edge;
                    }
                }
            }
            let (a0, a1, o0, o1) = b.degrees();
            if point_in_polygon((a0 + a1) / 2.0, (o0 + o1) / 2.0, polygon) {
                Verdict::Inside
            } else {
                Verdict::Outside
            }
        };
        let cells = |(c0, c1): (usize, usize)| {
            [
                (c0 << CELL_SHIFT) as u16,
                ((c1 << CELL_SHIFT) | ((1 << CELL_SHIFT) - 1)).min(u16::MAX as usize) as u16,
            ]
        };
        let bands = Bands::new(polygon);
        self.select(f, (cells(is), cells(js)), judge, |a, o| {
            bands.contains(a, o)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::facts::synth::Rng;
    use crate::geometry::destination;

    #[test]
    fn the_radius_bounds_never_contradict_the_exact_distance() {
        let mut rng = Rng::new(12);
        let mut near = 0;
        for _ in 0..300 {
            let (lat, lon) = (rng.range(6.0, 26.0), rng.range(100.0, 120.0));
            let km = [0.0, 0.3, rng.range(1.0, 300.0), 3_000.0][rng.below(4) as usize];
            let circle = Circle::new(lat, lon, km);
            for _ in 0..200 {
                // Points anywhere, and points within a few metres of the circle.
                let (a, o) = if rng.unit() < 0.5 {
                    (rng.range(8.0, 24.0), rng.range(102.0, 118.0))
                } else {
                    near += 1;
                    let d = km + rng.range(-0.05, 0.05);
                    destination(lat, lon, d.max(0.0), rng.range(0.0, 360.0))
                };
                let (a, o) = (lat_of(quantize_lat(a)), lon_of(quantize_lon(o)));
                assert_eq!(
                    circle.contains(a, o),
                    within_km(a, o, lat, lon, km),
                    "({a}, {o}) from ({lat}, {lon}), {km} km"
                );
            }
        }
        assert!(near > 20_000);
    }

    #[test]
    fn polygon_bands_decide_as_the_whole_polygon() {
        let mut rng = Rng::new(8);
        for _ in 0..300 {
            let (lat, lon) = (rng.range(9.0, 23.0), rng.range(103.0, 117.0));
            let k = 3 + rng.below(40) as usize;
            let size = rng.range(0.01, 3.0);
            let mut polygon: Vec<(f64, f64)> = (0..k)
                .map(|i| {
                    let t = i as f64 / k as f64 * std::f64::consts::TAU;
                    let r = size * rng.range(0.1, 1.0);
                    (lat + r * t.sin(), lon + r * t.cos())
                })
                .collect();
            if rng.unit() < 0.2 {
                // Edges that are flat in latitude.
                polygon[0].0 = polygon[1].0;
            }
            let bands = Bands::new(&polygon);
            for i in 0..300 {
                // Points anywhere near, and points at a vertex's latitude.
                let a = if i % 3 == 0 {
                    polygon[rng.below(k as u64) as usize].0
                } else {
                    lat + rng.range(-1.2, 1.2) * size
                };
                let o = lon + rng.range(-1.2, 1.2) * size;
                assert_eq!(
                    bands.contains(a, o),
                    point_in_polygon(a, o, &polygon),
                    "({a}, {o}) in {polygon:?}"
                );
            }
        }
    }
}
