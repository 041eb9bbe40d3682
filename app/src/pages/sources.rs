//! The registry of information systems (`/sources`): every source in the caller's scope with its
//! state, last arrival, volume, error rate and quality; a tap opens the explanation of its scores.
//! `?source=CODE` (the link of a source's alert) opens that source; `?state=late` filters.

use crate::api;
use crate::components::or_failed;
use crate::components::quality::{
    FreshnessNote, QualityBreakdown, StateChip, cadence, grade, state_key,
};
use crate::components::shell::AppShell;
use crate::i18n::{Key, t, text, use_lang};
use domain::api::{SourcePage, SourceRecord, UnitQuality};
use domain::format;
use domain::quality::SourceState;
use domain::{SourceKind, quality::QualityCounts};
use leptos::prelude::*;

#[component]
pub fn SourcesPage() -> impl IntoView {
    view! { <AppShell><Sources/></AppShell> }
}

#[component]
fn Sources() -> impl IntoView {
    // Arrivals and the sources' alerts come through the event stream.
    let live = crate::live::use_live();
    let page = LocalResource::new(move || {
        live.data.track();
        live.alerts.track();
        api::get::<SourcePage>("/api/v1/sources")
    });
    let unit = LocalResource::new(move || {
        live.data.track();
        api::get::<UnitQuality>("/api/v1/quality")
    });
    let query = leptos_router::hooks::use_query_map();
    let open = RwSignal::new(query.with_untracked(|q| q.get("source")));
    let filter = RwSignal::new(
        query
            .with_untracked(|q| q.get("state"))
            .and_then(|s| s.parse::<SourceState>().ok()),
    );
    view! {
        <div class="sources">
            <div class="page-head">
                <h1>{t(Key::SourcesTitle)}</h1>
                <p class="hint">{t(Key::SourcesHint)}</p>
            </div>
            <Transition fallback=move || view! { <p class="loading">{t(Key::Loading)}</p> }>
                {move || unit.get().and_then(|r| r.ok()).map(|q| view! { <UnitSummary quality=q filter=filter/> })}
                {move || page.get().map(|r| or_failed(r, |p| view! { <SourceTable page=p open=open filter=filter/> })
                )}
            </Transition>
        </div>
    }
}

/// The scope's quality and its sources by state; the state chips filter the table.
#[component]
fn UnitSummary(quality: UnitQuality, filter: RwSignal<Option<SourceState>>) -> impl IntoView {
    let lang = use_lang();
    let overall = quality.scores.overall;
    let sources: u64 = quality.sources_by_state.values().sum();
    let count = |s: SourceState| {
        quality
            .sources_by_state
            .get(s.as_str())
            .copied()
            .unwrap_or(0)
    };
    let chip = move |state: Option<SourceState>, n: u64| {
        let label = state.map_or(Key::StateAll, state_key);
        let class = state.map_or("all", |s| s.as_str());
        view! {
            <button type="button" class=format!("state-filter state-{class}")
                data-testid=format!("filter-{class}")
                aria-pressed=move || (filter.get() == state).to_string()
                on:click=move |_| filter.set(state)>
                <span class="state-filter-n">{move || format::integer(n as i64, lang.get())}</span>
                <span>{t(label)}</span>
            </button>
        }
    };
    view! {
        <section class="quality-card" data-testid="unit-quality">
            <div class="quality-overall">
                <span class="quality-label">{t(Key::Quality)}" · "{quality.name.clone()}</span>
                <span class=format!("quality-big {}", grade(overall)) data-testid="quality-overall">
                    {move || format::percent(overall, lang.get())}
                </span>
                <span class="quality-asof">{t(Key::QualityAsOf)}" "{format::local_time(&quality.as_of)}</span>
                <div class="state-filters" role="group" aria-label=t(Key::ColState)>
                    {chip(None, sources)}
                    {SourceState::ALL.iter().map(|s| chip(Some(*s), count(*s))).collect_view()}
                </div>
            </div>
            <QualityBreakdown counts=quality.quality scores=quality.scores
                freshness=FreshnessNote::Sources(quality.quality.sources)/>
        </section>
    }
}

