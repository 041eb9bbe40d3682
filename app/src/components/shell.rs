//! The app shell: header with the product name, navigation, who is logged in, language and logout.

use crate::api;
use crate::i18n::{Key, Lang, role_key, t, text, use_lang};
use domain::api::Me;
use leptos::prelude::*;

/// The language switch (VI | EN); remembered in a cookie.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let lang = use_lang();
    let choose = move |l: Lang| {
        lang.set(l);
        crate::browser::remember_lang(l);
    };
    view! {
        <div class="lang-switch" role="group" aria-label=t(Key::Language)>
            <button type="button" class:active=move || lang.get() == Lang::Vi
                aria-pressed=move || (lang.get() == Lang::Vi).to_string()
                on:click=move |_| choose(Lang::Vi) lang="vi">"VI"</button>
            <button type="button" class:active=move || lang.get() == Lang::En
                aria-pressed=move || (lang.get() == Lang::En).to_string()
                on:click=move |_| choose(Lang::En) lang="en">"EN"</button>
        </div>
    }
}

/// Whether the browser has a network (`navigator.onLine`, kept current by its events).
#[derive(Clone, Copy)]
pub struct Online(pub RwSignal<bool>);

/// The network state the shell keeps (online when outside a shell).
pub fn use_online() -> RwSignal<bool> {
    use_context::<Online>()
        .map(|o| o.0)
        .unwrap_or_else(|| RwSignal::new(true))
}

