//! The analyst workspace: the caller's cases as columns in WebAssembly memory (`/api/v1/facts`),
//! filtered on the client by `domain::facts::Engine`, with linked charts that filter each other
//! (each chart counts with every filter but its own), chips for active filters and a reset.

use crate::api;
use crate::components::shell::AppShell;
use crate::i18n::{Key, Lang, t, text, use_lang};
use crate::labels;
use chrono::{Datelike, NaiveDate};
use domain::facts::{Dimension, Engine, Filter, Views, date_of, day_number};
use domain::format;
use domain::{CaseKind, CaseStatus, DisciplineForm, Sector, ViolationCategory};
use leptos::prelude::*;
use std::collections::{BTreeSet, HashMap};

mod history;
mod map;
mod table;
pub use map::{Metric, Space};

/// The categorical dimensions a chart toggles, in display order.
const CHARTS: [(Dimension, Key); 5] = [
    (Dimension::Kind, Key::ByKind),
    (Dimension::Sector, Key::BySector),
    (Dimension::Status, Key::ByStatus),
    (Dimension::Discipline, Key::ByDiscipline),
    (Dimension::Category, Key::ByCategory),
];

/// What the analyst has selected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Selection {
    /// Per chart (same order as `CHARTS`), the selected value indexes.
    pub values: [BTreeSet<u16>; 5],
    /// Brushed months, as indexes into the month axis, both ends included.
    pub months: Option<(usize, usize)>,
    /// The province picked (tapped on the map or in the list): the map shows its communes.
    pub province: Option<String>,
    /// The commune picked, within `province`.
    pub commune: Option<String>,
    /// A radius or lasso drawn on the map.
    pub space: Option<Space>,
    /// What colours the map (not a filter, but part of the view a link shares).
    pub metric: Metric,
}

/// The contract's word for value `i` of a chart's dimension (`none` for no discipline).
fn word_of(d: Dimension, i: usize) -> Option<&'static str> {
    match d {
        Dimension::Kind => CaseKind::ALL.get(i).map(|k| k.as_str()),
        Dimension::Sector => Sector::ALL.get(i).map(|s| s.as_str()),
        Dimension::Status => CaseStatus::ALL.get(i).map(|s| s.as_str()),
        Dimension::Discipline if i == 0 => Some("none"),
        Dimension::Discipline => DisciplineForm::ALL.get(i - 1).map(|f| f.as_str()),
        Dimension::Category => ViolationCategory::ALL.get(i).map(|c| c.as_str()),
        _ => None,
    }
}

/// The value index of a word of a chart's dimension.
fn index_of(d: Dimension, word: &str) -> Option<u16> {
    (0..16)
        .find(|i| word_of(d, *i) == Some(word))
        .map(|i| i as u16)
}

