//! A unit's workload (`/workload/CODE`): the tasks it received from every resolution, directive
//! and conclusion, most urgent first, with its counts by state, and a ranked comparison with its
//! peers (tapping one opens its workload).

use crate::api;
use crate::components::or_failed;
use crate::components::shell::AppShell;
use crate::i18n::{Key, Lang, t, text, use_lang};
use crate::pages::directives::{StateBar, kind_key, state_key};
use domain::directives::TaskState;
use domain::format;
use domain::workload::{Peer, Workload, WorkloadTask};
use leptos::prelude::*;

/// The states in urgency order, as the tiles show them.
const STATES: [TaskState; 4] = [
    TaskState::Overdue,
    TaskState::AtRisk,
    TaskState::OnTrack,
    TaskState::Done,
];

/// When a task is due, in words: days left, days overdue, or the day it was done.
fn deadline(task: &WorkloadTask, lang: Lang) -> String {
    let days = |key: Key, n: i64| text(lang, key).replace("{n}", &format::integer(n, lang));
    match (task.state, task.done_on) {
        (TaskState::Done, Some(on)) => text(lang, Key::WlDoneOn).replace("{d}", &format::date(on)),
        _ if task.days_left < 0 => days(Key::WlDaysOverdue, -task.days_left),
        _ if task.days_left == 0 => text(lang, Key::WlDueToday).to_string(),
        _ => days(Key::WlDaysLeft, task.days_left),
    }
}

#[component]
pub fn WorkloadPage() -> impl IntoView {
    view! { <AppShell><WorkloadView/></AppShell> }
}

#[component]
fn WorkloadView() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let code = move || params.with(|p| p.get("code")).unwrap_or_default();
    let live = crate::live::use_live();
    let workload = LocalResource::new(move || {
        live.data.track();
        let code = code();
        async move { api::get::<Workload>(&format!("/api/v1/units/{code}/workload")).await }
    });
    // Opening a peer keeps this page: bring the scrolled content back to its top.
    let root = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |previous: Option<String>| {
        let now = code();
        if previous.is_some_and(|p| p != now)
            && let Some(scroller) = root.get_untracked().and_then(|el| el.parent_element())
        {
            scroller.set_scroll_top(0);
        }
        now
    });
    view! {
        <div class="directives workload" node_ref=root>
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || workload.get().map(|r| or_failed(r, |w| view! { <WorkloadBody w=w/> }))}
            </Transition>
        </div>
    }
}

