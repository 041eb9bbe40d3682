//! A crossfilter-style engine over the fact table: per row and dimension a bit telling whether
//! the dimension's filter rejects the row, and per linked view the counts over the rows that pass
//! every filter except the view's own (the cross-filter rule: a brushed chart keeps its whole
//! shape).
//!
//! The table is packed ([`PackedFacts`]): rows by opening day, the small vocabularies and the
//! categories as bit planes, so that a filter on them is decided for 64 rows at once with a few
//! word operations; the rejection bits are planes too (one word a dimension per 64 rows).
//! Changing one dimension's filter computes its new words and visits only the words where some
//! row's verdict flips: the time dimension works on row ranges (a day range is a row range, so a
//! brush move touches the two slivers between the old and new edges); provinces and communes on
//! the rows of the areas that change (one list of rows sorted by province and commune), or, when
//! most rows flip, on words written whole; the spatial selection on groups of rows (a commune's,
//! or a 7 km grid cell's of the rows without a commune) decided whole when their box is wholly in
//! or out, row by row only on the edge. A flipped row changes the counts only if no other filter
//! rejects it (then every view but the changed dimension's moves) or exactly one other does
//! (then only that dimension's view moves); the counts move a word of rows at a time, by
//! population counts. A change that takes most of the selected rows out recounts the other views
//! from the new bits instead.

mod counts;
mod packed;
mod places;

pub use packed::PackedFacts;

use super::{Facts, FactsError};
use crate::vocab::{CaseKind, CaseStatus, DisciplineForm, Sector, SubjectType};
use counts::Counts;
use packed::{CATEGORIES, span_bits, tail, words};
use places::{Area, Places};

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
const DIMENSIONS: usize = 10;
/// Dimensions with a view (all but space).
const VIEWS: usize = 9;

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

/// Moves word `w`'s rejection bits on dimension `d` to `new`, the counts following: the rows
/// no other filter rejects enter or leave every view but `d`'s, the rows exactly one other
/// filter rejects enter or leave that filter's view.
///
/// One function for every dimension and every kind of change, called a word at a time: the
/// browser compiles it optimized soon after its first calls, not after a whole first change.
#[inline(never)]
fn change_word(
    f: &PackedFacts,
    m: &mut [u64; DIMENSIONS],
    c: &mut Counts,
    d: usize,
    w: usize,
    new: u64,
) {
    let flip = m[d] ^ new;
    if flip == 0 {
        return;
    }
    m[d] = new;
    // Rows rejected by at least one other dimension, and by at least two.
    let (mut ones, mut twos) = (0u64, 0u64);
    for (g, &bits) in m.iter().enumerate() {
        if g != d {
            twos |= ones & bits;
            ones |= bits;
        }
    }
    let alone = flip & !ones;
    if alone != 0 {
        let (enter, leave) = (alone & !new, alone & new);
        if enter != 0 {
            c.all_but(f, d, w, enter, 1);
        }
        if leave != 0 {
            c.all_but(f, d, w, leave, u32::MAX);
        }
    }
    let single = flip & ones & !twos;
    if single != 0 {
        for (g, &bits) in m.iter().enumerate().take(VIEWS) {
            let s = single & bits;
            if g == d || s == 0 {
                continue;
            }
            if s & !new != 0 {
                c.view(f, g, w, s & !new, 1);
            }
            if s & new != 0 {
                c.view(f, g, w, s & new, u32::MAX);
            }
        }
    }
}

/// Counts word `w`'s rows in every view but dimension `d`'s.
#[inline(never)]
fn count_word(f: &PackedFacts, m: &[u64; DIMENSIONS], c: &mut Counts, d: usize, w: usize) {
    let (mut ones, mut twos) = (0u64, 0u64);
    for &bits in m {
        twos |= ones & bits;
        ones |= bits;
    }
    if ones != u64::MAX {
        c.all_but(f, d, w, !ones, 1);
    }
    let single = ones & !twos;
    if single != 0 {
        for (g, &bits) in m.iter().enumerate().take(VIEWS) {
            let s = single & bits;
            if g != d && s != 0 {
                c.view(f, g, w, s, 1);
            }
        }
    }
}

/// Recounts every view but dimension `d`'s (which no filter of its own moves) from the rejection
/// bits.
fn recount_except(f: &PackedFacts, mask: &[[u64; DIMENSIONS]], c: &mut Counts, d: usize) {
    c.clear_except(d);
    for (w, m) in mask.iter().enumerate() {
        count_word(f, m, c, d, w);
    }
}

