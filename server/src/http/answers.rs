//! The overview's and the summary's answers, kept in memory: the same question from the same
//! scope gets the same JSON bytes until the data changes.
//!
//! - A key is the caller's scope path and the normalized question (the handler builds it, with
//!   today's date where the answer depends on it). The answer is made inside that scope's scoped
//!   read ([`crate::db::scoped`]): the database's wall stands behind every kept answer too.
//! - Every event on the hub ([`crate::events`]) but a display's — data arrived, an alert raised or
//!   worked on, a procedure changed, and `resync` when the listener lost its connection or fell
//!   behind — starts a new generation: answers of an older one are not served again. An answer
//!   is computed after the generation it is filed under was read, so it is never older than
//!   that generation's data. Events reach every server (they travel through PostgreSQL).
//! - Writes that announce nothing (a `DELETE FROM cases` by hand, a unit renamed in SQL) show
//!   within the time to live (`OVERSIGHT_ANSWER_CACHE_SECS`, 10 minutes) and one computation:
//!   past it, with no event since, one request makes the answer anew while the others are
//!   still given the kept one (on the `large` data some answers take seconds to make).
//! - Concurrent misses of one key compute it once; the others wait for that answer. An error is
//!   not kept: the next request tries again.
//! - At most [`MAX_ANSWERS`] are kept; past that, the older generations' and the expired go,
//!   then all.

use super::Error;
use crate::events::Hub;
use axum::http::HeaderValue;
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// The most answers kept at once.
pub const MAX_ANSWERS: usize = 4096;

/// One kept (or being computed) answer.
struct Slot {
    generation: u64,
    made: Instant,
    json: OnceCell<Bytes>,
    /// Past its time to live, one request is making it anew.
    refreshing: std::sync::atomic::AtomicBool,
}

impl Slot {
    fn new(generation: u64, json: Option<Bytes>) -> Slot {
        Slot {
            generation,
            made: Instant::now(),
            json: OnceCell::new_with(json),
            refreshing: Default::default(),
        }
    }
}

/// What a request does with a key.
enum Plan {
    /// Serve the kept answer (past its time, while another request makes it anew).
    Kept(Bytes),
    /// Wait for the answer of this generation (made by the first request to come).
    Wait(Arc<Slot>),
    /// Make the answer anew: it is past its time to live, with no event since.
    Refresh(Arc<Slot>),
}

/// The cache of one server; shared by the handlers through [`super::ApiContext`].
pub struct AnswerCache {
    ttl: Duration,
    generation: Arc<AtomicU64>,
    /// Set once the cache listens to the hub; without it nothing is kept.
    listening: OnceCell<bool>,
    slots: Mutex<HashMap<String, Arc<Slot>>>,
}

impl AnswerCache {
    /// A cache keeping answers at most `ttl` (zero: none).
    pub fn new(ttl: Duration) -> AnswerCache {
        AnswerCache {
            ttl,
            generation: Arc::new(AtomicU64::new(0)),
            listening: OnceCell::new(),
            slots: Mutex::new(HashMap::new()),
        }
    }

    /// The current generation (it moves on at every event).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// The answer to `key` as JSON: kept, or made by `make` (once for concurrent callers).
    pub async fn get_or_make<T, F>(&self, hub: &Hub, key: String, make: F) -> Result<Bytes, Error>
    where
        T: serde::Serialize,
        F: Future<Output = Result<T, Error>>,
    {
        if self.ttl.is_zero() || !self.listen(hub).await {
            return to_json(&make.await?);
        }
        self.kept(key, make).await
    }

    /// The kept answer to `key`, or the one `make` gives (computed once for concurrent callers).
    async fn kept<T, F>(&self, key: String, make: F) -> Result<Bytes, Error>
    where
        T: serde::Serialize,
        F: Future<Output = Result<T, Error>>,
    {
        let generation = self.generation();
        let plan = {
            let now = Instant::now();
            let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
            match slots.get(&key) {
                Some(s) if s.generation == generation => {
                    let fresh = now.duration_since(s.made) < self.ttl;
                    match s.json.get() {
                        Some(json) if !fresh => {
                            if s.refreshing.swap(true, Ordering::SeqCst) {
                                Plan::Kept(json.clone())
                            } else {
                                Plan::Refresh(s.clone())
                            }
                        }
                        _ => Plan::Wait(s.clone()),
                    }
                }
                _ => {
                    if slots.len() >= MAX_ANSWERS {
                        slots.retain(|_, s| s.generation == generation);
                        if slots.len() >= MAX_ANSWERS {
                            slots.clear();
                        }
                    }
                    let s = Arc::new(Slot::new(generation, None));
                    slots.insert(key.clone(), s.clone());
                    Plan::Wait(s)
                }
            }
        };
        match plan {
            Plan::Kept(json) => Ok(json),
            Plan::Wait(slot) => slot
                .json
                .get_or_try_init(|| async { to_json(&make.await?) })
                .await
                .cloned(),
            // Only this request waits for the new answer; the others keep the old meanwhile.
            Plan::Refresh(old) => match make.await.and_then(|v| to_json(&v)) {
                Ok(json) => {
                    let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
                    slots.insert(key, Arc::new(Slot::new(generation, Some(json.clone()))));
                    Ok(json)
                }
                Err(e) => {
                    old.refreshing.store(false, Ordering::SeqCst);
                    Err(e)
                }
            },
        }
    }