#[component]
fn SourceTable(
    page: SourcePage,
    open: RwSignal<Option<String>>,
    filter: RwSignal<Option<SourceState>>,
) -> impl IntoView {
    let lang = use_lang();
    if page.sources.is_empty() {
        return view! { <p class="empty">{t(Key::SourcesNone)}</p> }.into_any();
    }
    let sources = StoredValue::new(page.sources);
    view! {
        <section class="sources-card">
            <table class="sources-table" data-testid="sources-table">
                <thead>
                    <tr>
                        <th scope="col">{t(Key::ColState)}</th>
                        <th scope="col">{t(Key::ColSource)}</th>
                        <th scope="col" class="col-owner">{t(Key::ColOwner)}</th>
                        <th scope="col" class="col-kind">{t(Key::ColSourceKind)}</th>
                        <th scope="col" class="num col-cadence">{t(Key::ColCadence)}</th>
                        <th scope="col">{t(Key::ColLastArrival)}</th>
                        <th scope="col" class="num">{t(Key::ColVolume30)}</th>
                        <th scope="col" class="num">{t(Key::ColErrorRate)}</th>
                        <th scope="col" class="num">{t(Key::ColQuality)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let shown = filter.get();
                        sources.with_value(|all| all.iter()
                            .filter(|s| shown.is_none_or(|f| s.state == f))
                            .cloned()
                            .map(|s| view! { <SourceRow source=s open=open/> })
                            .collect_view())
                    }}
                </tbody>
            </table>
            <p class="hint sources-asof">{t(Key::DataAsOf)}" "{format::local_time(&page.as_of)}
                " · "{move || format::integer(sources.with_value(|s| s.len()) as i64, lang.get())}" "
                {move || text(lang.get(), Key::Sources).to_lowercase()}</p>
        </section>
    }
    .into_any()
}

/// One source, and when opened its quality explained.
#[component]
fn SourceRow(source: SourceRecord, open: RwSignal<Option<String>>) -> impl IntoView {
    let lang = use_lang();
    let code = source.code.clone();
    let is_open = {
        let code = code.clone();
        Memo::new(move |_| open.get().as_deref() == Some(code.as_str()))
    };
    let toggle = {
        let code = code.clone();
        move || {
            open.update(|o| {
                *o = if o.as_deref() == Some(code.as_str()) {
                    None
                } else {
                    Some(code.clone())
                }
            })
        }
    };
    let s = source.clone();
    let last = move || match (s.hours_since, &s.last_arrival) {
        (Some(h), Some(at)) => format!(
            "{} · {}",
            format::ago(h, lang.get()),
            format::local_time(at).unwrap_or_default()
        ),
        _ => text(lang.get(), Key::Never).to_string(),
    };
    let kind = match source.kind {
        SourceKind::Push => Key::KindPush,
        SourceKind::Upload => Key::KindUpload,
    };
    let overall = source.scores.overall;
    let error_rate = source.error_rate;
    let counts: QualityCounts = source.quality;
    let scores = source.scores;
    let note = FreshnessNote::Source {
        hours_since: source.hours_since,
        cadence_hours: source.cadence_hours,
    };
    let cadence_hours = source.cadence_hours;
    let rows_30d = source.rows_30d as i64;
    view! {
        <tr class="source-row" class:open=is_open data-code=code.clone() data-state=source.state.as_str()
            data-rows-30d=source.rows_30d.to_string() data-accepted=source.rows_accepted.to_string()
            data-rejected=source.rows_rejected.to_string()
            tabindex="0" role="button" aria-expanded=move || is_open.get().to_string()
            on:click={
                let toggle = toggle.clone();
                move |_| toggle()
            }
            on:keydown=move |e: leptos::ev::KeyboardEvent| {
                if e.key() == "Enter" || e.key() == " " { e.prevent_default(); toggle() }
            }>
            <td><StateChip state=source.state/></td>
            <td class="source-name">
                <strong>{source.name.clone()}</strong>
                <span class="source-code">{code.clone()}</span>
            </td>
            <td class="col-owner">{source.owner_name.clone()}</td>
            <td class="col-kind">{t(kind)}</td>
            <td class="num col-cadence">{move || cadence(cadence_hours, lang.get())}</td>
            <td class="source-last" data-testid="last-arrival">{last}</td>
            <td class="num">{move || format::integer(rows_30d, lang.get())}</td>
            <td class=format!("num rate {}", if error_rate.unwrap_or(0.0) >= domain::quality::FAILING_ERROR_RATE { "poor" } else { "" })>
                {move || format::percent(error_rate, lang.get())}
            </td>
            <td class="num"><span class=format!("score {}", grade(overall))>{move || format::percent(overall, lang.get())}</span></td>
        </tr>
        <Show when=move || is_open.get()>
            <tr class="source-detail">
                <td colspan="9">
                    <QualityBreakdown counts=counts scores=scores freshness=note.clone()/>
                </td>
            </tr>
        </Show>
    }
}
