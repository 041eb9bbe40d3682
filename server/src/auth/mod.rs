//! Who is calling: password hashes (argon2id), server-side sessions in cookies, bearer tokens for
//! machine clients, and the [`Caller`] that every protected handler receives.

mod caller;
pub(crate) use caller::bearer;
pub use caller::session_cookie;
pub mod password;
pub mod second_factor;
pub mod secret_key;
pub mod session;
pub mod session_cache;
pub mod token;
pub mod totp;

pub use caller::Caller;
pub use password::{hash_password, verify_password};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "oversight_session";

/// The session token among a request's cookies, if any.
pub fn session_cookie_of(headers: &axum::http::HeaderMap) -> Option<String> {
    cookie_of(headers, SESSION_COOKIE)
}

/// A cookie's value among a request's `Cookie` headers.
pub fn cookie_of(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| cookie::Cookie::parse(c.trim().to_string()).ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}