    /// Subscribes to the hub once; a new generation at every event from then on. `false` when
    /// the hub cannot be listened to (the database is away): nothing is kept meanwhile.
    async fn listen(&self, hub: &Hub) -> bool {
        if let Some(listening) = self.listening.get() {
            return *listening;
        }
        let mut rx = match hub.subscribe().await {
            Ok(rx) => rx,
            Err(e) => {
                tracing::warn!(error = %e, "the answer cache cannot listen to events: not caching");
                return false;
            }
        };
        let generation = self.generation.clone();
        *self
            .listening
            .get_or_init(|| async {
                tokio::spawn(async move {
                    use tokio::sync::broadcast::error::RecvError;
                    loop {
                        match rx.recv().await {
                            Ok(event) if event.kind == "display" => {}
                            Ok(_) | Err(RecvError::Lagged(_)) => {
                                generation.fetch_add(1, Ordering::SeqCst);
                            }
                            Err(RecvError::Closed) => return,
                        }
                    }
                });
                true
            })
            .await
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Bytes, Error> {
    serde_json::to_vec(value)
        .map(Bytes::from)
        .map_err(|e| Error::Internal(e.into()))
}

/// A JSON answer from its bytes.
pub fn json_response(json: Bytes) -> Response {
    (
        [(CONTENT_TYPE, HeaderValue::from_static("application/json"))],
        json,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    async fn count(made: &AtomicUsize, value: u32) -> Result<u32, Error> {
        made.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(value)
    }

    #[tokio::test]
    async fn concurrent_misses_make_an_answer_once_and_a_new_generation_anew() {
        let cache = AnswerCache::new(Duration::from_secs(60));
        let made = AtomicUsize::new(0);
        let (a, b, c) = tokio::join!(
            cache.kept("k".into(), count(&made, 1)),
            cache.kept("k".into(), count(&made, 2)),
            cache.kept("k".into(), count(&made, 3)),
        );
        assert_eq!(made.load(Ordering::SeqCst), 1);
        let first = a.unwrap();
        assert_eq!(b.unwrap(), first);
        assert_eq!(c.unwrap(), first);
        // Another question is its own answer.
        assert_eq!(
            cache.kept("other".into(), count(&made, 9)).await.unwrap(),
            Bytes::from("9")
        );
        // An event: the next request makes it again.
        cache.generation.fetch_add(1, Ordering::SeqCst);
        assert_eq!(
            cache.kept("k".into(), count(&made, 4)).await.unwrap(),
            Bytes::from("4")
        );
        assert_eq!(made.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn an_error_is_not_kept_and_an_answer_expires() {
        let cache = AnswerCache::new(Duration::from_millis(50));
        let failed = cache
            .kept("k".into(), async { Err::<u32, _>(Error::NotFound("unit")) })
            .await;
        assert!(matches!(failed, Err(Error::NotFound("unit"))));
        let made = AtomicUsize::new(0);
        assert_eq!(
            cache.kept("k".into(), count(&made, 1)).await.unwrap(),
            Bytes::from("1")
        );
        assert_eq!(
            cache.kept("k".into(), count(&made, 2)).await.unwrap(),
            Bytes::from("1")
        );
        tokio::time::sleep(Duration::from_millis(60)).await;
        assert_eq!(
            cache.kept("k".into(), count(&made, 3)).await.unwrap(),
            Bytes::from("3")
        );
    }

    #[tokio::test]
    async fn the_kept_answers_are_bounded() {
        let cache = AnswerCache::new(Duration::from_secs(60));
        for i in 0..MAX_ANSWERS + 10 {
            cache.kept(format!("k{i}"), async { Ok(1) }).await.unwrap();
        }
        let kept = cache.slots.lock().unwrap().len();
        assert!(kept <= MAX_ANSWERS, "{kept}");
    }
}
