//! A crossfilter-style engine over [`Facts`]: per row a bitmask of the dimensions whose filter
//! rejects it, and per linked view the counts over the rows that pass every filter except the
//! view's own (the cross-filter rule: a brushed chart keeps its whole shape).
//!
//! Changing one dimension's filter visits only the rows whose verdict on that dimension flips:
//! the time dimension works on rows sorted by day (a day range is a row range, so a brush move
//! touches the two slivers between the old and new edges), provinces and communes on per-value
//! row lists (or one scan when most values change), the small vocabularies on a branch-free
//! one-byte column scan, the spatial selection on a grid of 7 km cells (cells wholly inside or
//! outside are taken or skipped whole, only edge cells test each row) and a bitset difference. A flipped row changes the counts only if no other filter rejects it (then
//! every view but the changed dimension's moves) or exactly one other does (then only that
//! dimension's view moves).

use super::{Facts, FactsError, lat_of, lon_of, quantize_lat, quantize_lon};
use crate::geometry::haversine_km;
use crate::vocab::{CaseKind, CaseStatus, DisciplineForm, Sector, SubjectType, ViolationCategory};

const TIME: usize = 0;
const KIND: usize = 1;
const SECTOR: usize = 2;
const STATUS: usize = 3;
const SUBJECT: usize = 4;
const DISCIPLINE: usize = 5;
const CATEGORY: usize = 6;
const PROVINCE: usize = 7;
const COMMUNE: usize = 8;
const SPACE: usize = 9;
/// Not a dimension: "every view" in [`bump_all_except`].
const NONE: usize = 15;
const DIMENSIONS: usize = 10;
/// Number of violation categories.
const CATEGORIES: usize = ViolationCategory::ALL.len();

/// A dimension rows can be filtered on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dimension {
    /// Opening day ([`Filter::Days`]).
    Time,
    /// Case kind ([`Filter::Values`] of `CaseKind::ALL` indexes).
    Kind,
    /// Sector ([`Filter::Values`] of `Sector::ALL` indexes).
    Sector,
    /// Status ([`Filter::Values`] of `CaseStatus::ALL` indexes).
    Status,
    /// Subject type ([`Filter::Values`] of `SubjectType::ALL` indexes).
    Subject,
    /// Discipline form ([`Filter::Values`]: 0 none, i + 1 `DisciplineForm::ALL[i]`).
    Discipline,
    /// Violation categories ([`Filter::Values`] of `ViolationCategory::ALL` indexes; a row passes
    /// when it has any of them).
    Category,
    /// Province ([`Filter::Values`] of indexes into `Facts::provinces`).
    Province,
    /// Commune ([`Filter::Values`] of indexes into `Facts::communes`).
    Commune,
    /// Location ([`Filter::Radius`] or [`Filter::Lasso`]).
    Space,
}

impl Dimension {
    /// Every dimension, in order.
    pub const ALL: [Dimension; DIMENSIONS] = [
        Dimension::Time,
        Dimension::Kind,
        Dimension::Sector,
        Dimension::Status,
        Dimension::Subject,
        Dimension::Discipline,
        Dimension::Category,
        Dimension::Province,
        Dimension::Commune,
        Dimension::Space,
    ];

    /// Position in [`Dimension::ALL`] (and bit in a row's rejection mask).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The dimension's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Time => "time",
            Dimension::Kind => "kind",
            Dimension::Sector => "sector",
            Dimension::Status => "status",
            Dimension::Subject => "subject",
            Dimension::Discipline => "discipline",
            Dimension::Category => "category",
            Dimension::Province => "province",
            Dimension::Commune => "commune",
            Dimension::Space => "space",
        }
    }
}

/// A filter on one dimension.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// Rows opened on days `from..=to` (day numbers; empty when `from > to`). Time only.
    Days { from: u16, to: u16 },
    /// Rows whose value is one of these indexes (out-of-range indexes match nothing; an empty
    /// list passes no row). Categorical dimensions.
    Values(Vec<u16>),
    /// Rows within `km` of the centre (haversine on the de-quantized location). Space only.
    Radius { lat: f64, lon: f64, km: f64 },
    /// Rows inside the polygon of (lat, lon) vertices, edges straight in degrees, even-odd rule
    /// (fewer than 3 vertices: no row). Space only.
    Lasso(Vec<(f64, f64)>),
}

impl Filter {
    fn name(&self) -> &'static str {
        match self {
            Filter::Days { .. } => "days",
            Filter::Values(_) => "values",
            Filter::Radius { .. } => "radius",
            Filter::Lasso(_) => "lasso",
        }
    }
}

