//! Remote supervision of one unit (`/remote/CODE`, from a programme's unit table or map with
//! `?programme=ID`): what the center already holds about it on one screen — its cases by kind, the
//! open ones earliest due first and the latest, its directive tasks most urgent first, the
//! freshness of the sources that send its data, its open alerts, and the programmes that plan it.

use crate::api;
use crate::components::or_failed;
use crate::components::quality::state_key as source_state_key;
use crate::components::shell::AppShell;
use crate::i18n::{Key, t, use_lang};
use crate::pages::directives::{StateBar, kind_key, state_key};
use crate::pages::programmes::{stage_class, stage_key};
use domain::format;
use domain::quality::SourceState;
use domain::remote::{CaseBrief, RemoteView};
use leptos::prelude::*;

fn severity_key(s: &str) -> Key {
    match s {
        "critical" => Key::SevCritical,
        "warning" => Key::SevWarning,
        _ => Key::SevInfo,
    }
}

#[component]
pub fn RemotePage() -> impl IntoView {
    view! { <AppShell><Remote/></AppShell> }
}

#[component]
fn Remote() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let live = crate::live::use_live();
    let view_data = LocalResource::new(move || {
        live.data.track();
        let code = params.with(|p| p.get("code")).unwrap_or_default();
        async move { api::get::<RemoteView>(&format!("/api/v1/units/{code}/remote")).await }
    });
    let from = move || {
        query
            .with(|q| q.get("programme"))
            .filter(|p| p.bytes().all(|b| b.is_ascii_digit()))
    };
    view! {
        <div class="directives programmes remote">
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || view_data.get().map(|r| or_failed(r, |v| view! { <RemoteBody v=v from=from()/> }))}
            </Transition>
        </div>
    }
}

