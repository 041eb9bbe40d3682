//! Rate limits on the API: a token bucket per caller, in memory. A request under `/api/` takes a
//! token from its caller's bucket — the session cookie's or the bearer token's (kept by a keyed
//! hash, never the secret), else the client address's — and is answered 429 with `Retry-After`
//! when the bucket is empty. Pages and static files are not limited (they do not reach the
//! database).
//!
//! A credential not yet seen valid draws from its client address's bucket (the anonymous rate),
//! and gets a bucket of its own only once an answer to it was not 401: random cookies can neither
//! escape the address's limit nor fill the map. The map is bounded: a bucket idle long enough
//! to be full again is the same as none and is dropped, and past [`MAX_KEYS`] the least recently
//! used half goes.
//!
//! Limits are per server process: behind a load balancer of N servers a caller gets up to N times
//! the rate. The client address is the socket's peer (a proxy in front makes every client one
//! address: raise the anonymous limit there).

use super::Error;
use crate::config::{Rate, RateLimits};
use axum::extract::{ConnectInfo, Request};
use axum::http::StatusCode;
use axum::http::header::{HeaderValue, RETRY_AFTER};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The most callers' buckets kept at once.
pub const MAX_KEYS: usize = 100_000;

/// How often idle buckets are swept out.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// Who a bucket belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Session,
    Token,
    Anonymous,
}

impl Kind {
    fn words(self) -> &'static str {
        match self {
            Kind::Session => "a session",
            Kind::Token => "a token",
            Kind::Anonymous => "a client address without a valid credential",
        }
    }
}

/// One caller's bucket.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Bucket {
    fn full(rate: Rate, now: Instant) -> Bucket {
        Bucket {
            tokens: f64::from(rate.burst),
            at: now,
        }
    }

    /// Refills for the time since the last take, then takes one token; `Err(wait)` when there
    /// is none, with the time until there is.
    fn take(&mut self, rate: Rate, now: Instant) -> Result<(), Duration> {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * rate.per_second).min(f64::from(rate.burst));
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64(
                (1.0 - self.tokens) / rate.per_second,
            ))
        }
    }

    /// Whether it would be full by `now`: then it is the same as no bucket.
    fn idle(&self, rate: Rate, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens + elapsed * rate.per_second >= f64::from(rate.burst)
    }
}

struct Buckets {
    map: HashMap<u64, (Kind, Bucket)>,
    swept: Instant,
}

/// The buckets of every caller, and the limits they are held to.
pub struct Limiter {
    limits: RateLimits,
    hasher: RandomState,
    buckets: Mutex<Buckets>,
}

/// A refusal: which limit, and how long to wait.
struct Refusal {
    kind: Kind,
    rate: Rate,
    wait: Duration,
}

impl Limiter {
    pub fn new(limits: &RateLimits) -> Arc<Limiter> {
        Arc::new(Limiter {
            limits: limits.clone(),
            hasher: RandomState::new(),
            buckets: Mutex::new(Buckets {
                map: HashMap::new(),
                swept: Instant::now(),
            }),
        })
    }

    fn rate(&self, kind: Kind) -> Option<Rate> {
        match kind {
            Kind::Session => self.limits.session,
            Kind::Token => self.limits.token,
            Kind::Anonymous => self.limits.anonymous,
        }
    }

    fn key(&self, kind: Kind, secret: &[u8]) -> u64 {
        self.hasher.hash_one((kind as u8, secret))
    }

    /// How many buckets are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().map.len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Buckets> {
        // A panic while holding the lock leaves only counts behind: keep using them.
        self.buckets.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Takes a token for a request. `credential` is its session's or token's key, if any;
    /// answers whether that credential has a bucket of its own (else the address paid).
    fn admit(
        &self,
        credential: Option<(Kind, u64)>,
        address: u64,
        now: Instant,
    ) -> Result<bool, Refusal> {
        let mut b = self.lock();
        b.sweep(&self.limits, now);
        if let Some((kind, key)) = credential {
            let Some(rate) = self.rate(kind) else {
                return Ok(true);
            };
            if let Some((_, bucket)) = b.map.get_mut(&key) {
                return bucket
                    .take(rate, now)
                    .map(|()| true)
                    .map_err(|wait| Refusal { kind, rate, wait });
            }
        }
        let Some(rate) = self.limits.anonymous else {
            return Ok(false);
        };
        let bucket = &mut b
            .map
            .entry(address)
            .or_insert((Kind::Anonymous, Bucket::full(rate, now)))
            .1;
        bucket
            .take(rate, now)
            .map(|()| false)
            .map_err(|wait| Refusal {
                kind: Kind::Anonymous,
                rate,
                wait,
            })
    }