/// A filter given to a dimension it does not apply to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a {filter} filter does not apply to the {dimension} dimension")]
pub struct FilterError {
    pub dimension: &'static str,
    pub filter: &'static str,
}

/// Rows grouped by a value, as offsets into one list (a counting sort).
#[derive(Debug, Clone)]
struct RowLists {
    offsets: Vec<u32>,
    rows: Vec<u32>,
}

impl RowLists {
    fn build(n: usize, slots: usize, slot: impl Fn(usize) -> usize) -> RowLists {
        let mut offsets = vec![0u32; slots + 1];
        for r in 0..n {
            offsets[slot(r) + 1] += 1;
        }
        for s in 0..slots {
            offsets[s + 1] += offsets[s];
        }
        let mut next = offsets.clone();
        let mut rows = vec![0u32; n];
        for r in 0..n {
            let s = slot(r);
            rows[next[s] as usize] = r as u32;
            next[s] += 1;
        }
        RowLists { offsets, rows }
    }

    fn of(&self, slot: usize) -> &[u32] {
        match (self.offsets.get(slot), self.offsets.get(slot + 1)) {
            (Some(&a), Some(&b)) => &self.rows[a as usize..b as usize],
            _ => &[],
        }
    }
}

/// Counts of every view, kept with padding so that masked indexes need no bounds checks.
#[derive(Debug, Clone)]
struct Counts {
    first_day: u16,
    provinces: usize,
    communes: usize,
    days: Vec<u32>,
    kind: [u32; 8],
    sector: [u32; 16],
    status: [u32; 4],
    subject: [u32; 2],
    discipline: [u32; 8],
    /// By combination of categories (the column's 9-bit value).
    category: [u32; 512],
    /// One slot per province, then one for rows without.
    province: Vec<u32>,
    /// One slot per commune, then one for rows without.
    commune: Vec<u32>,
    total: u32,
    amount: u64,
}

#[inline(always)]
fn add(c: &mut u32, delta: u32) {
    *c = c.wrapping_add(delta);
}

/// The counts being changed, with the counters every flipped row touches (total, amount, and
/// the current day, rows being mostly in day order) kept in registers until dropped.
struct Acc<'a> {
    c: &'a mut Counts,
    total: u32,
    amount: u64,
    day: usize,
    day_n: u32,
}

impl<'a> Acc<'a> {
    fn new(c: &'a mut Counts) -> Acc<'a> {
        Acc {
            c,
            total: 0,
            amount: 0,
            day: 0,
            day_n: 0,
        }
    }

    #[inline(always)]
    fn flush_day(&mut self) {
        if let Some(d) = self.c.days.get_mut(self.day) {
            add(d, self.day_n);
        }
        self.day_n = 0;
    }
}

impl Drop for Acc<'_> {
    fn drop(&mut self) {
        self.flush_day();
        add(&mut self.c.total, self.total);
        self.c.amount = self.c.amount.wrapping_add(self.amount);
    }
}

/// Adds `delta` (1 or -1 as u32) for row `r` to the view of dimension `G`.
#[inline(always)]
fn bump<const G: usize>(c: &mut Acc<'_>, f: &Facts, r: usize, delta: u32) {
    match G {
        TIME => {
            let i = f.day[r].wrapping_sub(c.c.first_day) as usize;
            if i == c.day {
                add(&mut c.day_n, delta);
            } else {
                c.flush_day();
                (c.day, c.day_n) = (i, delta);
            }
        }
        KIND => add(&mut c.c.kind[(f.kind[r] & 7) as usize], delta),
        SECTOR => add(&mut c.c.sector[(f.sector[r] & 15) as usize], delta),
        STATUS => add(&mut c.c.status[(f.status[r] & 3) as usize], delta),
        SUBJECT => add(&mut c.c.subject[(f.subject[r] & 1) as usize], delta),
        DISCIPLINE => add(&mut c.c.discipline[(f.discipline[r] & 7) as usize], delta),
        // One count per combination of categories: no branch per row.
        CATEGORY => add(&mut c.c.category[(f.categories[r] & 511) as usize], delta),
        PROVINCE => {
            let s = (f.province[r] as usize).min(c.c.provinces);
            if let Some(v) = c.c.province.get_mut(s) {
                add(v, delta)
            }
        }
        COMMUNE => {
            let s = (f.commune[r] as usize).min(c.c.communes);
            if let Some(v) = c.c.commune.get_mut(s) {
                add(v, delta)
            }
        }
        _ => {}
    }
}

