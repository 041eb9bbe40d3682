//! The leaders' overview of a unit (touch first): this year's targets with what is achieved,
//! expected by today and projected by year end, the other figures against last year, trends,
//! open alerts, and a map of the children's attainment whose units open their own overview. One
//! pre-aggregated document (`GET /overview`) feeds it; offline, the service worker gives the last
//! one back and the page says since when.

use crate::api;
use crate::components::kpi::{KpiTile, Unit};
use crate::components::or_failed;
use crate::components::quality::{FreshnessNote, QualityBreakdown, grade, state_key};
use crate::components::shell::{AppShell, use_online};
use crate::components::spark::Sparkline;
use crate::i18n::{Key, t, text, use_lang};
use crate::map::{AreaMap, MapValue, PACE_STEPS, StepLegend};
use domain::api::UnitQuality;
use domain::forecast::Forecast;
use domain::format;
use domain::overview::{ChildAttainment, MonthFigures, Overview, TargetLine};
use domain::quality::SourceState;
use domain::targets::{Attainment, AttainmentState, furthest};
use leptos::prelude::*;

/// `/`: the overview of the caller's scope.
#[component]
pub fn OverviewPage() -> impl IntoView {
    view! { <AppShell><OverviewOf code=Signal::derive(|| None)/></AppShell> }
}

/// `/overview/:code`: the overview of a unit within the caller's scope.
#[component]
pub fn UnitOverviewPage() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let code = Signal::derive(move || params.with(|p| p.get("code")));
    view! { <AppShell><OverviewOf code=code/></AppShell> }
}

#[component]
fn OverviewOf(code: Signal<Option<String>>) -> impl IntoView {
    // Current with the event stream: new data and alerts bring the figures again.
    let live = crate::live::use_live();
    let overview = LocalResource::new(move || {
        live.data.track();
        live.alerts.track();
        let url = match code.get() {
            Some(c) => format!("/api/v1/overview?unit={c}"),
            None => "/api/v1/overview".to_string(),
        };
        async move { api::get_saved::<Overview>(&url).await }
    });
    view! {
        <div class="overview">
            <Transition fallback=move || view! { <Skeleton/> }>
                {move || overview.get().map(|r| or_failed(r, |s| view! {
                    <OverviewBody overview=s.value saved_at=s.saved_at/>
                }))}
            </Transition>
        </div>
    }
}

/// The three measures targets are set for, with their labels.
const MEASURES: [(&str, Key); 3] = [
    ("inspections", Key::Inspections),
    ("supervisions", Key::Supervisions),
    ("settled_on_time", Key::SettledOnTime),
];

fn state_text(s: AttainmentState) -> Key {
    match s {
        AttainmentState::Behind => Key::AttBehind,
        AttainmentState::OnTrack => Key::AttOnTrack,
        AttainmentState::Met => Key::AttMet,
    }
}

/// A unit's own overview page at `code`.
pub fn overview_href(code: &str) -> String {
    format!("/overview/{code}")
}

