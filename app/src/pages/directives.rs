//! Resolutions, directives and conclusions (`/directives`) and one of them (`/directives/CODE`):
//! its tasks by state, by level, by unit on a map of completion, and the unit's own task list.

use crate::api;
use crate::components::or_failed;
use crate::components::shell::AppShell;
use crate::i18n::{Key, t, text, use_lang};
use crate::map::{AreaMap, MapValue, SHARE_STEPS, StepLegend};
use domain::api::{DirectiveDetail, DirectiveList, DirectiveSummary, TaskRecord};
use domain::directives::{TaskCounts, TaskState};
use domain::format;
use leptos::prelude::*;

/// The label of a task state.
pub fn state_key(s: TaskState) -> Key {
    match s {
        TaskState::OnTrack => Key::TaskOnTrack,
        TaskState::AtRisk => Key::TaskAtRisk,
        TaskState::Overdue => Key::TaskOverdue,
        TaskState::Done => Key::TaskDone,
    }
}

/// The label of a directive's kind.
pub fn kind_key(kind: &str) -> Key {
    match kind {
        "resolution" => Key::DirResolution,
        "conclusion" => Key::DirConclusion,
        _ => Key::DirDirective,
    }
}

/// The counts of each state, in the order the bars show them.
fn parts(c: &TaskCounts) -> [(TaskState, u64); 4] {
    [
        (TaskState::Done, c.done),
        (TaskState::OnTrack, c.on_track),
        (TaskState::AtRisk, c.at_risk),
        (TaskState::Overdue, c.overdue),
    ]
}

/// A bar split by task state, with the counts as its accessible label.
#[component]
pub fn StateBar(counts: TaskCounts) -> impl IntoView {
    let lang = use_lang();
    let total = counts.assigned.max(1) as f64;
    let label = move || {
        parts(&counts)
            .iter()
            .map(|(s, n)| format!("{} {}", text(lang.get(), state_key(*s)), n))
            .collect::<Vec<_>>()
            .join(", ")
    };
    view! {
        <span class="state-bar" role="img" aria-label=label>
            {parts(&counts).into_iter().filter(|(_, n)| *n > 0).map(|(s, n)| view! {
                <span class=format!("seg task-{}", s.as_str()) style=format!("width:{:.2}%", n as f64 * 100.0 / total)></span>
            }).collect_view()}
        </span>
    }
}

/// The counts as figures, one per state.
#[component]
fn StateFigures(counts: TaskCounts) -> impl IntoView {
    let lang = use_lang();
    view! {
        <span class="state-figures">
            <span class="fig"><b>{move || format::integer(counts.assigned as i64, lang.get())}</b>" "{t(Key::TaskAssigned)}</span>
            {parts(&counts).into_iter().map(|(s, n)| view! {
                <span class=format!("fig task-{}-text", s.as_str()) data-state=s.as_str() data-value=n.to_string()>
                    <b>{move || format::integer(n as i64, lang.get())}</b>" "{t(state_key(s))}
                </span>
            }).collect_view()}
        </span>
    }
}

#[component]
pub fn DirectivesPage() -> impl IntoView {
    view! { <AppShell><Directives/></AppShell> }
}

#[component]
fn Directives() -> impl IntoView {
    // Task reports arrive as data: the list and the page follow the event stream.
    let live = crate::live::use_live();
    let list = LocalResource::new(move || {
        live.data.track();
        api::get::<DirectiveList>("/api/v1/directives")
    });
    view! {
        <div class="directives">
            <div class="page-head">
                <h1>{t(Key::DirTitle)}</h1>
                <p class="hint">{t(Key::DirHint)}</p>
            </div>
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || list.get().map(|r| or_failed(r, |l| view! {
                        <ul class="directive-list" data-testid="directive-list">
                            {l.directives.into_iter().map(|d| view! { <DirectiveItem d=d/> }).collect_view()}
                        </ul>
                    })
                )}
            </Transition>
        </div>
    }
}

#[component]
fn DirectiveItem(d: DirectiveSummary) -> impl IntoView {
    let href = format!("/directives/{}", d.code);
    view! {
        <li>
            <a class="directive-item" href=href data-code=d.code.clone()>
                <span class="directive-meta">
                    <span class="directive-kind">{t(kind_key(&d.kind))}</span>
                    <strong>{d.number.clone()}</strong>
                    " · "{format::date(d.issued_on)}
                </span>
                <span class="directive-title">{d.title.clone()}</span>
                <StateBar counts=d.tasks/>
                <StateFigures counts=d.tasks/>
            </a>
        </li>
    }
}

#[component]
pub fn DirectivePage() -> impl IntoView {
    view! { <AppShell><Directive/></AppShell> }
}

#[component]
fn Directive() -> impl IntoView {
    let params = leptos_router::hooks::use_params_map();
    let query = leptos_router::hooks::use_query_map();
    let live = crate::live::use_live();
    let detail = LocalResource::new(move || {
        live.data.track();
        let code = params.with(|p| p.get("code")).unwrap_or_default();
        let unit = query.with(|q| q.get("unit"));
        async move {
            let url = match unit {
                Some(u) => format!("/api/v1/directives/{code}?unit={u}"),
                None => format!("/api/v1/directives/{code}"),
            };
            api::get::<DirectiveDetail>(&url).await
        }
    });
    view! {
        <div class="directives">
            <Transition fallback=move || view! { <p>{t(Key::Loading)}</p> }>
                {move || detail.get().map(|r| or_failed(r, |d| view! { <DirectiveBody d=d narrowed=query.with_untracked(|q| q.get("unit").is_some())/> })
                )}
            </Transition>
        </div>
    }
}