/// Sets dimension `d`'s rejection bits in words `ws` to `new(w, old)`, the counts
/// following. When many selected rows leave the selection and few remain, recounting the other
/// views from the new bits costs less than taking each leaving row out: then it does that.
fn apply(
    f: &PackedFacts,
    mask: &mut [[u64; DIMENSIONS]],
    c: &mut Counts,
    d: usize,
    ws: impl Iterator<Item = usize> + Clone,
    new: impl Fn(usize, u64) -> u64,
) {
    let n = f.len();
    let touched = ws.clone().count();
    if c.total as usize >= n / 8 && touched >= mask.len() / 8 {
        let (mut enter, mut leave) = (0u64, 0u64);
        for w in ws.clone() {
            let m = &mask[w];
            let bits = new(w, m[d]);
            let flip = m[d] ^ bits;
            if flip == 0 {
                continue;
            }
            let others = m
                .iter()
                .enumerate()
                .fold(0, |a, (g, &b)| if g == d { a } else { a | b });
            enter += (flip & !others & !bits).count_ones() as u64;
            leave += (flip & !others & bits).count_ones() as u64;
        }
        let after = c.total as u64 + enter - leave;
        if leave > after + n as u64 / 16 {
            for w in ws {
                mask[w][d] = new(w, mask[w][d]);
            }
            recount_except(f, mask, c, d);
            return;
        }
    }
    for w in ws {
        let m = &mut mask[w];
        let bits = new(w, m[d]);
        change_word(f, m, c, d, w, bits);
    }
}

/// Flips dimension `d`'s rejection bit of each of `rows`, the counts following.
fn toggle<'a>(
    f: &PackedFacts,
    mask: &mut [[u64; DIMENSIONS]],
    c: &mut Counts,
    d: usize,
    rows: impl Iterator<Item = &'a [u32]>,
) {
    for &r in rows.flatten() {
        let (w, bit) = (r as usize / 64, 1u64 << (r % 64));
        let m = &mut mask[w];
        let bits = m[d] ^ bit;
        change_word(f, m, c, d, w, bits);
    }
}

