//! The engine's copy of the fact table, packed: rows in opening-day order with the day implied
//! by the row (each day is a row range), the small vocabularies and the categories as bit planes
//! (bit `b` of plane `k` in word `w` is bit `k` of the value of row `64 w + b`), the other columns
//! as they come. Reads go through one accessor a column ([`PackedFacts::id`], ...).

use super::super::{FactRow, Facts};
use crate::vocab::{CaseKind, CaseStatus, DisciplineForm, Sector, SubjectType, ViolationCategory};
use std::ops::Range;

/// Bits that hold every value below `domain`.
const fn bits_for(domain: usize) -> usize {
    let mut b = 0;
    while (1 << b) < domain {
        b += 1;
    }
    b
}

pub(super) const KIND_BITS: usize = bits_for(CaseKind::ALL.len());
pub(super) const SECTOR_BITS: usize = bits_for(Sector::ALL.len());
pub(super) const STATUS_BITS: usize = bits_for(CaseStatus::ALL.len());
pub(super) const SUBJECT_BITS: usize = bits_for(SubjectType::ALL.len());
pub(super) const DISCIPLINE_BITS: usize = bits_for(DisciplineForm::ALL.len() + 1);
pub(super) const CATEGORIES: usize = ViolationCategory::ALL.len();
/// Most bits of a small vocabulary (its counts are kept in arrays of `1 << SMALL_BITS`).
pub(super) const SMALL_BITS: usize = 4;
const _: () = assert!(
    KIND_BITS <= SMALL_BITS
        && SECTOR_BITS <= SMALL_BITS
        && STATUS_BITS <= SMALL_BITS
        && SUBJECT_BITS <= SMALL_BITS
        && DISCIPLINE_BITS <= SMALL_BITS
        && CATEGORIES <= 16,
    "a vocabulary outgrew its bit planes"
);

/// The first and last day of some rows.
#[inline(never)]
fn day_range(days: &[u16]) -> (u16, u16) {
    days.iter()
        .fold((u16::MAX, 0), |(a, b), &d| (a.min(d), b.max(d)))
}

/// Counts rows by day (slot `d - first + 1`).
#[inline(never)]
fn count_days(days: &[u16], first: u16, counts: &mut [u32]) {
    for &d in days {
        counts[(d - first) as usize + 1] += 1;
    }
}

/// Places rows `r0..` (their days `days`) at their day's next slot.
#[inline(never)]
fn place_by_day(days: &[u16], r0: usize, first: u16, next: &mut [u32], perm: &mut [u32]) {
    for (r, &d) in days.iter().enumerate() {
        let slot = &mut next[(d - first) as usize];
        perm[*slot as usize] = (r0 + r) as u32;
        *slot += 1;
    }
}

/// Words of 64 rows holding `n` rows.
pub(super) fn words(n: usize) -> usize {
    n.div_ceil(64)
}

/// The bits of word `w` past the last of `n` rows.
#[inline(always)]
pub(super) fn tail(n: usize, w: usize) -> u64 {
    let end = n.saturating_sub(w * 64);
    if end >= 64 { 0 } else { u64::MAX << end }
}

/// The bits of word `w` for rows `lo..hi`.
#[inline(always)]
pub(super) fn span_bits(w: usize, lo: usize, hi: usize) -> u64 {
    let base = w * 64;
    let s = lo.saturating_sub(base).min(64);
    let e = hi.saturating_sub(base).min(64);
    if s >= e {
        0
    } else {
        (u64::MAX >> (64 - (e - s))) << s
    }
}

/// Sets rows `8 g..8 g + 8` of a word's planes from their values' low bytes, packed in one u64
/// with row `j` in byte `7 - j`: a multiply gathers bit `k` of the eight bytes into eight
/// adjacent bits (row `j` at bit `j`).
#[inline(always)]
fn spread<const B: usize>(planes: &mut [u64; B], bytes: u64, g: usize, from: usize) {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const GATHER: u64 = 0x8040_2010_0804_0201;
    for (k, p) in planes.iter_mut().enumerate().skip(from).take(8) {
        let bits = ((bytes >> (k - from)) & LOW).wrapping_mul(GATHER) >> 56;
        *p |= bits << (g * 8);
    }
}

