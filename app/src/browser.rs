//! The few things the app asks of the browser directly: navigation, cookies, the document's language, file downloads.

use domain::format::Lang;

/// Sends the browser to the login page, returning here after.
pub fn go_to_login() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let loc = w.location();
        let here = format!(
            "{}{}",
            loc.pathname().unwrap_or_default(),
            loc.search().unwrap_or_default()
        );
        if here.starts_with("/login") {
            return;
        }
        let next = js_sys::encode_uri_component(&here);
        let _ = loc.assign(&format!("/login?next={next}"));
    }
}

/// Loads `path` (a path on our own server) as a full page.
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Remembers the language in a cookie (so the server renders it next time) and on `<html lang>`.
pub fn remember_lang(lang: Lang) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Some(html) = doc.document_element() {
                let _ = html.set_attribute("lang", lang.tag());
            }
            if let Ok(doc) = doc.dyn_into::<web_sys::HtmlDocument>() {
                let _ = doc.set_cookie(&format!(
                    "lang={}; Path=/; Max-Age=31536000; SameSite=Strict",
                    lang.tag()
                ));
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = lang;
}

/// The session's anti-forgery token (the `oversight_csrf` cookie the server set at login), which
/// every state-changing call sends back in `X-CSRF-Token`.
pub fn csrf_token() -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let doc = web_sys::window()?
            .document()?
            .dyn_into::<web_sys::HtmlDocument>()
            .ok()?;
        let cookies = doc.cookie().ok()?;
        cookies
            .split(';')
            .filter_map(|c| c.trim().strip_prefix("oversight_csrf="))
            .find(|v| !v.is_empty())
            .map(str::to_string)
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// The language the server rendered the page in (`<html lang>`).
#[cfg(feature = "hydrate")]
pub fn document_lang() -> Option<Lang> {
    let html = web_sys::window()?.document()?.document_element()?;
    html.get_attribute("lang").map(|t| Lang::from_tag(&t))
}

/// The language the server rendered the page in (none on the server itself).
#[cfg(not(feature = "hydrate"))]
pub fn document_lang() -> Option<Lang> {
    None
}

/// A safe place to go after login: a path on this server, else the overview. A browser reads
/// `\` as `/` and drops tabs and line breaks (`/\t/evil` is `//evil`, another server): a path
/// with either is refused.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p)
            if p.starts_with('/')
                && !p.starts_with("//")
                && !p.contains('\\')
                && !p.chars().any(|c| c.is_ascii_control()) =>
        {
            p.to_string()
        }
        _ => "/".to_string(),
    }
}

/// Asks the person to confirm `message` (the browser's own dialog); false outside a browser.
pub fn confirm(message: &str) -> bool {
    #[cfg(feature = "hydrate")]
    return web_sys::window()
        .and_then(|w| w.confirm_with_message(message).ok())
        .unwrap_or(false);
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = message;
        false
    }
}

/// Hands the browser a file to download: a Blob, its object URL, and a click on an anchor with
/// `download`. The URL is revoked once the download has surely started.
pub fn save_file(name: &str, mime: &str, bytes: &[u8]) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let run = || -> Result<(), wasm_bindgen::JsValue> {
            let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
            let options = web_sys::BlobPropertyBag::new();
            options.set_type(mime);
            let blob = web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
            let url = web_sys::Url::create_object_url_with_blob(&blob)?;
            let doc = web_sys::window()
                .and_then(|w| w.document())
                .ok_or(wasm_bindgen::JsValue::NULL)?;
            let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
            a.set_href(&url);
            a.set_download(name);
            a.set_attribute("hidden", "")?;
            if let Some(body) = doc.body() {
                body.append_child(&a)?;
            }
            a.click();
            a.remove();
            leptos::prelude::set_timeout(
                move || {
                    let _ = web_sys::Url::revoke_object_url(&url);
                },
                std::time::Duration::from_secs(60),
            );
            Ok(())
        };
        let _ = run();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (name, mime, bytes);
}

/// Registers the service worker that keeps the last figures for a weak link (`/sw.js`).
pub fn register_service_worker() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(w) = web_sys::window() else { return };
        let Ok(sw) = js_sys::Reflect::get(
            &js_sys::Reflect::get(&w, &"navigator".into()).unwrap_or_default(),
            &"serviceWorker".into(),
        ) else {
            return;
        };
        if sw.is_undefined() {
            return;
        }
        if let Ok(register) = js_sys::Reflect::get(&sw, &"register".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
        {
            let _ = register.call1(&sw, &"/sw.js".into());
        }
    }
}

