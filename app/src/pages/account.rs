//! `/account`: a person's own account. The password (every other session ends when it changes),
//! the authenticator app (a new one replaces the old once its first code is confirmed) and the
//! recovery codes (shown once, each works once).

use crate::api;
use crate::components::or_failed;
use crate::components::shell::AppShell;
use crate::i18n::{Key, role_key, t, text, use_lang};
use domain::api::{
    Account, CodeRequest, Me, PasswordChange, Reauthenticate, RecoveryCodes, TotpSetup,
};
use leptos::prelude::*;

#[component]
pub fn AccountPage() -> impl IntoView {
    view! { <AppShell><AccountView/></AppShell> }
}

/// A refusal as the form shows it: the server's reason, beside the field it names.
fn refusal(r: api::Refused, lang: crate::i18n::Lang) -> String {
    if r.status == 0 {
        text(lang, Key::NetworkError).to_string()
    } else {
        r.error
    }
}

#[component]
fn AccountView() -> impl IntoView {
    let lang = use_lang();
    let version = RwSignal::new(0u32);
    let account = LocalResource::new(move || {
        version.track();
        api::get::<Account>("/api/v1/account")
    });
    let reload = move || version.update(|v| *v += 1);
    // Recovery codes just made, shown once.
    let codes = RwSignal::new(None::<Vec<String>>);
    view! {
        <div class="account-page">
            <div class="page-head"><h1>{t(Key::AccTitle)}</h1></div>
            <Transition fallback=|| view! { <p class="loading">{t(Key::Loading)}</p> }>
                {move || account.get().map(|r| or_failed(r, move |a: Account| {
                    let changed = domain::format::local_time(&a.password_changed_at).unwrap_or_default();
                    view! {
                        <section class="card account-who">
                            <dl class="facts">
                                <dt>{t(Key::Username)}</dt><dd data-testid="acc-username">{a.username.clone()}</dd>
                                <dt>{t(Key::AccRole)}</dt><dd>{move || text(lang.get(), role_key(a.role))}</dd>
                                <dt>{t(Key::AccScope)}</dt><dd>{a.scope_name.clone()}</dd>
                                <dt>{t(Key::AccPasswordChanged)}</dt><dd>{changed}</dd>
                            </dl>
                        </section>
                        <section class="card account-2fa" data-testid="acc-2fa"
                            data-enrolled=a.second_factor_enrolled.to_string()>
                            <h2>{t(Key::AccTwoFactor)}</h2>
                            <p>
                                {if a.second_factor_enrolled { t(Key::AccTwoFactorOn) } else { t(Key::AccTwoFactorOff) }}
                                {a.second_factor_required.then(|| view! { " "<strong>{t(Key::AccTwoFactorRequired)}</strong> })}
                            </p>
                            {a.second_factor_enrolled.then(|| view! {
                                <p>{t(Key::AccRecoveryLeft)}": "<strong data-testid="acc-codes-left">{a.recovery_codes_left}</strong></p>
                            })}
                            <SetUpApp on_done=move |c| { codes.set(Some(c)); reload(); }/>
                            {a.second_factor_enrolled.then(|| view! {
                                <NewCodes on_done=move |c| { codes.set(Some(c)); reload(); }/>
                            })}
                        </section>
                    }
                }))}
            </Transition>
            {move || codes.get().map(|c| view! {
                <section class="card account-codes" data-testid="acc-codes" role="status">
                    <p>{t(Key::AccCodesShown)}</p>
                    <ol class="recovery-codes">
                        {c.into_iter().map(|code| view! { <li><code>{code}</code></li> }).collect_view()}
                    </ol>
                </section>
            })}
            <PasswordForm/>
        </div>
    }
}

/// Changing the password: the current one, the new one; every other session ends.
#[component]
fn PasswordForm() -> impl IntoView {
    let lang = use_lang();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let error = RwSignal::new(None::<(Option<String>, String)>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        done.set(false);
        error.set(None);
        let body = PasswordChange {
            current: current.get_untracked(),
            new: new.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::post_form::<_, Me>("/api/v1/account/password", &body).await {
                Ok(_) => {
                    current.set(String::new());
                    new.set(String::new());
                    done.set(true);
                }
                Err(r) => error.set(Some((r.field.clone(), refusal(r, lang.get_untracked())))),
            }
            busy.set(false);
        });
    };
    let field_error = move |f: &'static str| {
        move || {
            error
                .get()
                .filter(|(field, _)| field.as_deref() == Some(f))
                .map(|(_, e)| e)
        }
    };
    view! {
        <form class="card account-form" on:submit=submit data-testid="acc-password" novalidate>
            <h2>{t(Key::AccPasswordTitle)}</h2>
            <p class="hint">{t(Key::AccPasswordHint)}</p>
            <label for="acc-current">{t(Key::AccCurrent)}</label>
            <input id="acc-current" type="password" autocomplete="current-password"
                prop:value=current on:input=move |e| current.set(event_target_value(&e))/>
            <p class="form-error" role="alert">{field_error("current")}</p>
            <label for="acc-new">{t(Key::AccNew)}</label>
            <input id="acc-new" type="password" autocomplete="new-password"
                prop:value=new on:input=move |e| new.set(event_target_value(&e))/>
            <p class="form-error" role="alert" data-testid="acc-password-error">
                {move || error.get().filter(|(f, _)| f.as_deref() != Some("current")).map(|(_, e)| e)}
            </p>
            {move || done.get().then(|| view! { <p class="form-ok" data-testid="acc-password-ok">{t(Key::AccChanged)}</p> })}
            <button type="submit" class="btn-primary" disabled=move || busy.get()>{t(Key::AccChange)}</button>
        </form>
    }
}