#[component]
fn OverviewBody(overview: Overview, saved_at: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let o = overview;
    let f = o.figures;
    let ly = o.last_year;
    let today = o.today;
    let share = o.calendar_share;
    let series = |pick: fn(&MonthFigures) -> i64| o.trend.iter().map(pick).collect::<Vec<i64>>();
    let trends = [
        series(|m| m.figures.inspections),
        series(|m| m.figures.supervisions),
        series(|m| m.on_time),
    ];
    let last_year_of = [ly.inspections, ly.supervisions, o.last_year_on_time];
    let now_of = [f.inspections, f.supervisions, o.on_time];
    let tiles = MEASURES
        .iter()
        .enumerate()
        .map(|(i, (measure, key))| {
            let line = o
                .targets
                .iter()
                .find(|t| t.measure == *measure && t.sector.is_none())
                .cloned();
            view! {
                <TargetTile measure=measure label=*key line=line achieved=now_of[i]
                    last_year=last_year_of[i] trend=trends[i].clone()/>
            }
        })
        .collect_view();
    let sectors: Vec<TargetLine> = o
        .targets
        .iter()
        .filter(|t| t.sector.is_some())
        .cloned()
        .collect();
    let as_of = o.data_as_of.clone();
    let trail = o.trail.clone();
    let last = trail.len().saturating_sub(1);
    let trail = if trail.len() > 1 { trail } else { Vec::new() };
    let unit = o.unit.clone();
    let level = o.level.clone();
    view! {
        <nav class="crumbs" aria-label=t(Key::Breadcrumb) data-testid="crumbs">
            {trail.into_iter().enumerate().map(|(i, c)| {
                if i == last {
                    view! { <span class="crumb current" aria-current="page">{c.name}</span> }.into_any()
                } else {
                    let href = if i == 0 { "/".to_string() } else { overview_href(&c.code) };
                    view! { <a class="crumb" href=href data-code=c.code>{c.name}</a><span class="crumb-sep" aria-hidden="true">"›"</span> }.into_any()
                }
            }).collect_view()}
        </nav>
        <div class="overview-head">
            <div>
                <h1>{t(Key::Overview)}" · "<span data-testid="scope-name">{o.unit_name.clone()}</span></h1>
                <p class="period">{t(Key::YearToDate)}" "{format::date(today)}" · "
                    <span class="vs">{move || format::percent(Some(share), lang.get())}" "{t(Key::OfYear)}</span></p>
            </div>
            <div class="overview-head-right">
                <OfflineNote saved_at=saved_at.clone()/>
                <OverviewQuality unit=unit.clone()/>
                <p class="as-of">
                    {as_of.and_then(|s| format::local_time(&s)).map(|s| view! { <span data-testid="as-of">{t(Key::DataAsOf)}": "{s}</span> })}
                </p>
            </div>
        </div>
        <section class="targets" aria-label=t(Key::TargetsTitle)>
            {tiles}
        </section>
        <div class="overview-row">
            <section class="kpis kpis-small" aria-label=t(Key::OtherFigures)>
                <KpiTile label=Key::Disciplines current=f.disciplines previous=ly.disciplines testid="kpi-disciplines"/>
                <KpiTile label=Key::Violations current=f.violations previous=ly.violations testid="kpi-violations"/>
                <KpiTile label=Key::Settlements current=f.settlements previous=ly.settlements testid="kpi-settlements"/>
                <KpiTile label=Key::Amount current=f.amount_vnd previous=ly.amount_vnd unit=Unit::Money testid="kpi-amount"/>
            </section>
            <AlertsCard critical=o.alerts.critical warning=o.alerts.warning info=o.alerts.info/>
        </div>
        {(!sectors.is_empty()).then(|| view! { <SectorTargets lines=sectors/> })}
        {if o.children.is_empty() {
            view! {
                <section class="map-card children-none">
                    <p class="hint">{t(Key::ChildrenNone)}</p>
                    <a class="btn-secondary link-btn" href=format!("/workload/{unit}")>{t(Key::AssignedWork)}" →"</a>
                </section>
            }.into_any()
        } else {
            view! { <AttainmentMap unit=unit level=level children=o.children.clone()/> }.into_any()
        }}
    }
}

/// The offline mark: shown when the browser is offline or the figures came from the saved copy.
#[component]
fn OfflineNote(saved_at: Option<String>) -> impl IntoView {
    let online = use_online();
    let saved = saved_at.clone();
    view! {
        <Show when=move || !online.get() || saved.is_some()>
            <p class="offline-mark" role="status" data-testid="offline-mark">
                <span class="offline-dot" aria-hidden="true"></span>
                <strong>{t(Key::OfflineMark)}</strong>
                {saved_at.clone().and_then(|s| format::local_time(&s)).map(|s| view! {
                    " · "{t(Key::OfflineSaved)}" "<span data-testid="saved-at">{s}</span>
                })}
            </p>
        </Show>
    }
}