/// The filter engine (see the module documentation).
#[derive(Debug, Clone)]
pub struct Engine {
    f: PackedFacts,
    /// Per 64 rows, a word a dimension: bit `b` of word `d` is set when dimension `d`'s filter
    /// rejects row `64 w + b` (and in every word for the bits past the last row).
    mask: Vec<[u64; DIMENSIONS]>,
    c: Counts,
    filters: [Option<Filter>; DIMENSIONS],
    /// Rows `time.0..time.1` pass the time filter.
    time: (usize, usize),
    /// Allowed values of kind, sector, status, subject, discipline (by dimension index).
    small: [u32; DIMENSIONS],
    category: Option<u16>,
    /// Allowed province slots (a slot a province, then one for rows without).
    province: Vec<u64>,
    /// Allowed commune slots.
    commune: Vec<u64>,
    places: Places,
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

fn full(bits: usize) -> u32 {
    if bits >= 32 {
        u32::MAX
    } else {
        (1 << bits) - 1
    }
}

fn bitset_full(bits: usize) -> Vec<u64> {
    let mut v = vec![u64::MAX; bits.div_ceil(64)];
    if !bits.is_multiple_of(64)
        && let Some(last) = v.last_mut()
    {
        *last = (1 << (bits % 64)) - 1;
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

fn has(bits: &[u64], slot: usize) -> bool {
    bits.get(slot / 64)
        .is_some_and(|w| (w >> (slot % 64)) & 1 != 0)
}

/// The rows of word `w` whose value on small dimension `d` is in `set`.
#[inline(always)]
fn small_rows(f: &PackedFacts, d: usize, w: usize, set: u32) -> u64 {
    match d {
        KIND => f.kind.rows_in(w, set),
        SECTOR => f.sector.rows_in(w, set),
        STATUS => f.status.rows_in(w, set),
        SUBJECT => f.subject.rows_in(w, set),
        _ => f.discipline.rows_in(w, set),
    }
}

impl Engine {
    /// An engine over `facts` with no filter (rows are reordered by opening day).
    pub fn new(facts: Facts) -> Result<Engine, FactsError> {
        facts.validate()?;
        let f = PackedFacts::by_day(facts);
        let n = f.len();
        let mut mask = vec![[0u64; DIMENSIONS]; words(n)];
        if let Some(last) = mask.last_mut() {
            *last = [tail(n, words(n) - 1); DIMENSIONS];
        }
        let places = Places::new(&f);
        let c = Counts::of_every_row(&f, &places);
        let mut small = [0u32; DIMENSIONS];
        for (d, s) in small.iter_mut().enumerate() {
            *s = full(domain(d));
        }
        Ok(Engine {
            places,
            mask,
            filters: Default::default(),
            time: (0, n),
            small,
            category: None,
            province: bitset_full(c.provinces + 1),
            commune: bitset_full(c.communes + 1),
            c,
            f,
        })
    }

    /// The table, its rows in the engine's order (by opening day); row numbers refer to it.
    pub fn facts(&self) -> &PackedFacts {
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

    /// Bytes the engine holds beyond the table ([`PackedFacts::memory_bytes`]): the rejection
    /// bits, the rows by place, the counts.
    pub fn index_bytes(&self) -> usize {
        self.mask.len() * DIMENSIONS * 8
            + self.places.bytes()
            + self.c.bytes()
            + (self.province.len() + self.commune.len()) * 8
    }

    /// The filter on a dimension, if any.
    pub fn filter(&self, d: Dimension) -> Option<&Filter> {
        self.filters[d.index()].as_ref()
    }

    /// Whether row `r` passes every filter.
    pub fn passes(&self, r: usize) -> bool {
        r < self.f.len() && (rejected(&self.mask[r / 64]) >> (r % 64)) & 1 == 0
    }

    /// Rows passing every filter, in the engine's order (for the table).
    pub fn selected_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.mask.iter().enumerate().flat_map(|(w, m)| {
            let mut bits = !rejected(m);
            std::iter::from_fn(move || {
                (bits != 0).then(|| {
                    let r = w * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    r
                })
            })
        })
    }

    /// The map's figures by area (province indexes, or commune indexes when `communes`), over
    /// the rows passing every filter but the map's own (province, commune, space): the map keeps
    /// showing every area while one is selected, as a brushed chart keeps its shape.
    pub fn area_figures(&self, communes: bool) -> Vec<AreaFigures> {
        let f = &self.f;
        let len = if communes {
            f.communes.len()
        } else {
            f.provinces.len()
        };
        let mut out = vec![AreaFigures::default(); len];
        for (w, m) in self.mask.iter().enumerate() {
            let others = m
                .iter()
                .enumerate()
                .filter(|(d, _)| ![PROVINCE, COMMUNE, SPACE].contains(d))
                .fold(0, |a, (_, &b)| a | b);
            let mut bits = !others;
            if bits == 0 {
                continue;
            }
            let violating = f.categories.rows_with_any(w, u32::MAX);
            let disciplined = f.discipline.rows_with_any(w, u32::MAX);
            while bits != 0 {
                let b = bits.trailing_zeros();
                bits &= bits - 1;
                let r = w * 64 + b as usize;
                let area = if communes {
                    f.commune(r) as usize
                } else {
                    f.province(r) as usize
                };
                if let Some(a) = out.get_mut(area) {
                    a.cases += 1;
                    a.violating += ((violating >> b) & 1) as u32;
                    a.disciplined += ((disciplined >> b) & 1) as u32;
                    a.amount += u64::from(f.amount(r));
                }
            }
        }
        out
    }

    /// The linked views' counts.
    pub fn views(&self) -> Views<'_> {
        let c = &self.c;
        Views {
            first_day: self.f.first_day(),
            days: &c.days,
            kind: &c.kind[..domain(KIND)],
            sector: &c.sector[..domain(SECTOR)],
            status: &c.status[..domain(STATUS)],
            subject: &c.subject[..domain(SUBJECT)],
            discipline: &c.discipline[..domain(DISCIPLINE)],
            category: c.category,
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
                    .filter(|&&x| (x as usize) < CATEGORIES)
                    .fold(0u16, |b, &x| b | 1 << x);
                self.set_category(Some(bits))
            }
            (Dimension::Province, Filter::Values(v)) => {
                let bits = bitset_of(self.c.provinces + 1, self.c.provinces, v);
                self.set_area::<PROVINCE>(bits)
            }
            (Dimension::Commune, Filter::Values(v)) => {
                let bits = bitset_of(self.c.communes + 1, self.c.communes, v);
                self.set_area::<COMMUNE>(bits)
            }
            (Dimension::Space, Filter::Radius { lat, lon, km }) => {
                let pass = self.places.radius(&self.f, *lat, *lon, *km);
                self.set_space(Some(pass))
            }
            (Dimension::Space, Filter::Lasso(polygon)) => {
                let pass = self.places.lasso(&self.f, polygon);
                self.set_space(Some(pass))
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
            Dimension::Province => self.set_area::<PROVINCE>(bitset_full(self.c.provinces + 1)),
            Dimension::Commune => self.set_area::<COMMUNE>(bitset_full(self.c.communes + 1)),
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
        let f = &self.f;
        let n = f.len();
        let (lo1, hi1) = match range {
            None => (0, n),
            Some((a, b)) if a > b => (0, 0),
            Some((a, b)) => (f.first_row_from(a as u32), f.first_row_from(b as u32 + 1)),
        };
        let (lo0, hi0) = self.time;
        self.time = (lo1, hi1);
        // The rows that flip: the old range less the new, the new less the old.
        let ws = [
            (lo0, hi0.min(lo1)),
            (lo0.max(hi1), hi0),
            (lo1, hi1.min(lo0)),
            (lo1.max(hi0), hi1),
        ]
        .into_iter()
        .filter(|(a, b)| a < b)
        .flat_map(|(a, b)| a / 64..b.div_ceil(64));
        apply(f, &mut self.mask, &mut self.c, TIME, ws, |w, _| {
            !span_bits(w, lo1, hi1)
        });
    }

    fn set_small<const D: usize>(&mut self, values: Option<&[u16]>) {
        let bits = match values {
            None => full(domain(D)),
            Some(v) => v
                .iter()
                .filter(|&&x| (x as usize) < domain(D))
                .fold(0u32, |b, &x| b | 1 << x),
        };
        let changed = self.small[D] ^ bits;
        self.small[D] = bits;
        if changed == 0 {
            return;
        }
        let f = &self.f;
        let n = f.len();
        apply(f, &mut self.mask, &mut self.c, D, 0..words(n), |w, old| {
            old ^ (small_rows(f, D, w, changed) & !tail(n, w))
        });
    }

    fn set_category(&mut self, bits: Option<u16>) {
        let old = std::mem::replace(&mut self.category, bits);
        if old == bits {
            return;
        }
        let f = &self.f;
        let n = f.len();
        apply(
            f,
            &mut self.mask,
            &mut self.c,
            CATEGORY,
            0..words(n),
            |w, _| match bits {
                None => tail(n, w),
                Some(s) => !f.categories.rows_with_any(w, s as u32),
            },
        );
    }

    /// A province or commune filter: the rows of the slots that change flip, one by one when
    /// they are few; when they are many, the dimension's words are written whole (from the rows
    /// of the allowed slots, or of the rejected ones, whichever are fewer).
    fn set_area<const D: usize>(&mut self, bits: Vec<u64>) {
        let area = if D == PROVINCE {
            Area::Province
        } else {
            Area::Commune
        };
        let slots = if D == PROVINCE {
            self.c.provinces + 1
        } else {
            self.c.communes + 1
        };
        let old = if D == PROVINCE {
            std::mem::replace(&mut self.province, bits.clone())
        } else {
            std::mem::replace(&mut self.commune, bits.clone())
        };
        let (f, places) = (&self.f, &self.places);
        let n = f.len();
        let changed: Vec<usize> = (0..slots)
            .filter(|&s| has(&old, s) != has(&bits, s))
            .collect();
        let flips: usize = changed.iter().map(|&s| places.area_len(area, s)).sum();
        if flips <= n / 32 {
            let rows = changed.iter().flat_map(|&s| places.area_rows(area, s));
            toggle(f, &mut self.mask, &mut self.c, D, rows);
            return;
        }
        let allowed: usize = (0..slots)
            .filter(|&s| has(&bits, s))
            .map(|s| places.area_len(area, s))
            .sum();
        let few_allowed = allowed <= n / 2;
        let mut plane = if few_allowed {
            vec![u64::MAX; words(n)]
        } else {
            (0..words(n)).map(|w| tail(n, w)).collect()
        };
        for s in (0..slots).filter(|&s| has(&bits, s) == few_allowed) {
            for &r in places.area_rows(area, s).flatten() {
                plane[r as usize / 64] ^= 1 << (r % 64);
            }
        }
        apply(f, &mut self.mask, &mut self.c, D, 0..words(n), |w, _| {
            plane[w]
        });
    }

    fn set_space(&mut self, pass: Option<Vec<u64>>) {
        let f = &self.f;
        let n = f.len();
        apply(
            f,
            &mut self.mask,
            &mut self.c,
            SPACE,
            0..words(n),
            |w, _| pass.as_ref().map_or(tail(n, w), |p| !p[w]),
        );
    }
}

/// The rows of a word some filter rejects.
#[inline(always)]
fn rejected(m: &[u64; DIMENSIONS]) -> u64 {
    m.iter().fold(0, |a, &b| a | b)
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
