//! Who is calling: password hashes (argon2id), server-side sessions in cookies, bearer tokens for
//! machine clients, and the [`Caller`] that every protected handler receives.

mod caller;
pub(crate) use caller::bearer;
pub use caller::session_cookie;
pub mod password;
pub mod session;
pub mod session_cache;
pub mod token;

pub use caller::Caller;
pub use password::{hash_password, verify_password};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "oversight_session";
