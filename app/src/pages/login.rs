//! The login page.

use crate::api;
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
    let code = RwSignal::new(String::new());
    // The second step: the account needs its authenticator app's code.
    let needs_code = RwSignal::new(false);
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
            totp: Some(code.get_untracked().trim().to_string()).filter(|c| !c.is_empty()),
        };
        let asked_code = req.totp.is_some();
        let next = crate::browser::safe_next(query.get_untracked().get("next").as_deref());
        leptos::task::spawn_local(async move {
            match api::post_form::<_, Me>("/api/v1/auth/login", &req).await {
                Ok(_) => crate::browser::go_to(&next),
                Err(r) if r.status == 0 => error.set(Some(Key::NetworkError)),
                Err(r) if r.status == 429 => error.set(Some(Key::LoginLocked)),
                Err(r) if r.field.as_deref() == Some("totp") => {
                    if r.error.contains("none is set up") {
                        error.set(Some(Key::LoginNoSecondFactor));
                    } else if asked_code {
                        code.set(String::new());
                        error.set(Some(Key::LoginCodeWrong));
                    } else {
                        needs_code.set(true);
                        focus_code();
                    }
                }
                Err(_) => {
                    needs_code.set(false);
                    code.set(String::new());
                    error.set(Some(Key::LoginFailed));
                }
            }
            busy.set(false);
        });
    };
    let another = move |_| {
        needs_code.set(false);
        code.set(String::new());
        password.set(String::new());
        error.set(None);
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
                    <div class="login-credentials" class:hidden=move || needs_code.get()>
                        <label for="username">{t(Key::Username)}</label>
                        <input id="username" name="username" type="text" autocomplete="username" required
                            autocapitalize="none" spellcheck="false"
                            prop:value=username on:input=move |e| username.set(event_target_value(&e))/>
                        <label for="password">{t(Key::Password)}</label>
                        <input id="password" name="password" type="password" autocomplete="current-password" required
                            prop:value=password on:input=move |e| password.set(event_target_value(&e))/>
                    </div>
                    <Show when=move || needs_code.get()>
                        <div class="login-code">
                            <p class="login-hint">{t(Key::LoginCodeHint)}</p>
                            <label for="totp">{t(Key::LoginCode)}</label>
                            <input id="totp" name="totp" type="text" inputmode="numeric"
                                autocomplete="one-time-code" autocapitalize="none" spellcheck="false"
                                maxlength="20" required
                                prop:value=code on:input=move |e| code.set(event_target_value(&e))/>
                        </div>
                    </Show>
                    <p class="form-error" role="alert" data-testid="login-error">
                        {move || error.get().map(|k| text(lang.get(), k))}
                    </p>
                    <button type="submit" class="btn-primary" disabled=move || busy.get()>
                        {move || match (busy.get(), needs_code.get()) {
                            (true, _) => text(lang.get(), Key::LoggingIn),
                            (false, true) => text(lang.get(), Key::LoginVerify),
                            (false, false) => text(lang.get(), Key::Login),
                        }}
                    </button>
                    <Show when=move || needs_code.get()>
                        <button type="button" class="btn-link login-back" on:click=another>
                            {t(Key::LoginBack)}
                        </button>
                    </Show>
                </form>
            </section>
        </div>
    }
}

/// Puts the cursor in the code field once it is shown.
fn focus_code() {
    #[cfg(feature = "hydrate")]
    crate::browser::after(0, || {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("totp"))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    });
}
