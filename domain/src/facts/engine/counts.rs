//! The linked views' counts, and how a set of rows moves them: a word's rows at once, counted
//! by value with one population count a value (bit planes split by each other) for the small
//! vocabularies, the categories and the days; one by one for the areas and the money.

use super::packed::{CATEGORIES, CHUNK, PackedFacts, SMALL_BITS, tail, words};
use super::places::{Area, Places};
use super::{CATEGORY, COMMUNE, DISCIPLINE, KIND, PROVINCE, SECTOR, STATUS, SUBJECT, TIME};
use std::ops::Range;

/// Counts by value of a small vocabulary (padded to its bit planes).
pub(super) type Small = [u32; 1 << SMALL_BITS];

/// Counts of every view (padded so that any value of the planes has a slot).
#[derive(Debug, Clone)]
pub(super) struct Counts {
    pub(super) provinces: usize,
    pub(super) communes: usize,
    /// By day from the table's first day.
    pub(super) days: Vec<u32>,
    pub(super) kind: Small,
    pub(super) sector: Small,
    pub(super) status: Small,
    pub(super) subject: Small,
    pub(super) discipline: Small,
    /// By category (a row with two counts in both).
    pub(super) category: [u32; CATEGORIES],
    /// One slot a province, then one for rows without.
    pub(super) province: Vec<u32>,
    /// One slot a commune, then one for rows without.
    pub(super) commune: Vec<u32>,
    pub(super) total: u32,
    pub(super) amount: u64,
}

#[inline(always)]
fn add(c: &mut u32, delta: u32) {
    *c = c.wrapping_add(delta);
}

impl Counts {
    /// All zero, shaped for `f`.
    pub(super) fn new(f: &PackedFacts) -> Counts {
        let (provinces, communes) = (f.provinces.len(), f.communes.len());
        Counts {
            provinces,
            communes,
            days: vec![0; f.days()],
            kind: [0; 1 << SMALL_BITS],
            sector: [0; 1 << SMALL_BITS],
            status: [0; 1 << SMALL_BITS],
            subject: [0; 1 << SMALL_BITS],
            discipline: [0; 1 << SMALL_BITS],
            category: [0; CATEGORIES],
            province: vec![0; provinces + 1],
            commune: vec![0; communes + 1],
            total: 0,
            amount: 0,
        }
    }

    /// The counts with no filter: every row in every view.
    pub(super) fn of_every_row(f: &PackedFacts, places: &Places) -> Counts {
        let mut c = Counts::new(f);
        for (k, v) in c.days.iter_mut().enumerate() {
            *v = f.rows_on_day(k) as u32;
        }
        let words = words(f.len());
        for w in (0..words).step_by(CHUNK / 64) {
            c.add_words(f, w..(w + CHUNK / 64).min(words));
        }
        for (s, v) in c.province.iter_mut().enumerate() {
            *v = places.area_len(Area::Province, s) as u32;
        }
        for (s, v) in c.commune.iter_mut().enumerate() {
            *v = places.area_len(Area::Commune, s) as u32;
        }
        c.total = f.len() as u32;
        c
    }

    /// Words `ws` wholly into the small vocabularies' and the categories' views, and their
    /// money into the amount.
    #[inline(never)]
    fn add_words(&mut self, f: &PackedFacts, ws: Range<usize>) {
        for w in ws {
            let m = !tail(f.len(), w);
            f.kind.tally(w, m, &mut self.kind, 1);
            f.sector.tally(w, m, &mut self.sector, 1);
            f.status.tally(w, m, &mut self.status, 1);
            f.subject.tally(w, m, &mut self.subject, 1);
            f.discipline.tally(w, m, &mut self.discipline, 1);
            f.categories.tally_bits(w, m, &mut self.category, 1);
            for r in w * 64..(w * 64 + 64).min(f.len()) {
                self.amount += f.amount(r) as u64;
            }
        }
    }