/// Rows one call of the build's loops handles: a browser runs a function's first calls
/// unoptimized and compiles it optimized meanwhile, so a long loop runs as many short calls.
pub(super) const CHUNK: usize = 1 << 13;

/// A column of values below `1 << B` as `B` bit planes, one word a plane per 64 rows.
#[derive(Debug, Clone, Default)]
pub(super) struct Planes<const B: usize>(Vec<[u64; B]>);

impl<const B: usize> Planes<B> {
    /// Row `r`'s value.
    #[inline(always)]
    pub(super) fn value(&self, r: usize) -> u16 {
        let (p, b) = (&self.0[r / 64], r % 64);
        let mut v = 0;
        for (k, plane) in p.iter().enumerate() {
            v |= (((plane >> b) & 1) as u16) << k;
        }
        v
    }

    /// The rows of word `w` whose value is in `set` (bit `v` for value `v`; `B` at most 5).
    #[inline(always)]
    pub(super) fn rows_in(&self, w: usize, set: u32) -> u64 {
        let p = &self.0[w];
        let values = 1usize << B;
        let all = if values >= 32 {
            u32::MAX
        } else {
            (1u32 << values) - 1
        };
        let set = set & all;
        // The smaller of the set and its complement, as a union of one term a value.
        let (set, negate) = if set.count_ones() * 2 > all.count_ones() {
            (!set & all, true)
        } else {
            (set, false)
        };
        let mut out = 0u64;
        let mut s = set;
        while s != 0 {
            let v = s.trailing_zeros();
            s &= s - 1;
            let mut term = u64::MAX;
            for (k, plane) in p.iter().enumerate() {
                term &= if (v >> k) & 1 != 0 { *plane } else { !plane };
            }
            out |= term;
        }
        if negate { !out } else { out }
    }

    /// The rows of word `w` with any of the bits of `set` (for a column of bit sets).
    #[inline(always)]
    pub(super) fn rows_with_any(&self, w: usize, set: u32) -> u64 {
        let p = &self.0[w];
        let mut out = 0;
        for (k, plane) in p.iter().enumerate() {
            if (set >> k) & 1 != 0 {
                out |= plane;
            }
        }
        out
    }

    /// Adds `delta` (1, or -1 as u32) for each row of `m` in word `w` to its value's count.
    #[inline(always)]
    pub(super) fn tally(&self, w: usize, m: u64, out: &mut [u32; 1 << SMALL_BITS], delta: u32) {
        if m.count_ones() <= 2 {
            let mut bits = m;
            while bits != 0 {
                let v = self.value(w * 64 + bits.trailing_zeros() as usize);
                bits &= bits - 1;
                let c = &mut out[v as usize & ((1 << SMALL_BITS) - 1)];
                *c = c.wrapping_add(delta);
            }
            return;
        }
        // Split the rows by each plane in turn: part v ends with the rows of value v.
        let p = &self.0[w];
        let mut parts = [0u64; 1 << SMALL_BITS];
        parts[0] = m;
        let mut k = 1;
        for plane in p.iter().take(SMALL_BITS) {
            for i in 0..k {
                let x = parts[i];
                parts[i + k] = x & plane;
                parts[i] = x & !plane;
            }
            k *= 2;
        }
        for (c, part) in out.iter_mut().zip(&parts[..k]) {
            *c = c.wrapping_add(delta.wrapping_mul(part.count_ones()));
        }
    }

    /// Adds `delta` for each row of `m` in word `w` to the count of each bit it has.
    #[inline(always)]
    pub(super) fn tally_bits(&self, w: usize, m: u64, out: &mut [u32; B], delta: u32) {
        for (c, plane) in out.iter_mut().zip(&self.0[w]) {
            *c = c.wrapping_add(delta.wrapping_mul((m & plane).count_ones()));
        }
    }