#[component]
fn DirectiveBody(d: DirectiveDetail, narrowed: bool) -> impl IntoView {
    let lang = use_lang();
    let code = d.directive.code.clone();
    let central = d.by_unit.iter().any(|u| u.unit.len() == 2);
    let (level, within) = if central {
        ("province", None)
    } else {
        ("commune", Some(d.unit.clone()))
    };
    let values: Vec<MapValue> = d
        .by_unit
        .iter()
        .filter(|u| u.tasks.assigned > 0)
        .map(|u| MapValue {
            code: u.unit.clone(),
            value: u.tasks.completion().unwrap_or(0.0),
        })
        .collect();
    let selected = RwSignal::new(None::<String>);
    // A tap on an area opens that unit's view of the directive.
    Effect::new({
        let code = code.clone();
        move |_| {
            if let Some(u) = selected.get() {
                crate::browser::go_to(&format!("/directives/{code}?unit={u}"));
            }
        }
    });
    let units = d.by_unit.clone();
    view! {
        <div class="page-head">
            <p class="crumbs"><a href="/directives">{t(Key::DirTitle)}</a>
                {narrowed.then(|| view! { " › "<a href=format!("/directives/{code}")>{t(Key::DirAllUnits)}</a> })}
            </p>
            <h1>{t(kind_key(&d.directive.kind))}" "{d.directive.number.clone()}" · "<span data-testid="directive-unit">{d.unit_name.clone()}</span></h1>
            <p class="directive-title">{d.directive.title.clone()}</p>
            <a class="workload-link" href=format!("/workload/{}", d.unit)>{t(Key::WlTitle)}" · "{d.unit_name.clone()}" ›"</a>
        </div>
        <section class="card directive-summary" data-testid="directive-summary">
            <StateBar counts=d.directive.tasks/>
            <StateFigures counts=d.directive.tasks/>
            <p class="hint">{t(Key::DirRule)}" "{t(Key::DataAsOf)}" "{format::date(d.as_of)}</p>
            <table class="level-table">
                <tbody>
                    {d.by_level.clone().into_iter().map(|l| view! {
                        <tr>
                            <th scope="row">{t(crate::labels::level_key(l.level))}</th>
                            <td class="num">{move || format::integer(l.tasks.assigned as i64, lang.get())}</td>
                            <td class="bar-cell"><StateBar counts=l.tasks/></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card directive-units">
            <h2>{t(Key::DirByUnit)}</h2>
            <div class="directive-units-body">
                <div class="directive-map">
                    <AreaMap level=level within=within values=Signal::derive(move || values.clone()) selected=selected steps=SHARE_STEPS/>
                    <StepLegend title=Key::DirShareDone steps=SHARE_STEPS none=Key::DirNoTasks
                        labels=&["0–20%", "20–40%", "40–60%", "60–80%", "80–100%"]/>
                </div>
                <table class="unit-task-table" data-testid="unit-tasks">
                    <thead><tr>
                        <th scope="col">{t(Key::DirUnit)}</th>
                        <th scope="col" class="num">{t(Key::TaskAssigned)}</th>
                        <th scope="col" class="num">{t(Key::TaskDone)}</th>
                        <th scope="col" class="num">{t(Key::TaskOverdue)}</th>
                        <th scope="col">{t(Key::DirProgress)}</th>
                    </tr></thead>
                    <tbody>
                        {units.into_iter().filter(|u| u.tasks.assigned > 0).map(|u| {
                            let href = format!("/directives/{code}?unit={}", u.unit);
                            view! {
                                <tr data-unit=u.unit.clone() data-assigned=u.tasks.assigned.to_string()>
                                    <td><a href=href>{u.name.clone()}</a></td>
                                    <td class="num">{u.tasks.assigned}</td>
                                    <td class="num">{u.tasks.done}</td>
                                    <td class="num">{u.tasks.overdue}</td>
                                    <td class="bar-cell"><StateBar counts=u.tasks/></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
        <section class="card">
            <h2>{t(Key::DirOwnTasks)}" · "{d.unit_name.clone()}</h2>
            {if d.tasks.is_empty() {
                view! { <p class="hint">{t(Key::DirNoOwnTasks)}</p> }.into_any()
            } else {
                view! {
                    <ul class="task-list" data-testid="own-tasks">
                        {d.tasks.into_iter().map(|task| view! { <TaskItem task=task/> }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn TaskItem(task: TaskRecord) -> impl IntoView {
    let lang = use_lang();
    let state = task.state;
    view! {
        <li class="task-item" data-state=state.as_str() data-id=task.id>
            <div class="task-head">
                <span class=format!("task-chip task-{}", state.as_str())>{t(state_key(state))}</span>
                <strong>{task.title.clone()}</strong>
            </div>
            <div class="task-progress">
                <span class="progress-track" role="img"
                    aria-label=move || format!("{} {}%, {} {:.0}%", text(lang.get(), Key::DirProgress), task.progress, text(lang.get(), Key::DirExpected), task.expected)>
                    <span class="progress-fill" style=format!("width:{}%", task.progress)></span>
                    <span class="progress-expected" style=format!("left:{:.1}%", task.expected)></span>
                </span>
                <span class="task-pct">{task.progress}"%"</span>
            </div>
            <p class="task-dates">
                {t(Key::DirAssigned)}" "{format::date(task.assigned_on)}" · "{t(Key::HistDue)}" "{format::date(task.due_on)}
                {task.done_on.map(|d| view! { " · "{t(Key::TaskDone)}" "{format::date(d)} })}
            </p>
            {task.latest_report.map(|r| view! {
                <p class="task-report">{t(Key::DirLatestReport)}" "{format::date(r.reported_on)}" ("{r.progress}"%): "{r.note}</p>
            })}
        </li>
    }
}