impl Selection {
    /// The selection as a query string (`?sector=land,health&from=2024-05&to=2025-11`), empty when
    /// nothing is selected: the whole view lives in the URL, so a copied link opens it again.
    pub fn to_query(&self, axis: &[NaiveDate]) -> String {
        let mut parts = Vec::new();
        for ((dim, _), set) in CHARTS.iter().zip(self.values.iter()) {
            let words: Vec<&str> = set
                .iter()
                .filter_map(|v| word_of(*dim, *v as usize))
                .collect();
            if !words.is_empty() {
                parts.push(format!("{}={}", dim.as_str(), words.join(",")));
            }
        }
        if let Some((a, b)) = self
            .months
            .and_then(|(a, b)| Some((axis.get(a)?, axis.get(b)?)))
        {
            parts.push(format!(
                "from={}&to={}",
                a.format("%Y-%m"),
                b.format("%Y-%m")
            ));
        }
        if let Some(p) = &self.province {
            parts.push(format!("province={p}"));
        }
        if let Some(c) = &self.commune {
            parts.push(format!("commune={c}"));
        }
        if let Some(space) = &self.space {
            parts.push(space.to_param());
        }
        if self.metric != Metric::default() {
            parts.push(format!("metric={}", self.metric.as_str()));
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }

    /// Reads a selection from query parameters; unknown words and months are ignored.
    pub fn from_query(get: impl Fn(&str) -> Option<String>, axis: &[NaiveDate]) -> Selection {
        let mut sel = Selection::default();
        for (i, (dim, _)) in CHARTS.iter().enumerate() {
            if let Some(v) = get(dim.as_str()) {
                sel.values[i] = v
                    .split(',')
                    .filter_map(|w| index_of(*dim, w.trim()))
                    .collect();
            }
        }
        let month = |key: &str| {
            let v = get(key)?;
            let d = NaiveDate::parse_from_str(&format!("{v}-01"), "%Y-%m-%d").ok()?;
            axis.iter().position(|m| *m == d)
        };
        if let (Some(a), Some(b)) = (month("from"), month("to")) {
            sel.months = Some((a.min(b), a.max(b)));
        }
        let code = |key: &str, digits: usize| {
            get(key).filter(|c| c.len() == digits && c.bytes().all(|b| b.is_ascii_digit()))
        };
        sel.province = code("province", 2);
        sel.commune = sel.province.as_ref().and(code("commune", 5));
        sel.space = Space::from_params(get("radius"), get("lasso"));
        sel.metric = get("metric")
            .and_then(|m| Metric::parse(&m))
            .unwrap_or_default();
        sel
    }
}

impl Selection {
    /// Whether nothing filters (the metric is not a filter).
    pub fn is_unfiltered(&self) -> bool {
        *self
            == Selection {
                metric: self.metric,
                ..Selection::default()
            }
    }
}

/// The label of value `i` of a chart's dimension.
fn value_label(d: Dimension, i: usize, lang: Lang) -> &'static str {
    match d {
        Dimension::Kind => CaseKind::ALL.get(i).map(|k| labels::kind(*k, lang)),
        Dimension::Sector => Sector::ALL.get(i).map(|s| labels::sector(*s, lang)),
        Dimension::Status => CaseStatus::ALL.get(i).map(|s| labels::status(*s, lang)),
        Dimension::Discipline => Some(labels::discipline(
            i.checked_sub(1)
                .and_then(|j| DisciplineForm::ALL.get(j).copied()),
            lang,
        )),
        Dimension::Category => ViolationCategory::ALL
            .get(i)
            .map(|c| labels::category(*c, lang)),
        _ => None,
    }
    .unwrap_or("?")
}

/// The first day of each month from the table's first to its last day, with the cases per month.
pub fn months(first_day: u16, days: &[u32]) -> Vec<(NaiveDate, u32)> {
    let mut out: Vec<(NaiveDate, u32)> = Vec::new();
    for (i, n) in days.iter().enumerate() {
        let d = date_of(first_day.saturating_add(i as u16));
        let m = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
        match out.last_mut() {
            Some((last, count)) if *last == m => *count += n,
            _ => out.push((m, *n)),
        }
    }
    out
}

/// The last day of the month starting on `first`.
fn month_end(first: NaiveDate) -> NaiveDate {
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).unwrap_or(first)
}

/// The counts the page shows, copied out of the engine after each change.
#[derive(Debug, Clone, Default, PartialEq)]
struct Snapshot {
    total: u32,
    all: u32,
    amount_millions: u64,
    charts: [Vec<u32>; 5],
    months: Vec<(NaiveDate, u32)>,
}

fn snapshot(v: &Views<'_>, all: u32) -> Snapshot {
    Snapshot {
        total: v.total,
        all,
        amount_millions: v.amount,
        charts: [
            v.kind.to_vec(),
            v.sector.to_vec(),
            v.status.to_vec(),
            v.discipline.to_vec(),
            v.category.to_vec(),
        ],
        months: months(v.first_day, v.days),
    }
}

#[component]
pub fn AnalysisPage() -> impl IntoView {
    view! { <AppShell><Analysis/></AppShell> }
}

