//! Urgent notices on a person's screens: every page of the shell shows, above its content, the
//! notices sent to the person's site that the site has not acknowledged yet, with the button that
//! acknowledges them. They come at once through the event stream (`notice`), and go when the
//! site acknowledges, the sender closes them or they expire.

use crate::api::{self, ApiFailure};
use crate::i18n::{Key, t, text, use_lang};
use domain::format;
use domain::notices::{ActiveNotice, ActiveNotices, NoticeRecord};
use leptos::prelude::*;

/// The label of a notice's severity.
pub fn severity_key(severity: &str) -> Key {
    match severity {
        "critical" => Key::NtSevCritical,
        "warning" => Key::NtSevWarning,
        _ => Key::NtSevInfo,
    }
}

/// The band above a page's content.
#[component]
pub fn NoticeBand() -> impl IntoView {
    let live = crate::live::use_live();
    // Acknowledged here: hidden at once, before the event's round trip.
    let done = RwSignal::new(Vec::<i64>::new());
    let active = LocalResource::new(move || {
        live.notices.track();
        api::get::<ActiveNotices>("/api/v1/notices/active")
    });
    let open = move || {
        let done = done.get();
        active
            .get()
            .and_then(|r| r.ok())
            .map(|a| {
                a.notices
                    .into_iter()
                    .filter(|n| n.acknowledged_at.is_none() && !done.contains(&n.id))
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <Transition fallback=|| ()>
            {move || {
                let open = open();
                (!open.is_empty()).then(|| view! {
                    <section class="notice-band" aria-live="assertive" data-testid="notice-band">
                        {open.into_iter().map(|n| view! { <NoticeCard n=n done=done/> }).collect_view()}
                    </section>
                })
            }}
        </Transition>
    }
}

#[component]
fn NoticeCard(n: ActiveNotice, done: RwSignal<Vec<i64>>) -> impl IntoView {
    let lang = use_lang();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let id = n.id;
    let ack = move |_| {
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::post::<_, NoticeRecord>(&format!("/api/v1/notices/{id}/ack"), &()).await {
                Ok(_) => done.update(|d| d.push(id)),
                Err(ApiFailure::Status(_, msg)) => error.set(Some(msg)),
                Err(ApiFailure::Network) => {
                    error.set(Some(text(lang.get_untracked(), Key::NetworkError).into()))
                }
            }
            busy.set(false);
        });
    };
    let sent = format::local_time(&n.sent_at).unwrap_or_default();
    let reminded = n.reminded_at.is_some();
    view! {
        <article class="notice-card" data-severity=n.severity.clone() data-testid="notice-card"
            data-id=id.to_string() role="alert">
            <div class="notice-mark">
                <span class="notice-label">{t(Key::NtBanner)}</span>
                <span class="notice-sev">{t(severity_key(&n.severity))}</span>
                {reminded.then(|| view! { <span class="notice-reminder" data-testid="notice-reminder">{t(Key::NtReminder)}</span> })}
            </div>
            <div class="notice-body">
                <p class="notice-text">{n.text.clone()}</p>
                <p class="notice-meta muted">
                    {t(Key::NtFrom)}" "{n.sender_unit_name.clone()}" · "{t(Key::NtSentAt)}" "{sent}
                    {n.unit_name.clone().map(|u| view! { " · "{t(Key::NtConcerns)}": "{u} })}
                </p>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            </div>
            <div class="notice-actions">
                {n.link.clone().filter(|l| domain::notices::is_own_path(l)).map(|l| view! {
                    <a class="btn-secondary" href=l>{t(Key::NtOpen)}</a>
                })}
                <button type="button" class="btn-primary" data-testid="notice-ack"
                    disabled=move || busy.get() on:click=ack>{t(Key::NtAck)}</button>
            </div>
        </article>
    }
}