#[component]
fn WorkloadBody(w: Workload) -> impl IntoView {
    let lang = use_lang();
    let filter = RwSignal::new(None::<TaskState>);
    let counts = w.counts;
    let completion = counts.completion();
    let ranked = w.peers.iter().filter(|p| p.rank.is_some()).count();
    let own_rank = w.peers.iter().find(|p| p.this_unit).and_then(|p| p.rank);
    let level = w.level;
    let tasks = w.tasks;
    let unit = w.unit.clone();
    let ring = format!("--done:{:.1}%", completion.unwrap_or(0.0) * 100.0);
    view! {
        <div class="page-head">
            <p class="crumbs">
                <a href="/directives">{t(Key::DirTitle)}</a>
                {w.parent.clone().map(|p| view! {
                    " › "<a href=format!("/workload/{}", p.code) data-testid="workload-parent">{p.name}</a>
                })}
            </p>
            <h1>{t(Key::WlTitle)}" · "<span data-testid="workload-unit">{w.unit_name.clone()}</span></h1>
            <p class="hint">{t(Key::WlHint)}" "{t(Key::DataAsOf)}" "{format::date(w.as_of)}</p>
        </div>
        <section class="card workload-summary" data-testid="workload-summary">
            <div class="workload-ring" style=ring role="img"
                aria-label=move || format!("{} {}", format::percent(completion, lang.get()), text(lang.get(), Key::WlCompletion))>
                <span class="workload-ring-value">{move || format::percent(completion, lang.get())}</span>
                <span class="workload-ring-label">{t(Key::WlCompletion)}</span>
            </div>
            <div class="workload-states" role="group" aria-label=t(Key::WlFilterHint)>
                <p class="workload-assigned" data-testid="workload-assigned" data-value=counts.assigned.to_string()>
                    <b>{move || format::integer(counts.assigned as i64, lang.get())}</b>" "{t(Key::WlTasksAssigned)}
                </p>
                <div class="workload-tiles">
                    {STATES.into_iter().map(|s| {
                        let n = match s {
                            TaskState::OnTrack => counts.on_track,
                            TaskState::AtRisk => counts.at_risk,
                            TaskState::Overdue => counts.overdue,
                            TaskState::Done => counts.done,
                        };
                        view! {
                            <button type="button" class=format!("workload-state state-{}", s.as_str())
                                data-state=s.as_str() data-value=n.to_string()
                                aria-pressed=move || (filter.get() == Some(s)).to_string()
                                on:click=move |_| filter.update(|f| *f = if *f == Some(s) { None } else { Some(s) })>
                                <span class="workload-state-n">{move || format::integer(n as i64, lang.get())}</span>
                                <span class="workload-state-label">{t(state_key(s))}</span>
                            </button>
                        }
                    }).collect_view()}
                </div>
                <StateBar counts=counts/>
            </div>
            {(!w.peers.is_empty()).then(|| view! {
                <div class="workload-rank" data-testid="workload-rank">
                    <span class="workload-rank-label">{t(Key::WlRank)}</span>
                    <span class="workload-rank-value">
                        {match own_rank {
                            Some(r) => view! { <b>{r}</b><span class="of">"/"{ranked}</span> }.into_any(),
                            None => view! { <b>"–"</b> }.into_any(),
                        }}
                    </span>
                    <span class="workload-rank-label">{t(crate::labels::level_key(level))}</span>
                </div>
            })}
        </section>
        <div class="workload-body">
            <section class="card workload-tasks">
                <div class="workload-tasks-head">
                    <h2>{t(Key::WlTasks)}</h2>
                    {move || filter.get().map(|s| view! {
                        <button type="button" class="workload-clear" on:click=move |_| filter.set(None)>
                            <span class=format!("task-chip task-{}", s.as_str())>{t(state_key(s))}</span>
                            " "{t(Key::WlShowAll)}
                        </button>
                    })}
                </div>
                {if tasks.is_empty() {
                    view! { <p class="hint">{t(Key::WlNoTasks)}</p> }.into_any()
                } else {
                    view! {
                        <ul class="workload-list" data-testid="workload-tasks">
                            {move || {
                                let shown: Vec<WorkloadTask> = tasks.iter()
                                    .filter(|task| filter.get().is_none_or(|s| task.state == s))
                                    .cloned()
                                    .collect();
                                if shown.is_empty() {
                                    view! { <li class="hint">{t(Key::WlNoneInState)}</li> }.into_any()
                                } else {
                                    shown.into_iter()
                                        .map(|task| view! { <TaskRow task=task unit=unit.clone()/> })
                                        .collect_view()
                                        .into_any()
                                }
                            }}
                        </ul>
                    }.into_any()
                }}
            </section>
            <Peers peers=w.peers outside=w.peers_outside_scope level=level/>
        </div>
    }
}

/// One task: state, directive, title, deadline, progress against the expectation, latest report.
/// Tapping it opens its directive at this unit.
#[component]
fn TaskRow(task: WorkloadTask, unit: String) -> impl IntoView {
    let lang = use_lang();
    let state = task.state;
    let href = format!("/directives/{}?unit={unit}", task.directive.code);
    let when = {
        let task = task.clone();
        move || deadline(&task, lang.get())
    };
    let kind = kind_key(&task.directive.kind);
    // A done task needs no progress bar nor its last report: it is kept short.
    let done = state == TaskState::Done;
    view! {
        <li>
            <a class=format!("workload-task edge-{}", state.as_str()) href=href
                data-id=task.id data-state=state.as_str() title=task.directive.title.clone()>
                <span class="workload-task-top">
                    <span class=format!("task-chip task-{}", state.as_str())>{t(state_key(state))}</span>
                    <span class="directive-kind">{t(kind)}" "{task.directive.number.clone()}</span>
                    <span class=format!("workload-deadline task-{}-text", state.as_str())>{when}</span>
                </span>
                <strong class="workload-task-title">{task.title.clone()}</strong>
                {(!done).then(|| view! { <span class="task-progress">
                    <span class="progress-track" role="img"
                        aria-label=move || format!("{} {}%, {} {:.0}%", text(lang.get(), Key::DirProgress), task.progress, text(lang.get(), Key::DirExpected), task.expected)>
                        <span class=format!("progress-fill fill-{}", state.as_str()) style=format!("width:{}%", task.progress)></span>
                        <span class="progress-expected" style=format!("left:{:.1}%", task.expected)></span>
                    </span>
                    <span class="task-pct">{task.progress}"%"</span>
                    <span class="workload-expected">{t(Key::DirExpected)}" "{format!("{:.0}%", task.expected)}</span>
                </span> })}
                <span class="task-dates">
                    {t(Key::DirAssigned)}" "{format::date(task.assigned_on)}" · "{t(Key::HistDue)}" "{format::date(task.due_on)}
                </span>
                {task.latest_report.filter(|_| !done).map(|r| view! {
                    <span class="task-report">{t(Key::DirLatestReport)}" "{format::date(r.reported_on)}" ("{r.progress}"%): "{r.note}</span>
                })}
            </a>
        </li>
    }
}