#[component]
fn Analysis() -> impl IntoView {
    let lang = use_lang();
    let engine: StoredValue<Option<Engine>, LocalStorage> = StoredValue::new_local(None);
    let snap = RwSignal::new(None::<Snapshot>);
    let failed = RwSignal::new(false);
    let selection = RwSignal::new(Selection::default());
    // The month axis is fixed by the data (all months, whatever the filters).
    let axis = RwSignal::new(Vec::<NaiveDate>::new());

    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        leptos::task::spawn_local(async move {
            let loaded = api::get_bytes("/api/v1/facts")
                .await
                .ok()
                .and_then(|b| domain::facts::decode(&b).ok())
                .and_then(|f| Engine::new(f).ok());
            match loaded {
                Some(e) => {
                    let all = e.len() as u32;
                    let s = snapshot(&e.views(), all);
                    axis.set(s.months.iter().map(|(m, _)| *m).collect());
                    snap.set(Some(s));
                    engine.set_value(Some(e));
                }
                None => failed.set(true),
            }
        });
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (api::get_bytes, engine);

    // Apply the selection to the engine whenever it changes, then copy the counts out.
    let apply = move |sel: &Selection| {
        engine.update_value(|e| {
            let Some(e) = e else { return };
            for ((dim, _), set) in CHARTS.iter().zip(sel.values.iter()) {
                if set.is_empty() {
                    e.clear(*dim);
                } else {
                    let _ = e.set_filter(*dim, Filter::Values(set.iter().copied().collect()));
                }
            }
            // Codes absent from the facts (no cases there) select nothing.
            let index = |list: &[String], code: &Option<String>| {
                code.as_ref().map(|c| {
                    list.iter()
                        .position(|x| x == c)
                        .map(|i| vec![i as u16])
                        .unwrap_or_default()
                })
            };
            let province = index(&e.facts().provinces, &sel.province);
            let commune = index(&e.facts().communes, &sel.commune);
            for (dim, values) in [
                (Dimension::Province, province),
                (Dimension::Commune, commune),
            ] {
                match values {
                    Some(v) => {
                        let _ = e.set_filter(dim, Filter::Values(v));
                    }
                    None => e.clear(dim),
                }
            }
            match &sel.space {
                Some(space) => {
                    let _ = e.set_filter(Dimension::Space, space.filter());
                }
                None => e.clear(Dimension::Space),
            }
            let months = axis.get_untracked();
            match sel
                .months
                .and_then(|(a, b)| Some((*months.get(a)?, *months.get(b)?)))
            {
                Some((a, b)) => {
                    let _ = e.set_filter(
                        Dimension::Time,
                        Filter::Days {
                            from: day_number(a),
                            to: day_number(month_end(b)),
                        },
                    );
                }
                None => e.clear(Dimension::Time),
            }
            let all = e.len() as u32;
            snap.set(Some(snapshot(&e.views(), all)));
        });
    };
    // The URL is the source of truth: changes navigate, and the URL (also the back button)
    // decides what the engine filters.
    let query = leptos_router::hooks::use_query_map();
    let navigate = StoredValue::new_local(leptos_router::hooks::use_navigate());
    let commit = move |sel: Selection| {
        let url = format!("/analysis{}", sel.to_query(&axis.get_untracked()));
        navigate.with_value(|n| n(&url, Default::default()));
    };
    Effect::new(move |_| {
        let q = query.get();
        let ax = axis.get();
        if ax.is_empty() {
            return;
        }
        let sel = Selection::from_query(|k| q.get(k), &ax);
        if sel != selection.get_untracked() {
            selection.set(sel.clone());
        }
        apply(&sel);
    });
    let toggle = move |chart: usize, value: u16| {
        let mut s = selection.get_untracked();
        if !s.values[chart].remove(&value) {
            s.values[chart].insert(value);
        }
        commit(s);
    };
    let set_months = move |m: Option<(usize, usize)>| {
        let mut s = selection.get_untracked();
        s.months = m;
        commit(s);
    };
    let clear_chart = move |chart: usize| {
        let mut s = selection.get_untracked();
        s.values[chart].clear();
        commit(s);
    };
    let reset = move |_| {
        commit(Selection {
            metric: selection.get_untracked().metric,
            ..Selection::default()
        })
    };
    let names = RwSignal::new(HashMap::<String, String>::new());
    let commit_cb = Callback::new(commit);

    view! {
        <div class="analysis">
            <div class="overview-head">
                <div>
                    <h1>{t(Key::AnalysisTitle)}</h1>
                    <p class="period" data-testid="selected">
                        {move || snap.get().map(|s| view! {
                            <strong data-testid="selected-count" data-value=s.total.to_string()>{format::integer(s.total as i64, lang.get())}</strong>
                            " "{text(lang.get(), Key::Selected)}" "{text(lang.get(), Key::OfAll)}" "{format::integer(s.all as i64, lang.get())}
                            " · "{text(lang.get(), Key::Amount)}": "{format::vnd(s.amount_millions as i64 * 1_000_000, lang.get())}
                        })}
                    </p>
                </div>
                <button type="button" class="btn-secondary" on:click=reset
                    disabled=move || selection.with(Selection::is_unfiltered)>{t(Key::ResetAll)}</button>
            </div>
            <Chips selection=selection axis=axis names=names clear_chart=clear_chart set_months=set_months commit=commit_cb/>
            {move || if failed.get() {
                view! { <p class="load-failed" role="alert">{t(Key::LoadFailed)}</p> }.into_any()
            } else if snap.get().is_none() {
                view! { <p class="loading">{t(Key::Loading)}</p> }.into_any()
            } else {
                ().into_any()
            }}
            <div class="analysis-grid">
                <map::AnalysisMap engine=engine snap=snap selection=selection names=names commit=commit_cb/>
                <div class="analysis-side">
                    <section class="card">
                        <div class="card-head"><h2>{t(Key::ByMonth)}</h2><p class="hint">{t(Key::BrushHint)}</p></div>
                        <TimeChart snap=snap selection=selection set_months=set_months/>
                    </section>
                    <div class="charts">
                        {CHARTS.iter().enumerate().map(|(i, (dim, title))| {
                            let dim = *dim;
                            view! {
                                <section class="card chart" data-testid=format!("chart-{}", dim.as_str())>
                                    <div class="card-head"><h2>{t(*title)}</h2></div>
                                    <ul class="bars">
                                        {move || {
                                            let s = snap.get()?;
                                            let counts = s.charts[i].clone();
                                            let max = counts.iter().copied().max().unwrap_or(0).max(1);
                                            let chosen = selection.get().values[i].clone();
                                            Some(counts.into_iter().enumerate().map(|(v, n)| {
                                                let on = chosen.contains(&(v as u16));
                                                let dim_out = !chosen.is_empty() && !on;
                                                let width = format!("width:{:.1}%", n as f64 * 100.0 / max as f64);
                                                view! {
                                                    <li>
                                                        <button type="button" class="bar-row" class:on=on class:off=dim_out
                                                            aria-pressed=on.to_string() data-value=v.to_string() data-count=n.to_string()
                                                            on:click=move |_| toggle(i, v as u16)>
                                                            <span class="bar-label">{value_label(dim, v, lang.get())}</span>
                                                            <span class="bar-count">{format::integer(n as i64, lang.get())}</span>
                                                            <span class="bar-fill" style=width></span>
                                                        </button>
                                                    </li>
                                                }
                                            }).collect_view())
                                        }}
                                    </ul>
                                </section>
                            }
                        }).collect_view()}
                    </div>
                </div>
            </div>
            <table::CaseTable engine=engine changed=Signal::derive(move || snap.track())/>
        </div>
    }
}

