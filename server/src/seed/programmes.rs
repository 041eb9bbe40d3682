//! Thematic supervision programmes of the demo: the centre's on each theme of the last year and on
//! two of the year before, over provinces; Hà Nội's and Hồ Chí Minh City's on a theme of the last
//! year, over their communes. Their units are chosen after the cases are generated (the load asks
//! which candidates have cases of the theme): most with cases, some still without, so that
//! coverage is below 100 % and the plan's pace is visible. Milestones each quarter.

use super::generate::Plan;
use super::{rng_for, tag};
use chrono::{Datelike, NaiveDate};
use rand::seq::SliceRandom;

/// Who plans a demo programme, and over which units.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgrammeDef {
    pub code: String,
    pub name: String,
    pub theme: String,
    /// `VN` or a province's code.
    pub owner: String,
    /// The level of the owner's children it supervises: `province` or `commune`.
    pub level: &'static str,
    /// How many units it plans.
    pub units: usize,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// Name, due day and planned share of the units.
    pub milestones: Vec<(String, NaiveDate, f64)>,
    /// Other themes it may take instead (a province's: the load keeps the theme most of its
    /// communes have cases of, so that its figures are not empty in a small data set).
    pub other_themes: Vec<String>,
}

/// The provinces that own programmes of their own (the demo's province users are there).
const PROVINCE_OWNERS: [&str; 2] = ["01", "79"];

/// Quarterly milestones of a year: name and planned share.
const QUARTERS: [(&str, u32, u32, f64); 4] = [
    ("Quý I", 3, 31, 0.2),
    ("6 tháng đầu năm", 6, 30, 0.45),
    ("9 tháng", 9, 30, 0.7),
    ("Cả năm", 12, 31, 1.0),
];

fn day(year: i32, month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, d).unwrap_or(NaiveDate::MIN)
}

/// The demo's programmes, in the order they are written.
pub fn plan(plan: &Plan) -> Vec<ProgrammeDef> {
    let last = plan.as_of.year();
    let mut out = Vec::new();
    let of_year = |y: i32| plan.themes.iter().filter(move |t| t.year == y);
    let year_def = |theme: &str, year: i32, owner: &str, owner_name: Option<&str>, n: usize| {
        let (level, units) = if owner == "VN" {
            ("province", 12)
        } else {
            ("commune", 10)
        };
        ProgrammeDef {
            code: if owner == "VN" {
                format!("GS-{year}-{n:02}")
            } else {
                format!("GS-{owner}-{year}-{n:02}")
            },
            name: match owner_name {
                Some(p) => format!("{p}: giám sát chuyên đề “{theme}”"),
                None => format!("Giám sát chuyên đề “{theme}”"),
            },
            theme: theme.to_string(),
            owner: owner.to_string(),
            level,
            units,
            period_from: day(year, 1, 1),
            period_to: day(year, 12, 31),
            milestones: QUARTERS
                .iter()
                .map(|(name, m, d, share)| (name.to_string(), day(year, *m, *d), *share))
                .collect(),
            other_themes: Vec::new(),
        }
    };
    for (n, t) in of_year(last).enumerate() {
        out.push(year_def(&t.text, last, "VN", None, n + 1));
    }
    for (n, t) in of_year(last - 1).take(2).enumerate() {
        out.push(year_def(&t.text, last - 1, "VN", None, n + 1));
    }
    for (i, owner) in PROVINCE_OWNERS.iter().enumerate() {
        let Some(t) = of_year(last).nth(i) else {
            continue;
        };
        let name = plan
            .h
            .units
            .iter()
            .find(|u| u.code == *owner)
            .map(|u| u.name.as_str());
        let mut def = year_def(&t.text, last, owner, name, 1);
        def.other_themes = of_year(last)
            .filter(|o| o.text != t.text)
            .map(|o| o.text.clone())
            .collect();
        out.push(def);
    }
    out
}