/// One targeted measure: achieved against the plan, the expectation by today and the projection
/// by year end as marks on one bar, the gap in numbers, the trend, last year.
#[component]
fn TargetTile(
    measure: &'static str,
    label: Key,
    line: Option<TargetLine>,
    achieved: i64,
    last_year: i64,
    trend: Vec<i64>,
) -> impl IntoView {
    let lang = use_lang();
    let change = domain::summary::change_pct(achieved, last_year);
    let spark_label = move || {
        format!(
            "{} · {}",
            text(lang.get(), label),
            text(lang.get(), Key::Months24)
        )
    };
    let body = match line.as_ref().map(|l| l.attainment) {
        Some(a) => {
            let forecast = line.as_ref().and_then(|l| l.forecast.clone());
            let point = forecast.as_ref().map_or(a.projected, |f| f.point);
            let range = forecast.as_ref().and_then(|f| f.low.zip(f.high));
            let scale = (a.planned as f64)
                .max(point)
                .max(range.map_or(0.0, |r| r.1))
                .max(a.achieved as f64)
                .max(1.0);
            let pct = |v: f64| format!("{:.1}%", (v / scale * 100.0).clamp(0.0, 100.0));
            let state = a.state;
            let gap = a.gap.round() as i64;
            let projected_share = a.projected_share();
            let summed = line.as_ref().and_then(|l| l.from_children);
            let whisker = range.map(|(lo, hi)| {
                view! {
                    <span class="bullet-range" style=format!("left:{};width:{}", pct(lo), pct(hi - lo))></span>
                    <span class="bullet-point" style=format!("left:{}", pct(point))></span>
                }
            });
            let year_end = match forecast {
                Some(f) => view! { <ForecastFacts measure=measure forecast=f planned=a.planned expected=a.expected/> }.into_any(),
                None => view! {
                    <dl class="target-facts">
                        <div><dt>{t(Key::ExpectedToday)}</dt><dd data-testid=format!("expected-{measure}")>{move || format::integer(a.expected.round() as i64, lang.get())}</dd></div>
                        <div><dt>{t(Key::ProjectedYearEnd)}</dt><dd data-testid=format!("projected-{measure}")>{move || format::integer(a.projected.round() as i64, lang.get())}
                            {projected_share.map(|s| view! { <span class="muted">" ("{move || format::percent(Some(s), lang.get())}" "{t(Key::OfPlan)}")"</span> })}</dd></div>
                    </dl>
                    <p class="forecast-note muted">{t(Key::ForecastNone)}</p>
                }
                .into_any(),
            };
            view! {
                <p class="target-figure">
                    <span class="kpi-value" data-testid=format!("achieved-{measure}")>{move || format::integer(a.achieved, lang.get())}</span>
                    <span class="target-plan">" / "{move || format::integer(a.planned, lang.get())}</span>
                </p>
                {summed.map(|n| view! { <p class="target-sum">{t(Key::SumOfChildren)}" "{n}" "{t(Key::UnitsBelow)}</p> })}
                <div class=if range.is_some() { "bullet with-range" } else { "bullet" } aria-hidden="true">
                    <span class="bullet-plan" style=format!("width:{}", pct(a.planned as f64))></span>
                    <span class="bullet-projected" style=format!("width:{}", pct(point))></span>
                    <span class=format!("bullet-achieved {}", state.as_str()) style=format!("width:{}", pct(a.achieved as f64))></span>
                    <span class="bullet-expected" style=format!("left:{}", pct(a.expected))></span>
                    {whisker}
                </div>
                <p class=format!("target-state {}", state.as_str()) data-testid=format!("state-{measure}") data-gap=gap.to_string()>
                    <strong>{t(state_text(state))}</strong>
                    {(state == AttainmentState::Behind).then(|| view! { " · "{t(Key::GapBehind)}" "{move || format::integer(-gap, lang.get())} })}
                    {(state != AttainmentState::Behind && gap > 0).then(|| view! { " · "{t(Key::GapAhead)}" "{move || format::integer(gap, lang.get())} })}
                </p>
                {year_end}
            }
            .into_any()
        }
        None => view! {
            <p class="target-figure"><span class="kpi-value" data-testid=format!("achieved-{measure}")>{move || format::integer(achieved, lang.get())}</span></p>
            <p class="target-state none">{t(Key::NoTarget)}</p>
        }
        .into_any(),
    };
    view! {
        <article class="target-tile" data-testid=format!("kpi-{measure}") data-value=achieved.to_string()>
            <h3 class="kpi-label">{t(label)}</h3>
            {body}
            <Sparkline values=trend label=Signal::derive(spark_label).get_untracked()/>
            <p class="kpi-prev">{t(Key::LastYear)}": "{move || format::integer(last_year, lang.get())}
                {change.map(|c| view! { " ("{move || format::change_pct(c, lang.get())}")" })}</p>
        </article>
    }
}

