//! The overview: KPI tiles for the caller's scope this year against last year, and a choropleth of
//! its provinces (or, for a province's user, its communes) that a tap selects.

use crate::api;
use crate::components::kpi::{KpiTile, Unit};
use crate::components::or_failed;
use crate::components::quality::{FreshnessNote, QualityBreakdown, grade, state_key};
use crate::components::shell::AppShell;
use crate::i18n::{Key, t, text, use_lang};
use crate::map::{AreaMap, MapValue, RAMP, breaks};
use domain::api::UnitQuality;
use domain::format;
use domain::quality::SourceState;
use domain::summary::{Summary, UnitFigures};
use leptos::prelude::*;

#[component]
pub fn OverviewPage() -> impl IntoView {
    view! { <AppShell><Overview/></AppShell> }
}

#[component]
fn Overview() -> impl IntoView {
    let summary = LocalResource::new(|| api::get::<Summary>("/api/v1/summary"));
    view! {
        <div class="overview">
            <Transition fallback=move || view! { <Skeleton/> }>
                {move || summary.get().map(|r| or_failed(r, |s| view! { <OverviewBody summary=s/> })
                )}
            </Transition>
        </div>
    }
}

#[component]
fn OverviewBody(summary: Summary) -> impl IntoView {
    let lang = use_lang();
    let c = summary.current;
    let p = summary.previous;
    let selected = RwSignal::new(None::<String>);
    let central = summary.children.iter().any(|u| u.code.len() == 2);
    // Provinces on the map for the centre; a province's communes for a province's user.
    let (level, within) = if central {
        ("province", None)
    } else {
        ("commune", Some(summary.unit.clone()))
    };
    let areas: Vec<UnitFigures> = summary
        .children
        .iter()
        .filter(|u| if central { u.code.len() == 2 } else { true })
        .cloned()
        .collect();
    let values: Vec<MapValue> = areas
        .iter()
        .map(|u| MapValue {
            code: u.code.clone(),
            value: u.current.cases as f64,
        })
        .collect();
    let max = values.iter().map(|v| v.value).fold(0.0, f64::max);
    let mut ranked = summary.children.clone();
    ranked.sort_by(|a, b| {
        b.current
            .cases
            .cmp(&a.current.cases)
            .then(a.code.cmp(&b.code))
    });
    let top = ranked.first().map(|u| u.current.cases).unwrap_or(0).max(1);
    let children = StoredValue::new(summary.children.clone());
    let to = summary.period.to;
    let as_of = summary.data_as_of.clone();

    view! {
        <div class="overview-head">
            <div>
                <h1>{t(Key::Overview)}" · "<span data-testid="scope-name">{summary.unit_name.clone()}</span></h1>
                <p class="period">{t(Key::YearToDate)}" "{format::date(to)}" · "<span class="vs">{t(Key::VsLastYear)}</span></p>
            </div>
            <div class="overview-head-right">
                <OverviewQuality/>
                <p class="as-of">
                    {as_of.and_then(|s| format::local_time(&s)).map(|s| view! { <span data-testid="as-of">{t(Key::DataAsOf)}": "{s}</span> })}
                </p>
            </div>
        </div>
        <section class="kpis" aria-label=t(Key::Overview)>
            <KpiTile label=Key::Inspections current=c.inspections previous=p.inspections testid="kpi-inspections"/>
            <KpiTile label=Key::Supervisions current=c.supervisions previous=p.supervisions testid="kpi-supervisions"/>
            <KpiTile label=Key::Disciplines current=c.disciplines previous=p.disciplines testid="kpi-disciplines"/>
            <KpiTile label=Key::Violations current=c.violations previous=p.violations testid="kpi-violations"/>
            <KpiTile label=Key::Settlements current=c.settlements previous=p.settlements testid="kpi-settlements"/>
            <KpiTile label=Key::Amount current=c.amount_vnd previous=p.amount_vnd unit=Unit::Money testid="kpi-amount"/>
        </section>
        <section class="map-card">
            <div class="map-card-head">
                <h2>{t(if central { Key::MapTitle } else { Key::MapTitleCommunes })}</h2>
                <p class="hint">{t(if central { Key::MapHint } else { Key::MapHintCommunes })}</p>
            </div>
            <div class="map-card-body">
                <AreaMap level=level within=within values=Signal::derive(move || values.clone()) selected=selected/>
                <aside class="map-side">
                    <Legend max=max/>
                    {move || selected.get().and_then(|code| children.with_value(|cs| cs.iter().find(|u| u.code == code).cloned()))
                        .map(|u| view! { <UnitPanel unit=u on_close=move || selected.set(None)/> })}
                    <h3 class="ranking-title">{t(if central { Key::Ranking } else { Key::RankingCommunes })}</h3>
                    <ol class="ranking" data-testid="ranking">
                        {ranked.into_iter().map(|u| {
                            let code = u.code.clone();
                            let code2 = u.code.clone();
                            let width = format!("width:{:.1}%", u.current.cases as f64 * 100.0 / top as f64);
                            view! {
                                <li>
                                    <button type="button" class="rank-row" data-code=u.code.clone()
                                        class:selected=move || selected.get().as_deref() == Some(code2.as_str())
                                        on:click=move |_| selected.set(Some(code.clone()))>
                                        <span class="rank-name">{u.name.clone()}</span>
                                        <span class="rank-value">{move || format::integer(u.current.cases, lang.get())}</span>
                                        <span class="rank-bar" style=width></span>
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                </aside>
            </div>
        </section>
    }
}

/// How trustworthy the figures are: the scope's quality score and its sources by state; a tap
/// opens each score with its explanation and a link to the registry.
#[component]
fn OverviewQuality() -> impl IntoView {
    let lang = use_lang();
    let quality = LocalResource::new(|| api::get::<UnitQuality>("/api/v1/quality"));
    view! {
        <Transition fallback=|| ()>
            {move || quality.get().and_then(|r| r.ok()).map(|q| {
                let overall = q.scores.overall;
                let states: Vec<(SourceState, u64)> = SourceState::ALL
                    .iter()
                    .map(|s| (*s, q.sources_by_state.get(s.as_str()).copied().unwrap_or(0)))
                    .filter(|(s, n)| *n > 0 || *s == SourceState::Live)
                    .collect();
                view! {
                    <details class="overview-quality" data-testid="overview-quality">
                        <summary>
                            <span>{t(Key::Quality)}</span>
                            <span class=format!("q-figure {}", grade(overall)) data-testid="overview-quality-figure">
                                {move || format::percent(overall, lang.get())}</span>
                            <span class="q-states">
                                {states.into_iter().map(|(s, n)| view! {
                                    " · "<span class=format!("state-{}-text", s.as_str())>
                                        {move || format::integer(n as i64, lang.get())}" "
                                        {move || text(lang.get(), state_key(s)).to_lowercase()}</span>
                                }).collect_view()}
                            </span>
                        </summary>
                        <div class="overview-quality-panel">
                            <QualityBreakdown counts=q.quality scores=q.scores
                                freshness=FreshnessNote::Sources(q.quality.sources)/>
                            <a href="/sources">{t(Key::QualityLink)}" →"</a>
                        </div>
                    </details>
                }
            })}
        </Transition>
    }
}

/// The overview's frame while its figures load: the same layout, without numbers.
#[component]
fn Skeleton() -> impl IntoView {
    view! {
        <div class="overview-head" aria-busy="true">
            <div><h1>{t(Key::Overview)}</h1><p class="period">{t(Key::Loading)}</p></div>
        </div>
        <section class="kpis" aria-hidden="true">
            {(0..6).map(|_| view! { <article class="kpi skeleton"><span></span><span></span></article> }).collect_view()}
        </section>
        <section class="map-card skeleton" aria-hidden="true"></section>
    }
}

/// The legend of the choropleth: the ramp and its breaks.
#[component]
fn Legend(max: f64) -> impl IntoView {
    let lang = use_lang();
    let b = breaks(max);
    view! {
        <div class="legend">
            <p class="legend-title">{t(Key::Legend)}</p>
            <div class="legend-ramp">
                {RAMP.iter().map(|c| view! { <span style=format!("background:{c}")></span> }).collect_view()}
            </div>
            <div class="legend-labels">
                <span>{move || format::integer(b[0] as i64, lang.get())}</span>
                <span>{move || format::decimal(b[2], if b[4] < 10.0 { 1 } else { 0 }, lang.get())}</span>
                <span>{move || format::integer(b[4].round() as i64, lang.get())}</span>
            </div>
        </div>
    }
}

/// The figures of the tapped unit.
#[component]
fn UnitPanel(unit: UnitFigures, on_close: impl Fn() + 'static + Send + Sync) -> impl IntoView {
    let lang = use_lang();
    let c = unit.current;
    let p = unit.previous;
    let row = move |key: Key, cur: i64, prev: i64| {
        view! {
            <tr>
                <th scope="row">{t(key)}</th>
                <td>{move || format::integer(cur, lang.get())}</td>
                <td class="muted">{move || format::integer(prev, lang.get())}</td>
            </tr>
        }
    };
    let rate = c.violation_rate();
    view! {
        <div class="unit-panel" data-testid="unit-panel" data-code=unit.code.clone()>
            <div class="unit-panel-head">
                <h3>{unit.name.clone()}</h3>
                <button type="button" class="btn-icon" aria-label=t(Key::Close) on:click=move |_| on_close()>"×"</button>
            </div>
            <table>
                <thead><tr><th></th><th>{t(Key::ThisYear)}</th><th class="muted">{t(Key::LastYear)}</th></tr></thead>
                <tbody>
                    {row(Key::Cases, c.cases, p.cases)}
                    {row(Key::Inspections, c.inspections, p.inspections)}
                    {row(Key::Supervisions, c.supervisions, p.supervisions)}
                    {row(Key::Disciplines, c.disciplines, p.disciplines)}
                    {row(Key::Violations, c.violations, p.violations)}
                </tbody>
            </table>
            <p class="unit-panel-foot">
                {t(Key::ViolationRate)}": "
                {move || rate.map(|r| format!("{}%", format::decimal(r * 100.0, 1, lang.get()))).unwrap_or_else(|| "–".into())}
                " · "{t(Key::Amount)}": "{move || format::vnd(c.amount_vnd, lang.get())}
            </p>
        </div>
    }
}
