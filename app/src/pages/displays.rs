//! `/displays`: an administrator's wall displays. Creating one makes a read-only key scoped to a
//! unit and shows the wall's address once (the key rides in its fragment); each display's
//! scenes, time per scene and language are edited here and reach the wall at once; revoking
//! the key blanks the wall.

use crate::api::{self, ApiFailure};
use crate::components::or_failed;
use crate::components::shell::AppShell;
use crate::i18n::{Key, t, text, use_lang};
use domain::display::{DEFAULT_INTERVAL, DisplayCreated, DisplayEdit, DisplayRecord, Scene};
use domain::format;
use leptos::prelude::*;

#[component]
pub fn DisplaysPage() -> impl IntoView {
    view! { <AppShell><Displays/></AppShell> }
}

/// The scenes an administrator ticks, besides chosen units.
const KINDS: [(Scene, Key); 4] = [
    (Scene::Overview, Key::WallSceneOverview),
    (Scene::Map, Key::WallSceneMap),
    (Scene::Alerts, Key::WallSceneAlerts),
    (Scene::Directives, Key::WallSceneDirectives),
];

#[component]
fn Displays() -> impl IntoView {
    let version = RwSignal::new(0u32);
    let list = LocalResource::new(move || {
        version.track();
        api::get::<Vec<DisplayRecord>>("/api/v1/displays")
    });
    let created = RwSignal::new(None::<DisplayCreated>);
    let reload = move || version.update(|v| *v += 1);
    let made = move |made: Option<DisplayCreated>| {
        created.set(made);
        reload();
    };
    view! {
        <div class="displays-page">
            <div class="page-head">
                <h1>{t(Key::DpTitle)}</h1>
                <p class="hint">{t(Key::DpHint)}</p>
            </div>
            <DisplayForm record=None on_saved=made/>
            {move || created.get().map(|c| view! { <CreatedNote created=c/> })}
            <Transition fallback=|| view! { <p class="loading">{t(Key::Loading)}</p> }>
                {move || list.get().map(|r| or_failed(r, move |all: Vec<DisplayRecord>| view! {
                    <div class="display-list" data-testid="display-list">
                        {all.is_empty().then(|| view! { <p class="muted">{t(Key::DpNone)}</p> })}
                        {all.into_iter().map(|d| view! { <DisplayCard d=d on_change=reload/> }).collect_view()}
                    </div>
                }))}
            </Transition>
        </div>
    }
}

/// The wall's address with its key, shown once, and how the room's system embeds it.
#[component]
fn CreatedNote(created: DisplayCreated) -> impl IntoView {
    let origin = web_origin();
    let url = format!("{origin}{}", created.url);
    let embed = format!(
        "<iframe src=\"{url}\" style=\"border:0;width:100%;height:100%\" allow=\"fullscreen\"></iframe>"
    );
    view! {
        <section class="card display-created" data-testid="display-created">
            <p>{t(Key::DpCreated)}</p>
            <p><code class="display-url" data-testid="display-url">{url.clone()}</code></p>
            <p><a class="btn-primary" href=created.url.clone() target="_blank" rel="noopener">{t(Key::DpOpen)}</a></p>
            <h3>{t(Key::DpEmbed)}</h3>
            <p class="hint">{t(Key::DpEmbedHint)}</p>
            <pre class="display-embed">{embed}</pre>
        </section>
    }
}

