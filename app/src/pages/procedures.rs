//! `/procedures`: the standard procedures cases follow, one per case kind: each step's deadline,
//! the role that does it and when a late step goes to the level above. An administrator edits a
//! procedure in place (a new version; the server names any field it refuses); everyone else
//! reads them.

use crate::api::{self, ApiFailure};
use crate::components::or_failed;
use crate::components::shell::AppShell;
use crate::i18n::{Key, role_key, t, text, use_lang};
use domain::api::Me;
use domain::procedures::{Procedure, ProcedureEdit, Step};
use leptos::prelude::*;

#[component]
pub fn ProceduresPage() -> impl IntoView {
    view! { <AppShell><Procedures/></AppShell> }
}

#[component]
fn Procedures() -> impl IntoView {
    let live = crate::live::use_live();
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        live.procedures.track();
        api::get::<Vec<Procedure>>("/api/v1/procedures")
    });
    view! {
        <div class="procedures-page">
            <div class="page-head">
                <h1>{t(Key::PrTitle)}</h1>
                <p class="hint">{t(Key::PrHint)}</p>
            </div>
            <Transition fallback=|| view! { <p class="loading">{t(Key::Loading)}</p> }>
                {move || list.get().map(|r| or_failed(r, move |all: Vec<Procedure>| view! {
                    <div class="procedure-list">
                        {all.into_iter().map(|p| view! {
                            <ProcedureCard p=p on_saved=move || version.update(|v| *v += 1)/>
                        }).collect_view()}
                    </div>
                }))}
            </Transition>
        </div>
    }
}

const ROLES: [domain::Role; 4] = [
    domain::Role::Leader,
    domain::Role::Analyst,
    domain::Role::DataOfficer,
    domain::Role::Admin,
];

