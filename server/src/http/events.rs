//! `GET /events`: Server-Sent Events within the caller's scope ([`crate::events`]): `hello` at
//! the start (and after every reconnection: the screen fetches its figures again), then
//! `alert`, `data` and `procedure` events as they are committed, `resync` when the stream fell
//! behind or the server lost its database for a moment; `revoked` last when the caller's session
//! ends or a wall's token is revoked. A comment every 15 s keeps proxies from
//! closing an idle stream; the browser reconnects by itself 2 s after a drop.

use super::{ApiContext, Error};
use crate::auth::{Caller, session_cache};
use axum::Router;
use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::routing::get;
use futures::FutureExt;
use futures::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::wrappers::BroadcastStream;
use tokio_stream::wrappers::errors::BroadcastStreamRecvError;

pub fn router() -> Router<ApiContext> {
    Router::new().route("/events", get(events))
}

/// How long the browser waits before it reconnects a dropped stream.
const RETRY: Duration = Duration::from_secs(2);

/// The first event of a stream.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Hello {
    /// The caller's scope unit: only events about its subtree follow.
    pub scope: String,
    /// The server's clock, RFC 3339.
    pub server_time: String,
}

#[utoipa::path(get, path = "/api/v1/events", tag = "events",
    responses((status = 200, description = "text/event-stream: events `hello` (data: Hello), `alert` ({id, action, state, severity, kind, unit}), `data` ({source, accepted, unit}), `procedure` ({code}), `resync` ({}); for a wall display's token also `display` ({id}: its settings changed) and `revoked` ({}: the last event, the token is refused from then on); a person's stream ends with `revoked` too when their session ends", body = Hello),
              (status = 401, body = domain::api::ApiError)))]
pub async fn events(
    State(ctx): State<ApiContext>,
    caller: Caller,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, Error> {
    // The first stream starts the listener: while the database is away that is 503, like any read.
    let rx = ctx.events.subscribe().await.map_err(Error::from)?;
    let scope = caller.scope.path().to_string();
    let token = caller.token_id;
    // A person's stream ends with their session (logout, expiry, password change, a new second
    // factor), with `revoked` as its last event, as a wall's at its token's revocation.
    let session_ended = match (&caller.session, token) {
        (Some(session), None) => {
            session_cache::ended(ctx.db.clone(), session.clone(), ctx.config.session_recheck)
                .boxed()
        }
        _ => futures::future::pending().boxed(),
    };
    let hello = Hello {
        scope: caller.scope.unit.clone(),
        server_time: chrono::Utc::now().to_rfc3339(),
    };
    let first = SseEvent::default()
        .event("hello")
        .retry(RETRY)
        .data(serde_json::to_string(&hello).unwrap_or_default());
    let live = BroadcastStream::new(rx)
        .filter_map(move |got| {
            let out = match got {
                // A display hears only about itself: new settings, or its revocation (then
                // the stream ends: the token is refused from now on).
                Ok(event) if event.kind == "display" => {
                    let mine = token.is_some()
                        && event.data.get("token").and_then(|t| t.as_i64()) == token;
                    let revoked = event.data.get("revoked").and_then(|r| r.as_bool()) == Some(true);
                    match (mine, revoked) {
                        (true, true) => {
                            Some((SseEvent::default().event("revoked").data("{}"), true))
                        }
                        (true, false) => Some((
                            SseEvent::default()
                                .event("display")
                                .data(event.data.to_string()),
                            false,
                        )),
                        _ => None,
                    }
                }
                Ok(event) if event.kind == "resync" || event.visible_to(&scope) => Some((
                    SseEvent::default()
                        .event(event.kind.as_str())
                        .data(event.data.to_string()),
                    false,
                )),
                Ok(_) => None,
                Err(BroadcastStreamRecvError::Lagged(n)) => Some((
                    SseEvent::default()
                        .event("resync")
                        .data(serde_json::json!({ "missed": n }).to_string()),
                    false,
                )),
            };
            futures::future::ready(out)
        })
        .boxed();
    let session_ended = stream::once(session_ended)
        .map(|()| (SseEvent::default().event("revoked").data("{}"), true));
    let live = stream::select(live, session_ended).boxed();
    // Everything up to and including the last event, then the end at once.
    let live = stream::unfold((live, false), |(mut live, ended)| async move {
        if ended {
            return None;
        }
        let (event, last) = live.next().await?;
        Some((Ok(event), (live, last)))
    });
    let stream = stream::once(futures::future::ready(Ok(first)))
        .chain(live)
        .take_until(ctx.events.closed());
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
