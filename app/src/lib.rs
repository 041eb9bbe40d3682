//! The Oversight user interface: pages (`pages/`), shared pieces (`components/`), the map bridge
//! (`map/`), translations (`i18n`) and the calls to our API (`api`). Rendered on the server with the
//! `ssr` feature and hydrated in the browser with `hydrate`.

#![recursion_limit = "256"]

pub mod api;
pub mod browser;
pub mod components;
pub mod i18n;
pub mod labels;
pub mod live;
pub mod map;
pub mod pages;

use i18n::{I18n, Key, Lang, t};
use leptos::prelude::*;
use leptos_meta::{Meta, MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, StaticSegment};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = request_lang();
    // The Content-Security-Policy allows inline scripts only with this response's nonce (the
    // server's security headers make it); the hydration scripts carry it.
    #[cfg(feature = "ssr")]
    if let Some(nonce) = use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<leptos::nonce::Nonce>().cloned())
    {
        provide_context(nonce);
    }
    view! {
        <!DOCTYPE html>
        <html lang=lang.tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <link rel="preload" href="/fonts/be-vietnam-pro-vietnamese-400-normal.woff2" r#as="font" type="font/woff2" crossorigin=""/>
                <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml"/>
                <link rel="stylesheet" href="/vendor/maplibre-gl/maplibre-gl.css"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The language the request asks for: the `lang` cookie, else Vietnamese.
fn request_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        if let Some(parts) = use_context::<http::request::Parts>() {
            return parts
                .headers
                .get_all(http::header::COOKIE)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(';'))
                .filter_map(|c| c.trim().strip_prefix("lang="))
                .map(Lang::from_tag)
                .next()
                .unwrap_or_default();
        }
    }
    browser::document_lang().unwrap_or_default()
}

/// The app: language in context, the router and its pages.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let lang = RwSignal::new(request_lang());
    provide_context(I18n(lang));
    view! {
        <Stylesheet id="oversight" href="/pkg/oversight.css"/>
        <Title text=t(Key::AppName)/>
        <Meta name="description" content=t(Key::AppName)/>
        <Router>
            <Routes fallback=|| view! { <p class="not-found">{t(Key::NotFound)}</p> }>
                <Route path=StaticSegment("login") view=pages::login::LoginPage/>
                <Route path=StaticSegment("") view=pages::overview::OverviewPage/>
                <Route path=(StaticSegment("overview"), ParamSegment("code")) view=pages::overview::UnitOverviewPage/>
                <Route path=StaticSegment("analysis") view=pages::analysis::AnalysisPage/>
                <Route path=StaticSegment("upload") view=pages::upload::UploadPage/>
                <Route path=StaticSegment("sources") view=pages::sources::SourcesPage/>
                <Route path=StaticSegment("alerts") view=pages::alerts::AlertsPage/>
                <Route path=StaticSegment("procedures") view=pages::procedures::ProceduresPage/>
                <Route path=StaticSegment("display") view=pages::display::DisplayPage/>
                <Route path=StaticSegment("displays") view=pages::displays::DisplaysPage/>
                <Route path=StaticSegment("reports") view=pages::reports::ReportsPage/>
                <Route path=StaticSegment("account") view=pages::account::AccountPage/>
                <Route path=StaticSegment("audit") view=pages::audit::AuditPage/>
                <Route path=StaticSegment("notices") view=pages::notices::NoticesPage/>
                <Route path=StaticSegment("directives") view=pages::directives::DirectivesPage/>
                <Route path=(StaticSegment("directives"), ParamSegment("code")) view=pages::directives::DirectivePage/>
                <Route path=(StaticSegment("workload"), ParamSegment("code")) view=pages::workload::WorkloadPage/>
                <Route path=StaticSegment("programmes") view=pages::programmes::ProgrammesPage/>
                <Route path=(StaticSegment("programmes"), StaticSegment("compare")) view=pages::programmes::ComparePage/>
                <Route path=(StaticSegment("programmes"), ParamSegment("id")) view=pages::programmes::ProgrammePage/>
                <Route path=(StaticSegment("remote"), ParamSegment("code")) view=pages::remote::RemotePage/>
            </Routes>
        </Router>
    }
}

/// Entry point of the browser build: hydrates the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    browser::register_service_worker();
    // Marks the page interactive (end-to-end tests wait for it before typing).
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
