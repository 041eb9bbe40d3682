//! Configuration from the environment (the contract's `OVERSIGHT_*` variables and `DATABASE_URL`).

use std::net::SocketAddr;
use std::path::PathBuf;

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
    use super::parse_frame_ancestors;

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
