//! The HTTP surface: the JSON API under `/api/v1`, the server-rendered app, and the static site.
//! Each resource is a module exposing `router()`; they are merged here, in one place.

mod access;
mod alerts;
mod answers;
mod audit;
mod auth;
mod boundaries;
mod cases;
mod directives;
mod displays;
mod error;
mod events;
mod facts;
mod health;
mod ingest;
mod notices;
pub mod openapi;
pub mod overview;
mod procedures;
mod programmes;
mod query;
mod ratelimit;
mod remote;
mod reports;
mod site;
mod sources;
pub mod summary;
mod units;
mod workload;

pub use error::Error;
pub use query::{Query, date};

use crate::config::Config;
use axum::Router;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use sqlx::PgPool;
use std::sync::Arc;

/// The state every handler shares: configuration, the database pool, the app's options.
#[derive(Clone)]
pub struct ApiContext {
    pub config: Arc<Config>,
    pub db: PgPool,
    pub leptos: LeptosOptions,
    /// Measured quality counts, kept for a minute.
    pub quality: Arc<crate::quality::QualityCache>,
    /// The live event stream's fan-out.
    pub events: crate::events::Hub,
    /// The overview's and the summary's answers, until the data changes.
    pub answers: Arc<answers::AnswerCache>,
}

impl FromRef<ApiContext> for LeptosOptions {
    fn from_ref(ctx: &ApiContext) -> LeptosOptions {
        ctx.leptos.clone()
    }
}

/// The JSON API, mounted under `/api/v1`.
pub fn api_router() -> Router<ApiContext> {
    Router::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(units::router())
        .merge(boundaries::router())
        .merge(summary::router())
        .merge(facts::router())
        .merge(cases::router())
        .merge(ingest::router())
        .merge(sources::router())
        .merge(directives::router())
        .merge(overview::router())
        .merge(alerts::router())
        .merge(workload::router())
        .merge(events::router())
        .merge(procedures::router())
        .merge(displays::router())
        .merge(reports::router())
        .merge(audit::router())
        .merge(notices::router())
        .merge(programmes::router())
        .merge(remote::router())
        .merge(openapi::router())
}

/// The whole application: API, pages and static files.
pub fn app(config: Arc<Config>, db: PgPool) -> Router {
    let hub = crate::events::Hub::new(db.clone());
    app_with(config, db, hub)
}

/// The whole application, with the event hub that the server's background work also uses.
pub fn app_with(config: Arc<Config>, db: PgPool, events: crate::events::Hub) -> Router {
    let leptos = site::leptos_options(&config);
    let ctx = ApiContext {
        answers: Arc::new(answers::AnswerCache::new(config.answer_cache)),
        config,
        db,
        leptos,
        quality: Arc::default(),
        events,
    };
    let framing = site::Framing::new(&ctx.config.frame_ancestors, ctx.config.tls.is_some());
    site::router(ctx.clone())
        .nest(
            "/api/v1",
            api_router()
                .route_layer(axum::middleware::from_fn_with_state(
                    ctx.clone(),
                    access::guard,
                ))
                .fallback(api_not_found),
        )
        // The same answer at `/health`, for load balancers.
        .merge(health::router())
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            ratelimit::Limiter::new(&ctx.config.rate_limits),
            ratelimit::limit,
        ))
        .layer(axum::middleware::from_fn_with_state(
            framing,
            site::security_headers,
        ))
        .with_state(ctx)
}

async fn api_not_found() -> Error {
    Error::NotFound("route")
}