    /// After the answer: a credential answered other than 401 gets a bucket of its own (the
    /// request it came with already paid); one answered 401 loses it.
    fn answered(&self, kind: Kind, key: u64, had_bucket: bool, status: StatusCode, now: Instant) {
        let Some(rate) = self.rate(kind) else {
            return;
        };
        let mut b = self.lock();
        if status == StatusCode::UNAUTHORIZED {
            b.map.remove(&key);
        } else if !had_bucket {
            let mut bucket = Bucket::full(rate, now);
            bucket.tokens -= 1.0;
            b.map.entry(key).or_insert((kind, bucket));
        }
    }
}

impl Buckets {
    /// Drops idle buckets every minute, and when the map is full; past [`MAX_KEYS`] still, the
    /// least recently used half.
    fn sweep(&mut self, limits: &RateLimits, now: Instant) {
        let due = now.saturating_duration_since(self.swept) >= SWEEP_EVERY;
        if !due && self.map.len() < MAX_KEYS {
            return;
        }
        self.swept = now;
        let rate = |kind: Kind| match kind {
            Kind::Session => limits.session,
            Kind::Token => limits.token,
            Kind::Anonymous => limits.anonymous,
        };
        self.map
            .retain(|_, (kind, bucket)| rate(*kind).is_some_and(|r| !bucket.idle(r, now)));
        if self.map.len() >= MAX_KEYS {
            let mut times: Vec<Instant> = self.map.values().map(|(_, b)| b.at).collect();
            let half = times.len() / 2;
            let (_, cut, _) = times.select_nth_unstable(half);
            let cut = *cut;
            self.map.retain(|_, (_, b)| b.at > cut);
        }
    }
}

/// The middleware: limits every request under `/api/`.
pub async fn limit(
    axum::extract::State(limiter): axum::extract::State<Arc<Limiter>>,
    req: Request,
    next: Next,
) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let credential = if let Some(token) = crate::auth::bearer(&parts) {
        Some((Kind::Token, limiter.key(Kind::Token, token.as_bytes())))
    } else {
        crate::auth::session_cookie(&parts)
            .map(|s| (Kind::Session, limiter.key(Kind::Session, s.as_bytes())))
    };
    let address = match parts.extensions.get::<ConnectInfo<SocketAddr>>() {
        Some(ConnectInfo(peer)) => limiter.key(Kind::Anonymous, peer.ip().to_string().as_bytes()),
        // Without the socket's address (a router called in-process) every such caller is one.
        None => limiter.key(Kind::Anonymous, b""),
    };
    let now = Instant::now();
    let had_bucket = match limiter.admit(credential, address, now) {
        Ok(had) => had,
        Err(refusal) => return too_many(&refusal),
    };
    let res = next.run(Request::from_parts(parts, body)).await;
    if let Some((kind, key)) = credential {
        limiter.answered(kind, key, had_bucket, res.status(), Instant::now());
    }
    res
}

