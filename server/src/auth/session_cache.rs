//! The one judgement of a session ([`check`]: every request with a session cookie passes here),
//! with a short memory of validated sessions, so that a request neither asks the database nor writes
//! to it each time (`UPDATE session SET last_seen` on every request was the busiest write of a
//! reading server).
//!
//! - A session found valid is trusted for `recheck` (`OVERSIGHT_SESSION_RECHECK_SECS`, 5 s), then
//!   asked of the database again: a user disabled, or a session ended by another server, is
//!   refused here within that time. A logout on this server ([`super::session::revoke`]) forgets
//!   it at once.
//! - `last_seen` is written at most once a minute ([`WRITE_EVERY`]) per session. The idle rule
//!   (15 minutes) is judged on the later of the database's `last_seen` and this server's own last
//!   request, so it holds to the second here; another server sees this one's activity up to a
//!   minute late and may end an idle session up to a minute early.
//! - The absolute end (12 hours) is the database's `expires_at`, checked on every request.
//! - At most [`MAX_SESSIONS`] are kept; past that, sessions are simply not remembered.
//! - `recheck` zero: nothing is remembered, every request asks the database and writes
//!   `last_seen` (the integration tests, which change sessions with SQL).
//! - An open event stream of a person ends with its session ([`ended`]): it asks
//!   [`still_valid`] every [`STREAM_RECHECK`], which does not count as activity, and at once when
//!   this server ends a session (logout, password change, a new second factor).

use super::caller::{Caller, Row, caller};
use super::session::IDLE_MINUTES;
use crate::http::Error;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How often, at most, a session's `last_seen` is written.
pub const WRITE_EVERY: Duration = Duration::from_secs(60);

/// The most sessions remembered at once.
pub const MAX_SESSIONS: usize = 100_000;

const IDLE: Duration = Duration::from_secs(IDLE_MINUTES as u64 * 60);

struct Entry {
    /// The caller, without the session's secret.
    caller: Caller,
    /// When the database last said the session was valid.
    checked: Instant,
    /// This server's last request with it.
    active: Instant,
    /// When its `last_seen` was last written (or when the database's value was from).
    written: Instant,
    /// Its absolute end.
    ends: chrono::DateTime<chrono::Utc>,
}

struct Cache {
    map: HashMap<[u8; 32], Entry>,
    swept: Instant,
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| {
    Mutex::new(Cache {
        map: HashMap::new(),
        swept: Instant::now(),
    })
});

/// Bumped by every forget: a check that asked the database before it must not remember.
static FORGETS: AtomicU64 = AtomicU64::new(0);

fn lock() -> MutexGuard<'static, Cache> {
    CACHE.lock().unwrap_or_else(|e| e.into_inner())
}

fn key(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Forgets a session (it was revoked): its next request asks the database.
pub fn forget(token: &str) {
    let mut c = lock();
    FORGETS.fetch_add(1, Ordering::SeqCst);
    c.map.remove(&key(token));
    REVOKED.send_replace(());
}

/// Forgets every session of a user (disabled, password changed): their next requests ask the
/// database.
pub fn forget_user(username: &str) {
    let mut c = lock();
    FORGETS.fetch_add(1, Ordering::SeqCst);
    c.map.retain(|_, e| e.caller.username != username);
    REVOKED.send_replace(());
}

/// How many sessions are remembered.
pub fn len() -> usize {
    lock().map.len()
}

/// The caller of a valid session, or `None` when it has ended; a request with it counts as
/// activity. With `recheck` zero the database is asked (and `last_seen` written) every time and
/// nothing is remembered; else from memory when the database said it was valid less than
/// `recheck` ago.
pub async fn check(db: &PgPool, token: &str, recheck: Duration) -> Result<Option<Caller>, Error> {
    look(db, token, recheck, true).await
}

/// Whether a session is still valid, as [`check`] judges it, without counting as activity (an
/// open event stream asks every [`STREAM_RECHECK`]: it must not keep an idle session alive).
pub async fn still_valid(db: &PgPool, token: &str, recheck: Duration) -> Result<bool, Error> {
    Ok(look(db, token, recheck, false).await?.is_some())
}

/// How often an open event stream of a person asks whether its session is still valid (and at
/// once when this server ends a session: [`revocations`]).
pub const STREAM_RECHECK: Duration = Duration::from_secs(5);

/// Told at every forget (a session or a user's sessions ended on this server).
static REVOKED: LazyLock<tokio::sync::watch::Sender<()>> =
    LazyLock::new(|| tokio::sync::watch::channel(()).0);

/// A receiver that changes whenever this server ends a session.
pub fn revocations() -> tokio::sync::watch::Receiver<()> {
    REVOKED.subscribe()
}

/// Resolves when the session `token` has ended (logout, expiry, a password change or a new
/// second factor, a disabled user): asked every [`STREAM_RECHECK`] (the first time after a
/// random part of it, so that streams opened together do not ask together) and at once when
/// this server ends a session. While the database is away the session is taken as valid (the
/// stream stays open, as every stream does through an outage).
///
/// It listens for revocations from the call on (not from its first poll: a stream is first
/// polled after its opening event is read, and a logout may come before).
pub fn ended(
    db: PgPool,
    token: String,
    recheck: Duration,
) -> impl Future<Output = ()> + Send + 'static {
    use rand::Rng;
    let mut revoked = revocations();
    let first = STREAM_RECHECK.mul_f64(rand::thread_rng().gen_range(0.0..1.0));
    async move {
        let start = tokio::time::Instant::now() + first;
        let mut tick = tokio::time::interval_at(start, STREAM_RECHECK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                _ = revoked.changed() => {}
            }
            match still_valid(&db, &token, recheck).await {
                Ok(false) => return,
                Ok(true) => {}
                Err(e) => tracing::debug!(error = %e, "a stream's session could not be checked"),
            }
        }
    }
}