/// Keeps `online` equal to `navigator.onLine`, following the browser's online and offline events.
pub fn watch_online(online: leptos::prelude::RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::prelude::Set;
        use wasm_bindgen::JsCast;
        use wasm_bindgen::prelude::Closure;
        let Some(w) = web_sys::window() else { return };
        let now = js_sys::Reflect::get(
            &js_sys::Reflect::get(&w, &"navigator".into()).unwrap_or_default(),
            &"onLine".into(),
        )
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(true);
        online.set(now);
        for (event, value) in [("online", true), ("offline", false)] {
            let f = Closure::<dyn FnMut()>::new(move || online.set(value));
            let _ = w.add_event_listener_with_callback(event, f.as_ref().unchecked_ref());
            f.forget();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = online;
}

/// Deletes the figures the service worker saved (at logout).
pub async fn forget_saved_data() {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(w) = web_sys::window() else { return };
        let Ok(caches) = js_sys::Reflect::get(&w, &"caches".into()) else {
            return;
        };
        if caches.is_undefined() {
            return;
        }
        if let Ok(delete) = js_sys::Reflect::get(&caches, &"delete".into())
            .and_then(|f| f.dyn_into::<js_sys::Function>())
            && let Ok(p) = delete.call1(&caches, &SAVED_CACHE.into())
            && let Ok(p) = p.dyn_into::<js_sys::Promise>()
        {
            let _ = wasm_bindgen_futures::JsFuture::from(p).await;
        }
    }
}

/// The service worker's cache of pages, files and figures (public/assets/sw.js names it too).
pub const SAVED_CACHE: &str = "oversight-saved-v1";

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn login_only_returns_to_our_own_pages() {
        assert_eq!(safe_next(Some("/?unit=01")), "/?unit=01");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        // A browser drops tabs and line breaks from a URL: "/\t/evil" is "//evil".
        assert_eq!(safe_next(Some("/\t/evil.example")), "/");
        assert_eq!(safe_next(Some("/\r\n/evil.example")), "/");
    }

    mod properties {
        use super::safe_next;
        use proptest::prelude::*;
        use proptest::test_runner::{Config, contextualize_config};

        proptest! {
            #![proptest_config(contextualize_config(Config {
                cases: 1024,
                failure_persistence: None,
                ..Config::default()
            }))]

            /// Wherever `next` points, the browser stays on our origin.
            #[test]
            fn login_never_sends_a_user_to_another_origin(next in prop_oneof![
                "[/\\\\\t\r\n .:@%a-z]{0,16}",
                "/[\t\r\n\u{0}-\u{20}]{0,3}[/\\\\]{0,2}evil\\.example[/?#a-z]{0,5}",
                any::<String>(),
            ]) {
                let base = url::Url::parse("https://oversight.example/login?next=x")
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                let to = safe_next(Some(&next));
                if let Ok(u) = base.join(&to) {
                    prop_assert_eq!(u.origin(), base.origin(), "{:?} -> {:?} -> {}", next, to, u);
                }
                prop_assert!(to.starts_with('/'));
            }
        }
    }
}

/// What the live event stream tells the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveSignal {
    /// Connected (again).
    Open,
    /// Dropped; the browser reconnects by itself.
    Lost,
    /// An event by name (`hello`, `alert`, `data`, `procedure`, `resync`).
    Event(String),
    /// The server refused the caller (a wall display's token revoked): the stream stays closed.
    Refused,
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The open stream and the owner (a shell) that opened it.
    static EVENTS: std::cell::RefCell<Option<(u32, web_sys::EventSource)>> = const { std::cell::RefCell::new(None) };
    static NEXT_OWNER: std::cell::Cell<u32> = const { std::cell::Cell::new(1) };
}

/// Opens `GET /api/v1/events` (closing any stream opened before) and reports what happens to
/// `on`. The browser reconnects a dropped stream by itself (the server asks for 2 s); a stream
/// the server refused (closed for good) is opened again after 5 s. Answers the stream's owner, for
/// [`close_events`]: moving from one page to the next, the new page's shell opens its stream
/// before the old one's is cleaned up, and the old one must not close the new one's.
pub fn open_events(on: impl Fn(LiveSignal) + Clone + 'static) -> u32 {
    #[cfg(feature = "hydrate")]
    {
        let owner = NEXT_OWNER.with(|n| {
            let v = n.get();
            n.set(v.wrapping_add(1));
            v
        });
        open_events_of(owner, on);
        owner
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = on;
        0
    }
}