fn too_many(r: &Refusal) -> Response {
    let seconds = r.wait.as_secs_f64().ceil().max(1.0) as u64;
    let mut res = Error::TooManyRequests(format!(
        "too many requests: the limit for {} is {} requests a second, in bursts of at most {}; \
         retry in {seconds} s",
        r.kind.words(),
        r.rate.per_second,
        r.rate.burst,
    ))
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        res.headers_mut().insert(RETRY_AFTER, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEN: Rate = Rate {
        per_second: 10.0,
        burst: 3,
    };

    #[test]
    fn a_bucket_gives_its_burst_then_refills_at_the_rate() {
        let t0 = Instant::now();
        let mut b = Bucket::full(TEN, t0);
        for _ in 0..3 {
            assert_eq!(b.take(TEN, t0), Ok(()));
        }
        // Empty: the next token is 100 ms away.
        let wait = b.take(TEN, t0).unwrap_err();
        assert!(wait.abs_diff(Duration::from_millis(100)) < Duration::from_micros(1));
        // 250 ms later two tokens came back, not more.
        let t1 = t0 + Duration::from_millis(250);
        assert_eq!(b.take(TEN, t1), Ok(()));
        assert_eq!(b.take(TEN, t1), Ok(()));
        assert!(b.take(TEN, t1).is_err());
        // Never more than the burst, however long it rests.
        assert!(b.idle(TEN, t1 + Duration::from_secs(1)));
        let t2 = t1 + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(b.take(TEN, t2), Ok(()));
        }
        assert!(b.take(TEN, t2).is_err());
    }

    fn limiter() -> Arc<Limiter> {
        Limiter::new(&RateLimits {
            session: Some(TEN),
            token: None,
            anonymous: Some(Rate {
                per_second: 1.0,
                burst: 2,
            }),
        })
    }

    #[test]
    fn an_unproven_credential_pays_from_its_address() {
        let l = limiter();
        let t = Instant::now();
        let (a, s) = (
            l.key(Kind::Anonymous, b"10.0.0.1"),
            l.key(Kind::Session, b"x"),
        );
        // Two random cookies from one address: the address's burst of 2, then refused.
        assert_eq!(l.admit(Some((Kind::Session, s)), a, t).ok(), Some(false));
        l.answered(Kind::Session, s, false, StatusCode::UNAUTHORIZED, t);
        let s2 = l.key(Kind::Session, b"y");
        assert_eq!(l.admit(Some((Kind::Session, s2)), a, t).ok(), Some(false));
        let refused = l.admit(Some((Kind::Session, s2)), a, t).err().unwrap();
        assert_eq!(refused.kind, Kind::Anonymous);
        assert_eq!(refused.wait, Duration::from_secs(1));
        // Only the address has a bucket: 401s leave none.
        assert_eq!(l.len(), 1);
    }

    #[test]
    fn a_valid_credential_gets_its_own_bucket() {
        let l = limiter();
        let t = Instant::now();
        let (a, s) = (
            l.key(Kind::Anonymous, b"10.0.0.1"),
            l.key(Kind::Session, b"x"),
        );
        assert_eq!(l.admit(Some((Kind::Session, s)), a, t).ok(), Some(false));
        l.answered(Kind::Session, s, false, StatusCode::OK, t);
        // Its burst of 3 less the first request, without touching the address's.
        assert_eq!(l.admit(Some((Kind::Session, s)), a, t).ok(), Some(true));
        assert_eq!(l.admit(Some((Kind::Session, s)), a, t).ok(), Some(true));
        let refused = l.admit(Some((Kind::Session, s)), a, t).err().unwrap();
        assert_eq!(refused.kind, Kind::Session);
        // The address still has one of its two.
        assert_eq!(l.admit(None, a, t).ok(), Some(false));
        // A logout (401) takes the session's bucket away.
        l.answered(Kind::Session, s, true, StatusCode::UNAUTHORIZED, t);
        assert_eq!(l.len(), 1);
    }

    #[test]
    fn idle_buckets_are_swept_and_the_map_is_bounded() {
        let l = limiter();
        let t = Instant::now();
        for i in 0..1000u32 {
            let a = l.key(Kind::Anonymous, &i.to_le_bytes());
            assert!(l.admit(None, a, t).is_ok());
        }
        assert_eq!(l.len(), 1000);
        // A minute later each refilled: the sweep drops them all.
        let later = t + SWEEP_EVERY;
        let a = l.key(Kind::Anonymous, b"new");
        assert!(l.admit(None, a, later).is_ok());
        assert_eq!(l.len(), 1);

        let mut b = Buckets {
            map: HashMap::new(),
            swept: t,
        };
        let busy = Bucket { tokens: 0.0, at: t };
        for i in 0..MAX_KEYS as u64 {
            let at = t + Duration::from_micros(i);
            b.map.insert(i, (Kind::Anonymous, Bucket { at, ..busy }));
        }
        b.sweep(&l.limits, t + Duration::from_millis(200));
        assert!(b.map.len() < MAX_KEYS / 2 + 1, "{}", b.map.len());
        // The most recently used stay.
        assert!(b.map.contains_key(&(MAX_KEYS as u64 - 1)));
        assert!(!b.map.contains_key(&0));
    }
}
