//! `/alerts`: the alerts in the caller's scope, open and most severe first, filtered by state and
//! severity; a tap opens one with its history and the work on it (acknowledge, assign, resolve,
//! reopen, comment).

use crate::api::{self, ApiFailure};
use crate::components::or_failed;
use crate::components::shell::AppShell;
use crate::i18n::{Key, t, use_lang};
use crate::labels;
use domain::alerts::{AlertActionRequest, AlertDetail, AlertPage, AlertRecord};
use domain::format;
use domain::procedures::{CaseSteps, StepDone};
use leptos::prelude::*;
use serde_json::Value;

#[component]
pub fn AlertsPage() -> impl IntoView {
    view! { <AppShell><Alerts/></AppShell> }
}

const STATES: [(&str, Key); 6] = [
    ("open", Key::AlFilterOpen),
    ("new", Key::AlNew),
    ("acknowledged", Key::AlAcknowledged),
    ("assigned", Key::AlAssigned),
    ("resolved", Key::AlResolved),
    ("", Key::StateAll),
];
const SEVERITIES: [(&str, Key); 4] = [
    ("", Key::StateAll),
    ("critical", Key::SevCritical),
    ("warning", Key::SevWarning),
    ("info", Key::SevInfo),
];

fn state_key(s: &str) -> Key {
    STATES
        .iter()
        .find(|(v, _)| *v == s)
        .map(|(_, k)| *k)
        .unwrap_or(Key::AlNew)
}

fn severity_key(s: &str) -> Key {
    SEVERITIES
        .iter()
        .find(|(v, _)| *v == s)
        .map(|(_, k)| *k)
        .unwrap_or(Key::SevInfo)
}

#[component]
fn Alerts() -> impl IntoView {
    let lang = use_lang();
    let live = crate::live::use_live();
    let query = leptos_router::hooks::use_query_map();
    let state = RwSignal::new("open");
    let severity = RwSignal::new("");
    let kind = RwSignal::new(
        query
            .get_untracked()
            .get("kind")
            .filter(|k| labels::ALERT_KINDS.contains(&k.as_str()))
            .unwrap_or_default(),
    );
    let opened = RwSignal::new(None::<i64>);
    let version = RwSignal::new(0u32);
    let page = LocalResource::new(move || {
        let (s, v, k) = (state.get(), severity.get(), kind.get());
        version.track();
        live.alerts.track();
        async move {
            api::get::<AlertPage>(&format!(
                "/api/v1/alerts?state={s}&severity={v}&kind={k}&limit=200"
            ))
            .await
        }
    });
    let chips = move |options: &'static [(&'static str, Key)],
                      signal: RwSignal<&'static str>,
                      testid: &'static str| {
        view! {
            <div class="seg-group" role="group" data-testid=testid>
                {options.iter().map(|(value, key)| {
                    let value = *value;
                    view! {
                        <button type="button" class="seg" data-value=value
                            class:active=move || signal.get() == value
                            aria-pressed=move || (signal.get() == value).to_string()
                            on:click=move |_| signal.set(value)>{t(*key)}</button>
                    }
                }).collect_view()}
            </div>
        }
    };
    view! {
        <div class="alerts-page">
            <div class="page-head">
                <h1>{t(Key::AlTitle)}</h1>
                <p class="hint">{t(Key::AlHint)}</p>
            </div>
            <div class="alert-filters">
                {chips(&STATES, state, "alert-states")}
                {chips(&SEVERITIES, severity, "alert-severities")}
                <label class="kind-filter">
                    <span class="sr-only">{t(Key::AlKindLabel)}</span>
                    <select data-testid="alert-kinds" aria-label=t(Key::AlKindLabel)
                        prop:value=move || kind.get()
                        on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="">{t(Key::AlKindAll)}</option>
                        {labels::ALERT_KINDS.iter().map(|k| view! {
                            <option value=*k selected=move || kind.get() == *k>
                                {move || labels::alert_kind(k, lang.get())}
                            </option>
                        }).collect_view()}
                    </select>
                </label>
            </div>
            <div class="alerts-body">
                <Transition fallback=|| view! { <p class="loading">{t(Key::Loading)}</p> }>
                    {move || page.get().map(|r| or_failed(r, move |p: AlertPage| view! {
                        <AlertList page=p opened=opened/>
                    }))}
                </Transition>
                {move || opened.get().map(|id| view! {
                    <AlertPanel id=id on_close=move || opened.set(None) on_change=move || version.update(|v| *v += 1)/>
                })}
            </div>
        </div>
    }
}