/// The peers ranked, the unit highlighted; or why there are none.
#[component]
fn Peers(peers: Vec<Peer>, outside: bool, level: domain::UnitLevel) -> impl IntoView {
    let lang = use_lang();
    let list = NodeRef::<leptos::html::Ol>::new();
    // The unit's own row in view within the list, wherever it ranks.
    Effect::new(move |_| {
        if let Some(ol) = list.get() {
            centre_this_unit(&ol);
        }
    });
    let body = if outside {
        view! { <p class="hint" data-testid="peers-outside-scope">{t(Key::WlPeersOutside)}</p> }
            .into_any()
    } else if peers.is_empty() {
        view! { <p class="hint">{t(Key::WlNoPeers)}</p> }.into_any()
    } else {
        view! {
            <p class="hint">{t(Key::WlPeersHint)}</p>
            <ol class="peer-list" data-testid="workload-peers" node_ref=list>
                {peers.into_iter().map(|p| {
                    let completion = p.completion;
                    let tasks = p.tasks;
                    view! {
                        <li>
                            <a class=if p.this_unit { "peer-row this-unit" } else { "peer-row" }
                                href=format!("/workload/{}", p.unit) data-unit=p.unit.clone()
                                data-rank=p.rank.map(|r| r.to_string()).unwrap_or_default()
                                aria-current=p.this_unit.then_some("page")>
                                <span class="peer-rank">{p.rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into())}</span>
                                <span class="peer-main">
                                    <span class="peer-name">
                                        <span class="peer-name-text">{p.name.clone()}</span>
                                        {p.this_unit.then(|| view! { <span class="peer-this">{t(Key::WlThisUnit)}</span> })}
                                    </span>
                                    <StateBar counts=tasks/>
                                    <span class="peer-figs">
                                        {move || format::integer(tasks.assigned as i64, lang.get())}" "{t(Key::TaskAssigned)}
                                        {(tasks.overdue > 0).then(|| view! {
                                            " · "<span class="task-overdue-text">{move || format::integer(tasks.overdue as i64, lang.get())}" "{t(Key::TaskOverdue)}</span>
                                        })}
                                        {(tasks.at_risk > 0).then(|| view! {
                                            " · "<span class="task-at_risk-text">{move || format::integer(tasks.at_risk as i64, lang.get())}" "{t(Key::TaskAtRisk)}</span>
                                        })}
                                    </span>
                                </span>
                                <span class="peer-value">{move || format::percent(completion, lang.get())}</span>
                            </a>
                        </li>
                    }
                }).collect_view()}
            </ol>
        }.into_any()
    };
    view! {
        <section class="card workload-peers">
            <h2>{t(Key::WlPeers)}" · "{t(crate::labels::level_key(level))}</h2>
            {body}
        </section>
    }
}

/// Scrolls the peer list so that the unit's own row comes third from its top (with the two
/// peers just above it), where it is in view on a tablet before any scrolling.
fn centre_this_unit(list: &leptos::web_sys::Element) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let row = list
            .query_selector(".this-unit")
            .ok()
            .flatten()
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
        if let Some(row) = row {
            // The list is the row's offset parent (`position: relative`).
            let top = row.offset_top() - 2 * row.offset_height();
            list.set_scroll_top(top.max(0));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = list;
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use domain::workload::DirectiveRef;

    fn task(state: TaskState, days_left: i64, done_on: Option<NaiveDate>) -> WorkloadTask {
        let day = NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
        WorkloadTask {
            id: 1,
            directive: DirectiveRef {
                code: "D".into(),
                kind: "directive".into(),
                number: "1-CT/TW".into(),
                title: String::new(),
            },
            title: String::new(),
            assigned_on: day,
            due_on: day,
            days_left,
            progress: 0,
            expected: 0.0,
            state,
            done_on,
            latest_report: None,
        }
    }

    #[test]
    fn a_deadline_says_the_days_left_the_days_overdue_or_the_day_done() {
        let done = NaiveDate::from_ymd_opt(2026, 10, 28);
        let cases = [
            (
                task(TaskState::OnTrack, 1234, None),
                "còn 1.234 ngày",
                "1,234 days left",
            ),
            (
                task(TaskState::Overdue, -3, None),
                "quá hạn 3 ngày",
                "3 days overdue",
            ),
            (
                task(TaskState::AtRisk, 0, None),
                "đến hạn hôm nay",
                "due today",
            ),
            (
                task(TaskState::Done, -28, done),
                "xong ngày 28/10/2026",
                "done on 28/10/2026",
            ),
        ];
        for (t, vi, en) in cases {
            assert_eq!(deadline(&t, Lang::Vi), vi);
            assert_eq!(deadline(&t, Lang::En), en);
        }
    }
}
