//! The app's pages (server-rendered by Leptos, hydrated in the browser) and the static site
//! (wasm, scripts, styles, fonts, MapLibre), all from our own server.

use super::ApiContext;
use crate::config::Config;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use leptos::config::LeptosOptions;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// Options for the app: where the built site is and what its files are called.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("oversight")
        .site_root(config.site_dir.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(config.addr)
        .build()
}

/// Page routes (login required except on `/login`) and static files.
pub fn router(ctx: ApiContext) -> Router<ApiContext> {
    let site = ctx.config.site_dir.clone();
    let routes = generate_route_list(app::App);
    let options = ctx.leptos.clone();
    let static_files = |dir: &str| {
        Router::new()
            .fallback_service(
                ServeDir::new(site.join(dir))
                    .precompressed_br()
                    .precompressed_gzip(),
            )
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ))
    };
    Router::new()
        .leptos_routes(&ctx, routes, move || app::shell(options.clone()))
        .route_layer(axum::middleware::from_fn_with_state(ctx, require_login))
        .nest("/pkg", static_files("pkg"))
        .nest("/vendor", static_files("vendor"))
        .nest("/fonts", static_files("fonts"))
        .nest("/assets", static_files("assets"))
        // The service worker, at the root so that it may serve every page; never cached long, so
        // a new version reaches the tablets at their next visit.
        .route_service(
            "/sw.js",
            tower::ServiceBuilder::new()
                .layer(SetResponseHeaderLayer::overriding(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("no-cache"),
                ))
                .service(ServeFile::new(site.join("assets/sw.js"))),
        )
}

/// Pages need a session; without one the browser is sent to the login page, keeping where it was going.
async fn require_login(State(ctx): State<ApiContext>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    // The wall display signs in with its token, in the browser (never a login form on a wall).
    if path == "/login" || path == DISPLAY_PAGE {
        return next.run(req).await;
    }
    let (mut parts, body) = req.into_parts();
    use axum::extract::FromRequestParts;
    match crate::auth::Caller::from_request_parts(&mut parts, &ctx).await {
        Ok(_) => next.run(Request::from_parts(parts, body)).await,
        Err(super::Error::Unavailable) => super::Error::Unavailable.into_response(),
        Err(_) => {
            let target = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let next = url_encode(target);
            Redirect::to(&format!("/login?next={next}")).into_response()
        }
    }
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The wall display's page: the one page that allow-listed origins may frame.
pub const DISPLAY_PAGE: &str = "/display";

/// The Content-Security-Policy of our pages, up to `frame-ancestors`: nothing from outside our
/// server; scripts only from our files, plus the inline ones that carry this response's nonce
/// (Leptos' hydration scripts); WebAssembly allowed by name; no `unsafe-inline` for scripts.
/// Styles keep `unsafe-inline` (MapLibre and our components set `style` attributes).
fn csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self'; \
         connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'self'; \
         form-action 'self'"
    )
}

/// Who may frame what: nobody frames anything, but the origins of `OVERSIGHT_FRAME_ANCESTORS`
/// may frame the wall display (the video-conference room's system embeds it).
#[derive(Clone)]
pub struct Framing {
    /// The wall's `frame-ancestors` sources (`'none'` when nobody may frame it).
    display: String,
    /// Whether the display may be framed at all (then it carries no X-Frame-Options).
    display_open: bool,
    /// `Strict-Transport-Security`, when the server speaks TLS itself.
    hsts: bool,
}

impl Framing {
    /// From origins already checked by [`crate::config::parse_frame_ancestors`].
    pub fn new(origins: &[String], hsts: bool) -> Framing {
        Framing {
            display: if origins.is_empty() {
                "'none'".into()
            } else {
                origins.join(" ")
            },
            display_open: !origins.is_empty(),
            hsts,
        }
    }
}

/// Headers every answer carries: no sniffing, no referrer leaks, no framing by others, a
/// Content-Security-Policy with a fresh nonce that loads nothing from outside our server, and
/// HSTS over TLS.
pub async fn security_headers(
    State(framing): State<Framing>,
    mut req: Request,
    next: Next,
) -> Response {
    let display = req.uri().path() == DISPLAY_PAGE;
    let nonce = leptos::nonce::Nonce::new();
    let policy = csp(&nonce);
    req.extensions_mut().insert(nonce);
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if framing.hsts {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    let ancestors = if display {
        framing.display.as_str()
    } else {
        "'none'"
    };
    // Our policy is plain ASCII; should it not be, nothing may run (`default-src 'none'`).
    let value = HeaderValue::from_str(&format!("{policy}; frame-ancestors {ancestors}")).unwrap_or(
        HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
    );
    h.insert(header::CONTENT_SECURITY_POLICY, value);
    if !display || !framing.display_open {
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    res
}