/// A share as a whole percentage, never rounded to a certainty it is not (`> 99%`, `< 1%`).
fn chance_text(p: f64) -> String {
    if p > 0.99 && p < 1.0 {
        "> 99%".to_string()
    } else if p < 0.01 && p > 0.0 {
        "< 1%".to_string()
    } else {
        format!("{}%", (p * 100.0).round())
    }
}

/// The year-end forecast of a target: the point and its 80 % range (widened to whole cases), the
/// chance of meeting the plan, and how far off the same method was on past years.
#[component]
fn ForecastFacts(
    measure: &'static str,
    forecast: Forecast,
    planned: i64,
    expected: f64,
) -> impl IntoView {
    let lang = use_lang();
    let f = forecast;
    let point = f.point.round() as i64;
    let range = f.low.zip(f.high);
    let share = (planned > 0).then(|| f.point / planned as f64);
    let b = f.backtest.clone();
    let in_range = b.runs.iter().filter(|r| r.low.is_some()).count();
    let covered = b.runs
        .iter()
        .filter(|r| matches!((r.low, r.high), (Some(lo), Some(hi)) if lo <= r.actual as f64 && r.actual as f64 <= hi))
        .count();
    let years = b.years;
    let chance = f.chance_of_meeting;
    let mape = b.mape;
    let explain = move || {
        let lang = lang.get();
        let mut out = String::new();
        if range.is_some() {
            out.push_str(text(lang, Key::ForecastRangeNote));
        } else {
            out.push_str(text(lang, Key::ForecastNoRange));
        }
        out.push(' ');
        if mape.is_some() {
            out.push_str(&text(lang, Key::ForecastBacktestNote).replace("{n}", &years.to_string()));
            if in_range > 0 {
                out.push_str(
                    &text(lang, Key::ForecastInRange)
                        .replace("{k}", &covered.to_string())
                        .replace("{n}", &in_range.to_string()),
                );
            }
            out.push('.');
        } else {
            out.push_str(text(lang, Key::ForecastNoBacktest));
        }
        out
    };
    view! {
        <div class="forecast" data-testid=format!("forecast-block-{measure}")>
            <dl class="target-facts">
                <div><dt>{t(Key::ExpectedToday)}</dt><dd data-testid=format!("expected-{measure}")>{move || format::integer(expected.round() as i64, lang.get())}</dd></div>
                <div><dt>{t(Key::ForecastYearEnd)}</dt>
                    <dd>
                        <span class="forecast-point" data-testid=format!("forecast-{measure}") data-value=f.point.to_string()>{move || format::integer(point, lang.get())}</span>
                        {range.map(|(lo, hi)| view! {
                            " "<span class="forecast-range">"("
                                <span data-testid=format!("forecast-low-{measure}") data-value=lo.to_string()>{move || format::integer(lo.floor() as i64, lang.get())}</span>
                                "–"
                                <span data-testid=format!("forecast-high-{measure}") data-value=hi.to_string()>{move || format::integer(hi.ceil() as i64, lang.get())}</span>
                            ")"</span>
                        })}
                        {share.map(|s| view! { <span class="muted forecast-share">{move || format::percent(Some(s), lang.get())}" "{t(Key::OfPlan)}</span> })}
                    </dd>
                </div>
            </dl>
            {(chance.is_some() || mape.is_some()).then(|| view! {
                <p class="forecast-line">
                    {chance.map(|c| view! {
                        <span>{t(Key::ForecastChance)}" "<strong data-testid=format!("chance-{measure}") data-value=c.to_string()>{chance_text(c)}</strong></span>
                    })}
                    {mape.map(|m| view! {
                        <span>{t(Key::ForecastBacktest)}" "<strong data-testid=format!("backtest-{measure}") data-mape=m.to_string()
                            data-coverage=b.coverage.map(|c| c.to_string()).unwrap_or_default()>{format!("{}%", (m * 100.0).round())}</strong></span>
                    })}
                </p>
            })}
            <p class="forecast-note muted" data-testid=format!("forecast-note-{measure}")>{explain}</p>
        </div>
    }
}