/// Adds row `r` to every view but dimension `D`'s, and to the total and amount.
#[inline(always)]
fn bump_all_except<const D: usize>(c: &mut Acc<'_>, f: &Facts, r: usize, delta: u32) {
    if D != TIME {
        bump::<TIME>(c, f, r, delta);
    }
    if D != KIND {
        bump::<KIND>(c, f, r, delta);
    }
    if D != SECTOR {
        bump::<SECTOR>(c, f, r, delta);
    }
    if D != STATUS {
        bump::<STATUS>(c, f, r, delta);
    }
    if D != SUBJECT {
        bump::<SUBJECT>(c, f, r, delta);
    }
    if D != DISCIPLINE {
        bump::<DISCIPLINE>(c, f, r, delta);
    }
    if D != CATEGORY {
        bump::<CATEGORY>(c, f, r, delta);
    }
    if D != PROVINCE {
        bump::<PROVINCE>(c, f, r, delta);
    }
    if D != COMMUNE {
        bump::<COMMUNE>(c, f, r, delta);
    }
    add(&mut c.total, delta);
    let a = f.amount[r] as u64;
    c.amount = if delta == 1 {
        c.amount.wrapping_add(a)
    } else {
        c.amount.wrapping_sub(a)
    };
}

#[inline(always)]
fn bump_one(c: &mut Acc<'_>, f: &Facts, r: usize, g: usize, delta: u32) {
    match g {
        TIME => bump::<TIME>(c, f, r, delta),
        KIND => bump::<KIND>(c, f, r, delta),
        SECTOR => bump::<SECTOR>(c, f, r, delta),
        STATUS => bump::<STATUS>(c, f, r, delta),
        SUBJECT => bump::<SUBJECT>(c, f, r, delta),
        DISCIPLINE => bump::<DISCIPLINE>(c, f, r, delta),
        CATEGORY => bump::<CATEGORY>(c, f, r, delta),
        PROVINCE => bump::<PROVINCE>(c, f, r, delta),
        COMMUNE => bump::<COMMUNE>(c, f, r, delta),
        _ => {}
    }
}

/// Flips row `r`'s verdict on dimension `D` and moves the counts that depend on it.
#[inline(always)]
fn flip<const D: usize>(mask: &mut [u16], c: &mut Acc<'_>, f: &Facts, r: usize) {
    let bit = 1u16 << D;
    let m = mask[r];
    mask[r] = m ^ bit;
    let rest = m & !bit;
    let delta = if m & bit != 0 { 1 } else { u32::MAX };
    if rest == 0 {
        bump_all_except::<D>(c, f, r, delta);
    } else if rest & (rest - 1) == 0 {
        bump_one(c, f, r, rest.trailing_zeros() as usize, delta);
    }
}

/// The linked views' counts, each over the rows passing every filter but its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Views<'a> {
    /// Day number of `days[0]`.
    pub first_day: u16,
    /// Cases by opening day, from `first_day` to the last day of the table.
    pub days: &'a [u32],
    /// By `CaseKind::ALL` index.
    pub kind: &'a [u32],
    /// By `Sector::ALL` index.
    pub sector: &'a [u32],
    /// By `CaseStatus::ALL` index.
    pub status: &'a [u32],
    /// By `SubjectType::ALL` index.
    pub subject: &'a [u32],
    /// 0 no discipline, i + 1 `DisciplineForm::ALL[i]`.
    pub discipline: &'a [u32],
    /// By `ViolationCategory::ALL` index (a case with two categories counts in both).
    pub category: [u32; CATEGORIES],
    /// By index into `Facts::provinces` (rows without a province are not counted here).
    pub province: &'a [u32],
    /// By index into `Facts::communes` (rows without a commune are not counted here).
    pub commune: &'a [u32],
    /// Rows passing every filter.
    pub total: u32,
    /// Their money involved, millions of đồng.
    pub amount: u64,
}

/// One area's figures on the map ([`Engine::area_figures`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AreaFigures {
    /// Cases.
    pub cases: u32,
    /// Cases with at least one violation category.
    pub violating: u32,
    /// Cases that led to a discipline.
    pub disciplined: u32,
    /// Money involved, millions of đồng.
    pub amount: u64,
}

