//! The login page.

use crate::api::{self, ApiFailure};
use crate::components::shell::LanguageSwitch;
use crate::i18n::{Key, t, text, use_lang};
use domain::api::{LoginRequest, Me};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Key>);
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let req = LoginRequest {
            username: username.get_untracked().trim().to_string(),
            password: password.get_untracked(),
            totp: None,
        };
        let next = crate::browser::safe_next(query.get_untracked().get("next").as_deref());
        leptos::task::spawn_local(async move {
            match api::post::<_, Me>("/api/v1/auth/login", &req).await {
                Ok(_) => crate::browser::go_to(&next),
                Err(ApiFailure::Status(429, _)) => error.set(Some(Key::LoginLocked)),
                Err(ApiFailure::Status(_, _)) => error.set(Some(Key::LoginFailed)),
                Err(ApiFailure::Network) => error.set(Some(Key::NetworkError)),
            }
            busy.set(false);
        });
    };

    view! {
        <div class="login-page">
            <section class="login-hero" aria-hidden="true">
                <div class="login-hero-inner">
                    <span class="brand-mark large"></span>
                    <p class="login-hero-title">{t(Key::AppName)}</p>
                </div>
            </section>
            <section class="login-panel">
                <div class="login-top"><LanguageSwitch/></div>
                <form class="login-form" on:submit=submit novalidate>
                    <h1>{t(Key::LoginTitle)}</h1>
                    <p class="login-hint">{t(Key::LoginHint)}</p>
                    <label for="username">{t(Key::Username)}</label>
                    <input id="username" name="username" type="text" autocomplete="username" required
                        autocapitalize="none" spellcheck="false"
                        prop:value=username on:input=move |e| username.set(event_target_value(&e))/>
                    <label for="password">{t(Key::Password)}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required
                        prop:value=password on:input=move |e| password.set(event_target_value(&e))/>
                    <p class="form-error" role="alert" data-testid="login-error">
                        {move || error.get().map(|k| text(lang.get(), k))}
                    </p>
                    <button type="submit" class="btn-primary" disabled=move || busy.get()>
                        {move || if busy.get() { text(lang.get(), Key::LoggingIn) } else { text(lang.get(), Key::Login) }}
                    </button>
                </form>
            </section>
        </div>
    }
}