#[component]
fn AlertList(page: AlertPage, opened: RwSignal<Option<i64>>) -> impl IntoView {
    let lang = use_lang();
    let total = page.total;
    view! {
        <section class="alert-list card">
            <p class="table-count" data-testid="alert-total" data-value=total.to_string()>
                {move || format::integer(total, lang.get())}" "{t(Key::AlCount)}</p>
            {page.alerts.is_empty().then(|| view! { <p class="hint">{t(Key::AlNone)}</p> })}
            <ul>
                {page.alerts.into_iter().map(|a| {
                    let id = a.id;
                    view! {
                        <li>
                            <button type="button" class=format!("alert-row sev-{}", a.severity) data-id=id.to_string()
                                data-state=a.state.clone()
                                class:selected=move || opened.get() == Some(id)
                                on:click=move |_| opened.set(Some(id))>
                                <span class=format!("sev-chip {}", a.severity)>{t(severity_key(&a.severity))}</span>
                                <span class="alert-main">
                                    <span class="alert-kind" data-kind=a.kind.clone()>{
                                        let k = a.kind.clone();
                                        move || labels::alert_kind(&k, lang.get())
                                    }</span>
                                    <strong>{a.unit_name.clone()}</strong>
                                    <span class="alert-expl">{
                                        let a = a.clone();
                                        move || labels::alert_sentence(&a, lang.get())
                                    }</span>
                                </span>
                                <span class=format!("state-chip {}", a.state)>{t(state_key(&a.state))}</span>
                            </button>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

/// One alert, its history and the actions that apply to it.
#[component]
fn AlertPanel(
    id: i64,
    on_close: impl Fn() + 'static + Send + Sync + Copy,
    on_change: impl Fn() + 'static + Send + Sync + Copy,
) -> impl IntoView {
    let version = RwSignal::new(0u32);
    let live = crate::live::use_live();
    let lang = use_lang();
    let detail = LocalResource::new(move || {
        version.track();
        live.alerts.track();
        async move { api::get::<AlertDetail>(&format!("/api/v1/alerts/{id}")).await }
    });
    let comment = RwSignal::new(String::new());
    let owner = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let send = move |action: &'static str| {
        busy.set(true);
        error.set(None);
        let req = AlertActionRequest {
            action: action.to_string(),
            comment: Some(comment.get_untracked()).filter(|c| !c.trim().is_empty()),
            owner: Some(owner.get_untracked()).filter(|o| !o.trim().is_empty()),
        };
        leptos::task::spawn_local(async move {
            match api::post::<_, AlertDetail>(&format!("/api/v1/alerts/{id}/actions"), &req).await {
                Ok(_) => {
                    comment.set(String::new());
                    version.update(|v| *v += 1);
                    on_change();
                }
                Err(ApiFailure::Status(_, msg)) => error.set(Some(msg)),
                Err(ApiFailure::Network) => error.set(Some("network".into())),
            }
            busy.set(false);
        });
    };
    view! {
        <aside class="alert-panel card" data-testid="alert-panel" data-id=id.to_string()>
            <Transition fallback=|| view! { <p class="loading">{t(Key::Loading)}</p> }>
                {move || detail.get().map(|r| or_failed(r, move |d: AlertDetail| {
                    let a: AlertRecord = d.alert;
                    let extra = d.detail.clone().map(|x| detail_view(&a, x));
                    let state = a.state.clone();
                    let open = state != "resolved";
                    view! {
                        <div class="unit-panel-head">
                            <h2>{a.unit_name.clone()}</h2>
                            <button type="button" class="btn-icon" aria-label=t(Key::Close) on:click=move |_| on_close()>"×"</button>
                        </div>
                        <p><span class=format!("sev-chip {}", a.severity)>{t(severity_key(&a.severity))}</span>" "
                           <span class=format!("state-chip {}", a.state) data-testid="alert-state" data-value=a.state.clone()>{t(state_key(&a.state))}</span>
                           {a.owner.clone().map(|o| view! { " · "{t(Key::AlOwner)}": "<strong data-testid="alert-owner">{o}</strong> })}</p>
                        <p class="alert-kind-line" data-testid="alert-kind" data-value=a.kind.clone()>{
                            let k = a.kind.clone();
                            move || labels::alert_kind(&k, lang.get())
                        }</p>
                        <p class="alert-expl" data-testid="alert-sentence">{
                            let a = a.clone();
                            move || labels::alert_sentence(&a, lang.get())
                        }</p>
                        {(a.kind == "anomaly" && (a.expected.is_some() || a.observed.is_some())).then(|| {
                            let (m1, m2) = (a.measure.clone(), a.measure.clone());
                            let (e, o) = (a.expected, a.observed);
                            view! {
                            <dl class="target-facts">
                                <div><dt>{t(Key::AlExpectedValue)}</dt><dd data-testid="alert-expected">{move || e.map(|v| labels::alert_value(&m1, v, lang.get())).unwrap_or_default()}</dd></div>
                                <div><dt>{t(Key::AlObserved)}</dt><dd data-testid="alert-observed">{move || o.map(|v| labels::alert_value(&m2, v, lang.get())).unwrap_or_default()}</dd></div>
                            </dl>
                        }})}
                        {extra}
                        {a.link.clone().map(|l| view! { <p><a href=l>{t(Key::AlOpenView)}" →"</a></p> })}
                        <h3>{t(Key::AlHistory)}</h3>
                        <ol class="alert-history" data-testid="alert-history">
                            {d.events.into_iter().map(|e| {
                                let action = e.action.clone();
                                view! {
                                <li data-action=action>
                                    <span class="muted">{format::local_time(&e.at).unwrap_or_default()}</span>" · "
                                    <strong>{e.actor}</strong>" · "{e.action}
                                    {(!e.comment.is_empty()).then(|| view! { <span class="alert-comment">": "{e.comment}</span> })}
                                </li>
                            }}).collect_view()}
                        </ol>
                        <div class="alert-actions">
                            <label>{t(Key::AlComment)}
                                <textarea rows="2" data-testid="alert-comment" prop:value=move || comment.get()
                                    on:input=move |ev| comment.set(event_target_value(&ev))></textarea>
                            </label>
                            {open.then(|| view! {
                                <label>{t(Key::AlOwner)}
                                    <input type="text" data-testid="alert-owner-input" placeholder=t(Key::AlOwnerHint)
                                        prop:value=move || owner.get() on:input=move |ev| owner.set(event_target_value(&ev))/>
                                </label>
                            })}
                            <div class="unit-panel-actions">
                                {(state == "new").then(|| view! {
                                    <button type="button" class="btn-secondary" data-action="acknowledge" disabled=move || busy.get() on:click=move |_| send("acknowledge")>{t(Key::AlAck)}</button>
                                })}
                                {open.then(|| view! {
                                    <button type="button" class="btn-secondary" data-action="assign" disabled=move || busy.get() on:click=move |_| send("assign")>{t(Key::AlAssign)}</button>
                                    <button type="button" class="btn-primary" data-action="resolve" disabled=move || busy.get() on:click=move |_| send("resolve")>{t(Key::AlResolve)}</button>
                                })}
                                {(!open).then(|| view! {
                                    <button type="button" class="btn-secondary" data-action="reopen" disabled=move || busy.get() on:click=move |_| send("reopen")>{t(Key::AlReopen)}</button>
                                })}
                                <button type="button" class="btn-secondary" data-action="comment" disabled=move || busy.get() on:click=move |_| send("comment")>{t(Key::AlAddComment)}</button>
                            </div>
                            {move || error.get().map(|e| view! { <p class="load-failed" role="alert" data-testid="alert-error">{e}</p> })}
                        </div>
                    }
                }))}
            </Transition>
        </aside>
    }
}

/// What an alert's `detail` adds to its panel: an anomaly's series with its band, a late step's
/// case and procedure, a target's figures.
fn detail_view(a: &AlertRecord, d: Value) -> AnyView {
    let lang = use_lang();
    match a.kind.as_str() {
        "anomaly" => {
            let measure = a.measure.clone();
            view! { <BandChart series=d["series"].as_array().cloned().unwrap_or_default() measure=measure/> }
                .into_any()
        }
        "step_late" | "step_escalated" => {
            let s = |k: &str| d[k].as_str().map(str::to_string).unwrap_or_default();
            let n = |k: &str| d[k].as_i64().unwrap_or_default();
            let procedure = s("procedure");
            let role = s("role");
            view! {
                <dl class="step-facts" data-testid="alert-step" data-procedure=procedure.clone() data-step=s("step")>
                    <div><dt>{t(Key::AlStepCase)}</dt><dd>{format!("{} / {}", s("source"), s("external_id"))}</dd></div>
                    <div><dt>{t(Key::AlStepProcedure)}</dt><dd>{procedure.clone()}</dd></div>
                    <div><dt>{t(Key::AlStepStep)}</dt><dd>{format!("{}. {}", n("ord"), s("step_name"))}</dd></div>
                    <div><dt>{t(Key::AlStepRole)}</dt><dd>{move || role.parse::<domain::Role>().map(|r| crate::i18n::text(lang.get(), crate::i18n::role_key(r))).unwrap_or("")}</dd></div>
                    <div><dt>{t(Key::AlStepDue)}</dt><dd>{s("due_on")}</dd></div>
                    <div><dt>{t(Key::AlStepLate)}</dt><dd data-testid="alert-days-late">{n("days_late")}</dd></div>
                    <div><dt>{t(Key::AlStepEscalates)}</dt><dd>{n("escalate_after")}" "{t(Key::AlDays)}</dd></div>
                </dl>
                <CaseStepsView case=n("case")/>
            }
            .into_any()
        }
        "target_at_risk" | "target_behind" => {
            let f = |k: &str| d[k].as_f64().unwrap_or_default();
            let (p, a_, e, pr) = (f("planned"), f("achieved"), f("expected"), f("projected"));
            view! {
                <dl class="target-facts four">
                    <div><dt>{t(Key::AlPlanned)}</dt><dd>{move || format::decimal(p, 0, lang.get())}</dd></div>
                    <div><dt>{t(Key::AlAchieved)}</dt><dd>{move || format::decimal(a_, 0, lang.get())}</dd></div>
                    <div><dt>{t(Key::AlDueProRata)}</dt><dd>{move || format::decimal(e, 0, lang.get())}</dd></div>
                    <div><dt>{t(Key::AlProjected)}</dt><dd>{move || format::decimal(pr, 0, lang.get())}</dd></div>
                </dl>
            }
            .into_any()
        }
        _ => ().into_any(),
    }
}

/// A monthly series with its band of usual values (between `low` and `high`), the expected
/// value dashed, anomalous months marked.
#[component]
fn BandChart(series: Vec<Value>, measure: String) -> impl IntoView {
    let lang = use_lang();
    let num = |v: &Value, k: &str| v[k].as_f64().filter(|x| x.is_finite());
    let (w, h, left, right, top, bottom) = (640.0, 220.0, 56.0, 12.0, 12.0, 28.0);
    let n = series.len().max(1);
    let max = series
        .iter()
        .flat_map(|v| [num(v, "observed"), num(v, "high")])
        .flatten()
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let x = move |i: usize| left + (w - left - right) * (i as f64 + 0.5) / n as f64;
    let y = move |v: f64| top + (h - top - bottom) * (1.0 - (v / (max * 1.08)).clamp(0.0, 1.0));
    // The band as one polygon over the months that have one.
    let banded: Vec<(usize, f64, f64)> = series
        .iter()
        .enumerate()
        .filter_map(|(i, v)| Some((i, num(v, "low")?, num(v, "high")?)))
        .collect();
    let band = banded
        .iter()
        .map(|(i, _, hi)| format!("{:.1},{:.1}", x(*i), y(*hi)))
        .chain(
            banded
                .iter()
                .rev()
                .map(|(i, lo, _)| format!("{:.1},{:.1}", x(*i), y(*lo))),
        )
        .collect::<Vec<_>>()
        .join(" ");
    let line = |k: &str| {
        series
            .iter()
            .enumerate()
            .filter_map(|(i, v)| num(v, k).map(|val| format!("{:.1},{:.1}", x(i), y(val))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (observed, expected) = (line("observed"), line("expected"));
    let m = measure.clone();
    let top_label = move || labels::alert_value(&m, max, lang.get());
    let dots = series
        .iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let val = num(v, "observed")?;
            let flagged = v["flagged"].as_bool().unwrap_or(false);
            let month = v["month"].as_str().unwrap_or_default().to_string();
            Some(view! {
                <circle cx=format!("{:.1}", x(i)) cy=format!("{:.1}", y(val)) r=if flagged { "5" } else { "2.5" }
                    class=if flagged { "dot flagged" } else { "dot" } data-month=month data-flagged=flagged.to_string()>
                </circle>
            })
        })
        .collect_view();
    let ticks = series
        .iter()
        .enumerate()
        .filter(|(i, _)| i % 3 == (n - 1) % 3)
        .map(|(i, v)| {
            let label = v["month"].as_str().unwrap_or_default().get(..7).unwrap_or_default().to_string();
            view! { <text x=format!("{:.1}", x(i)) y=format!("{:.1}", h - 8.0) class="tick" text-anchor="middle">{label}</text> }
        })
        .collect_view();
    view! {
        <figure class="band-chart" data-testid="alert-series" data-months=series.len().to_string()>
            <figcaption>{t(Key::AlSeries)}</figcaption>
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=t(Key::AlSeries)>
                <line x1=left y1=y(0.0) x2=w - right y2=y(0.0) class="axis"></line>
                <text x=left - 6.0 y=y(max) + 4.0 class="tick" text-anchor="end">{top_label}</text>
                <text x=left - 6.0 y=y(0.0) + 4.0 class="tick" text-anchor="end">"0"</text>
                <polygon points=band class="band"></polygon>
                <polyline points=expected class="expected"></polyline>
                <polyline points=observed class="observed"></polyline>
                {dots}
                {ticks}
            </svg>
            <p class="band-legend">
                <span class="key band"></span>{t(Key::AlBand)}
                <span class="key observed"></span>{t(Key::AlObservedLine)}
                <span class="key flagged"></span>{t(Key::AlFlagged)}
            </p>
        </figure>
    }
}

/// A case's way through its procedure, step by step, with the open step's "done" for those who
/// record work (the next step starts at once; the reminder or escalation clears moments later).
#[component]
fn CaseStepsView(case: i64) -> impl IntoView {
    let live = crate::live::use_live();
    let version = RwSignal::new(0u32);
    let steps = LocalResource::new(move || {
        version.track();
        live.data.track();
        async move { api::get::<CaseSteps>(&format!("/api/v1/cases/{case}/steps")).await }
    });
    let me = use_context::<LocalResource<Result<domain::api::Me, ApiFailure>>>();
    let can_record = move || {
        me.and_then(|m| m.get())
            .and_then(|r| r.ok())
            .is_some_and(|m| !m.role.is_read_only())
    };
    let error = RwSignal::new(None::<String>);
    let done = move |ord: i16| {
        error.set(None);
        leptos::task::spawn_local(async move {
            let url = format!("/api/v1/cases/{case}/steps/{ord}/done");
            match api::post::<_, CaseSteps>(&url, &StepDone::default()).await {
                Ok(_) => version.update(|v| *v += 1),
                Err(ApiFailure::Status(_, msg)) => error.set(Some(msg)),
                Err(ApiFailure::Network) => error.set(Some("network".into())),
            }
        });
    };
    view! {
        <Transition fallback=|| ()>
            {move || steps.get().and_then(|r| r.ok()).map(|cs| view! {
                <ol class="case-steps" data-testid="case-steps">
                    {cs.steps.into_iter().map(|s| {
                        let ord = s.ord;
                        let under_way = matches!(s.state.as_str(), "open" | "late" | "escalated");
                        view! {
                            <li class=format!("case-step {}", s.state) data-state=s.state.clone() data-ord=ord.to_string()>
                                <span class="step-name">{s.name.clone()}</span>
                                <span class="step-dates muted">
                                    {s.started_on.map(|d| d.format("%d/%m").to_string()).unwrap_or_default()}
                                    {s.due_on.map(|d| format!(" → {}", d.format("%d/%m"))).unwrap_or_default()}
                                    {s.done_on.map(|d| format!(" ✓ {}", d.format("%d/%m"))).unwrap_or_default()}
                                </span>
                                {(under_way && can_record()).then(|| view! {
                                    <button type="button" class="btn-secondary" data-testid="step-done"
                                        on:click=move |_| done(ord)>{t(Key::AlStepDone)}</button>
                                })}
                            </li>
                        }
                    }).collect_view()}
                </ol>
                {move || error.get().map(|e| view! { <p class="load-failed" role="alert">{e}</p> })}
            })}
        </Transition>
    }
}