/// The filter engine (see the module documentation).
#[derive(Debug, Clone)]
pub struct Engine {
    f: Facts,
    mask: Vec<u16>,
    c: Counts,
    filters: [Option<Filter>; DIMENSIONS],
    /// Rows `time.0..time.1` pass the time filter.
    time: (usize, usize),
    /// Allowed-value bitsets of kind, sector, status, subject, discipline (by dimension index).
    small: [u64; DIMENSIONS],
    category: Option<u16>,
    province: Vec<u64>,
    commune: Vec<u64>,
    /// Rows passing the spatial selection (`None`: no selection).
    space: Option<Vec<u64>>,
    province_rows: RowLists,
    commune_rows: RowLists,
    /// Rows by spatial grid cell.
    grid_rows: RowLists,
}

const fn domain(d: usize) -> usize {
    match d {
        KIND => CaseKind::ALL.len(),
        SECTOR => Sector::ALL.len(),
        STATUS => CaseStatus::ALL.len(),
        SUBJECT => SubjectType::ALL.len(),
        DISCIPLINE => DisciplineForm::ALL.len() + 1,
        _ => 0,
    }
}

fn full(bits: usize) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

fn bitset_full(bits: usize) -> Vec<u64> {
    let mut v = vec![u64::MAX; bits.div_ceil(64)];
    if !bits.is_multiple_of(64)
        && let Some(last) = v.last_mut()
    {
        *last = full(bits % 64);
    }
    v
}

/// A bitset of `slots` bits with the given values below `limit` set.
fn bitset_of(slots: usize, limit: usize, values: &[u16]) -> Vec<u64> {
    let mut v = vec![0u64; slots.div_ceil(64)];
    for &x in values {
        let x = x as usize;
        if x < limit.min(slots) {
            v[x / 64] |= 1 << (x % 64);
        }
    }
    v
}

/// Rows sorted by opening day (stable: rows of a day keep their order).
fn sort_by_day(f: Facts) -> Facts {
    if f.day.is_sorted() {
        return f;
    }
    let mut offsets = vec![0u32; u16::MAX as usize + 2];
    for &d in &f.day {
        offsets[d as usize + 1] += 1;
    }
    for i in 0..=u16::MAX as usize {
        offsets[i + 1] += offsets[i];
    }
    let mut perm = vec![0u32; f.len()];
    for (r, &d) in f.day.iter().enumerate() {
        perm[offsets[d as usize] as usize] = r as u32;
        offsets[d as usize] += 1;
    }
    fn take<T: Copy>(col: &[T], perm: &[u32]) -> Vec<T> {
        perm.iter().map(|&i| col[i as usize]).collect()
    }
    Facts {
        id: take(&f.id, &perm),
        day: take(&f.day, &perm),
        kind: take(&f.kind, &perm),
        sector: take(&f.sector, &perm),
        status: take(&f.status, &perm),
        subject: take(&f.subject, &perm),
        discipline: take(&f.discipline, &perm),
        categories: take(&f.categories, &perm),
        province: take(&f.province, &perm),
        commune: take(&f.commune, &perm),
        lat: take(&f.lat, &perm),
        lon: take(&f.lon, &perm),
        amount: take(&f.amount, &perm),
        provinces: f.provinces,
        communes: f.communes,
    }
}