/// The active filters as chips, each removable.
#[component]
fn Chips(
    selection: RwSignal<Selection>,
    axis: RwSignal<Vec<NaiveDate>>,
    names: RwSignal<HashMap<String, String>>,
    clear_chart: impl Fn(usize) + Copy + Send + Sync + 'static,
    set_months: impl Fn(Option<(usize, usize)>) + Copy + Send + Sync + 'static,
    commit: Callback<Selection>,
) -> impl IntoView {
    let lang = use_lang();
    let name_of = move |code: &str| {
        names
            .with(|n| n.get(code).cloned())
            .unwrap_or(code.to_string())
    };
    let without = move |f: fn(&mut Selection)| {
        let mut s = selection.get_untracked();
        f(&mut s);
        commit.run(s);
    };
    view! {
        <div class="chips" data-testid="chips">
            {move || {
                let sel = selection.get();
                let l = lang.get();
                if sel.is_unfiltered() {
                    return view! { <p class="hint">{text(l, Key::NoFilters)}</p> }.into_any();
                }
                let area = sel.province.as_ref().map(|p| {
                    let label = match &sel.commune {
                        Some(c) => format!("{}: {}, {}", text(l, Key::Area), name_of(c), name_of(p)),
                        None => format!("{}: {}", text(l, Key::Area), name_of(p)),
                    };
                    view! {
                        <span class="chip" data-testid="chip-area">{label}
                            <button type="button" aria-label=text(l, Key::RemoveFilter)
                                on:click=move |_| without(|s| { s.province = None; s.commune = None; })>"×"</button>
                        </span>
                    }
                });
                let space = sel.space.as_ref().map(|sp| {
                    let label = match sp {
                        Space::Radius { km, .. } => format!("{}: {} km", text(l, Key::ToolRadius), format::decimal(*km, 1, l)),
                        Space::Lasso(v) => format!("{}: {} {}", text(l, Key::ToolLasso), v.len(), text(l, Key::Vertices)),
                    };
                    view! {
                        <span class="chip" data-testid="chip-space">{label}
                            <button type="button" aria-label=text(l, Key::RemoveFilter)
                                on:click=move |_| without(|s| s.space = None)>"×"</button>
                        </span>
                    }
                });
                let months = axis.get();
                let period = sel.months.and_then(|(a, b)| {
                    let (a, b) = (*months.get(a)?, *months.get(b)?);
                    Some(format!("{}: {:02}/{} – {:02}/{}", text(l, Key::Period), a.month(), a.year(), b.month(), b.year()))
                });
                view! {
                    {area}
                    {space}
                    {period.map(|p| view! {
                        <span class="chip">{p}<button type="button" aria-label=text(l, Key::RemoveFilter) on:click=move |_| set_months(None)>"×"</button></span>
                    })}
                    {CHARTS.iter().enumerate().filter(|(i, _)| !sel.values[*i].is_empty()).map(|(i, (dim, title))| {
                        let names: Vec<&str> = sel.values[i].iter().map(|v| value_label(*dim, *v as usize, l)).collect();
                        view! {
                            <span class="chip">{format!("{}: {}", chip_name(text(l, *title)), names.join(", "))}
                                <button type="button" aria-label=text(l, Key::RemoveFilter) on:click=move |_| clear_chart(i)>"×"</button>
                            </span>
                        }
                    }).collect_view()}
                }.into_any()
            }}
        </div>
    }
}