/// The theme of `themes` whose candidates most often have cases (the first of equals), with its
/// candidates.
pub fn best_theme(
    themes: Vec<(String, Vec<(String, bool)>)>,
) -> Option<(String, Vec<(String, bool)>)> {
    let mut best: Option<(String, Vec<(String, bool)>)> = None;
    for (theme, candidates) in themes {
        let n = candidates.iter().filter(|c| c.1).count();
        if best
            .as_ref()
            .is_none_or(|(_, b)| n > b.iter().filter(|c| c.1).count())
        {
            best = Some((theme, candidates));
        }
    }
    best
}

/// The units a programme plans among `candidates` (code, whether it has cases of the theme, in
/// code order): about three in four with cases, the rest without (fewer when the candidates run
/// short), drawn from the seed's stream for programme `index`; in code order.
pub fn choose(candidates: &[(String, bool)], n: usize, seed: u64, index: usize) -> Vec<String> {
    let mut rng = rng_for(seed, tag::PROGRAMMES, index as u64);
    let mut with: Vec<&String> = candidates.iter().filter(|c| c.1).map(|c| &c.0).collect();
    let mut without: Vec<&String> = candidates.iter().filter(|c| !c.1).map(|c| &c.0).collect();
    with.shuffle(&mut rng);
    without.shuffle(&mut rng);
    let n = n.min(candidates.len());
    let want_with = (n * 3).div_ceil(4).min(with.len());
    let want_without = (n - want_with).min(without.len());
    let mut out: Vec<String> = with[..want_with]
        .iter()
        .chain(&without[..want_without])
        .map(|c| c.to_string())
        .collect();
    // Too few without cases: more with them.
    let short = n - out.len();
    out.extend(with[want_with..].iter().take(short).map(|c| c.to_string()));
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Size;

    fn candidates(with: usize, without: usize) -> Vec<(String, bool)> {
        (0..with + without)
            .map(|i| (format!("{i:02}"), i < with))
            .collect()
    }

    #[test]
    fn three_in_four_planned_units_have_cases_and_the_rest_not_yet() {
        let c = candidates(20, 14);
        let chosen = choose(&c, 12, 7, 0);
        assert_eq!(chosen.len(), 12);
        let with = chosen.iter().filter(|u| u.as_str() < "20").count();
        assert_eq!(with, 9);
        assert_eq!(
            chosen,
            choose(&c, 12, 7, 0),
            "the same seed, the same units"
        );
        assert_ne!(chosen, choose(&c, 12, 8, 0));
        // Few with cases: all of them, and the rest without.
        let few = choose(&candidates(3, 31), 12, 7, 1);
        assert_eq!(few.iter().filter(|u| u.as_str() < "03").count(), 3);
        assert_eq!(few.len(), 12);
        // Few without: more with.
        assert_eq!(choose(&candidates(30, 1), 12, 7, 2).len(), 12);
        assert_eq!(choose(&candidates(2, 1), 12, 7, 2).len(), 3);
    }

    #[test]
    fn a_province_takes_the_theme_most_of_its_communes_have_cases_of() {
        let best = best_theme(vec![
            ("a".into(), candidates(1, 5)),
            ("b".into(), candidates(3, 3)),
            ("c".into(), candidates(3, 3)),
        ]);
        assert_eq!(best.map(|b| b.0), Some("b".into()));
        assert_eq!(best_theme(Vec::new()), None);
    }

    #[test]
    fn the_demo_plans_the_centres_programmes_and_two_provinces() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        let p = Plan::new(Size::Tiny, 7, as_of);
        let defs = plan(&p);
        assert_eq!(defs.len(), 5 + 2 + 2);
        assert_eq!(defs[0].code, "GS-2026-01");
        assert_eq!(defs[0].owner, "VN");
        assert!(defs[0].theme.ends_with(" 2026"));
        assert_eq!(defs[5].period_from, day(2025, 1, 1));
        let hanoi = defs.iter().find(|d| d.owner == "01").unwrap();
        assert_eq!(hanoi.level, "commune");
        assert!(
            hanoi.name.starts_with("Thành phố Hà Nội: "),
            "{}",
            hanoi.name
        );
        assert_eq!(hanoi.milestones.len(), 4);
        assert_eq!(hanoi.other_themes.len(), 4);
        assert_eq!(defs, plan(&Plan::new(Size::Tiny, 7, as_of)));
    }
}