    fn bytes(&self) -> usize {
        self.0.len() * B * 8
    }
}

/// The fact table as the engine keeps it (see the module documentation): rows by opening day;
/// row numbers of the engine refer to it.
#[derive(Debug, Clone, Default)]
pub struct PackedFacts {
    /// Province codes; [`PackedFacts::province`] indexes this list.
    pub provinces: Vec<String>,
    /// Commune codes; [`PackedFacts::commune`] indexes this list.
    pub communes: Vec<String>,
    len: usize,
    first_day: u16,
    /// First row of each day from `first_day` on, then the number of rows.
    day_start: Vec<u32>,
    /// The day (from `first_day`) of the first row of each word.
    word_day: Vec<u16>,
    pub(super) kind: Planes<KIND_BITS>,
    pub(super) sector: Planes<SECTOR_BITS>,
    pub(super) status: Planes<STATUS_BITS>,
    pub(super) subject: Planes<SUBJECT_BITS>,
    pub(super) discipline: Planes<DISCIPLINE_BITS>,
    pub(super) categories: Planes<CATEGORIES>,
    id: Vec<u32>,
    /// Per row the money involved (4 bytes), the commune (2) and the province (1), read
    /// together (one cache line a row where the counts need them), then a byte of padding.
    place: Vec<u8>,
    /// Per row the latitude (low half) and the longitude.
    location: Vec<u32>,
}

/// Bytes a row of [`PackedFacts::place`].
const PLACE: usize = 7;

impl PackedFacts {
    /// The rows of a valid table ([`Facts::validate`]) packed, by opening day (stable: rows of
    /// a day keep their order).
    pub(super) fn by_day(f: Facts) -> PackedFacts {
        let n = f.len();
        let (first_day, last_day) = f
            .day
            .chunks(CHUNK)
            .map(day_range)
            .fold((u16::MAX, 0), |(a, b), (c, d)| (a.min(c), b.max(d)));
        let (first_day, days) = if n == 0 {
            (0, 0)
        } else {
            (first_day, (last_day - first_day) as usize + 1)
        };
        let mut day_start = vec![0u32; days + 1];
        for c in f.day.chunks(CHUNK) {
            count_days(c, first_day, &mut day_start);
        }
        for i in 0..days {
            day_start[i + 1] += day_start[i];
        }
        // The row order: a counting sort by day (none when the rows are in order already).
        let perm: Option<Vec<u32>> = (!f.day.is_sorted()).then(|| {
            let mut next = day_start.clone();
            let mut perm = vec![0u32; n];
            for (k, c) in f.day.chunks(CHUNK).enumerate() {
                place_by_day(c, k * CHUNK, first_day, &mut next, &mut perm);
            }
            perm
        });
        let word_day = (0..words(n))
            .map(|w| (day_start.partition_point(|&s| s as usize <= w * 64) - 1) as u16)
            .collect();
        let mut out = PackedFacts {
            len: n,
            first_day,
            day_start,
            word_day,
            kind: Planes(Vec::with_capacity(words(n))),
            sector: Planes(Vec::with_capacity(words(n))),
            status: Planes(Vec::with_capacity(words(n))),
            subject: Planes(Vec::with_capacity(words(n))),
            discipline: Planes(Vec::with_capacity(words(n))),
            categories: Planes(Vec::with_capacity(words(n))),
            id: Vec::with_capacity(n),
            place: Vec::with_capacity(n * PLACE + 1),
            location: Vec::with_capacity(n),
            provinces: Vec::new(),
            communes: Vec::new(),
        };
        for w in (0..words(n)).step_by(CHUNK / 64) {
            out.pack(&f, perm.as_deref(), w..(w + CHUNK / 64).min(words(n)));
        }
        out.place.push(0);
        out.provinces = f.provinces;
        out.communes = f.communes;
        out
    }