#[cfg(feature = "hydrate")]
fn open_events_of(owner: u32, on: impl Fn(LiveSignal) + Clone + 'static) {
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::prelude::Closure;
        EVENTS.with(|e| {
            if let Some((_, s)) = e.borrow_mut().take() {
                s.close();
            }
        });
        let Ok(source) = web_sys::EventSource::new("/api/v1/events") else {
            return;
        };
        for name in [
            "hello",
            "alert",
            "data",
            "procedure",
            "notice",
            "notice_seen",
            "resync",
            "revoked",
        ] {
            let on = on.clone();
            let f = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
                move |_e: web_sys::MessageEvent| on(LiveSignal::Event(name.to_string())),
            );
            let _ = source.add_event_listener_with_callback(name, f.as_ref().unchecked_ref());
            f.forget();
        }
        let on_open = on.clone();
        let f = Closure::<dyn FnMut()>::new(move || on_open(LiveSignal::Open));
        source.set_onopen(Some(f.as_ref().unchecked_ref()));
        f.forget();
        let s = source.clone();
        let f = Closure::<dyn FnMut()>::new(move || {
            on(LiveSignal::Lost);
            if s.ready_state() == web_sys::EventSource::CLOSED {
                let on = on.clone();
                let again = Closure::<dyn FnMut()>::new(move || {
                    let current =
                        EVENTS.with(|e| e.borrow().as_ref().map(|(o, x)| (*o, x.ready_state())));
                    if current == Some((owner, web_sys::EventSource::CLOSED)) {
                        open_events_of(owner, on.clone());
                    }
                });
                if let Some(w) = web_sys::window() {
                    let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(
                        again.as_ref().unchecked_ref(),
                        5000,
                    );
                }
                again.forget();
            }
        });
        source.set_onerror(Some(f.as_ref().unchecked_ref()));
        f.forget();
        EVENTS.with(|e| *e.borrow_mut() = Some((owner, source)));
    }
}

