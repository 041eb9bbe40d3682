//! How trustworthy the data is ("correct, complete, clean, live"): the state of each connected
//! information system, and quality scores for a source or a unit's figures, each from counts the
//! server measures, so that every score can be explained by the counts behind it.
//!
//! The rules, in one place (docs/ARCHITECTURE.md quotes them):
//! - **State** of a source, from the hours since its last arrival against its cadence and its
//!   recent error rate: `failing` when at least [`FAILING_ERROR_RATE`] of its recent rows were
//!   rejected (of all its rows while it sent fewer than [`RECENT_MIN_ROWS`] lately); else `stale` when nothing ever arrived or the last arrival is older than
//!   [`STALE_AFTER`] cadences; else `late` when it is older than one cadence and the grace of
//!   [`GRACE`] (at least an hour); else `live`.
//! - **Scores**, each from 0 to 1: *validity* is the share of rows accepted of those sent;
//!   *completeness* the share of optional fields filled where they apply; *consistency* the share
//!   of records that meet the rules between fields the schema does not enforce; *uniqueness* (the
//!   "duplicates" score) the share of records that are not a likely duplicate of another; and
//!   *freshness* 1 within the cadence, falling linearly to 0 at [`STALE_AFTER`] cadences (for
//!   several sources, their mean). The overall score is the plain mean of the scores that have
//!   something to measure.

use serde::{Deserialize, Serialize};

/// Share of recent rows rejected from which a source is `failing`.
pub const FAILING_ERROR_RATE: f64 = 0.25;
/// Fewest recent rows from which the recent error rate counts (fewer: all the source's rows).
pub const RECENT_MIN_ROWS: u64 = 20;
/// Cadences after the last arrival from which a source is `stale` (and its freshness 0).
pub const STALE_AFTER: f64 = 3.0;
/// Slack after one cadence before a source is `late`, as a share of the cadence (at least 1 h).
pub const GRACE: f64 = 0.25;

crate::vocab::vocabulary! {
    /// The health of a connected information system.
    SourceState {
        Live = "live",
        Late = "late",
        Stale = "stale",
        Failing = "failing",
    }
}

/// A source's error rate: the share rejected of its recent rows `(accepted, rejected)` when there
/// are at least [`RECENT_MIN_ROWS`] of them, else of all its rows; `None` if it sent none.
pub fn error_rate(recent: (u64, u64), all: (u64, u64)) -> Option<f64> {
    let (a, r) = if recent.0 + recent.1 >= RECENT_MIN_ROWS {
        recent
    } else {
        all
    };
    (a + r > 0).then(|| r as f64 / (a + r) as f64)
}

impl SourceState {
    /// The state of a source whose last arrival was `hours_since` hours ago (`None`: never), that
    /// should send every `cadence_hours`, and rejected `error_rate` of its recent rows (`None`:
    /// sent none).
    pub fn of(
        hours_since: Option<f64>,
        cadence_hours: f64,
        error_rate: Option<f64>,
    ) -> SourceState {
        if error_rate.is_some_and(|r| r >= FAILING_ERROR_RATE) {
            return SourceState::Failing;
        }
        let cadence = cadence_hours.max(1.0);
        match hours_since {
            None => SourceState::Stale,
            Some(h) if h > cadence * STALE_AFTER => SourceState::Stale,
            Some(h) if h > cadence + (cadence * GRACE).max(1.0) => SourceState::Late,
            Some(_) => SourceState::Live,
        }
    }

    /// Whether the state needs a person (it raises an alert).
    pub fn is_alarming(self) -> bool {
        self != SourceState::Live
    }
}

/// The counts a quality score is made of; the server measures them, the UI explains with them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualityCounts {
    /// Rows sent and accepted (validity).
    pub accepted: u64,
    /// Rows sent and rejected (validity).
    pub rejected: u64,
    /// Records stored (consistency and uniqueness are shares of these).
    pub records: u64,
    /// Optional fields filled, of those that apply (completeness).
    pub optional_filled: u64,
    pub optional_applicable: u64,
    /// Records that break a rule between fields (consistency).
    pub inconsistent: u64,
    /// Records that repeat another's subject, kind and opening day under another id.
    pub duplicates: u64,
    /// Sources whose freshness is measured, and the sum of their freshness (the score is the mean).
    pub sources: u64,
    pub freshness_sum: f64,
}

/// Scores from 0 to 1; `None` where there is nothing to measure.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QualityScores {
    pub validity: Option<f64>,
    pub completeness: Option<f64>,
    pub consistency: Option<f64>,
    pub uniqueness: Option<f64>,
    pub freshness: Option<f64>,
    /// The mean of the scores above that are measured.
    pub overall: Option<f64>,
}

