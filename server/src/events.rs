//! The live event stream behind `GET /api/v1/events`: what happened (an alert raised or worked
//! on, data arrived, a procedure changed), about which unit, pushed to every open screen whose
//! scope holds that unit.
//!
//! Events travel through PostgreSQL (`NOTIFY oversight_events` inside the writing transaction,
//! so an event is seen only once its data is committed, and whichever process wrote it: a
//! server, the command line, another instance). Each server listens on one connection and fans
//! the events out to its streams through a bounded broadcast channel; a stream that falls
//! behind is told to `resync` (fetch its figures again) instead of holding memory.

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{OnceCell, broadcast};

/// The PostgreSQL channel the events travel on.
pub const CHANNEL: &str = "oversight_events";

/// How many events a stream may fall behind before it is told to resync.
const BACKLOG: usize = 1024;

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// `alert`, `data` or `procedure`.
    pub kind: String,
    /// The path of the unit it is about: a caller sees it when the path is within their scope.
    pub path: String,
    /// What the screens need to react (small: a NOTIFY carries at most 8,000 bytes).
    pub data: serde_json::Value,
}

impl Event {
    pub fn new(kind: &str, path: &str, data: serde_json::Value) -> Event {
        Event {
            kind: kind.to_string(),
            path: path.to_string(),
            data,
        }
    }

    /// Whether a caller whose scope has path `scope` may see it.
    pub fn visible_to(&self, scope: &str) -> bool {
        self.path == scope
            || (self.path.len() > scope.len()
                && self.path.starts_with(scope)
                && self.path.as_bytes()[scope.len()] == b'.')
    }
}

/// Sends an event when the transaction (or connection) `ex` commits.
pub async fn publish<'e, E>(ex: E, event: &Event) -> Result<(), sqlx::Error>
where
    E: sqlx::PgExecutor<'e>,
{
    let payload = serde_json::to_string(event).unwrap_or_default();
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(CHANNEL)
        .bind(payload)
        .execute(ex)
        .await?;
    Ok(())
}

/// The server's side of the stream: one listening connection, many subscribers.
#[derive(Clone)]
pub struct Hub {
    pool: PgPool,
    tx: broadcast::Sender<Arc<Event>>,
    started: Arc<OnceCell<()>>,
    /// True once the server is stopping: every stream ends (a graceful shutdown waits for
    /// open connections, and a stream would never end by itself).
    closing: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Hub {
    /// A hub on `pool`'s database; it starts listening at its first subscriber.
    pub fn new(pool: PgPool) -> Hub {
        let (tx, _) = broadcast::channel(BACKLOG);
        Hub {
            pool,
            tx,
            started: Arc::new(OnceCell::new()),
            closing: Arc::new(tokio::sync::watch::channel(false).0),
        }
    }

    /// Ends every stream, now and from now on (the server is stopping; screens reconnect to
    /// the next one by themselves).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves when the hub is closed.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + use<> {
        let mut rx = self.closing.subscribe();
        async move {
            let _ = rx.wait_for(|closing| *closing).await;
        }
    }

    /// A receiver of every event from now on (the database is listened to before this returns,
    /// so nothing committed after it is missed).
    pub async fn subscribe(&self) -> Result<broadcast::Receiver<Arc<Event>>, sqlx::Error> {
        let rx = self.tx.subscribe();
        self.started
            .get_or_try_init(|| async {
                let mut listener = sqlx::postgres::PgListener::connect_with(&self.pool).await?;
                listener.listen(CHANNEL).await?;
                tokio::spawn(listen(self.pool.clone(), listener, self.tx.clone()));
                Ok::<(), sqlx::Error>(())
            })
            .await?;
        Ok(rx)
    }

    /// Sends an event to this server's subscribers only (tests, and what happens in memory).
    pub fn send_local(&self, event: Event) {
        let _ = self.tx.send(Arc::new(event));
    }
}

/// The longest wait between two attempts to listen again after the connection was lost.
const RECONNECT_AT_MOST: Duration = Duration::from_secs(5);

/// Forwards notifications to the subscribers until the process ends. A lost connection is made
/// again, however long the database stays away; what was missed meanwhile is unknown, so every
/// stream is told to resync once it listens again.
async fn listen(
    pool: PgPool,
    mut listener: sqlx::postgres::PgListener,
    tx: broadcast::Sender<Arc<Event>>,
) {
    loop {
        match listener.try_recv().await {
            Ok(Some(n)) => match serde_json::from_str::<Event>(n.payload()) {
                Ok(event) => {
                    let _ = tx.send(Arc::new(event));
                }
                Err(e) => tracing::warn!(error = %e, "an event that is not one was ignored"),
            },
            // The connection was lost and sqlx made it again at once.
            Ok(None) => {
                tracing::warn!("the event listener lost its connection and listens again");
                let _ = tx.send(Arc::new(resync()));
            }
            // The server is stopping.
            Err(_) if pool.is_closed() => return,
            // The connection was lost and could not be made again (the database is away): a new
            // listener, once the database answers. (The old one is dropped: after a failed
            // reconnection it would listen again silently, with no resync.)
            Err(e) => {
                tracing::warn!(error = %e, "the event listener lost the database; listening again when it returns");
                match listen_again(&pool).await {
                    Some(l) => {
                        listener = l;
                        tracing::info!("the event listener listens again");
                        let _ = tx.send(Arc::new(resync()));
                    }
                    None => return,
                }
            }
        }
    }
}

/// A new listener on [`CHANNEL`], tried with a growing pause (up to [`RECONNECT_AT_MOST`]) until
/// the database answers; `None` when the pool closes (the server is stopping).
async fn listen_again(pool: &PgPool) -> Option<sqlx::postgres::PgListener> {
    let mut pause = Duration::from_millis(250);
    loop {
        tokio::time::sleep(pause).await;
        if pool.is_closed() {
            return None;
        }
        let attempt = async {
            let mut l = sqlx::postgres::PgListener::connect_with(pool).await?;
            l.listen(CHANNEL).await?;
            Ok::<_, sqlx::Error>(l)
        };
        match attempt.await {
            Ok(l) => return Some(l),
            Err(e) => tracing::debug!(error = %e, "the event listener cannot listen yet"),
        }
        pause = (pause * 2).min(RECONNECT_AT_MOST);
    }
}

/// What a stream is told when events may have been missed: fetch everything again.
fn resync() -> Event {
    Event::new("resync", "", serde_json::json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_is_visible_within_its_scope_only() {
        let e = Event::new("alert", "VN.01.00004", serde_json::json!({}));
        assert!(e.visible_to("VN"));
        assert!(e.visible_to("VN.01"));
        assert!(e.visible_to("VN.01.00004"));
        assert!(!e.visible_to("VN.02"));
        // A prefix of the code is not an ancestor.
        assert!(!Event::new("alert", "VN.011", serde_json::json!({})).visible_to("VN.01"));
        assert!(!e.visible_to("VN.01.00004.1"));
    }
}
