//! A KPI tile: a figure this period, and its change against the same period a year before.

use crate::i18n::{Key, t, use_lang};
use domain::format;
use leptos::prelude::*;

/// How a tile writes its figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unit {
    Count,
    Money,
}

/// One KPI tile. `up_is_good` colours the change (more disciplines is not "good" or "bad":
/// such tiles pass `None`).
#[component]
pub fn KpiTile(
    label: Key,
    current: i64,
    previous: i64,
    #[prop(default = Unit::Count)] unit: Unit,
    #[prop(default = None)] up_is_good: Option<bool>,
    #[prop(optional)] testid: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    let fmt = move |n: i64| match unit {
        Unit::Count => format::integer(n, lang.get()),
        Unit::Money => format::vnd(n, lang.get()),
    };
    let figure = move || match unit {
        Unit::Count => (format::integer(current, lang.get()), ""),
        Unit::Money => format::vnd_parts(current, lang.get()),
    };
    let change = domain::summary::change_pct(current, previous);
    let tone = match (change, up_is_good) {
        (Some(c), Some(good)) if c.abs() >= 0.05 => {
            if (c > 0.0) == good {
                "good"
            } else {
                "bad"
            }
        }
        _ => "neutral",
    };
    let arrow = match change {
        Some(c) if c > 0.05 => "▲",
        Some(c) if c < -0.05 => "▼",
        _ => "■",
    };
    view! {
        <article class="kpi" data-testid=testid data-value=current.to_string()>
            <h3 class="kpi-label">{t(label)}</h3>
            <p class="kpi-value">{move || figure().0}<span class="kpi-unit">{move || figure().1}</span></p>
            <p class=format!("kpi-change {tone}")>
                <span aria-hidden="true">{arrow}" "</span>
                {move || change.map(|c| format::change_pct(c, lang.get())).unwrap_or_else(|| "–".into())}
            </p>
            <p class="kpi-prev">{t(Key::LastYear)}": "{move || fmt(previous)}</p>
        </article>
    }
}