#[component]
fn RemoteBody(v: RemoteView, from: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let c = v.cases.clone();
    let today = v.as_of;
    let not_live = v
        .sources
        .iter()
        .filter(|s| s.state != SourceState::Live)
        .count();
    let tiles = [
        (Key::RmCasesTotal, c.total as i64, "remote-cases", ""),
        (Key::RmOpen, c.open as i64, "remote-open", ""),
        (
            Key::RmOverdue,
            c.overdue as i64,
            "remote-overdue",
            if c.overdue > 0 { "bad" } else { "" },
        ),
        (Key::RmLast12, c.last_12_months as i64, "remote-last12", ""),
        (
            Key::RmTasksOverdue,
            v.task_counts.overdue as i64,
            "remote-tasks-overdue",
            if v.task_counts.overdue > 0 { "bad" } else { "" },
        ),
        (
            Key::RmAlerts,
            v.alerts.len() as i64,
            "remote-alerts",
            if v.alerts.is_empty() { "" } else { "warn" },
        ),
        (
            Key::RmSourcesNotLive,
            not_live as i64,
            "remote-sources-late",
            if not_live > 0 { "warn" } else { "" },
        ),
    ];
    view! {
        <div class="page-head">
            <p class="crumbs">
                {match from {
                    Some(id) => view! { <a href=format!("/programmes/{id}")>{t(Key::PgTitle)}</a> }.into_any(),
                    None => view! { <a href="/programmes">{t(Key::PgTitle)}</a> }.into_any(),
                }}
                {v.parent.clone().map(|p| view! { " · "<a href=format!("/remote/{}", p.code)>{p.name}</a> })}
            </p>
            <h1>{t(Key::RmTitle)}" · "<span data-testid="remote-unit" data-code=v.unit.clone()>{v.name.clone()}</span></h1>
            <p class="hint">{t(Key::RmHint)}" "{t(Key::DataAsOf)}" "{format::date(v.as_of)}</p>
        </div>
        <section class="remote-tiles" data-testid="remote-tiles">
            {tiles.into_iter().map(|(key, n, testid, tone)| view! {
                <p class=format!("finding-tile remote-tile {tone}") data-testid=testid data-value=n.to_string()>
                    <b>{move || format::integer(n, lang.get())}</b><span>{t(key)}</span>
                </p>
            }).collect_view()}
        </section>
        <div class="remote-grid">
            <section class="card remote-cases">
                <h2>{t(Key::RmOpenCases)}</h2>
                <CaseList cases=c.open_list.clone() today=today empty=Key::RmNoOpen testid="remote-open-cases"/>
                <h2 class="second">{t(Key::RmRecent)}</h2>
                <CaseList cases=c.recent.clone() today=today empty=Key::RmNoCases testid="remote-recent-cases"/>
            </section>
            <div class="remote-side">
                <section class="card">
                    <h2>{t(Key::RmByKind)}</h2>
                    <table class="unit-task-table" data-testid="remote-by-kind">
                        <thead><tr>
                            <th scope="col">{t(Key::RmKind)}</th>
                            <th scope="col" class="num">{t(Key::RmTotal)}</th>
                            <th scope="col" class="num">{t(Key::RmOpen)}</th>
                            <th scope="col" class="num">{t(Key::PgViolations)}</th>
                        </tr></thead>
                        <tbody>
                            {c.by_kind.iter().cloned().map(|k| view! {
                                <tr data-kind=k.kind.as_str()>
                                    <td>{move || crate::labels::kind(k.kind, lang.get())}</td>
                                    <td class="num">{move || format::integer(k.total as i64, lang.get())}</td>
                                    <td class="num">{k.open}</td>
                                    <td class="num">{k.violations}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                </section>
                <section class="card" data-testid="remote-programmes">
                    <h2>{t(Key::RmProgrammes)}</h2>
                    {if v.programmes.is_empty() {
                        view! { <p class="hint">{t(Key::RmNoProgrammes)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="plain-list">
                                {v.programmes.iter().map(|p| view! {
                                    <li>
                                        <a href=format!("/programmes/{}", p.id) class="remote-programme">
                                            <span class=format!("stage-chip stage-{}", stage_class(p.stage))>{t(stage_key(p.stage))}</span>
                                            <span>{p.name.clone()}</span>
                                        </a>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
            </div>
            <section class="card remote-tasks">
                <div class="remote-head">
                    <h2>{t(Key::RmTasks)}</h2>
                    <a class="workload-link" href=format!("/workload/{}", v.unit)>{t(Key::RmWorkload)}" ›"</a>
                </div>
                {(v.task_counts.assigned > 0).then(|| view! { <StateBar counts=v.task_counts/> })}
                {if v.tasks.is_empty() {
                    view! { <p class="hint">{t(Key::RmNoTasks)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list remote-task-list" data-testid="remote-tasks">
                            {v.tasks.iter().take(8).map(|task| view! {
                                <li class=format!("edge-{}", task.state.as_str()) data-state=task.state.as_str()>
                                    <span class=format!("task-chip task-{}", task.state.as_str())>{t(state_key(task.state))}</span>
                                    <span class="directive-kind">{t(kind_key(&task.directive.kind))}" "{task.directive.number.clone()}</span>
                                    <span class="remote-task-title">{task.title.clone()}</span>
                                    <span class="hint">{t(Key::HistDue)}" "{format::date(task.due_on)}" · "{task.progress}"%"</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section class="card remote-sources">
                <h2>{t(Key::RmSources)}</h2>
                {if v.sources.is_empty() {
                    view! { <p class="hint">{t(Key::RmNoSources)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list" data-testid="remote-sources">
                            {v.sources.iter().cloned().map(|s| {
                                let last = s.hours_since;
                                view! {
                                    <li class="remote-source" data-state=s.state.as_str() data-code=s.code.clone()>
                                        <span class=format!("state-chip state-{}", s.state.as_str())>{t(source_state_key(s.state))}</span>
                                        <span class="remote-source-name">{s.name.clone()}</span>
                                        <span class="hint">
                                            {move || match last { Some(h) => format::ago(h, lang.get()), None => crate::i18n::text(lang.get(), Key::Never).to_string() }}
                                            " · "{t(Key::RmCadence)}" "{s.cadence_hours}" "{t(Key::RmHours)}
                                            " · "{move || format::integer(s.records as i64, lang.get())}" "{t(Key::RmRecords)}
                                        </span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section class="card remote-alerts">
                <h2>{t(Key::RmAlerts)}</h2>
                {if v.alerts.is_empty() {
                    view! { <p class="hint">{t(Key::RmNoAlerts)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="plain-list" data-testid="remote-alert-list">
                            {v.alerts.iter().take(10).cloned().map(|a| view! {
                                <li class="remote-alert">
                                    <span class=format!("sev-chip {}", a.severity)>{t(severity_key(&a.severity))}</span>
                                    <span class="remote-alert-text">
                                        <b>{move || crate::labels::alert_kind(&a.kind, lang.get())}</b>" · "{a.unit_name.clone()}
                                        <span class="hint">{a.explanation.clone()}</span>
                                    </span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

#[component]
fn CaseList(
    cases: Vec<CaseBrief>,
    today: chrono::NaiveDate,
    empty: Key,
    testid: &'static str,
) -> impl IntoView {
    let lang = use_lang();
    if cases.is_empty() {
        return view! { <p class="hint">{t(empty)}</p> }.into_any();
    }
    view! {
        <ul class="plain-list case-briefs" data-testid=testid>
            {cases.into_iter().map(|c| {
                let overdue = c.overdue(today);
                view! {
                    <li class="case-brief" class:overdue=overdue data-id=c.id.to_string() data-status=c.status.as_str()>
                        <span class="case-brief-top">
                            <span class=format!("status-chip st-{}", c.status.as_str())>{move || crate::labels::status(c.status, lang.get())}</span>
                            <b>{move || crate::labels::kind(c.kind, lang.get())}</b>
                            {c.violation.filter(|v| *v).map(|_| view! { <span class="viol-chip">{t(Key::HistViolation)}</span> })}
                        </span>
                        <span class="case-brief-body">
                            {c.subject_name.clone()}" · "{move || crate::labels::sector(c.sector, lang.get())}
                            {c.theme.clone().map(|th| view! { " · "<i>{th}</i> })}
                        </span>
                        <span class="hint">
                            {t(Key::RmOpened)}" "{format::date(c.opened_on)}
                            {c.due_on.map(|d| view! { " · "{t(Key::HistDue)}" "{format::date(d)} })}
                            {overdue.then(|| view! { " · "<span class="task-overdue-text">{t(Key::RmOverdue)}</span> })}
                        </span>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}