/// A chart's title as a chip's name: "Theo lĩnh vực" -> "Lĩnh vực", "By sector" -> "Sector".
fn chip_name(title: &str) -> String {
    let rest = title.trim_start_matches("Theo ").trim_start_matches("By ");
    let mut chars = rest.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The brush after a key on the focused time chart: arrows move the brushed months (a new brush
/// starts at the last month), Shift+arrows move its end, Home/End jump, Escape clears. `None`:
/// the key does nothing here.
fn brush_key(
    months: Option<(usize, usize)>,
    n: usize,
    key: &str,
    shift: bool,
) -> Option<Option<(usize, usize)>> {
    if n == 0 {
        return None;
    }
    let last = n - 1;
    let (a, b) = months.unwrap_or((last, last));
    let fresh = months.is_none();
    Some(match (key, shift) {
        ("Escape", _) => months.map(|_| None)?,
        ("ArrowLeft", false) if fresh => Some((last, last)),
        ("ArrowLeft", false) => {
            let d = a.min(1);
            Some((a - d, b - d))
        }
        ("ArrowRight", false) if fresh => Some((last, last)),
        ("ArrowRight", false) => {
            let d = usize::from(b < last);
            Some((a + d, b + d))
        }
        ("ArrowLeft", true) => Some((a, b.saturating_sub(1).max(a))),
        ("ArrowRight", true) => Some((a, (b + 1).min(last))),
        ("Home", _) => Some((0, b - a)),
        ("End", _) => Some((last - (b - a), last)),
        _ => return None,
    })
}

/// Cases by month as SVG bars, with a brush: drag across months to filter by them.
#[component]
fn TimeChart(
    snap: RwSignal<Option<Snapshot>>,
    selection: RwSignal<Selection>,
    set_months: impl Fn(Option<(usize, usize)>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    const W: f64 = 1000.0;
    const H: f64 = 190.0;
    const LEFT: f64 = 64.0;
    const BOTTOM: f64 = 30.0;
    let lang = use_lang();
    let svg = NodeRef::<leptos::svg::Svg>::new();
    let drag = RwSignal::new(None::<(usize, usize)>);
    let n_months = move || snap.with(|s| s.as_ref().map(|s| s.months.len()).unwrap_or(0));
    let month_at = move |client_x: i32| -> Option<usize> {
        let el = svg.get_untracked()?;
        let n = n_months();
        if n == 0 {
            return None;
        }
        #[cfg(feature = "hydrate")]
        let (left, width) = {
            let r = el.get_bounding_client_rect();
            (r.left(), r.width())
        };
        #[cfg(not(feature = "hydrate"))]
        let (left, width) = {
            let _ = el;
            (0.0, W)
        };
        let x = (client_x as f64 - left) / width.max(1.0) * W;
        let step = (W - LEFT) / n as f64;
        Some((((x - LEFT) / step).floor().max(0.0) as usize).min(n - 1))
    };
    view! {
        <svg class="time-chart" node_ref=svg viewBox=format!("0 0 {W} {H}") role="img" data-testid="time-chart"
            on:pointerdown=move |e| { if let Some(m) = month_at(e.client_x()) { drag.set(Some((m, m))); } }
            on:pointermove=move |e| { if let (Some((a, _)), Some(m)) = (drag.get_untracked(), month_at(e.client_x())) { drag.set(Some((a, m))); } }
            on:pointerup=move |_| {
                if let Some((a, b)) = drag.get_untracked() {
                    drag.set(None);
                    let range = (a.min(b), a.max(b));
                    if a == b && selection.get_untracked().months == Some(range) {
                        set_months(None);
                    } else {
                        set_months(Some(range));
                    }
                }
            }
            on:pointerleave=move |_| drag.set(None)
            tabindex="0" aria-label=move || text(lang.get(), Key::BrushKeys)
            on:keydown=move |e| {
                let n = n_months();
                let shift = e.shift_key();
                let next = brush_key(selection.get_untracked().months, n, &e.key(), shift);
                if let Some(next) = next {
                    e.prevent_default();
                    set_months(next);
                }
            }>
            {move || {
                let s = snap.get()?;
                let n = s.months.len().max(1);
                let max = s.months.iter().map(|(_, c)| *c).max().unwrap_or(0).max(1);
                let step = (W - LEFT) / n as f64;
                let plot_h = H - BOTTOM - 8.0;
                let shown = drag.get().map(|(a, b)| (a.min(b), a.max(b))).or(selection.get().months);
                let l = lang.get();
                Some(view! {
                    <line x1=LEFT y1=H - BOTTOM x2=W y2=H - BOTTOM class="axis"/>
                    <text x=LEFT - 6.0 y=18.0 class="tick" text-anchor="end">{format::integer(max as i64, l)}</text>
                    <text x=LEFT - 6.0 y=H - BOTTOM class="tick" text-anchor="end">"0"</text>
                    {s.months.iter().enumerate().map(|(i, (m, c))| {
                        let h = *c as f64 / max as f64 * plot_h;
                        let x = LEFT + i as f64 * step;
                        let inside = shown.is_none_or(|(a, b)| i >= a && i <= b);
                        view! {
                            <rect x=x + step * 0.12 y=H - BOTTOM - h width=step * 0.76 height=h class:bar=true class:dim=!inside>
                                <title>{format!("{:02}/{}: {}", m.month(), m.year(), format::integer(*c as i64, l))}</title>
                            </rect>
                            {(m.month() == 1 || i == 0).then(|| view! {
                                <text x=x + 2.0 y=H - 6.0 class="tick">{m.year().to_string()}</text>
                            })}
                        }
                    }).collect_view()}
                })
            }}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_add_up_into_calendar_months() {
        let first = day_number(NaiveDate::from_ymd_opt(2026, 1, 30).unwrap());
        // 30 Jan, 31 Jan, 1 Feb .. 28 Feb, 1 Mar.
        let mut days = vec![1u32; 31];
        days[0] = 2;
        let m = months(first, &days);
        assert_eq!(m.len(), 3);
        assert_eq!(m[0], (NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), 3));
        assert_eq!(m[1], (NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(), 28));
        assert_eq!(m[2], (NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), 1));
    }

    #[test]
    fn a_selection_round_trips_through_the_url() {
        let axis: Vec<NaiveDate> = (1..=12)
            .map(|m| NaiveDate::from_ymd_opt(2025, m, 1).unwrap())
            .collect();
        let mut sel = Selection::default();
        sel.values[1] = [0u16, 5].into_iter().collect(); // land, health
        sel.values[3] = [0u16, 2].into_iter().collect(); // none, warning
        sel.months = Some((4, 10));
        let q = sel.to_query(&axis);
        assert_eq!(
            q,
            "?sector=land,health&discipline=none,warning&from=2025-05&to=2025-11"
        );
        let params: std::collections::HashMap<String, String> = q[1..]
            .split('&')
            .filter_map(|p| {
                p.split_once('=')
                    .map(|(k, v)| (k.to_string(), v.to_string()))
            })
            .collect();
        assert_eq!(
            Selection::from_query(|k| params.get(k).cloned(), &axis),
            sel
        );
        assert_eq!(Selection::default().to_query(&axis), "");
    }

    #[test]
    fn unknown_words_in_the_url_are_ignored() {
        let sel =
            Selection::from_query(|k| (k == "sector").then(|| "land,farming".to_string()), &[]);
        assert_eq!(sel.values[1], [0u16].into_iter().collect());
        assert_eq!(sel.months, None);
    }

    #[test]
    fn chips_are_named_after_their_chart() {
        assert_eq!(chip_name("Theo lĩnh vực"), "Lĩnh vực");
        assert_eq!(chip_name("By violation category"), "Violation category");
    }

    #[test]
    fn the_keyboard_moves_and_stretches_the_brush() {
        assert_eq!(
            brush_key(None, 12, "ArrowLeft", false),
            Some(Some((11, 11)))
        );
        assert_eq!(
            brush_key(Some((3, 5)), 12, "ArrowLeft", false),
            Some(Some((2, 4)))
        );
        assert_eq!(
            brush_key(Some((0, 2)), 12, "ArrowLeft", false),
            Some(Some((0, 2)))
        );
        assert_eq!(
            brush_key(Some((3, 5)), 12, "ArrowRight", false),
            Some(Some((4, 6)))
        );
        assert_eq!(
            brush_key(Some((9, 11)), 12, "ArrowRight", false),
            Some(Some((9, 11)))
        );
        assert_eq!(
            brush_key(Some((3, 5)), 12, "ArrowRight", true),
            Some(Some((3, 6)))
        );
        assert_eq!(
            brush_key(Some((3, 3)), 12, "ArrowLeft", true),
            Some(Some((3, 3)))
        );
        assert_eq!(
            brush_key(Some((3, 5)), 12, "Home", false),
            Some(Some((0, 2)))
        );
        assert_eq!(
            brush_key(Some((3, 5)), 12, "End", false),
            Some(Some((9, 11)))
        );
        assert_eq!(brush_key(Some((3, 5)), 12, "Escape", false), Some(None));
        assert_eq!(brush_key(None, 12, "Escape", false), None);
        assert_eq!(brush_key(Some((3, 5)), 12, "a", false), None);
        assert_eq!(brush_key(None, 0, "ArrowLeft", false), None);
    }

    #[test]
    fn a_month_ends_on_its_last_day() {
        assert_eq!(
            month_end(NaiveDate::from_ymd_opt(2028, 2, 1).unwrap()),
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap()
        );
        assert_eq!(
            month_end(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap()
        );
    }
}

/// Property tests of the view carried in the URL: a selection written to the query string reads
/// back equal, and any query string reads as a selection that itself round-trips.
#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use proptest::test_runner::{Config, contextualize_config};

    /// Two years of months, the axis the data gives.
    fn axis() -> Vec<NaiveDate> {
        (0..24)
            .filter_map(|i| {
                NaiveDate::from_ymd_opt(2024, 1, 1)?.checked_add_months(chrono::Months::new(i))
            })
            .collect()
    }

    /// The query parameters of a query string as the router gives them (decoded).
    fn params(q: &str) -> HashMap<String, String> {
        let q = q.strip_prefix('?').unwrap_or(q);
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn read(q: &str, axis: &[NaiveDate]) -> Selection {
        let p = params(q);
        Selection::from_query(|k| p.get(k).cloned(), axis)
    }

    fn chart_values(chart: usize) -> Vec<u16> {
        (0..16)
            .filter(|i| word_of(CHARTS[chart].0, *i).is_some())
            .map(|i| i as u16)
            .collect()
    }

    fn space() -> impl Strategy<Value = Option<Space>> {
        prop_oneof![
            Just(None),
            (-90.0f64..=90.0, -180.0f64..=180.0, 0.0001f64..5000.0)
                .prop_map(|(lat, lon, km)| Some(Space::radius(lat, lon, km))),
            proptest::collection::vec((8.0f64..24.0, 102.0f64..118.0), 0..260)
                .prop_map(|points| Space::lasso(&points)),
        ]
    }

    fn a_selection() -> impl Strategy<Value = Selection> {
        let values = [0, 1, 2, 3, 4].map(|c| {
            proptest::sample::subsequence(chart_values(c), 0..=chart_values(c).len())
                .prop_map(|v| v.into_iter().collect::<BTreeSet<u16>>())
        });
        (
            values,
            proptest::option::of((0usize..24, 0usize..24).prop_map(|(a, b)| (a.min(b), a.max(b)))),
            proptest::option::of(("[0-9]{2}", proptest::option::of("[0-9]{5}"))),
            space(),
            proptest::sample::select(Metric::ALL.to_vec()),
        )
            .prop_map(|(values, months, place, space, metric)| Selection {
                values,
                months,
                province: place.as_ref().map(|p| p.0.clone()),
                commune: place.and_then(|p| p.1),
                space,
                metric,
            })
    }

    /// A query string of the workspace's parameters with values right, nearly right or anything.
    fn a_query() -> impl Strategy<Value = String> {
        let key = proptest::sample::select(vec![
            "kind",
            "sector",
            "status",
            "discipline",
            "category",
            "from",
            "to",
            "province",
            "commune",
            "radius",
            "lasso",
            "metric",
            "x",
        ]);
        let value = prop_oneof![
            "[a-z_,]{0,30}",
            "20[0-9]{2}-[0-9]{1,2}",
            "[0-9]{2,5}",
            "-?[0-9]{1,3}(\\.[0-9]{1,6})?,-?[0-9]{1,3}(\\.[0-9]{1,6})?,[0-9]{1,4}(\\.[0-9]{1,3})?",
            "(-?[0-9]{1,2}(\\.[0-9]{1,5})?,-?[0-9]{1,3}(\\.[0-9]{1,5})?;){2,6}",
            "[0-9eE.,;+\\-naif ]{0,30}",
            "[^&=]{0,20}",
        ];
        proptest::collection::vec((key, value), 0..8).prop_map(|pairs| {
            let q: Vec<String> = pairs.into_iter().map(|(k, v)| format!("{k}={v}")).collect();
            format!("?{}", q.join("&"))
        })
    }

    proptest! {
        #![proptest_config(contextualize_config(Config {
            cases: 512,
            failure_persistence: None,
            ..Config::default()
        }))]

        #[test]
        fn a_selection_reads_back_equal_from_its_url(sel in a_selection()) {
            let axis = axis();
            let q = sel.to_query(&axis);
            prop_assert_eq!(read(&q, &axis), sel, "{}", q);
        }

        #[test]
        fn any_url_reads_as_a_selection_that_round_trips(q in a_query()) {
            let axis = axis();
            let sel = read(&q, &axis);
            let again = sel.to_query(&axis);
            prop_assert_eq!(read(&again, &axis), sel, "{} -> {}", q, again);
        }
    }
}