/// The page frame for logged-in pages. `me` is provided to children through context.
#[component]
pub fn AppShell(children: Children) -> impl IntoView {
    let lang = use_lang();
    let online = RwSignal::new(true);
    provide_context(Online(online));
    Effect::new(move |_| crate::browser::watch_online(online));
    let location = leptos_router::hooks::use_location();
    let path = location.pathname;
    let me = LocalResource::new(|| api::get::<Me>("/api/v1/me"));
    let live = crate::live::provide_live();
    // Live: the stream is up and the browser has a network.
    let is_live = move || live.connected.get() && online.get();
    // The badge: open alerts in the caller's scope, current with the event stream.
    let open_alerts = LocalResource::new(move || {
        live.alerts.track();
        api::get::<domain::alerts::AlertPage>("/api/v1/alerts?state=open&limit=1")
    });
    provide_context(me);
    // Whether the server says its database is away (checked every 15 s, and at once when the live
    // stream drops): the screens say so until it is back.
    let degraded = RwSignal::new(false);
    let check_health = move || {
        leptos::task::spawn_local(async move {
            if let Some(h) = api::health().await {
                degraded.set(h.status != "ok");
            }
        })
    };
    Effect::new(move |_| {
        check_health();
        crate::browser::every(15_000, check_health);
    });
    Effect::new(move |_| {
        if !live.connected.get() {
            check_health();
        }
    });
    let may = move |action: domain::access::Action| {
        me.get()
            .and_then(|r| r.ok())
            .is_some_and(|m| domain::access::allows(m.role, action))
    };
    let logout = move |_| {
        leptos::task::spawn_local(async move {
            let _ = api::post::<(), ()>("/api/v1/auth/logout", &()).await;
            // What this user saw stays on the tablet no longer than the session.
            crate::browser::forget_saved_data().await;
            crate::browser::go_to("/login");
        });
    };
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true"></span>
                    <span class="brand-name">{t(Key::AppShort)}</span>
                </a>
                <Show when=move || !online.get()>
                    <span class="offline-chip" role="status" data-testid="offline-chip">{t(Key::OfflineMark)}</span>
                </Show>
                <nav class="nav">
                    <a href="/" class:active=move || path.get() == "/" || path.get().starts_with("/overview/")>{t(Key::Overview)}</a>
                    <a href="/analysis" class:active=move || path.get() == "/analysis">{t(Key::Analysis)}</a>
                    <a href="/directives" class:active=move || path.get().starts_with("/directives")>{t(Key::Directives)}</a>
                    <a href="/alerts" class:active=move || path.get() == "/alerts" data-testid="nav-alerts">{t(Key::AlNav)}
                        <Transition fallback=|| ()>
                            {move || open_alerts.get().and_then(|r| r.ok()).filter(|p| p.open > 0).map(|p| view! {
                                <span class="badge" data-testid="alert-badge" data-value=p.open.to_string()>{p.open}</span>
                            })}
                        </Transition>
                    </a>
                    <Transition fallback=|| ()>
                        {move || may(domain::access::Action::ReadReports).then(|| view! {
                            <a href="/reports" class:active=move || path.get() == "/reports" data-testid="nav-reports">{t(Key::RpNav)}</a>
                        })}
                    </Transition>
                    <Transition fallback=|| ()>
                        {move || may(domain::access::Action::ReadNotices).then(|| view! {
                            <a href="/notices" class:active=move || path.get() == "/notices" data-testid="nav-notices">{t(Key::NtNav)}</a>
                        })}
                    </Transition>
                    <Transition fallback=|| ()>
                        {move || may(domain::access::Action::Ingest).then(|| view! {
                            <a href="/upload" class:active=move || path.get() == "/upload">{t(Key::Upload)}</a>
                        })}
                    </Transition>
                </nav>
                // The links used less often wait in a menu, so that every other one stays in view
                // on a tablet and beside a person's name on a wide screen.
                {
                    let here = move || path.get() == "/sources" || path.get().starts_with("/programmes") || path.get().starts_with("/remote/");
                    view! {
                        <details class="nav-more" data-testid="nav-more" class:active=here>
                            <summary>{t(Key::NavMore)}</summary>
                            <div class="nav-menu">
                                <a href="/sources" class:active=move || path.get() == "/sources" data-testid="nav-more-sources">{t(Key::Sources)}</a>
                                <Transition fallback=|| ()>
                                    {move || may(domain::access::Action::ReadProgrammes).then(|| view! {
                                        <a href="/programmes" class:active=move || path.get().starts_with("/programmes") || path.get().starts_with("/remote/") data-testid="nav-more-programmes">{t(Key::PgNav)}</a>
                                    })}
                                </Transition>
                            </div>
                        </details>
                    }
                }
                // An administrator's own screens, in a menu of their own: the navigation keeps
                // to the work everyone does (and fits a tablet).
                <Transition fallback=|| ()>
                    {move || may(domain::access::Action::ManageDisplays)
                        .then(|| {
                            let here = move || matches!(path.get().as_str(), "/procedures" | "/displays" | "/audit");
                            view! {
                                <details class="nav-admin" data-testid="nav-admin" class:active=here>
                                    <summary>{t(Key::NavAdmin)}</summary>
                                    <div class="nav-menu">
                                        <a href="/procedures" class:active=move || path.get() == "/procedures" data-testid="nav-procedures">{t(Key::PrNav)}</a>
                                        <a href="/displays" class:active=move || path.get() == "/displays" data-testid="nav-displays">{t(Key::DpNav)}</a>
                                        <a href="/audit" class:active=move || path.get() == "/audit" data-testid="nav-audit">{t(Key::NavAudit)}</a>
                                    </div>
                                </details>
                            }
                        })}
                </Transition>
                <div class="topbar-right">
                    <span class="live-dot" data-testid="live"
                        data-state=move || if is_live() { "live" } else { "reconnecting" }
                        class:up=is_live
                        title=move || text(lang.get(), if is_live() { Key::LiveOn } else { Key::LiveOff })
                        role="status" aria-label=move || text(lang.get(), if is_live() { Key::LiveOn } else { Key::LiveOff })></span>
                    <Transition fallback=|| ()>
                        {move || me.get().and_then(|r| r.ok()).map(|m| view! {
                            <a class="user" href="/account" data-testid="user" title=move || text(lang.get(), Key::NavAccount)
                                class:active=move || path.get() == "/account">
                                <span class="user-initial" aria-hidden="true">{m.username.chars().next().map(|c| c.to_uppercase().to_string()).unwrap_or_default()}</span>
                                <span class="user-name">{m.username.clone()}</span>
                                <span class="user-meta">
                                    {move || text(lang.get(), role_key(m.role))}" · "{m.scope_name.clone()}
                                </span>
                            </a>
                        })}
                    </Transition>
                    <LanguageSwitch/>
                    <button type="button" class="btn-ghost" on:click=logout>{t(Key::Logout)}</button>
                </div>
            </header>
            <Show when=move || degraded.get()>
                <div class="degraded-banner" role="alert" data-testid="degraded">{t(Key::Degraded)}</div>
            </Show>
            <crate::components::notices::NoticeBand/>
            <main class="content">{children()}</main>
        </div>
    }
}