    /// Appends words `ws` (64 rows each) from the rows of `f` that go there.
    #[inline(never)]
    fn pack(&mut self, f: &Facts, perm: Option<&[u32]>, ws: Range<usize>) {
        let n = self.len;
        for w in ws {
            let mut kind = [0u64; KIND_BITS];
            let mut sector = [0u64; SECTOR_BITS];
            let mut status = [0u64; STATUS_BITS];
            let mut subject = [0u64; SUBJECT_BITS];
            let mut discipline = [0u64; DISCIPLINE_BITS];
            let mut categories = [0u64; CATEGORIES];
            for g in 0..8 {
                let r0 = w * 64 + g * 8;
                // The small values of eight rows, row j in byte 7 - j.
                let mut x = [0u64; 7];
                for j in 0..8.min(n.saturating_sub(r0)) {
                    let r = r0 + j;
                    let i = perm.map_or(r, |p| p[r] as usize);
                    let shift = 8 * (7 - j);
                    let cats = f.categories[i];
                    for (v, b) in x.iter_mut().zip([
                        f.kind[i],
                        f.sector[i],
                        f.status[i],
                        f.subject[i],
                        f.discipline[i],
                        cats as u8,
                        (cats >> 8) as u8,
                    ]) {
                        *v |= u64::from(b) << shift;
                    }
                    let place = u64::from(f.amount[i])
                        | u64::from(f.commune[i]) << 32
                        | u64::from(f.province[i]) << 48;
                    self.place.extend_from_slice(&place.to_le_bytes()[..PLACE]);
                    self.location
                        .push(u32::from(f.lat[i]) | u32::from(f.lon[i]) << 16);
                    self.id.push(f.id[i]);
                }
                spread(&mut kind, x[0], g, 0);
                spread(&mut sector, x[1], g, 0);
                spread(&mut status, x[2], g, 0);
                spread(&mut subject, x[3], g, 0);
                spread(&mut discipline, x[4], g, 0);
                spread(&mut categories, x[5], g, 0);
                spread(&mut categories, x[6], g, 8);
            }
            self.kind.0.push(kind);
            self.sector.0.push(sector);
            self.status.0.push(status);
            self.subject.0.push(subject);
            self.discipline.0.push(discipline);
            self.categories.0.push(categories);
        }
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Row `r`'s case id (`r` below [`PackedFacts::len`], as for every accessor).
    pub fn id(&self, r: usize) -> u32 {
        self.id[r]
    }

    /// Row `r`'s opening day.
    pub fn day(&self, r: usize) -> u16 {
        assert!(r < self.len, "row {r} of {}", self.len);
        self.first_day + self.day_index(r) as u16
    }

    /// Row `r`'s case kind.
    pub fn kind(&self, r: usize) -> u8 {
        self.kind.value(r) as u8
    }

    /// Row `r`'s sector.
    pub fn sector(&self, r: usize) -> u8 {
        self.sector.value(r) as u8
    }

    /// Row `r`'s status.
    pub fn status(&self, r: usize) -> u8 {
        self.status.value(r) as u8
    }

    /// Row `r`'s subject type.
    pub fn subject(&self, r: usize) -> u8 {
        self.subject.value(r) as u8
    }

    /// Row `r`'s discipline (0 none, else form index + 1).
    pub fn discipline(&self, r: usize) -> u8 {
        self.discipline.value(r) as u8
    }

    /// Row `r`'s violation categories (bit i = `ViolationCategory::ALL[i]`).
    pub fn categories(&self, r: usize) -> u16 {
        self.categories.value(r)
    }

    /// Row `r`'s province index ([`NO_PROVINCE`](super::super::NO_PROVINCE): none).
    pub fn province(&self, r: usize) -> u8 {
        self.place(r).2
    }

    /// Row `r`'s commune index ([`NO_COMMUNE`](super::super::NO_COMMUNE): none).
    pub fn commune(&self, r: usize) -> u16 {
        self.place(r).1
    }

    /// Row `r`'s quantized latitude.
    pub fn lat(&self, r: usize) -> u16 {
        self.location[r] as u16
    }

    /// Row `r`'s quantized longitude.
    pub fn lon(&self, r: usize) -> u16 {
        (self.location[r] >> 16) as u16
    }

    /// Row `r`'s money involved, millions of đồng.
    pub fn amount(&self, r: usize) -> u32 {
        self.place(r).0
    }

    /// Row `r`'s amount, commune and province, in one read.
    #[inline(always)]
    pub(super) fn place(&self, r: usize) -> (u32, u16, u8) {
        let mut b = [0u8; 8];
        b.copy_from_slice(&self.place[r * PLACE..r * PLACE + 8]);
        let x = u64::from_le_bytes(b);
        (x as u32, (x >> 32) as u16, (x >> 48) as u8)
    }

    /// Row `r`, or `None` past the end.
    pub fn row(&self, r: usize) -> Option<FactRow> {
        (r < self.len).then(|| FactRow {
            id: self.id(r),
            day: self.day(r),
            kind: self.kind(r),
            sector: self.sector(r),
            status: self.status(r),
            subject: self.subject(r),
            discipline: self.discipline(r),
            categories: self.categories(r),
            province: self.province(r),
            commune: self.commune(r),
            lat: self.lat(r),
            lon: self.lon(r),
            amount: self.amount(r),
        })
    }

    /// The table unpacked, rows in this order.
    pub fn to_facts(&self) -> Facts {
        let mut f = Facts::with_capacity(self.len);
        f.provinces = self.provinces.clone();
        f.communes = self.communes.clone();
        for r in 0..self.len {
            if let Some(row) = self.row(r) {
                f.push(row);
            }
        }
        f
    }

    /// Bytes the table takes in memory (without the dictionaries).
    pub fn memory_bytes(&self) -> usize {
        self.day_start.len() * 4
            + self.word_day.len() * 2
            + self.kind.bytes()
            + self.sector.bytes()
            + self.status.bytes()
            + self.subject.bytes()
            + self.discipline.bytes()
            + self.categories.bytes()
            + self.id.len() * 4
            + self.place.len()
            + self.location.len() * 4
    }

    /// The first day (of the table; 0 when empty).
    pub(super) fn first_day(&self) -> u16 {
        self.first_day
    }

    /// Number of days from the first to the last (0 when empty).
    pub(super) fn days(&self) -> usize {
        self.day_start.len().saturating_sub(1)
    }

    /// Number of rows on day `k` from the first.
    pub(super) fn rows_on_day(&self, k: usize) -> usize {
        (self.day_start[k + 1] - self.day_start[k]) as usize
    }

    /// The first row on day `day` or later.
    pub(super) fn first_row_from(&self, day: u32) -> usize {
        let i = (day.saturating_sub(self.first_day as u32) as usize).min(self.days());
        self.day_start.get(i).map_or(0, |&s| s as usize)
    }

    /// Row `r`'s day, counted from the first day.
    fn day_index(&self, r: usize) -> usize {
        let w = r / 64;
        let lo = self.word_day[w] as usize;
        let hi = self
            .word_day
            .get(w + 1)
            .map_or(self.days() - 1, |&d| d as usize);
        // The days starting at or before `r` among those the word spans.
        lo + self.day_start[lo + 1..=hi].partition_point(|&s| s as usize <= r)
    }

    /// Adds `delta` for each row of `m` in word `w` to its day's count in `days`.
    #[inline(always)]
    pub(super) fn tally_days(&self, w: usize, m: u64, days: &mut [u32], delta: u32) {
        let base = w * 64;
        let mut d = self.word_day[w] as usize;
        let mut rest = m;
        while rest != 0 {
            // Rows of `rest` before the next day's first row are on day `d`.
            let end = self.day_start[d + 1] as usize;
            let part = if end >= base + 64 {
                rest
            } else {
                rest & ((1u64 << (end - base)) - 1)
            };
            if part != 0 {
                if let Some(c) = days.get_mut(d) {
                    *c = c.wrapping_add(delta.wrapping_mul(part.count_ones()));
                }
                rest &= !part;
            }
            d += 1;
        }
    }
}