/// Whether (lat, lon) is inside the polygon of (lat, lon) vertices (even-odd rule, edges
/// straight in degrees).
pub fn point_in_polygon(lat: f64, lon: f64, polygon: &[(f64, f64)]) -> bool {
    let mut inside = false;
    let mut j = polygon.len().wrapping_sub(1);
    for (i, &(yi, xi)) in polygon.iter().enumerate() {
        let (yj, xj) = polygon[j];
        if (yi > lat) != (yj > lat) && lon < (xj - xi) * (lat - yi) / (yj - yi) + xi {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// The spatial grid: cells of 256 x 256 quantization steps (0.0625 degrees, about 7 km).
const GRID: usize = 256;
const CELL_SHIFT: u32 = 8;

fn cell_of(lat: u16, lon: u16) -> usize {
    (lat as usize >> CELL_SHIFT) * GRID + (lon as usize >> CELL_SHIFT)
}

/// The degrees a cell row (or column) covers: the first and last quantized value in it.
fn cell_span(i: usize, of: fn(u16) -> f64) -> (f64, f64) {
    let lo = (i << CELL_SHIFT) as u16;
    (of(lo), of(lo | ((1 << CELL_SHIFT) - 1)))
}

/// What a whole grid cell is to a selection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    Outside,
    Inside,
    /// Some of it may be in, some out: test each row.
    Boundary,
}

/// Cell range (inclusive) covering the degrees `lo..=hi` with a step of margin.
fn cell_range(lo: f64, hi: f64, quantize: fn(f64) -> u16) -> (usize, usize) {
    (
        (quantize(lo).saturating_sub(2) >> CELL_SHIFT) as usize,
        (quantize(hi).saturating_add(2) >> CELL_SHIFT) as usize,
    )
}

/// Flips every row `pick` selects, scanning in blocks: the scan only writes row numbers
/// (no branch to mispredict), the flips then run over the compact list.
#[inline(always)]
fn flip_where<const D: usize>(
    f: &Facts,
    mask: &mut [u16],
    c: &mut Acc<'_>,
    pick: impl Fn(usize) -> bool,
) {
    const BLOCK: usize = 2048;
    let n = f.len();
    let mut picked = [0u32; BLOCK];
    let mut start = 0;
    while start < n {
        let end = (start + BLOCK).min(n);
        let mut k = 0;
        for r in start..end {
            picked[k] = r as u32;
            k += pick(r) as usize;
        }
        for &r in &picked[..k] {
            flip::<D>(mask, c, f, r as usize);
        }
        start = end;
    }
}

/// Flips the rows whose slot's bit differs between `old` and `new`: through the per-slot row
/// lists when they are few, by one sequential scan of the column when they are many (a scan
/// beats millions of scattered reads).
fn flip_slots<const D: usize>(
    f: &Facts,
    mask: &mut [u16],
    c: &mut Acc<'_>,
    old: &[u64],
    new: &[u64],
    lists: &RowLists,
    slot: impl Fn(usize) -> usize,
) {
    let changed: Vec<u64> = old.iter().zip(new).map(|(o, n)| o ^ n).collect();
    let slots = || {
        changed.iter().enumerate().flat_map(|(w, &bits)| {
            let mut bits = bits;
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let s = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    s
                })
            })
        })
    };
    let rows: usize = slots().map(|s| lists.of(s).len()).sum();
    if rows > f.len() / 16 {
        for r in 0..f.len() {
            let s = slot(r);
            if changed
                .get(s / 64)
                .is_some_and(|w| (w >> (s % 64)) & 1 != 0)
            {
                flip::<D>(mask, c, f, r);
            }
        }
    } else {
        for s in slots() {
            for &r in lists.of(s) {
                flip::<D>(mask, c, f, r as usize);
            }
        }
    }
}

impl Engine {
    /// An engine over `facts` with no filter (rows are reordered by opening day).
    pub fn new(facts: Facts) -> Result<Engine, FactsError> {
        facts.validate()?;
        let f = sort_by_day(facts);
        let n = f.len();
        let (first_day, last_day) = match (f.day.first(), f.day.last()) {
            (Some(&a), Some(&b)) => (a, b),
            _ => (0, 0),
        };
        let provinces = f.provinces.len();
        let communes = f.communes.len();
        let mut c = Counts {
            first_day,
            provinces,
            communes,
            days: vec![
                0;
                if n == 0 {
                    0
                } else {
                    (last_day - first_day) as usize + 1
                }
            ],
            kind: [0; 8],
            sector: [0; 16],
            status: [0; 4],
            subject: [0; 2],
            discipline: [0; 8],
            category: [0; 512],
            province: vec![0; provinces + 1],
            commune: vec![0; communes + 1],
            total: 0,
            amount: 0,
        };
        {
            let mut acc = Acc::new(&mut c);
            for r in 0..n {
                bump_all_except::<NONE>(&mut acc, &f, r, 1);
            }
        }
        let province_rows = RowLists::build(n, provinces + 1, |r| {
            (f.province[r] as usize).min(provinces)
        });
        let commune_rows =
            RowLists::build(n, communes + 1, |r| (f.commune[r] as usize).min(communes));
        let grid_rows = RowLists::build(n, GRID * GRID, |r| cell_of(f.lat[r], f.lon[r]));
        let mut small = [0u64; DIMENSIONS];
        for (d, s) in small.iter_mut().enumerate() {
            *s = full(domain(d));
        }
        Ok(Engine {
            mask: vec![0; n],
            c,
            filters: Default::default(),
            time: (0, n),
            small,
            category: None,
            province: bitset_full(provinces + 1),
            commune: bitset_full(communes + 1),
            space: None,
            province_rows,
            commune_rows,
            grid_rows,
            f,
        })
    }

    /// The table, its rows in the engine's order (by opening day); row numbers refer to it.
    pub fn facts(&self) -> &Facts {
        &self.f
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.f.len()
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.f.is_empty()
    }

