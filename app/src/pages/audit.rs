//! `/audit`: an administrator searches the audit trail (who did what, when, on what), newest
//! first, fifty at a time.

use crate::api;
use crate::components::or_failed;
use crate::components::shell::AppShell;
use crate::i18n::{Key, t, text, use_lang};
use leptos::prelude::*;
use serde::Deserialize;

#[component]
pub fn AuditPage() -> impl IntoView {
    view! { <AppShell><AuditView/></AppShell> }
}

/// One entry, as `GET /api/v1/audit` gives it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Entry {
    id: i64,
    at: String,
    actor: String,
    action: String,
    object: String,
    detail: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Page {
    entries: Vec<Entry>,
    next_before: Option<i64>,
    actions: Vec<String>,
}

/// The search's address: the filters that are set, and the page.
fn search_url(
    actor: &str,
    action: &str,
    q: &str,
    from: &str,
    to: &str,
    before: Option<i64>,
) -> String {
    let mut params: Vec<(&str, String)> = [
        ("actor", actor),
        ("action", action),
        ("q", q),
        ("from", from),
        ("to", to),
    ]
    .into_iter()
    .filter(|(_, v)| !v.trim().is_empty())
    .map(|(k, v)| (k, v.trim().to_string()))
    .collect();
    if let Some(b) = before {
        params.push(("before", b.to_string()));
    }
    let query = serde_urlencoded::to_string(&params).unwrap_or_default();
    if query.is_empty() {
        "/api/v1/audit".into()
    } else {
        format!("/api/v1/audit?{query}")
    }
}

#[component]
fn AuditView() -> impl IntoView {
    let lang = use_lang();
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let words = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let before = RwSignal::new(None::<i64>);
    // The search that ran: changed by the form's button, not by each key.
    let url = RwSignal::new(search_url("", "", "", "", "", None));
    let page = LocalResource::new(move || {
        let u = url.get();
        async move { api::get::<Page>(&u).await }
    });
    let run = move |b: Option<i64>| {
        before.set(b);
        url.set(search_url(
            &actor.get_untracked(),
            &action.get_untracked(),
            &words.get_untracked(),
            &from.get_untracked(),
            &to.get_untracked(),
            b,
        ));
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        run(None);
    };
    view! {
        <div class="audit-page">
            <div class="page-head">
                <h1>{t(Key::AuditTitle)}</h1>
                <p class="hint">{t(Key::AuditHint)}</p>
            </div>
            <form class="card audit-filters" on:submit=submit data-testid="audit-filters">
                <label>{t(Key::AuditActor)}
                    <input type="text" name="actor" autocapitalize="none" spellcheck="false"
                        prop:value=actor on:input=move |e| actor.set(event_target_value(&e))/>
                </label>
                <label>{t(Key::AuditAction)}
                    <select name="action" on:change=move |e| action.set(event_target_value(&e))>
                        <option value="" selected=move || action.get().is_empty()>{t(Key::AuditAny)}</option>
                        <Transition fallback=|| ()>
                            {move || page.get().and_then(|r| r.ok()).map(|p| p.actions.into_iter().map(|a| {
                                let (v, label) = (a.clone(), a.clone());
                                view! { <option value=a selected=move || action.get() == v>{label}</option> }
                            }).collect_view())}
                        </Transition>
                    </select>
                </label>
                <label>{t(Key::AuditWords)}
                    <input type="search" name="q" prop:value=words on:input=move |e| words.set(event_target_value(&e))/>
                </label>
                <label>{t(Key::AuditFrom)}
                    <input type="date" name="from" prop:value=from on:input=move |e| from.set(event_target_value(&e))/>
                </label>
                <label>{t(Key::AuditTo)}
                    <input type="date" name="to" prop:value=to on:input=move |e| to.set(event_target_value(&e))/>
                </label>
                <button type="submit" class="btn-primary">{t(Key::AuditSearch)}</button>
            </form>
            <Transition fallback=|| view! { <p class="loading">{t(Key::Loading)}</p> }>
                {move || page.get().map(|r| or_failed(r, move |p: Page| {
                    let next = p.next_before;
                    view! {
                        <section class="card audit-results">
                            {p.entries.is_empty().then(|| view! { <p class="muted">{t(Key::AuditNone)}</p> })}
                            <table class="table audit-table" data-testid="audit-table">
                                <thead><tr>
                                    <th>"#"</th>
                                    <th>{t(Key::AuditAt)}</th>
                                    <th>{t(Key::AuditActor)}</th>
                                    <th>{t(Key::AuditAction)}</th>
                                    <th>{t(Key::AuditObject)}</th>
                                    <th>{t(Key::AuditDetail)}</th>
                                </tr></thead>
                                <tbody>
                                    {p.entries.into_iter().map(|e| {
                                        let detail = if e.detail.as_object().is_some_and(|o| o.is_empty()) {
                                            String::new()
                                        } else {
                                            e.detail.to_string()
                                        };
                                        let kind = e.action.clone();
                                        view! {
                                            <tr data-testid="audit-row" data-action=kind>
                                                <td class="num">{e.id}</td>
                                                <td class="nowrap">{domain::format::local_time(&e.at).unwrap_or_default()}</td>
                                                <td>{e.actor}</td>
                                                <td><code>{e.action}</code></td>
                                                <td>{e.object}</td>
                                                <td class="audit-detail">{detail}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {next.map(|b| view! {
                                <button type="button" class="btn-secondary" data-testid="audit-more"
                                    on:click=move |_| run(Some(b))>{move || text(lang.get(), Key::AuditMore)}</button>
                            })}
                        </section>
                    }
                }))}
            </Transition>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_address_carries_only_what_is_set() {
        assert_eq!(search_url("", "", "", "", "", None), "/api/v1/audit");
        assert_eq!(
            search_url(" lanhdao ", "login_failed", "", "2026-11-01", "", Some(90)),
            "/api/v1/audit?actor=lanhdao&action=login_failed&from=2026-11-01&before=90"
        );
        assert_eq!(
            search_url("", "", "Hà Nội & 5%", "", "", None),
            "/api/v1/audit?q=H%C3%A0+N%E1%BB%99i+%26+5%25"
        );
    }
}