/// The province's targets by sector (inspections in its main sectors).
#[component]
fn SectorTargets(lines: Vec<TargetLine>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="sector-targets" data-testid="sector-targets">
            <h2>{t(Key::Inspections)}" · "{t(Key::BySector)}</h2>
            <ul>
                {lines.into_iter().map(|l| {
                    let a = l.attainment;
                    let sector = l.sector.unwrap_or_default();
                    let parsed = sector.parse::<domain::Sector>().ok();
                    let width = format!("width:{:.1}%", (a.achieved as f64 / a.planned.max(1) as f64 * 100.0).min(100.0));
                    let mark = format!("left:{:.1}%", (a.expected / a.planned.max(1) as f64 * 100.0).min(100.0));
                    let gap = a.gap.round() as i64;
                    let forecast = l.forecast.clone();
                    view! {
                        <li data-sector=sector.clone()>
                            <span class="sector-name">{move || parsed.map(|s| crate::labels::sector(s, lang.get())).unwrap_or_default()}</span>
                            <span class="sector-bar"><span class=format!("fill {}", a.state.as_str()) style=width></span><span class="mark" style=mark></span></span>
                            <span class="sector-figure">{move || format::integer(a.achieved, lang.get())}" / "{move || format::integer(a.planned, lang.get())}
                                {forecast.clone().map(|f| {
                                    let point = f.point.round() as i64;
                                    let range = f.low.zip(f.high);
                                    let label = move || {
                                        let lang = lang.get();
                                        let mut s = format!("{} {}", text(lang, Key::ForecastYearEnd), format::integer(point, lang));
                                        if let Some((lo, hi)) = range {
                                            s.push_str(&format!(" ({}–{})", format::integer(lo.floor() as i64, lang), format::integer(hi.ceil() as i64, lang)));
                                        }
                                        s
                                    };
                                    view! {
                                        <small class="sector-forecast" title=label aria-label=label data-testid=format!("forecast-sector-{sector}") data-value=f.point.to_string()>
                                            "→ "{move || format::integer(point, lang.get())}
                                        </small>
                                    }
                                })}
                            </span>
                            <span class=format!("sector-gap {}", a.state.as_str())>{move || if gap < 0 { format!("−{}", format::integer(-gap, lang.get())) } else { format!("+{}", format::integer(gap, lang.get())) }}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// Open alerts in the unit's subtree by severity.
#[component]
fn AlertsCard(critical: i64, warning: i64, info: i64) -> impl IntoView {
    let lang = use_lang();
    let row = move |class: &'static str, key: Key, n: i64| {
        view! {
            <li class=format!("sev {class}") data-testid=format!("alerts-{class}")>
                <span class="sev-count">{move || format::integer(n, lang.get())}</span>
                <span class="sev-label">{t(key)}</span>
            </li>
        }
    };
    view! {
        <section class="alerts-card" data-testid="alerts-card">
            <h2>{t(Key::AlertsOpen)}</h2>
            <ul>
                {row("critical", Key::SevCritical, critical)}
                {row("warning", Key::SevWarning, warning)}
                {row("info", Key::SevInfo, info)}
            </ul>
        </section>
    }
}

/// The children's attainment of one measure on the map (achieved over expected by today), with
/// the furthest behind and ahead; a tap selects, a second tap (or the panel's button) opens.
#[component]
fn AttainmentMap(unit: String, level: String, children: Vec<ChildAttainment>) -> impl IntoView {
    let lang = use_lang();
    let measure = RwSignal::new("inspections");
    let selected = RwSignal::new(None::<String>);
    let central = level == "central";
    let (map_level, within) = if central {
        ("province", None)
    } else {
        ("commune", Some(unit.clone()))
    };
    let children = StoredValue::new(children);
    let values = Signal::derive(move || {
        let m = measure.get();
        children.with_value(|cs| {
            cs.iter()
                .map(|c| MapValue {
                    code: c.code.clone(),
                    value: c.measure(m).and_then(Attainment::pace).unwrap_or(-1.0),
                })
                .collect::<Vec<_>>()
        })
    });
    let ranked = move || {
        let m = measure.get();
        children.with_value(|cs| {
            let paces: Vec<(&str, Option<f64>)> = cs
                .iter()
                .map(|c| (c.code.as_str(), c.measure(m).and_then(Attainment::pace)))
                .collect();
            let (behind, ahead) = furthest(&paces, 5);
            let pick = |codes: Vec<&str>| -> Vec<ChildAttainment> {
                codes
                    .iter()
                    .filter_map(|code| cs.iter().find(|c| c.code == *code).cloned())
                    .collect()
            };
            (pick(behind), pick(ahead))
        })
    };
    let all_sorted = move || {
        let m = measure.get();
        let mut cs = children.get_value();
        cs.sort_by(|a, b| {
            let pa = a.measure(m).and_then(Attainment::pace).unwrap_or(f64::MAX);
            let pb = b.measure(m).and_then(Attainment::pace).unwrap_or(f64::MAX);
            pa.total_cmp(&pb).then(a.code.cmp(&b.code))
        });
        cs
    };
    let count = children.with_value(|c| c.len());
    view! {
        <section class="map-card attainment">
            <div class="map-card-head">
                <div>
                    <h2>{t(if central { Key::AttMapProvinces } else { Key::AttMapCommunes })}</h2>
                    <p class="hint">{t(Key::AttMapHint)}</p>
                </div>
                <div class="seg-group" role="group" data-testid="measure-chips">
                    {MEASURES.iter().map(|(m, key)| {
                        let m = *m;
                        view! {
                            <button type="button" class="seg" data-measure=m
                                class:active=move || measure.get() == m
                                aria-pressed=move || (measure.get() == m).to_string()
                                on:click=move |_| measure.set(m)>{t(*key)}</button>
                        }
                    }).collect_view()}
                </div>
            </div>
            <div class="map-card-body">
                <AreaMap level=map_level within=within values=values selected=selected steps=PACE_STEPS/>
                <aside class="map-side">
                    <StepLegend title=Key::AttLegend steps=PACE_STEPS none=Key::AttNoData
                        labels=&["< 80%", "80–95%", "95–100%", "100–110%", "≥ 110%"]/>
                    {move || selected.get().and_then(|code| children.with_value(|cs| cs.iter().find(|u| u.code == code).cloned()))
                        .map(|u| view! { <ChildPanel unit=u on_close=move || selected.set(None)/> })}
                    {move || {
                        let (behind, ahead) = ranked();
                        let m = measure.get();
                        view! {
                            <h3 class="ranking-title">{t(Key::FurthestBehind)}</h3>
                            <ol class="ranking" data-testid="behind">
                                {behind.into_iter().map(|c| view! { <RankRow unit=c measure=m/> }).collect_view()}
                            </ol>
                            <h3 class="ranking-title">{t(Key::FurthestAhead)}</h3>
                            <ol class="ranking" data-testid="ahead">
                                {ahead.into_iter().map(|c| view! { <RankRow unit=c measure=m/> }).collect_view()}
                            </ol>
                        }
                    }}
                    <details class="all-children">
                        <summary>{t(Key::AllChildren)}" ("{move || format::integer(count as i64, lang.get())}")"</summary>
                        <ol class="ranking" data-testid="ranking">
                            {move || { let m = measure.get(); all_sorted().into_iter().map(|c| view! { <RankRow unit=c measure=m/> }).collect_view() }}
                        </ol>
                    </details>
                </aside>
            </div>
        </section>
    }
}

/// A child in a ranking: its name, pace and gap; a tap opens its overview.
#[component]
fn RankRow(unit: ChildAttainment, measure: &'static str) -> impl IntoView {
    let lang = use_lang();
    let a = unit.measure(measure).copied();
    let pace = a.and_then(|a| a.pace());
    let state = a.map(|a| a.state.as_str()).unwrap_or("none");
    let gap = a.map(|a| a.gap.round() as i64);
    let width = format!(
        "width:{:.1}%",
        (pace.unwrap_or(0.0) / 1.5 * 100.0).min(100.0)
    );
    view! {
        <li>
            <a class="rank-row" href=overview_href(&unit.code) data-code=unit.code.clone()>
                <span class="rank-name">{unit.name.clone()}</span>
                <span class=format!("rank-value {state}")>
                    {move || pace.map(|p| format::percent(Some(p), lang.get())).unwrap_or_else(|| "–".into())}
                    {gap.map(|g| view! { <small>{move || if g < 0 { format!(" −{}", format::integer(-g, lang.get())) } else { format!(" +{}", format::integer(g, lang.get())) }}</small> })}
                </span>
                <span class=format!("rank-bar {state}") style=width></span>
            </a>
        </li>
    }
}

/// The tapped child's attainment of each measure, and the way into its own overview.
#[component]
fn ChildPanel(unit: ChildAttainment, on_close: impl Fn() + 'static + Send + Sync) -> impl IntoView {
    let lang = use_lang();
    let rows = MEASURES
        .iter()
        .map(|(m, key)| {
            let a = unit.measure(m).copied();
            view! {
                <tr>
                    <th scope="row">{t(*key)}</th>
                    <td>{move || a.map(|a| format!("{} / {}", format::integer(a.achieved, lang.get()), format::integer(a.planned, lang.get()))).unwrap_or_else(|| "–".into())}</td>
                    <td class=a.map(|a| a.state.as_str()).unwrap_or("none")>{move || a.map(|a| {
                        let g = a.gap.round() as i64;
                        if g < 0 { format!("−{}", format::integer(-g, lang.get())) } else { format!("+{}", format::integer(g, lang.get())) }
                    }).unwrap_or_default()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="unit-panel" data-testid="unit-panel" data-code=unit.code.clone()>
            <div class="unit-panel-head">
                <h3>{unit.name.clone()}</h3>
                <button type="button" class="btn-icon" aria-label=t(Key::Close) on:click=move |_| on_close()>"×"</button>
            </div>
            <table>
                <thead><tr><th></th><th>{t(Key::Planned)}</th><th>{t(Key::ExpectedToday)}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="unit-panel-foot">{t(Key::Cases)}": "{move || format::integer(unit.cases, lang.get())}</p>
            <div class="unit-panel-actions">
                <a class="btn-primary link-btn" href=overview_href(&unit.code) data-testid="open-overview">{t(Key::OpenOverview)}" →"</a>
                <a class="btn-secondary link-btn" href=format!("/workload/{}", unit.code)>{t(Key::AssignedWork)}</a>
            </div>
        </div>
    }
}

/// How trustworthy the figures are: the unit's quality score and its sources by state; a tap
/// opens each score with its explanation and a link to the registry.
#[component]
fn OverviewQuality(unit: String) -> impl IntoView {
    let lang = use_lang();
    let quality = LocalResource::new(move || {
        let url = format!("/api/v1/quality?unit={unit}");
        async move { api::get::<UnitQuality>(&url).await }
    });
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
        <section class="targets" aria-hidden="true">
            {(0..3).map(|_| view! { <article class="target-tile skeleton"><span></span><span></span></article> }).collect_view()}
        </section>
        <section class="map-card skeleton" aria-hidden="true"></section>
    }
}