    /// Zeroes every view but dimension `d`'s, and the total and amount.
    pub(super) fn clear_except(&mut self, d: usize) {
        let keep = |g: usize| g == d;
        if !keep(TIME) {
            self.days.fill(0);
        }
        for (g, v) in [
            (KIND, &mut self.kind),
            (SECTOR, &mut self.sector),
            (STATUS, &mut self.status),
            (SUBJECT, &mut self.subject),
            (DISCIPLINE, &mut self.discipline),
        ] {
            if !keep(g) {
                v.fill(0);
            }
        }
        if !keep(CATEGORY) {
            self.category.fill(0);
        }
        if !keep(PROVINCE) {
            self.province.fill(0);
        }
        if !keep(COMMUNE) {
            self.commune.fill(0);
        }
        self.total = 0;
        self.amount = 0;
    }

    /// Adds `delta` (1, or -1 as u32) for each row of `m` in word `w` to dimension `g`'s view.
    #[inline(never)]
    pub(super) fn view(&mut self, f: &PackedFacts, g: usize, w: usize, m: u64, delta: u32) {
        match g {
            TIME => f.tally_days(w, m, &mut self.days, delta),
            KIND => f.kind.tally(w, m, &mut self.kind, delta),
            SECTOR => f.sector.tally(w, m, &mut self.sector, delta),
            STATUS => f.status.tally(w, m, &mut self.status, delta),
            SUBJECT => f.subject.tally(w, m, &mut self.subject, delta),
            DISCIPLINE => f.discipline.tally(w, m, &mut self.discipline, delta),
            CATEGORY => f.categories.tally_bits(w, m, &mut self.category, delta),
            PROVINCE => {
                self.rows(f, COMMUNE, false, w, m, delta);
            }
            COMMUNE => {
                self.rows(f, PROVINCE, false, w, m, delta);
            }
            _ => {}
        }
    }

    /// Adds `delta` for each row of `m` in word `w` to every view but dimension `except`'s
    /// (none when `except` is no dimension), and to the total and the amount.
    #[inline(never)]
    pub(super) fn all_but(&mut self, f: &PackedFacts, except: usize, w: usize, m: u64, delta: u32) {
        if except != TIME {
            f.tally_days(w, m, &mut self.days, delta);
        }
        if except != KIND {
            f.kind.tally(w, m, &mut self.kind, delta);
        }
        if except != SECTOR {
            f.sector.tally(w, m, &mut self.sector, delta);
        }
        if except != STATUS {
            f.status.tally(w, m, &mut self.status, delta);
        }
        if except != SUBJECT {
            f.subject.tally(w, m, &mut self.subject, delta);
        }
        if except != DISCIPLINE {
            f.discipline.tally(w, m, &mut self.discipline, delta);
        }
        if except != CATEGORY {
            f.categories.tally_bits(w, m, &mut self.category, delta);
        }
        add(&mut self.total, delta.wrapping_mul(m.count_ones()));
        let amount = self.rows(f, except, true, w, m, delta);
        self.amount = if delta == 1 {
            self.amount.wrapping_add(amount)
        } else {
            self.amount.wrapping_sub(amount)
        };
    }

    /// The province and commune views but `except`'s, row by row; returns the rows' amount
    /// when asked.
    #[inline(always)]
    fn rows(
        &mut self,
        f: &PackedFacts,
        except: usize,
        amount: bool,
        w: usize,
        m: u64,
        delta: u32,
    ) -> u64 {
        let (np, nc) = (self.provinces, self.communes);
        let (province, commune) = (except != PROVINCE, except != COMMUNE);
        let mut sum = 0u64;
        let mut bits = m;
        while bits != 0 {
            let r = w * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            let (a, cm, p) = f.place(r);
            if province && let Some(c) = self.province.get_mut((p as usize).min(np)) {
                add(c, delta);
            }
            if commune && let Some(c) = self.commune.get_mut((cm as usize).min(nc)) {
                add(c, delta);
            }
            if amount {
                sum += a as u64;
            }
        }
        sum
    }

    /// Bytes held beyond the fixed part.
    pub(super) fn bytes(&self) -> usize {
        (self.days.len() + self.province.len() + self.commune.len()) * 4
    }
}