fn share(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// Freshness: 1 within one cadence (and its grace), then linearly down to 0 at [`STALE_AFTER`]
/// cadences; 0 if nothing ever arrived.
pub fn freshness(hours_since: Option<f64>, cadence_hours: f64) -> f64 {
    let cadence = cadence_hours.max(1.0);
    let fresh_until = cadence + (cadence * GRACE).max(1.0);
    let stale_at = (cadence * STALE_AFTER).max(fresh_until);
    match hours_since {
        None => 0.0,
        Some(h) if h <= fresh_until => 1.0,
        Some(h) if h >= stale_at => 0.0,
        Some(h) => (stale_at - h) / (stale_at - fresh_until),
    }
}

impl QualityCounts {
    /// The scores these counts give.
    pub fn scores(&self) -> QualityScores {
        let validity = share(self.accepted, self.accepted + self.rejected);
        let completeness = share(self.optional_filled, self.optional_applicable);
        let consistency = share(self.records.saturating_sub(self.inconsistent), self.records);
        let uniqueness = share(self.records.saturating_sub(self.duplicates), self.records);
        let freshness = (self.sources > 0).then(|| self.freshness_sum / self.sources as f64);
        let measured: Vec<f64> = [validity, completeness, consistency, uniqueness, freshness]
            .into_iter()
            .flatten()
            .collect();
        let overall =
            (!measured.is_empty()).then(|| measured.iter().sum::<f64>() / measured.len() as f64);
        QualityScores {
            validity,
            completeness,
            consistency,
            uniqueness,
            freshness,
            overall,
        }
    }

    /// The counts of several sources or units together.
    pub fn merge(&self, other: &QualityCounts) -> QualityCounts {
        QualityCounts {
            accepted: self.accepted + other.accepted,
            rejected: self.rejected + other.rejected,
            records: self.records + other.records,
            optional_filled: self.optional_filled + other.optional_filled,
            optional_applicable: self.optional_applicable + other.optional_applicable,
            inconsistent: self.inconsistent + other.inconsistent,
            duplicates: self.duplicates + other.duplicates,
            sources: self.sources + other.sources,
            freshness_sum: self.freshness_sum + other.freshness_sum,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_source_is_live_within_its_cadence_and_grace_then_late_then_stale() {
        let s = |h| SourceState::of(Some(h), 24.0, Some(0.01));
        assert_eq!(s(0.5), SourceState::Live);
        assert_eq!(s(24.0), SourceState::Live);
        assert_eq!(
            s(30.0),
            SourceState::Live,
            "a quarter of a cadence of grace"
        );
        assert_eq!(s(30.1), SourceState::Late);
        assert_eq!(s(72.0), SourceState::Late);
        assert_eq!(s(72.1), SourceState::Stale);
        assert_eq!(SourceState::of(None, 24.0, None), SourceState::Stale);
        // A short cadence still gets an hour of grace.
        assert_eq!(SourceState::of(Some(1.9), 1.0, None), SourceState::Live);
        assert_eq!(SourceState::of(Some(2.1), 1.0, None), SourceState::Late);
    }

    #[test]
    fn a_source_that_rejects_a_quarter_of_its_rows_is_failing_whatever_its_freshness() {
        assert_eq!(
            SourceState::of(Some(1.0), 24.0, Some(0.25)),
            SourceState::Failing
        );
        assert_eq!(
            SourceState::of(Some(1.0), 24.0, Some(0.24)),
            SourceState::Live
        );
        assert_eq!(SourceState::of(None, 24.0, Some(0.9)), SourceState::Failing);
        assert!(SourceState::Late.is_alarming() && !SourceState::Live.is_alarming());
    }

    #[test]
    fn the_error_rate_is_recent_when_enough_rows_came_lately_else_of_all_rows() {
        assert_eq!(error_rate((15, 5), (1000, 10)), Some(0.25));
        assert_eq!(error_rate((3, 2), (990, 10)), Some(0.01));
        assert_eq!(error_rate((0, 0), (0, 0)), None);
        assert_eq!(error_rate((0, 0), (0, 4)), Some(1.0));
    }

    #[test]
    fn freshness_falls_linearly_from_one_cadence_to_three() {
        assert_eq!(freshness(Some(10.0), 24.0), 1.0);
        assert_eq!(freshness(Some(30.0), 24.0), 1.0);
        assert_eq!(freshness(Some(72.0), 24.0), 0.0);
        assert!((freshness(Some(51.0), 24.0) - 0.5).abs() < 1e-9);
        assert_eq!(freshness(None, 24.0), 0.0);
    }

    #[test]
    fn scores_are_shares_of_the_counts_and_the_overall_their_mean() {
        let c = QualityCounts {
            accepted: 90,
            rejected: 10,
            records: 200,
            optional_filled: 300,
            optional_applicable: 400,
            inconsistent: 20,
            duplicates: 2,
            sources: 1,
            freshness_sum: freshness(Some(51.0), 24.0),
        };
        let s = c.scores();
        assert_eq!(s.validity, Some(0.9));
        assert_eq!(s.completeness, Some(0.75));
        assert_eq!(s.consistency, Some(0.9));
        assert_eq!(s.uniqueness, Some(0.99));
        assert!((s.freshness.unwrap() - 0.5).abs() < 1e-9);
        let mean = (0.9 + 0.75 + 0.9 + 0.99 + 0.5) / 5.0;
        assert!((s.overall.unwrap() - mean).abs() < 1e-9);
    }

    #[test]
    fn nothing_measured_scores_nothing_and_merging_averages_freshness_over_sources() {
        assert_eq!(QualityCounts::default().scores(), QualityScores::default());
        let only_records = QualityCounts {
            records: 10,
            ..Default::default()
        };
        let s = only_records.scores();
        assert_eq!((s.validity, s.freshness), (None, None));
        assert_eq!(s.overall, Some(1.0));
        let fresh = QualityCounts {
            accepted: 5,
            sources: 1,
            freshness_sum: freshness(Some(1.0), 24.0),
            ..Default::default()
        };
        let stale = QualityCounts {
            accepted: 5,
            rejected: 5,
            sources: 1,
            freshness_sum: freshness(Some(100.0), 24.0),
            ..Default::default()
        };
        let m = fresh.merge(&stale).merge(&only_records);
        assert_eq!(
            (m.accepted, m.rejected, m.records, m.sources),
            (10, 5, 10, 2)
        );
        assert_eq!(m.scores().freshness, Some(0.5));
        assert_eq!(m.scores().validity, Some(10.0 / 15.0));
    }
}
