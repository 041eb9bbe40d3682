//! `/alerts`: the alerts in the caller's scope, open and most severe first, filtered by state and
//! severity; a tap opens one with its history and the work on it (acknowledge, assign, resolve,
//! reopen, comment).

use crate::api::{self, ApiFailure};
use crate::components::or_failed;
use crate::components::shell::AppShell;
use crate::i18n::{Key, t, use_lang};
use domain::alerts::{AlertActionRequest, AlertDetail, AlertPage, AlertRecord};
use domain::format;
use leptos::prelude::*;

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
    let state = RwSignal::new("open");
    let severity = RwSignal::new("");
    let opened = RwSignal::new(None::<i64>);
    let version = RwSignal::new(0u32);
    let page = LocalResource::new(move || {
        let (s, v) = (state.get(), severity.get());
        version.track();
        async move {
            api::get::<AlertPage>(&format!("/api/v1/alerts?state={s}&severity={v}&limit=200")).await
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
                                    <strong>{a.unit_name.clone()}</strong>
                                    <span class="alert-expl">{a.explanation.clone()}</span>
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
    let detail = LocalResource::new(move || {
        version.track();
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
                        <p class="alert-expl">{a.explanation.clone()}</p>
                        {(a.expected.is_some() || a.observed.is_some()).then(|| view! {
                            <dl class="target-facts">
                                <div><dt>{t(Key::AlExpected)}</dt><dd>{a.expected.map(|v| format!("{v:.0}")).unwrap_or_default()}</dd></div>
                                <div><dt>{t(Key::AlObserved)}</dt><dd>{a.observed.map(|v| format!("{v:.0}")).unwrap_or_default()}</dd></div>
                            </dl>
                        })}
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
