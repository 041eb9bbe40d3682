//! Configuration from the environment (the contract's `OVERSIGHT_*` variables and `DATABASE_URL`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Everything the server reads from its environment, read once at start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where HTTP listens (`OVERSIGHT_ADDR`, default `127.0.0.1:3000`).
    pub addr: SocketAddr,
    /// An external database (`DATABASE_URL`); without it the private cluster is used.
    pub database_url: Option<String>,
    /// Where the private cluster and other state live (`OVERSIGHT_DATA_DIR`, default `./data`).
    pub data_dir: PathBuf,
    /// The built site: wasm, scripts, styles, fonts (`OVERSIGHT_SITE_DIR`, default next to the binary).
    pub site_dir: PathBuf,
    /// Whether cookies are marked `Secure` (behind TLS).
    pub secure_cookies: bool,
    /// The largest ingest body in bytes, after decompression (`OVERSIGHT_INGEST_MAX_BYTES`,
    /// default 1 GiB); larger is 413.
    pub ingest_max_bytes: u64,
    /// The origins that may embed the wall display (`/display`) in a frame
    /// (`OVERSIGHT_FRAME_ANCESTORS`, space- or comma-separated, e.g. `https://room.example.gov`);
    /// every other page, and `/display` for every other origin, refuses framing.
    pub frame_ancestors: Vec<String>,
    /// The request rates each kind of caller may keep up on the API (`OVERSIGHT_RATE_LIMIT_SESSION`,
    /// `_TOKEN`, `_ANONYMOUS`: `PER_SECOND,BURST` or `off`); see [`RateLimits`].
    pub rate_limits: RateLimits,
    /// How long a validated session is trusted before the database is asked again
    /// (`OVERSIGHT_SESSION_RECHECK_SECS`, default 5; 0 asks it on every request). Also the longest
    /// another server's logout, or a user disabled, takes to reach this one.
    pub session_recheck: Duration,
    /// How long an overview or summary answer is kept in memory when no event says the data
    /// changed (`OVERSIGHT_ANSWER_CACHE_SECS`, default 600; 0 turns the cache off): the longest a
    /// write that announces no event takes to show.
    pub answer_cache: Duration,
    /// The certificate and key for HTTPS (`OVERSIGHT_TLS_CERT`, `OVERSIGHT_TLS_KEY`, PEM files);
    /// with them the server speaks only TLS (rustls), sends HSTS and marks cookies `Secure`.
    pub tls: Option<TlsFiles>,
}

/// The PEM files of the server's certificate chain and private key.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// A configuration value that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        let addr = match std::env::var("OVERSIGHT_ADDR") {
            Ok(s) => s.parse().map_err(|e| ConfigError {
                name: "OVERSIGHT_ADDR",
                reason: format!("'{s}' is not host:port ({e})"),
            })?,
            Err(_) => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let database_url = std::env::var("DATABASE_URL").ok().filter(|s| !s.is_empty());
        let data_dir = std::env::var_os("OVERSIGHT_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("data"));
        let site_dir = std::env::var_os("OVERSIGHT_SITE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(default_site_dir);
        let secure_cookies = std::env::var("OVERSIGHT_SECURE_COOKIES").is_ok_and(|v| v == "1");
        let ingest_max_bytes = match std::env::var("OVERSIGHT_INGEST_MAX_BYTES") {
            Ok(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ConfigError {
                    name: "OVERSIGHT_INGEST_MAX_BYTES",
                    reason: format!("'{s}' is not a positive number of bytes"),
                })?,
            Err(_) => crate::ingest::DEFAULT_MAX_BYTES,
        };
        let frame_ancestors = match std::env::var("OVERSIGHT_FRAME_ANCESTORS") {
            Ok(s) => parse_frame_ancestors(&s).map_err(|reason| ConfigError {
                name: "OVERSIGHT_FRAME_ANCESTORS",
                reason,
            })?,
            Err(_) => Vec::new(),
        };
        let tls = match (
            std::env::var_os("OVERSIGHT_TLS_CERT"),
            std::env::var_os("OVERSIGHT_TLS_KEY"),
        ) {
            (None, None) => None,
            (Some(cert), Some(key)) => Some(TlsFiles {
                cert: cert.into(),
                key: key.into(),
            }),
            (Some(_), None) => {
                return Err(ConfigError {
                    name: "OVERSIGHT_TLS_KEY",
                    reason: "is needed with OVERSIGHT_TLS_CERT".into(),
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError {
                    name: "OVERSIGHT_TLS_CERT",
                    reason: "is needed with OVERSIGHT_TLS_KEY".into(),
                });
            }
        };
        let rate_limits = RateLimits {
            session: rate_from_env(
                "OVERSIGHT_RATE_LIMIT_SESSION",
                RateLimits::default().session,
            )?,
            token: rate_from_env("OVERSIGHT_RATE_LIMIT_TOKEN", RateLimits::default().token)?,
            anonymous: rate_from_env(
                "OVERSIGHT_RATE_LIMIT_ANONYMOUS",
                RateLimits::default().anonymous,
            )?,
        };
        let session_recheck = seconds_from_env("OVERSIGHT_SESSION_RECHECK_SECS", 5)?;
        let answer_cache = seconds_from_env("OVERSIGHT_ANSWER_CACHE_SECS", 600)?;
        Ok(Config {
            addr,
            database_url,
            data_dir,
            site_dir,
            // Over TLS, cookies are always `Secure`.
            secure_cookies: secure_cookies || tls.is_some(),
            ingest_max_bytes,
            frame_ancestors,
            tls,
            rate_limits,
            session_recheck,
            answer_cache,
        })
    }
}

/// The origins of `OVERSIGHT_FRAME_ANCESTORS`: each `http(s)://host[:port]`, the host possibly
/// `*.domain` (a Content-Security-Policy source); nothing that would let any site frame the wall.
pub fn parse_frame_ancestors(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for origin in s.split([' ', ',', '\t', '\n']).filter(|o| !o.is_empty()) {
        let rest = origin
            .strip_prefix("https://")
            .or_else(|| origin.strip_prefix("http://"))
            .ok_or_else(|| format!("'{origin}' is not an origin: write http(s)://host[:port]"))?;
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        };
        let name = host.strip_prefix("*.").unwrap_or(host);
        let host_ok = !name.is_empty()
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        let port_ok = port
            .is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()));
        if !host_ok || !port_ok {
            return Err(format!(
                "'{origin}' is not an origin: write http(s)://host[:port] (no path, no wildcard but *.domain)"
            ));
        }
        out.push(origin.to_ascii_lowercase());
    }
    Ok(out)
}