/// Setting up a new authenticator app: the password again, then the QR code and secret, then
/// the new app's first code.
#[component]
fn SetUpApp(on_done: impl Fn(Vec<String>) + Copy + Send + Sync + 'static) -> impl IntoView {
    let lang = use_lang();
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let setup = RwSignal::new(None::<TotpSetup>);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let start = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let body = Reauthenticate {
            password: password.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::post_form::<_, TotpSetup>("/api/v1/account/totp", &body).await {
                Ok(s) => {
                    password.set(String::new());
                    setup.set(Some(s));
                }
                Err(r) => error.set(Some(refusal(r, lang.get_untracked()))),
            }
            busy.set(false);
        });
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let body = CodeRequest {
            code: code.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::post_form::<_, RecoveryCodes>("/api/v1/account/totp/confirm", &body).await {
                Ok(c) => {
                    setup.set(None);
                    code.set(String::new());
                    on_done(c.codes);
                }
                Err(r) => error.set(Some(refusal(r, lang.get_untracked()))),
            }
            busy.set(false);
        });
    };
    view! {
        <details class="account-step" data-testid="acc-setup">
            <summary>{t(Key::AccSetUp)}</summary>
            {move || match setup.get() {
                None => view! {
                    <form class="account-form" on:submit=start novalidate>
                        <p class="hint">{t(Key::AccSetUpHint)}</p>
                        <label for="acc-setup-password">{t(Key::Password)}</label>
                        <input id="acc-setup-password" type="password" autocomplete="current-password"
                            prop:value=password on:input=move |e| password.set(event_target_value(&e))/>
                        <button type="submit" class="btn-secondary" disabled=move || busy.get()>{t(Key::AccSetUp)}</button>
                    </form>
                }.into_any(),
                Some(s) => view! {
                    <form class="account-form" on:submit=confirm novalidate>
                        <p>{t(Key::AccScan)}</p>
                        <div class="totp-qr" inner_html=s.qr_svg.clone()></div>
                        <p><code class="totp-secret" data-testid="acc-secret">{s.secret.clone()}</code></p>
                        <label for="acc-confirm">{t(Key::AccConfirmCode)}</label>
                        <input id="acc-confirm" type="text" inputmode="numeric" autocomplete="one-time-code"
                            maxlength="7" prop:value=code on:input=move |e| code.set(event_target_value(&e))/>
                        <button type="submit" class="btn-primary" disabled=move || busy.get()>{t(Key::AccConfirm)}</button>
                    </form>
                }.into_any(),
            }}
            <p class="form-error" role="alert" data-testid="acc-setup-error">{move || error.get()}</p>
        </details>
    }
}

/// New recovery codes, for the current code of the app.
#[component]
fn NewCodes(on_done: impl Fn(Vec<String>) + Copy + Send + Sync + 'static) -> impl IntoView {
    let lang = use_lang();
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        error.set(None);
        let body = CodeRequest {
            code: code.get_untracked(),
        };
        leptos::task::spawn_local(async move {
            match api::post_form::<_, RecoveryCodes>("/api/v1/account/recovery-codes", &body).await
            {
                Ok(c) => {
                    code.set(String::new());
                    on_done(c.codes);
                }
                Err(r) => error.set(Some(refusal(r, lang.get_untracked()))),
            }
            busy.set(false);
        });
    };
    view! {
        <details class="account-step" data-testid="acc-new-codes">
            <summary>{t(Key::AccNewCodes)}</summary>
            <form class="account-form" on:submit=submit novalidate>
                <p class="hint">{t(Key::AccNewCodesHint)}</p>
                <label for="acc-code">{t(Key::LoginCode)}</label>
                <input id="acc-code" type="text" inputmode="numeric" autocomplete="one-time-code"
                    maxlength="7" prop:value=code on:input=move |e| code.set(event_target_value(&e))/>
                <button type="submit" class="btn-secondary" disabled=move || busy.get()>{t(Key::AccNewCodes)}</button>
            </form>
            <p class="form-error" role="alert">{move || error.get()}</p>
        </details>
    }
}