/// Closes the live event stream if `owner` opened it (another page's is left open).
pub fn close_events(owner: u32) {
    #[cfg(feature = "hydrate")]
    EVENTS.with(|e| {
        let mine = e.borrow().as_ref().is_some_and(|(o, _)| *o == owner);
        if mine && let Some((_, s)) = e.borrow_mut().take() {
            s.close();
        }
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = owner;
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// The generation of the wall's stream: a newer one (or a close) stops the older.
    static TOKEN_STREAM: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    static TOKEN_ABORT: std::cell::RefCell<Option<web_sys::AbortController>> = const { std::cell::RefCell::new(None) };
}

/// Opens `GET /api/v1/events` with the wall's bearer token (an `EventSource` cannot send one):
/// the answer's body is read as it comes and parsed into events. A drop is reconnected after
/// 2 s, then up to 10 s apart; a refusal (401, 403) is reported once and the stream stays closed.
pub fn open_token_events(token: String, on: impl Fn(LiveSignal) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        close_token_events();
        let generation = TOKEN_STREAM.with(|g| g.get());
        leptos::task::spawn_local(async move {
            let mut wait = 2000;
            while TOKEN_STREAM.with(|g| g.get()) == generation {
                match token_stream(&token, generation, &on).await {
                    StreamEnd::Refused => {
                        on(LiveSignal::Refused);
                        return;
                    }
                    StreamEnd::Heard => wait = 2000,
                    StreamEnd::Failed => {}
                }
                if TOKEN_STREAM.with(|g| g.get()) != generation {
                    return;
                }
                on(LiveSignal::Lost);
                sleep(wait).await;
                wait = (wait * 2).min(10_000);
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (token, on);
}

/// Closes the wall's stream, if one is open.
pub fn close_token_events() {
    #[cfg(feature = "hydrate")]
    {
        TOKEN_STREAM.with(|g| g.set(g.get().wrapping_add(1)));
        TOKEN_ABORT.with(|a| {
            if let Some(c) = a.borrow_mut().take() {
                c.abort();
            }
        });
    }
}

#[cfg(feature = "hydrate")]
enum StreamEnd {
    Refused,
    /// The stream was up and then ended.
    Heard,
    /// It never came up.
    Failed,
}

#[cfg(feature = "hydrate")]
async fn token_stream(token: &str, generation: u32, on: &impl Fn(LiveSignal)) -> StreamEnd {
    use wasm_bindgen::JsCast;
    let Ok(abort) = web_sys::AbortController::new() else {
        return StreamEnd::Failed;
    };
    let signal = abort.signal();
    TOKEN_ABORT.with(|a| *a.borrow_mut() = Some(abort));
    let resp = gloo_net::http::Request::get("/api/v1/events")
        .header("Authorization", &format!("Bearer {token}"))
        .header("Accept", "text/event-stream")
        .abort_signal(Some(&signal))
        .send()
        .await;
    let Ok(resp) = resp else {
        return StreamEnd::Failed;
    };
    if resp.status() == 401 || resp.status() == 403 {
        return StreamEnd::Refused;
    }
    if !resp.ok() {
        return StreamEnd::Failed;
    }
    let Some(body) = resp.body() else {
        return StreamEnd::Failed;
    };
    let reader = js_sys::Reflect::get(&body, &"getReader".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .and_then(|f| f.call0(&body).ok());
    let Some(reader) = reader else {
        return StreamEnd::Failed;
    };
    let Some(read) = js_sys::Reflect::get(&reader, &"read".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    else {
        return StreamEnd::Failed;
    };
    on(LiveSignal::Open);
    let mut parser = crate::live::SseParser::default();
    loop {
        if TOKEN_STREAM.with(|g| g.get()) != generation {
            return StreamEnd::Heard;
        }
        let Some(promise) = read
            .call0(&reader)
            .ok()
            .and_then(|p| p.dyn_into::<js_sys::Promise>().ok())
        else {
            return StreamEnd::Heard;
        };
        let Ok(chunk) = wasm_bindgen_futures::JsFuture::from(promise).await else {
            return StreamEnd::Heard;
        };
        let done = js_sys::Reflect::get(&chunk, &"done".into())
            .ok()
            .and_then(|d| d.as_bool())
            .unwrap_or(true);
        if done {
            return StreamEnd::Heard;
        }
        let Ok(value) = js_sys::Reflect::get(&chunk, &"value".into()) else {
            return StreamEnd::Heard;
        };
        let bytes = js_sys::Uint8Array::new(&value).to_vec();
        for event in parser.feed(&bytes) {
            on(LiveSignal::Event(event));
        }
    }
}

/// Runs `f` every `ms` milliseconds until [`cancel_every`] (in the browser; never on the server).
pub fn every(ms: i32, f: impl FnMut() + 'static) -> Option<i32> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::prelude::Closure;
        let w = web_sys::window()?;
        let f = Closure::<dyn FnMut()>::new(f);
        let id = w
            .set_interval_with_callback_and_timeout_and_arguments_0(f.as_ref().unchecked_ref(), ms)
            .ok();
        f.forget();
        id
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (ms, f);
        None
    }
}

/// Runs `f` whenever the key named `key` (`Escape`, `Enter`, ...) is pressed on the page.
pub fn on_key(key: &'static str, f: impl Fn() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::prelude::Closure;
        let Some(w) = web_sys::window() else {
            return;
        };
        let listener =
            Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
                if ev.key() == key {
                    f();
                }
            });
        let _ = w.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        listener.forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key, f);
}

/// Stops what [`every`] started.
pub fn cancel_every(id: i32) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        w.clear_interval_with_handle(id);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// The page's URL fragment (`#…`), if any.
pub fn fragment() -> Option<String> {
    #[cfg(feature = "hydrate")]
    return web_sys::window()?.location().hash().ok();
    #[cfg(not(feature = "hydrate"))]
    None
}

/// Milliseconds since the epoch, by the device's clock.
pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now();
    #[cfg(not(feature = "hydrate"))]
    0.0
}

/// Waits `ms` milliseconds (in the browser; at once on the server, where nothing waits).
pub async fn sleep(ms: i32) {
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
    #[cfg(feature = "hydrate")]
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    #[cfg(feature = "hydrate")]
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Runs `f` once after `ms` milliseconds (in the browser; never on the server).
pub fn after(ms: i32, f: impl FnOnce() + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen::prelude::Closure;
        let Some(w) = web_sys::window() else { return };
        let f = Closure::once_into_js(f);
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), ms);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ms, f);
}