#[component]
fn ProcedureCard(
    p: Procedure,
    on_saved: impl Fn() + 'static + Send + Sync + Copy,
) -> impl IntoView {
    let lang = use_lang();
    let me = use_context::<LocalResource<Result<Me, ApiFailure>>>();
    let admin = move || {
        me.and_then(|m| m.get())
            .and_then(|r| r.ok())
            .is_some_and(|m| m.role == domain::Role::Admin)
    };
    let editing = RwSignal::new(false);
    let name = RwSignal::new(p.name.clone());
    let steps = RwSignal::new(p.steps.clone());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let code = p.code.clone();
    let base = p.version;
    let original = (p.name.clone(), p.steps.clone());
    let cancel = move |_| {
        name.set(original.0.clone());
        steps.set(original.1.clone());
        error.set(None);
        editing.set(false);
    };
    let save = {
        let code = code.clone();
        move |_| {
            busy.set(true);
            error.set(None);
            let edit = ProcedureEdit {
                name: name.get_untracked(),
                steps: steps.get_untracked(),
                version: Some(base),
            };
            let code = code.clone();
            leptos::task::spawn_local(async move {
                match api::put::<_, Procedure>(&format!("/api/v1/procedures/{code}"), &edit).await {
                    Ok(_) => {
                        editing.set(false);
                        on_saved();
                    }
                    Err(ApiFailure::Status(_, msg)) => error.set(Some(msg)),
                    Err(ApiFailure::Network) => {
                        error.set(Some(text(lang.get_untracked(), Key::NetworkError).into()))
                    }
                }
                busy.set(false);
            });
        }
    };
    let set_step = move |i: usize, f: Box<dyn FnOnce(&mut Step)>| {
        steps.update(|s| {
            if let Some(step) = s.get_mut(i) {
                f(step);
            }
        })
    };
    let number =
        |ev: leptos::ev::Event| event_target_value(&ev).trim().parse::<i32>().unwrap_or(-1);
    view! {
        <section class="procedure card" id=code.clone() data-testid="procedure" data-code=code.clone()>
            <div class="procedure-head">
                <div>
                    <h2>{move || name.get()}</h2>
                    <p class="muted">{code.clone()}" · "{move || crate::labels::kind(p.case_kind.parse().unwrap_or(domain::CaseKind::Complaint), lang.get())}
                        " · "{t(Key::PrVersion)}" "<span data-testid="procedure-version">{p.version}</span>
                        " · "{t(Key::PrUpdated)}" "{
                            let by = p.updated_by.clone();
                            move || if by == "seed" { text(lang.get(), Key::PrBySeed).to_string() } else { by.clone() }
                        }</p>
                </div>
                <Show when=move || admin() && !editing.get()>
                    <button type="button" class="btn-secondary" data-testid="procedure-edit" on:click=move |_| editing.set(true)>{t(Key::PrEdit)}</button>
                </Show>
            </div>
            <Show when=move || editing.get()>
                <label class="procedure-name">{t(Key::PrName)}
                    <input type="text" prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                </label>
            </Show>
            <table class="procedure-steps">
                <thead><tr>
                    <th>{t(Key::PrOrd)}</th><th>{t(Key::PrStepName)}</th><th>{t(Key::PrCode)}</th>
                    <th>{t(Key::PrRole)}</th><th class="num">{t(Key::PrDays)}</th><th class="num">{t(Key::PrEscalate)}</th>
                    <Show when=move || editing.get()><th></th></Show>
                </tr></thead>
                <tbody>
                    {move || steps.get().into_iter().enumerate().map(|(i, s)| {
                        let role = s.role.clone();
                        if editing.get() {
                            view! {
                                <tr data-step=s.code.clone()>
                                    <td>{i + 1}</td>
                                    <td><input type="text" prop:value=s.name.clone()
                                        on:change=move |ev| { let v = event_target_value(&ev); set_step(i, Box::new(move |s| s.name = v)) }/></td>
                                    <td><input type="text" class="code" prop:value=s.code.clone()
                                        on:change=move |ev| { let v = event_target_value(&ev); set_step(i, Box::new(move |s| s.code = v)) }/></td>
                                    <td><select on:change=move |ev| { let v = event_target_value(&ev); set_step(i, Box::new(move |s| s.role = v)) }>
                                        {ROLES.iter().map(|r| {
                                            let value = r.as_str();
                                            view! { <option value=value selected=role == value>{move || text(lang.get(), role_key(*r))}</option> }
                                        }).collect_view()}
                                    </select></td>
                                    <td class="num"><input type="number" min="1" data-testid="step-days" prop:value=s.days.to_string()
                                        on:change=move |ev| { let v = number(ev); set_step(i, Box::new(move |s| s.days = v)) }/></td>
                                    <td class="num"><input type="number" min="0" data-testid="step-escalate" prop:value=s.escalate_after.to_string()
                                        on:change=move |ev| { let v = number(ev); set_step(i, Box::new(move |s| s.escalate_after = v)) }/></td>
                                    <td><button type="button" class="btn-icon" aria-label=t(Key::PrRemoveStep)
                                        on:click=move |_| steps.update(|s| { if s.len() > 1 { s.remove(i); } })>"×"</button></td>
                                </tr>
                            }.into_any()
                        } else {
                            view! {
                                <tr data-step=s.code.clone()>
                                    <td>{i + 1}</td>
                                    <td>{s.name.clone()}</td>
                                    <td class="muted">{s.code.clone()}</td>
                                    <td>{move || role.parse::<domain::Role>().map(|r| text(lang.get(), role_key(r))).unwrap_or("")}</td>
                                    <td class="num" data-testid="step-days">{s.days}</td>
                                    <td class="num" data-testid="step-escalate">{s.escalate_after}</td>
                                </tr>
                            }.into_any()
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Show when=move || editing.get()>
                <div class="unit-panel-actions">
                    <button type="button" class="btn-secondary" on:click=move |_| steps.update(|s| s.push(Step {
                        code: format!("step_{}", s.len() + 1), name: String::new(), role: "analyst".into(), days: 10, escalate_after: 3,
                    }))>{t(Key::PrAddStep)}</button>
                    <button type="button" class="btn-secondary" on:click=cancel.clone()>{t(Key::PrCancel)}</button>
                    <button type="button" class="btn-primary" data-testid="procedure-save" disabled=move || busy.get() on:click=save.clone()>{t(Key::PrSave)}</button>
                </div>
            </Show>
            {move || error.get().map(|e| view! { <p class="load-failed" role="alert" data-testid="procedure-error">{e}</p> })}
        </section>
    }
}