/// A steady rate of requests with the burst allowed above it (a token bucket: `burst` requests at
/// once, refilled at `per_second`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: u32,
}

impl Rate {
    /// `PER_SECOND,BURST` (`10,100`; the burst defaults to ten seconds' worth), or `off` (`None`).
    pub fn parse(s: &str) -> Result<Option<Rate>, String> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("off") {
            return Ok(None);
        }
        let (rate, burst) = match s.split_once(',') {
            Some((r, b)) => (r.trim(), Some(b.trim())),
            None => (s, None),
        };
        let per_second: f64 = rate
            .parse()
            .ok()
            .filter(|r: &f64| r.is_finite() && *r > 0.0)
            .ok_or_else(|| format!("'{s}' is not PER_SECOND,BURST (e.g. 10,100) or off"))?;
        let burst = match burst {
            Some(b) => b
                .parse::<u32>()
                .ok()
                .filter(|b| *b > 0)
                .ok_or_else(|| format!("'{s}': the burst must be a positive whole number"))?,
            None => (per_second * 10.0).ceil().min(f64::from(u32::MAX)) as u32,
        };
        Ok(Some(Rate { per_second, burst }))
    }
}

/// The limits of the API's request rate per caller (`None`: no limit for that kind).
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimits {
    /// Each person's session (a leader on a tablet, an analyst): a page fires a handful of calls.
    pub session: Option<Rate>,
    /// Each bearer token: a data feed pushing batches, a wall display, another system reading.
    pub token: Option<Rate>,
    /// Each client address without a credential (logins), and a credential not yet seen valid.
    pub anonymous: Option<Rate>,
}

impl Default for RateLimits {
    fn default() -> RateLimits {
        RateLimits {
            session: Some(Rate {
                per_second: 10.0,
                burst: 100,
            }),
            token: Some(Rate {
                per_second: 20.0,
                burst: 100,
            }),
            anonymous: Some(Rate {
                per_second: 10.0,
                burst: 100,
            }),
        }
    }
}

impl RateLimits {
    /// No limit at all.
    pub fn off() -> RateLimits {
        RateLimits {
            session: None,
            token: None,
            anonymous: None,
        }
    }
}

fn rate_from_env(name: &'static str, default: Option<Rate>) -> Result<Option<Rate>, ConfigError> {
    match std::env::var(name) {
        Ok(s) => Rate::parse(&s).map_err(|reason| ConfigError { name, reason }),
        Err(_) => Ok(default),
    }
}

fn seconds_from_env(name: &'static str, default: u64) -> Result<Duration, ConfigError> {
    match std::env::var(name) {
        Ok(s) => s
            .trim()
            .parse::<u64>()
            .map(Duration::from_secs)
            .map_err(|_| ConfigError {
                name,
                reason: format!("'{s}' is not a whole number of seconds"),
            }),
        Err(_) => Ok(Duration::from_secs(default)),
    }
}

/// `target/site` when the binary runs from `target/<profile>/`, else `./site`.
fn default_site_dir() -> PathBuf {
    std::env::current_exe()
        .ok()
        .and_then(|exe| {
            let dir = exe.parent()?.parent()?.join("site");
            dir.is_dir().then_some(dir)
        })
        .unwrap_or_else(|| PathBuf::from("site"))
}

#[cfg(test)]
mod tests {
    use super::{Rate, parse_frame_ancestors};

    #[test]
    fn a_rate_is_per_second_and_burst_or_off() {
        assert_eq!(
            Rate::parse("10,100"),
            Ok(Some(Rate {
                per_second: 10.0,
                burst: 100
            }))
        );
        assert_eq!(
            Rate::parse(" 0.5 "),
            Ok(Some(Rate {
                per_second: 0.5,
                burst: 5
            }))
        );
        assert_eq!(Rate::parse("OFF"), Ok(None));
        for bad in ["", "0", "-1,10", "10,0", "10,x", "ten", "NaN", "inf"] {
            assert!(Rate::parse(bad).is_err(), "{bad} passed");
        }
    }

    #[test]
    fn frame_ancestors_are_origins_only() {
        assert_eq!(
            parse_frame_ancestors(
                "https://room.example.gov, http://10.0.0.7:8080 https://*.hop.vn"
            ),
            Ok(vec![
                "https://room.example.gov".to_string(),
                "http://10.0.0.7:8080".to_string(),
                "https://*.hop.vn".to_string()
            ])
        );
        assert_eq!(parse_frame_ancestors("  "), Ok(vec![]));
        for bad in [
            "*",
            "room.example.gov",
            "https://room.example.gov/path",
            "https://*",
            "'self'",
            "https://a:b",
            "javascript:alert(1)",
            "https://room;script-src *",
        ] {
            assert!(parse_frame_ancestors(bad).is_err(), "{bad} passed");
        }
    }
}