fn web_origin() -> String {
    #[cfg(feature = "hydrate")]
    return web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

#[component]
fn DisplayCard(
    d: DisplayRecord,
    on_change: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let editing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let revoked = d.revoked_at.is_some();
    let id = d.id;
    let revoke = move |_| {
        if !crate::browser::confirm(text(lang.get_untracked(), Key::DpRevokeConfirm)) {
            return;
        }
        leptos::task::spawn_local(async move {
            match api::post::<_, DisplayRecord>(&format!("/api/v1/displays/{id}/revoke"), &()).await
            {
                Ok(_) => on_change(),
                Err(ApiFailure::Status(_, msg)) => error.set(Some(msg)),
                Err(ApiFailure::Network) => {
                    error.set(Some(text(lang.get_untracked(), Key::NetworkError).into()))
                }
            }
        });
    };
    let scenes = d
        .scenes
        .iter()
        .map(|s| match s {
            Scene::Unit { unit } => unit.clone(),
            other => KINDS
                .iter()
                .find(|(k, _)| k == other)
                .map(|(_, key)| text(lang.get_untracked(), *key).to_string())
                .unwrap_or_default(),
        })
        .collect::<Vec<_>>();
    let seen = d.last_seen.clone();
    let record = d.clone();
    view! {
        <section class="card display-card" class:revoked=revoked data-testid="display" data-id=id.to_string()>
            <div class="display-head">
                <div>
                    <h2>{d.name.clone()}</h2>
                    <p class="muted">{d.unit_name.clone()}" ("{d.unit.clone()}") · "
                        {d.interval_seconds}" s · "{d.lang.to_uppercase()}</p>
                </div>
                <div class="display-state">
                    {if revoked {
                        view! { <span class="pill revoked">{t(Key::DpRevoked)}</span> }.into_any()
                    } else {
                        view! { <span class="pill live">{t(Key::DpLive)}</span> }.into_any()
                    }}
                    <p class="muted">{t(Key::DpLastSeen)}": "
                        {move || seen.as_deref().and_then(format::local_time).unwrap_or_else(|| text(lang.get(), Key::DpNever).into())}</p>
                </div>
            </div>
            <ul class="scene-chips">
                {scenes.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
            </ul>
            {(!revoked).then(|| view! {
                <div class="display-actions">
                    <button type="button" class="btn-secondary" data-testid="display-edit"
                        on:click=move |_| editing.update(|e| *e = !*e)>{t(Key::DpEdit)}</button>
                    <button type="button" class="btn-secondary danger" data-testid="display-revoke"
                        on:click=revoke>{t(Key::DpRevoke)}</button>
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || editing.get().then(|| {
                let record = record.clone();
                let done = move |_: Option<DisplayCreated>| {
                    editing.set(false);
                    on_change();
                };
                view! { <DisplayForm record=Some(record) on_saved=done/> }
            })}
        </section>
    }
}

/// The form that creates a display (no `record`) or edits one.
#[component]
fn DisplayForm(
    record: Option<DisplayRecord>,
    on_saved: impl Fn(Option<DisplayCreated>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let lang = use_lang();
    let editing = record.clone();
    let name = RwSignal::new(record.as_ref().map(|r| r.name.clone()).unwrap_or_default());
    let unit = RwSignal::new(record.as_ref().map(|r| r.unit.clone()).unwrap_or_default());
    let chosen = record
        .as_ref()
        .map(|r| r.scenes.clone())
        .unwrap_or_else(domain::display::default_scenes);
    let ticked = RwSignal::new(
        KINDS
            .iter()
            .map(|(k, _)| chosen.contains(k))
            .collect::<Vec<bool>>(),
    );
    let units = RwSignal::new(
        chosen
            .iter()
            .filter_map(|s| match s {
                Scene::Unit { unit } => Some(unit.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(", "),
    );
    let interval = RwSignal::new(
        record
            .as_ref()
            .map_or(DEFAULT_INTERVAL, |r| r.interval_seconds)
            .to_string(),
    );
    let wall_lang = RwSignal::new(record.as_ref().map_or("vi".to_string(), |r| r.lang.clone()));
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let id = record.as_ref().map(|r| r.id);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut scenes: Vec<Scene> = KINDS
            .iter()
            .zip(ticked.get_untracked())
            .filter(|(_, on)| *on)
            .map(|((k, _), _)| k.clone())
            .collect();
        scenes.extend(
            units
                .get_untracked()
                .split([',', ' ', ';'])
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(|u| Scene::Unit {
                    unit: u.to_string(),
                }),
        );
        let edit = DisplayEdit {
            name: name.get_untracked(),
            unit: Some(unit.get_untracked().trim().to_string()).filter(|u| !u.is_empty()),
            scenes,
            // A number the server refuses, naming the field, rather than a guess.
            interval_seconds: interval.get_untracked().trim().parse().unwrap_or(-1),
            lang: Some(wall_lang.get_untracked()),
        };
        busy.set(true);
        error.set(None);
        saved.set(false);
        leptos::task::spawn_local(async move {
            let result = match id {
                None => api::post::<_, DisplayCreated>("/api/v1/displays", &edit)
                    .await
                    .map(Some),
                Some(id) => api::put::<_, DisplayRecord>(&format!("/api/v1/displays/{id}"), &edit)
                    .await
                    .map(|_| None),
            };
            match result {
                Ok(made) => {
                    saved.set(true);
                    if made.is_some() {
                        name.set(String::new());
                    }
                    on_saved(made);
                }
                Err(ApiFailure::Status(_, msg)) => error.set(Some(msg)),
                Err(ApiFailure::Network) => {
                    error.set(Some(text(lang.get_untracked(), Key::NetworkError).into()))
                }
            }
            busy.set(false);
        });
    };
    let creating = editing.is_none();
    view! {
        <form class="card display-form" on:submit=submit data-testid=if creating { "display-new" } else { "display-form" }>
            <div class="form-row">
                <label>{t(Key::DpName)}
                    <input type="text" name="name" required maxlength="80" prop:value=move || name.get()
                        on:input=move |ev| name.set(event_target_value(&ev))/>
                </label>
                {creating.then(|| view! {
                    <label>{t(Key::DpUnit)}
                        <input type="text" name="unit" placeholder="VN" prop:value=move || unit.get()
                            on:input=move |ev| unit.set(event_target_value(&ev))/>
                    </label>
                })}
                <label>{t(Key::DpInterval)}
                    <input type="number" name="interval" min="8" max="600" prop:value=move || interval.get()
                        on:input=move |ev| interval.set(event_target_value(&ev))/>
                </label>
                <label>{t(Key::DpLang)}
                    <select name="lang" on:change=move |ev| wall_lang.set(event_target_value(&ev))>
                        <option value="vi" selected=move || wall_lang.get() == "vi">"Tiếng Việt"</option>
                        <option value="en" selected=move || wall_lang.get() == "en">"English"</option>
                    </select>
                </label>
            </div>
            <fieldset class="scene-picks">
                <legend>{t(Key::DpScenes)}</legend>
                {KINDS.iter().enumerate().map(|(i, (scene, key))| view! {
                    <label class="check">
                        <input type="checkbox" name=scene.kind() prop:checked=move || ticked.with(|t| t[i])
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                ticked.update(|t| t[i] = on);
                            }/>
                        {t(*key)}
                    </label>
                }).collect_view()}
                <label>{t(Key::DpUnitScene)}
                    <input type="text" name="units" placeholder=move || text(lang.get(), Key::DpUnitScenePick)
                        prop:value=move || units.get() on:input=move |ev| units.set(event_target_value(&ev))/>
                </label>
            </fieldset>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert" data-testid="display-error">{e}</p> })}
            {move || (saved.get() && !creating).then(|| view! { <p class="form-ok">{t(Key::DpSaved)}</p> })}
            <button type="submit" class="btn-primary" disabled=move || busy.get()>
                {t(if creating { Key::DpCreate } else { Key::DpSave })}
            </button>
        </form>
    }
}