/// The one judgement of a session: its user is not disabled, its absolute end
/// ([`super::session::ABSOLUTE_HOURS`], the database's `expires_at`) is ahead, and it has been
/// idle less than [`IDLE_MINUTES`] (the later of the database's `last_seen` and this server's own
/// last request with it). `activity`: a request with it, which moves its idle time to zero.
async fn look(
    db: &PgPool,
    token: &str,
    recheck: Duration,
    activity: bool,
) -> Result<Option<Caller>, Error> {
    let key = key(token);
    let now = Instant::now();
    let remember = !recheck.is_zero();
    let (hit, write, active) = if remember {
        let mut c = lock();
        match c.map.get_mut(&key) {
            Some(e) if chrono::Utc::now() >= e.ends => {
                c.map.remove(&key);
                return Ok(None);
            }
            Some(e)
                if now.duration_since(e.checked) < recheck
                    && now.duration_since(e.active) < IDLE =>
            {
                let write = activity && now.duration_since(e.written) >= WRITE_EVERY;
                if activity {
                    e.active = now;
                }
                if write {
                    e.written = now;
                }
                (Some(e.caller.clone()), write, None)
            }
            Some(e) => (None, false, Some(e.active)),
            None => (None, false, None),
        }
    } else {
        (None, false, None)
    };
    if let Some(mut caller) = hit {
        if write {
            touch(db, &key).await;
        }
        caller.session = Some(token.to_string());
        return Ok(Some(caller));
    }

    let forgets = FORGETS.load(Ordering::SeqCst);
    type Checked = (
        String,
        String,
        String,
        String,
        String,
        String,
        Option<String>,
        Option<i64>,
        chrono::DateTime<chrono::Utc>,
        f64,
    );
    let row: Option<Checked> = sqlx::query_as(
        "SELECT a.username, a.role, u.code, u.path::text, u.name, u.level, NULL::text,
                NULL::bigint, s.expires_at,
                greatest(extract(epoch FROM now() - s.last_seen), 0)::float8
         FROM session s JOIN app_user a ON a.id = s.user_id JOIN unit u ON u.code = a.scope
         WHERE s.token_hash = $1 AND NOT a.disabled AND s.expires_at > now()",
    )
    .bind(key.as_slice())
    .fetch_optional(db)
    .await?;
    let Some((username, role, code, path, name, level, source, token_id, ends, idle_db)) = row
    else {
        lock().map.remove(&key);
        return Ok(None);
    };
    let idle_db = Duration::try_from_secs_f64(idle_db).unwrap_or(Duration::MAX);
    let idle = active.map_or(idle_db, |a| idle_db.min(now.duration_since(a)));
    if idle >= IDLE {
        lock().map.remove(&key);
        return Ok(None);
    }
    // Asking every time, the database's `last_seen` is the only memory: it is written every time.
    let wrote = activity && (!remember || idle_db >= WRITE_EVERY);
    if wrote {
        touch(db, &key).await;
    }
    let row: Row = (username, role, code, path, name, level, source, token_id);
    let caller = caller(row, None);
    if remember {
        let mut c = lock();
        // A forget while the database was asked: this check may predate the revocation.
        if FORGETS.load(Ordering::SeqCst) == forgets && c.room(now) {
            c.map.insert(
                key,
                Entry {
                    caller: caller.clone(),
                    checked: now,
                    active: if activity {
                        now
                    } else {
                        now.checked_sub(idle).unwrap_or(now)
                    },
                    written: if wrote {
                        now
                    } else {
                        now.checked_sub(idle_db).unwrap_or(now)
                    },
                    ends,
                },
            );
        }
    }
    Ok(Some(Caller {
        session: Some(token.to_string()),
        ..caller
    }))
}

impl Cache {
    /// Whether another session may be remembered: idle and ended ones are dropped every minute
    /// and when the map is full.
    fn room(&mut self, now: Instant) -> bool {
        if now.duration_since(self.swept) >= WRITE_EVERY || self.map.len() >= MAX_SESSIONS {
            self.swept = now;
            let wall = chrono::Utc::now();
            self.map
                .retain(|_, e| now.duration_since(e.active) < IDLE && wall < e.ends);
        }
        self.map.len() < MAX_SESSIONS
    }
}

/// Writes a session's `last_seen`. A failure is only logged: the session stays valid, and the
/// write is tried again at the next recheck.
async fn touch(db: &PgPool, key: &[u8; 32]) {
    let done = sqlx::query("UPDATE session SET last_seen = now() WHERE token_hash = $1")
        .bind(key.as_slice())
        .execute(db)
        .await;
    if let Err(e) = done {
        tracing::warn!(error = %e, "a session's last_seen could not be written");
    }
}
