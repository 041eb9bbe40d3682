//! Data quality as people read it: the five scores ("correct, complete, clean, live", and no
//! duplicates) as bars, each with the counts that explain it; and a source's state as a chip.

use crate::i18n::{Key, t, text, use_lang};
use domain::format::{self, Lang};
use domain::quality::{QualityCounts, QualityScores, SourceState};
use leptos::prelude::*;

/// The label of a source state.
pub fn state_key(s: SourceState) -> Key {
    match s {
        SourceState::Live => Key::StateLive,
        SourceState::Late => Key::StateLate,
        SourceState::Stale => Key::StateStale,
        SourceState::Failing => Key::StateFailing,
    }
}

/// The grade of a score, for its colour: `good` from 95%, `fair` from 80%, else `poor`.
pub fn grade(score: Option<f64>) -> &'static str {
    match score {
        Some(s) if s >= 0.95 => "good",
        Some(s) if s >= 0.8 => "fair",
        Some(_) => "poor",
        None => "none",
    }
}

/// A cadence in hours as people say it: `24 giờ`, `7 ngày`.
pub fn cadence(hours: u32, lang: Lang) -> String {
    if hours >= 48 && hours.is_multiple_of(24) {
        format!(
            "{} {}",
            format::integer(i64::from(hours / 24), lang),
            text(lang, Key::Days)
        )
    } else {
        format!(
            "{} {}",
            format::integer(i64::from(hours), lang),
            text(lang, Key::Hours)
        )
    }
}

/// A source state as a coloured chip.
#[component]
pub fn StateChip(state: SourceState) -> impl IntoView {
    view! {
        <span class=format!("state-chip state-{}", state.as_str()) data-state=state.as_str()>
            {t(state_key(state))}
        </span>
    }
}

/// How fresh the data is, in words: for one source its last arrival and cadence, for a unit the
/// number of sources the mean is over.
#[derive(Debug, Clone, PartialEq)]
pub enum FreshnessNote {
    Source {
        hours_since: Option<f64>,
        cadence_hours: u32,
    },
    Sources(u64),
}

/// The words that explain a score, in the current language.
type Explain = Box<dyn Fn() -> String + Send + Sync>;

/// The five scores, each a bar with its percentage and the counts behind it.
#[component]
pub fn QualityBreakdown(
    counts: QualityCounts,
    scores: QualityScores,
    freshness: FreshnessNote,
) -> impl IntoView {
    let lang = use_lang();
    let n = move |v: u64| format::integer(v as i64, lang.get());
    let c = counts;
    let rows: Vec<(Key, Option<f64>, Explain)> = vec![
        (
            Key::QValidity,
            scores.validity,
            Box::new(move || {
                format!(
                    "{} / {} {}",
                    n(c.accepted),
                    n(c.accepted + c.rejected),
                    text(lang.get(), Key::QValidityWhy)
                )
            }),
        ),
        (
            Key::QCompleteness,
            scores.completeness,
            Box::new(move || {
                format!(
                    "{} / {} {}",
                    n(c.optional_filled),
                    n(c.optional_applicable),
                    text(lang.get(), Key::QCompletenessWhy)
                )
            }),
        ),
        (
            Key::QConsistency,
            scores.consistency,
            Box::new(move || {
                format!(
                    "{} / {} {}",
                    n(c.inconsistent),
                    n(c.records),
                    text(lang.get(), Key::QConsistencyWhy)
                )
            }),
        ),
        (
            Key::QUniqueness,
            scores.uniqueness,
            Box::new(move || {
                format!(
                    "{} / {} {}",
                    n(c.duplicates),
                    n(c.records),
                    text(lang.get(), Key::QUniquenessWhy)
                )
            }),
        ),
        (
            Key::QFreshness,
            scores.freshness,
            Box::new(move || {
                let l = lang.get();
                match &freshness {
                    FreshnessNote::Source {
                        hours_since,
                        cadence_hours,
                    } => format!(
                        "{} {}; {} {}",
                        text(l, Key::QLastSent),
                        hours_since.map_or_else(
                            || text(l, Key::Never).to_lowercase(),
                            |h| format::ago(h, l)
                        ),
                        text(l, Key::QExpectedEvery),
                        cadence(*cadence_hours, l)
                    ),
                    FreshnessNote::Sources(k) => format!(
                        "{} {} {}",
                        text(l, Key::QFreshnessMean),
                        format::integer(*k as i64, l),
                        if *k == 1 {
                            text(l, Key::SourceOne).to_string()
                        } else {
                            text(l, Key::Sources).to_lowercase()
                        }
                    ),
                }
            }),
        ),
    ];
    view! {
        <ul class="quality-list">
            {rows.into_iter().map(|(key, score, why)| {
                let width = format!("width:{:.1}%", score.unwrap_or(0.0) * 100.0);
                view! {
                    <li class=format!("quality-row {}", grade(score))>
                        <span class="quality-name">{t(key)}</span>
                        <span class="quality-bar" aria-hidden="true"><span style=width></span></span>
                        <span class="quality-value">{move || match score {
                            Some(_) => format::percent(score, lang.get()),
                            None => text(lang.get(), Key::QNotMeasured).to_string(),
                        }}</span>
                        <span class="quality-why">{why}</span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cadences_read_in_hours_or_whole_days_and_scores_grade_by_threshold() {
        assert_eq!(cadence(24, Lang::Vi), "24 giờ");
        assert_eq!(cadence(168, Lang::Vi), "7 ngày");
        assert_eq!(cadence(36, Lang::En), "36 h");
        assert_eq!(grade(Some(0.95)), "good");
        assert_eq!(grade(Some(0.8)), "fair");
        assert_eq!(grade(Some(0.79)), "poor");
        assert_eq!(grade(None), "none");
    }
}
