//! The deterministic demo data set (`oversight seed --size tiny|demo|large [--seed N]`).
//!
//! The real hierarchy (centre, 6 committees under it, 34 provinces, 3,321 communes, from the
//! geodata inputs compiled into the binary), synthetic grassroots organizations, cells and members,
//! several years of cases with seasonality, regional sector mixes and realistic delays, procedures,
//! directives with their tasks, targets, data sources, and planted anomalies whose positions are
//! recorded in `planted_anomaly` so that detectors can be scored.
//!
//! Same (size, seed, as_of) -> the same rows, byte for byte (except the demo users' password hashes,
//! which are salted, and `seed_info.generated_at`). Every random draw comes from a ChaCha8 stream
//! derived from the seed and a fixed label (per province, per commune, ...), so no result depends
//! on iteration order.
//!
//! Layout: [`units`] (the hierarchy), [`model`] (the numbers), [`generate`] (cases, members, sources,
//! targets), [`anomalies`] (planting), [`directives`], [`encode`] (COPY text), all pure; [`load`]
//! writes to PostgreSQL in one transaction; [`users`] the demo accounts.
//!
//! Planted anomaly measures, by month of the date that defines them (as `domain::summary::Figures`
//! counts them), over the cases whose subject lies in the unit's subtree (`path <@ unit path`),
//! restricted to `sector` when it is set: `cases_opened` (by `opened_on`), `violations` (concluded
//! cases with a violation, by `concluded_on`), `disciplines` (by `discipline_decided_on`),
//! `amount_vnd` (sum of `amount_vnd` of violations, by `concluded_on`). `factor` is the observed
//! value of that month over the expected one (the seasonally adjusted mean of the 12 months before;
//! for `amount_vnd` their median).

pub mod anomalies;
pub mod directives;
pub mod encode;
pub mod generate;
pub mod load;
pub mod model;
pub mod programmes;
pub mod units;
pub mod users;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::str::FromStr;

pub use generate::Plan;
pub use load::run;
pub use users::DEMO_USERS;

/// How big a data set to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// For unit tests: about 2,000 cases, 2 grassroots organizations per commune.
    Tiny,
    /// The default demo: about 50,000 cases, 52,000 grassroots organizations, 5.6 million members.
    Demo,
    /// For benchmarks: about 3 million cases and a million member rows.
    Large,
}

impl Size {
    /// The size's name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Size::Tiny => "tiny",
            Size::Demo => "demo",
            Size::Large => "large",
        }
    }
}

impl FromStr for Size {
    type Err = anyhow::Error;
    fn from_str(s: &str) -> anyhow::Result<Size> {
        match s {
            "tiny" => Ok(Size::Tiny),
            "demo" => Ok(Size::Demo),
            "large" => Ok(Size::Large),
            other => anyhow::bail!("unknown size '{other}': expected tiny, demo or large"),
        }
    }
}

impl std::fmt::Display for Size {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What to generate.
#[derive(Clone, Debug)]
pub struct SeedOptions {
    pub size: Size,
    pub seed: u64,
    /// The day the data set ends ("today" of the demo): no date in it is later.
    pub as_of: chrono::NaiveDate,
    /// Show a progress bar on standard error while loading cases.
    pub progress: bool,
    /// Write the cases through the ingest path (checked and upserted as one batch, as other
    /// systems' data lands) instead of a bare COPY; `large` always does.
    pub through_ingest: bool,
}

/// What was written.
#[derive(Clone, Debug, Default)]
pub struct SeedReport {
    pub units: u64,
    pub members: u64,
    pub cases: u64,
    pub directives: u64,
    pub tasks: u64,
    pub targets: u64,
    pub anomalies: u64,
    pub sources: u64,
    pub elapsed: std::time::Duration,
}

/// The knobs that differ between sizes.
#[derive(Clone, Debug)]
pub struct SizeParams {
    /// Expected number of cases (before planted anomalies).
    pub cases: f64,
    /// Sum of `unit.members`.
    pub members_total: f64,
    /// Expected rows of the `member` table.
    pub member_sample: f64,
    /// Grassroots organizations per commune (tiny), or `None` to spread `grassroots_total`.
    pub grassroots_per_commune: Option<usize>,
    pub grassroots_total: f64,
    /// Share of grassroots organizations that have cells, and how many cells they have.
    pub cell_share: f64,
    pub cells: (u32, u32),
    /// Planted anomalies.
    pub anomalies: usize,
    /// Communes per province that get a sub-task of each directive.
    pub subtasks_per_province: usize,
    /// Years of commune targets (the most recent ones), or `None` for every year.
    pub commune_target_years: Option<usize>,
    /// Cases per COPY chunk.
    pub chunk: usize,
}

impl SizeParams {
    pub fn of(size: Size) -> SizeParams {
        match size {
            Size::Tiny => SizeParams {
                cases: 2_200.0,
                members_total: 560_000.0,
                member_sample: 5_000.0,
                grassroots_per_commune: Some(2),
                grassroots_total: 2.0 * 3321.0,
                cell_share: 0.25,
                cells: (1, 2),
                anomalies: 4,
                subtasks_per_province: 2,
                commune_target_years: Some(2),
                chunk: 20_000,
            },
            Size::Demo => SizeParams {
                cases: 50_000.0,
                members_total: 5_600_000.0,
                member_sample: 100_000.0,
                grassroots_per_commune: None,
                grassroots_total: 52_000.0,
                cell_share: 0.35,
                cells: (2, 5),
                anomalies: 15,
                subtasks_per_province: 6,
                commune_target_years: None,
                chunk: 20_000,
            },
            Size::Large => SizeParams {
                cases: 3_000_000.0,
                members_total: 5_600_000.0,
                member_sample: 1_000_000.0,
                grassroots_per_commune: None,
                grassroots_total: 52_000.0,
                cell_share: 0.35,
                cells: (2, 5),
                anomalies: 20,
                subtasks_per_province: 20,
                commune_target_years: None,
                chunk: 25_000,
            },
        }
    }
}

/// Labels of the random streams.
pub(crate) mod tag {
    pub const COMMUNE: u64 = 1;
    pub const COMMITTEE: u64 = 2;
    pub const GRASSROOTS: u64 = 3;
    pub const MEMBERS: u64 = 4;
    pub const RATES: u64 = 5;
    pub const CASES: u64 = 6;
    pub const SOURCES: u64 = 7;
    pub const THEMES: u64 = 8;
    pub const SLOTS: u64 = 9;
    pub const ANOMALY: u64 = 10;
    pub const DIRECTIVES: u64 = 11;
    pub const TASKS: u64 = 12;
    pub const TARGETS: u64 = 13;
    pub const PROGRAMMES: u64 = 14;
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The random stream for a label and an index under a seed: independent of every other stream.
pub(crate) fn rng_for(seed: u64, label: u64, index: u64) -> ChaCha8Rng {
    let a = splitmix(seed ^ splitmix(label.wrapping_mul(0x1000_0000_01B3)));
    let b = splitmix(a ^ splitmix(index.wrapping_add(0x5851_F42D_4C95_7F2D)));
    let mut key = [0u8; 32];
    for (i, chunk) in key.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&splitmix(b.wrapping_add(i as u64)).to_le_bytes());
    }
    ChaCha8Rng::from_seed(key)
}

#[cfg(test)]
mod tests;