    /// Bytes the engine holds beyond the facts (rejection masks, row lists, counts).
    pub fn index_bytes(&self) -> usize {
        self.mask.len() * 2
            + (self.province_rows.rows.len() + self.province_rows.offsets.len()) * 4
            + (self.commune_rows.rows.len() + self.commune_rows.offsets.len()) * 4
            + (self.grid_rows.rows.len() + self.grid_rows.offsets.len()) * 4
            + self.space.as_ref().map_or(0, |s| s.len() * 8)
            + (self.c.days.len() + self.c.province.len() + self.c.commune.len()) * 4
    }

    /// The filter on a dimension, if any.
    pub fn filter(&self, d: Dimension) -> Option<&Filter> {
        self.filters[d.index()].as_ref()
    }

    /// Whether row `r` passes every filter.
    pub fn passes(&self, r: usize) -> bool {
        self.mask.get(r) == Some(&0)
    }

    /// Rows passing every filter, in the engine's order (for the table).
    pub fn selected_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.mask
            .iter()
            .enumerate()
            .filter(|(_, m)| **m == 0)
            .map(|(r, _)| r)
    }

    /// The map's figures by area (province indexes, or commune indexes when `communes`), over
    /// the rows passing every filter but the map's own (province, commune, space): the map keeps
    /// showing every area while one is selected, as a brushed chart keeps its shape.
    pub fn area_figures(&self, communes: bool) -> Vec<AreaFigures> {
        let map_bits: u16 = (1 << PROVINCE) | (1 << COMMUNE) | (1 << SPACE);
        let f = &self.f;
        let len = if communes {
            f.communes.len()
        } else {
            f.provinces.len()
        };
        let mut out = vec![AreaFigures::default(); len];
        for (r, &m) in self.mask.iter().enumerate() {
            if m & !map_bits != 0 {
                continue;
            }
            let area = if communes {
                f.commune[r] as usize
            } else {
                f.province[r] as usize
            };
            if let Some(a) = out.get_mut(area) {
                a.cases += 1;
                a.violating += u32::from(f.categories[r] != 0);
                a.disciplined += u32::from(f.discipline[r] != 0);
                a.amount += u64::from(f.amount[r]);
            }
        }
        out
    }

    /// The linked views' counts.
    pub fn views(&self) -> Views<'_> {
        let c = &self.c;
        Views {
            first_day: c.first_day,
            days: &c.days,
            kind: &c.kind[..domain(KIND)],
            sector: &c.sector[..domain(SECTOR)],
            status: &c.status[..domain(STATUS)],
            subject: &c.subject[..domain(SUBJECT)],
            discipline: &c.discipline[..domain(DISCIPLINE)],
            category: {
                let mut by = [0u32; CATEGORIES];
                for (m, &n) in c.category.iter().enumerate().filter(|(_, n)| **n != 0) {
                    for (b, v) in by.iter_mut().enumerate() {
                        if m & (1 << b) != 0 {
                            *v = v.wrapping_add(n);
                        }
                    }
                }
                by
            },
            province: &c.province[..c.provinces],
            commune: &c.commune[..c.communes],
            total: c.total,
            amount: c.amount,
        }
    }

    /// Sets a dimension's filter, updating the views incrementally.
    pub fn set_filter(&mut self, d: Dimension, filter: Filter) -> Result<(), FilterError> {
        match (d, &filter) {
            (Dimension::Time, Filter::Days { from, to }) => self.set_time(Some((*from, *to))),
            (Dimension::Kind, Filter::Values(v)) => self.set_small::<KIND>(Some(v)),
            (Dimension::Sector, Filter::Values(v)) => self.set_small::<SECTOR>(Some(v)),
            (Dimension::Status, Filter::Values(v)) => self.set_small::<STATUS>(Some(v)),
            (Dimension::Subject, Filter::Values(v)) => self.set_small::<SUBJECT>(Some(v)),
            (Dimension::Discipline, Filter::Values(v)) => self.set_small::<DISCIPLINE>(Some(v)),
            (Dimension::Category, Filter::Values(v)) => {
                let bits = v
                    .iter()
                    .filter(|&&x| (x as usize) < ViolationCategory::ALL.len())
                    .fold(0u16, |b, &x| b | 1 << x);
                self.set_category(Some(bits))
            }
            (Dimension::Province, Filter::Values(v)) => {
                let bits = bitset_of(self.c.provinces + 1, self.c.provinces, v);
                self.set_province(bits)
            }
            (Dimension::Commune, Filter::Values(v)) => {
                let bits = bitset_of(self.c.communes + 1, self.c.communes, v);
                self.set_commune(bits)
            }
            (Dimension::Space, Filter::Radius { lat, lon, km }) => {
                let mask = self.radius_mask(*lat, *lon, *km);
                self.set_space(Some(mask))
            }
            (Dimension::Space, Filter::Lasso(polygon)) => {
                let mask = self.lasso_mask(polygon);
                self.set_space(Some(mask))
            }
            _ => {
                return Err(FilterError {
                    dimension: d.as_str(),
                    filter: filter.name(),
                });
            }
        }
        self.filters[d.index()] = Some(filter);
        Ok(())
    }

    /// Removes a dimension's filter.
    pub fn clear(&mut self, d: Dimension) {
        if self.filters[d.index()].take().is_none() {
            return;
        }
        match d {
            Dimension::Time => self.set_time(None),
            Dimension::Kind => self.set_small::<KIND>(None),
            Dimension::Sector => self.set_small::<SECTOR>(None),
            Dimension::Status => self.set_small::<STATUS>(None),
            Dimension::Subject => self.set_small::<SUBJECT>(None),
            Dimension::Discipline => self.set_small::<DISCIPLINE>(None),
            Dimension::Category => self.set_category(None),
            Dimension::Province => self.set_province(bitset_full(self.c.provinces + 1)),
            Dimension::Commune => self.set_commune(bitset_full(self.c.communes + 1)),
            Dimension::Space => self.set_space(None),
        }
    }

    /// Removes every filter.
    pub fn clear_all(&mut self) {
        for d in Dimension::ALL {
            self.clear(d);
        }
    }

    fn set_time(&mut self, range: Option<(u16, u16)>) {
        let n = self.f.len();
        let (lo1, hi1) = match range {
            None => (0, n),
            Some((a, b)) if a > b => (0, 0),
            Some((a, b)) => (
                self.f.day.partition_point(|&d| d < a),
                self.f.day.partition_point(|&d| d <= b),
            ),
        };
        let (lo0, hi0) = self.time;
        self.time = (lo1, hi1);
        let (f, mask, c) = (&self.f, &mut self.mask, &mut Acc::new(&mut self.c));
        for (a, b) in [
            (lo0, hi0.min(lo1)),
            (lo0.max(hi1), hi0),
            (lo1, hi1.min(lo0)),
            (lo1.max(hi0), hi1),
        ] {
            for r in a..b {
                flip::<TIME>(mask, c, f, r);
            }
        }
    }

    fn set_small<const D: usize>(&mut self, values: Option<&[u16]>) {
        let bits = match values {
            None => full(domain(D)),
            Some(v) => v
                .iter()
                .filter(|&&x| (x as usize) < domain(D))
                .fold(0u64, |b, &x| b | 1 << x),
        };
        self.set_small_bits::<D>(bits);
    }

    fn set_small_bits<const D: usize>(&mut self, bits: u64) {
        let changed = self.small[D] ^ bits;
        self.small[D] = bits;
        if changed == 0 {
            return;
        }
        let (f, mask, c) = (&self.f, &mut self.mask, &mut Acc::new(&mut self.c));
        let col: &[u8] = match D {
            KIND => &f.kind,
            SECTOR => &f.sector,
            STATUS => &f.status,
            SUBJECT => &f.subject,
            _ => &f.discipline,
        };
        flip_where::<D>(f, mask, c, |r| (changed >> (col[r] & 63)) & 1 != 0);
    }

    fn set_category(&mut self, bits: Option<u16>) {
        let old = self.category;
        self.category = bits;
        if old == bits {
            return;
        }
        let pass = |s: Option<u16>, m: u16| s.is_none_or(|s| m & s != 0);
        let (f, mask, c) = (&self.f, &mut self.mask, &mut Acc::new(&mut self.c));
        flip_where::<CATEGORY>(f, mask, c, |r| {
            let m = f.categories[r];
            pass(old, m) != pass(bits, m)
        });
    }

    fn set_province(&mut self, bits: Vec<u64>) {
        let old = std::mem::replace(&mut self.province, bits);
        let slots = self.c.provinces;
        let (f, mask, c) = (&self.f, &mut self.mask, &mut Acc::new(&mut self.c));
        flip_slots::<PROVINCE>(f, mask, c, &old, &self.province, &self.province_rows, |r| {
            (f.province[r] as usize).min(slots)
        });
    }

    fn set_commune(&mut self, bits: Vec<u64>) {
        let old = std::mem::replace(&mut self.commune, bits);
        let slots = self.c.communes;
        let (f, mask, c) = (&self.f, &mut self.mask, &mut Acc::new(&mut self.c));
        flip_slots::<COMMUNE>(f, mask, c, &old, &self.commune, &self.commune_rows, |r| {
            (f.commune[r] as usize).min(slots)
        });
    }

    fn set_space(&mut self, pass: Option<Vec<u64>>) {
        let n = self.f.len();
        let all = bitset_full(n);
        let old = std::mem::replace(&mut self.space, pass);
        let old = old.as_ref().unwrap_or(&all);
        let new = self.space.as_ref().unwrap_or(&all);
        let (f, mask, c) = (&self.f, &mut self.mask, &mut Acc::new(&mut self.c));
        for (w, (o, nw)) in old.iter().zip(new).enumerate() {
            let mut changed = o ^ nw;
            while changed != 0 {
                let r = w * 64 + changed.trailing_zeros() as usize;
                changed &= changed - 1;
                flip::<SPACE>(mask, c, f, r);
            }
        }
    }

    /// Rows whose location passes `test`, visiting the grid cells of the box `rows x cols`:
    /// cells wholly in or out are taken or skipped whole, only boundary cells test each row.
    fn grid_select(
        &self,
        (i0, i1): (usize, usize),
        (j0, j1): (usize, usize),
        classify: impl Fn(usize, usize) -> Cell,
        test: impl Fn(f64, f64) -> bool,
    ) -> Vec<u64> {
        let f = &self.f;
        let mut bits = vec![0u64; f.len().div_ceil(64)];
        for i in i0..=i1.min(GRID - 1) {
            for j in j0..=j1.min(GRID - 1) {
                let rows = self.grid_rows.of(i * GRID + j);
                if rows.is_empty() {
                    continue;
                }
                match classify(i, j) {
                    Cell::Outside => {}
                    Cell::Inside => {
                        for &r in rows {
                            bits[r as usize / 64] |= 1 << (r % 64);
                        }
                    }
                    Cell::Boundary => {
                        for &r in rows {
                            let r = r as usize;
                            if test(lat_of(f.lat[r]), lon_of(f.lon[r])) {
                                bits[r / 64] |= 1 << (r % 64);
                            }
                        }
                    }
                }
            }
        }
        bits
    }

    fn radius_mask(&self, lat: f64, lon: f64, km: f64) -> Vec<u64> {
        if !(km >= 0.0 && lat.is_finite() && lon.is_finite()) {
            return vec![0; self.f.len().div_ceil(64)];
        }
        // A degree of latitude is at least 111.19 km of great circle; a degree of longitude at
        // least that times the cosine of the farthest latitude in the band.
        let dlat = km / 111.0 + 1e-4;
        let far = (lat.abs() + dlat).min(89.0).to_radians().cos();
        let dlon = dlat / far;
        // Cells are decided whole only with a margin; rows near the circle are tested exactly.
        let (inner, outer) = (km * 0.99 - 0.1, km * 1.01 + 0.1);
        let classify = |i: usize, j: usize| {
            let (a0, a1) = cell_span(i, lat_of);
            let (o0, o1) = cell_span(j, lon_of);
            let near = haversine_km(lat.clamp(a0, a1), lon.clamp(o0, o1), lat, lon);
            if near > outer {
                return Cell::Outside;
            }
            let far = [(a0, o0), (a0, o1), (a1, o0), (a1, o1)]
                .iter()
                .map(|&(a, o)| haversine_km(a, o, lat, lon))
                .fold(0.0, f64::max);
            if far < inner {
                Cell::Inside
            } else {
                Cell::Boundary
            }
        };
        self.grid_select(
            cell_range(lat - dlat, lat + dlat, quantize_lat),
            cell_range(lon - dlon, lon + dlon, quantize_lon),
            classify,
            |a, o| super::space::within_km(a, o, lat, lon, km),
        )
    }

    fn lasso_mask(&self, polygon: &[(f64, f64)]) -> Vec<u64> {
        if !super::space::is_polygon(polygon) {
            return vec![0; self.f.len().div_ceil(64)];
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
        let cell_deg = (super::LAT_MAX - super::LAT_MIN) / GRID as f64;
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
        // A cell no edge touches is wholly in or out: its centre tells which.
        let classify = |i: usize, j: usize| {
            if boundary[(i - is.0) * w + (j - js.0)] {
                return Cell::Boundary;
            }
            let (a0, a1) = cell_span(i, lat_of);
            let (o0, o1) = cell_span(j, lon_of);
            if point_in_polygon((a0 + a1) / 2.0, (o0 + o1) / 2.0, polygon) {
                Cell::Inside
            } else {
                Cell::Outside
            }
        };
        self.grid_select(is, js, classify, |a, o| point_in_polygon(a, o, polygon))
    }
}
