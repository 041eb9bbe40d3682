//! The app's calls to our own JSON API (`/api/v1`), from the browser.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why a call failed, in terms the interface can show.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiFailure {
    /// The server could not be reached.
    Network,
    /// The server answered with an error status and message.
    Status(u16, String),
}

#[cfg(feature = "hydrate")]
thread_local! {
    /// A wall display's token: sent as `Authorization: Bearer` with every call (the wall has no
    /// session, and never goes to the login page).
    static BEARER: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// Set on a wall: a refusal never leads to the login page (a wall shows no login form).
    static NEVER_TO_LOGIN: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// From now on a refused call (401) never sends the page to the login form: the caller deals
/// with the refusal (a wall turns neutral).
pub fn never_to_login() {
    #[cfg(feature = "hydrate")]
    NEVER_TO_LOGIN.with(|n| n.set(true));
}

#[cfg(feature = "hydrate")]
fn to_login_on_401() -> bool {
    bearer().is_none() && !NEVER_TO_LOGIN.with(|n| n.get())
}

/// Calls from now on carry `token` (a wall display's), or no token.
pub fn use_bearer(token: Option<String>) {
    #[cfg(feature = "hydrate")]
    BEARER.with(|b| *b.borrow_mut() = token);
    #[cfg(not(feature = "hydrate"))]
    let _ = token;
}

/// The bearer token calls carry, if any.
pub fn bearer() -> Option<String> {
    #[cfg(feature = "hydrate")]
    return BEARER.with(|b| b.borrow().clone());
    #[cfg(not(feature = "hydrate"))]
    None
}

/// `GET url`, with the wall's token when it has one.
#[cfg(feature = "hydrate")]
fn get_request(url: &str) -> gloo_net::http::RequestBuilder {
    let req = gloo_net::http::Request::get(url);
    match bearer() {
        Some(token) => req.header("Authorization", &format!("Bearer {token}")),
        None => req,
    }
}

#[cfg(feature = "hydrate")]
async fn read<T: DeserializeOwned>(resp: gloo_net::http::Response) -> Result<T, ApiFailure> {
    let status = resp.status();
    if status == 401 && !resp.url().ends_with("/auth/login") && to_login_on_401() {
        // The session ended: go to the login page and come back here afterwards.
        crate::browser::go_to_login();
    }
    if !resp.ok() {
        let msg = resp
            .json::<domain::api::ApiError>()
            .await
            .map(|e| e.error)
            .unwrap_or_default();
        return Err(ApiFailure::Status(status, msg));
    }
    resp.json::<T>()
        .await
        .map_err(|e| ApiFailure::Status(status, e.to_string()))
}

/// `GET url` and read JSON.
#[cfg(feature = "hydrate")]
pub async fn get<T: DeserializeOwned>(url: &str) -> Result<T, ApiFailure> {
    let resp = get_request(url)
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    read(resp).await
}

/// The server's health (`GET /api/v1/health`, which answers 503 with the same body when degraded);
/// `None` when the server cannot be reached.
pub async fn health() -> Option<domain::api::Health> {
    #[cfg(feature = "hydrate")]
    {
        let resp = gloo_net::http::Request::get("/api/v1/health")
            .send()
            .await
            .ok()?;
        return resp.json::<domain::api::Health>().await.ok();
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// An answer, and when it was saved if it came from the service worker's copy (offline).
#[derive(Debug, Clone, PartialEq)]
pub struct Saved<T> {
    pub value: T,
    /// RFC 3339, from the `x-oversight-saved-at` header the service worker adds to saved copies.
    pub saved_at: Option<String>,
}

/// `GET url` and read JSON, saying whether it is a saved copy.
#[cfg(feature = "hydrate")]
pub async fn get_saved<T: DeserializeOwned>(url: &str) -> Result<Saved<T>, ApiFailure> {
    let resp = get_request(url)
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    let saved_at = resp.headers().get("x-oversight-saved-at");
    Ok(Saved {
        value: read(resp).await?,
        saved_at,
    })
}

/// `GET url` as text.
#[cfg(feature = "hydrate")]
pub async fn get_text(url: &str) -> Result<String, ApiFailure> {
    let resp = get_request(url)
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    if !resp.ok() {
        return Err(ApiFailure::Status(resp.status(), String::new()));
    }
    resp.text().await.map_err(|_| ApiFailure::Network)
}

/// `GET url` as bytes.
#[cfg(feature = "hydrate")]
pub async fn get_bytes(url: &str) -> Result<Vec<u8>, ApiFailure> {
    let resp = get_request(url)
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    if resp.status() == 401 && to_login_on_401() {
        crate::browser::go_to_login();
    }
    if !resp.ok() {
        return Err(ApiFailure::Status(resp.status(), String::new()));
    }
    resp.binary().await.map_err(|_| ApiFailure::Network)
}

/// A state-changing request carries the session's anti-forgery token (and a wall's bearer token,
/// should a wall ever change anything).
#[cfg(feature = "hydrate")]
fn changing(req: gloo_net::http::RequestBuilder) -> gloo_net::http::RequestBuilder {
    let req = match crate::browser::csrf_token() {
        Some(token) => req.header("X-CSRF-Token", &token),
        None => req,
    };
    match bearer() {
        Some(token) => req.header("Authorization", &format!("Bearer {token}")),
        None => req,
    }
}

/// A refusal as the server words it: the status, the reason and the field it names.
#[derive(Debug, Clone, PartialEq)]
pub struct Refused {
    /// 0 when the server could not be reached.
    pub status: u16,
    pub error: String,
    pub field: Option<String>,
}

/// `POST url` with a JSON body; a refusal keeps the field it names (forms show it beside it).
#[cfg(feature = "hydrate")]
pub async fn post_form<B: Serialize, T: DeserializeOwned>(
    url: &str,
    body: &B,
) -> Result<T, Refused> {
    let network = || Refused {
        status: 0,
        error: String::new(),
        field: None,
    };
    let req = changing(gloo_net::http::Request::post(url))
        .json(body)
        .map_err(|_| network())?;
    let resp = req.send().await.map_err(|_| network())?;
    let status = resp.status();
    if resp.ok() {
        return resp.json::<T>().await.map_err(|e| Refused {
            status,
            error: e.to_string(),
            field: None,
        });
    }
    if status == 401 && resp.url().contains("/api/v1/account") && to_login_on_401() {
        crate::browser::go_to_login();
    }
    let e = resp
        .json::<domain::api::ApiError>()
        .await
        .unwrap_or(domain::api::ApiError {
            error: String::new(),
            field: None,
        });
    Err(Refused {
        status,
        error: e.error,
        field: e.field,
    })
}

/// `POST url` with a JSON body and read JSON back (`()` for an empty answer).
#[cfg(feature = "hydrate")]
pub async fn post<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, ApiFailure> {
    let req = changing(gloo_net::http::Request::post(url))
        .json(body)
        .map_err(|e| ApiFailure::Status(0, e.to_string()))?;
    let resp = req.send().await.map_err(|_| ApiFailure::Network)?;
    if resp.status() == 204 {
        return serde_json::from_str("null").map_err(|e| ApiFailure::Status(204, e.to_string()));
    }
    read(resp).await
}

/// `PUT url` with a JSON body and read JSON back.
#[cfg(feature = "hydrate")]
pub async fn put<B: Serialize, T: DeserializeOwned>(url: &str, body: &B) -> Result<T, ApiFailure> {
    let req = changing(gloo_net::http::Request::put(url))
        .json(body)
        .map_err(|e| ApiFailure::Status(0, e.to_string()))?;
    let resp = req.send().await.map_err(|_| ApiFailure::Network)?;
    read(resp).await
}

/// `DELETE url`; an empty answer is success.
#[cfg(feature = "hydrate")]
pub async fn delete(url: &str) -> Result<(), ApiFailure> {
    let resp = changing(gloo_net::http::Request::delete(url))
        .send()
        .await
        .map_err(|_| ApiFailure::Network)?;
    if resp.ok() {
        return Ok(());
    }
    read::<serde_json::Value>(resp).await.map(|_| ())
}

// On the server these calls never run: data is loaded by the browser after hydration.
#[cfg(not(feature = "hydrate"))]
pub async fn get<T: DeserializeOwned>(_url: &str) -> Result<T, ApiFailure> {
    Err(ApiFailure::Network)
}

#[cfg(not(feature = "hydrate"))]
pub async fn get_saved<T: DeserializeOwned>(_url: &str) -> Result<Saved<T>, ApiFailure> {
    Err(ApiFailure::Network)
}

#[cfg(not(feature = "hydrate"))]
pub async fn get_text(_url: &str) -> Result<String, ApiFailure> {
    Err(ApiFailure::Network)
}

#[cfg(not(feature = "hydrate"))]
pub async fn get_bytes(_url: &str) -> Result<Vec<u8>, ApiFailure> {
    Err(ApiFailure::Network)
}

#[cfg(not(feature = "hydrate"))]
pub async fn post<B: Serialize, T: DeserializeOwned>(
    _url: &str,
    _body: &B,
) -> Result<T, ApiFailure> {
    Err(ApiFailure::Network)
}

#[cfg(not(feature = "hydrate"))]
pub async fn post_form<B: Serialize, T: DeserializeOwned>(
    _url: &str,
    _body: &B,
) -> Result<T, Refused> {
    Err(Refused {
        status: 0,
        error: String::new(),
        field: None,
    })
}

#[cfg(not(feature = "hydrate"))]
pub async fn put<B: Serialize, T: DeserializeOwned>(
    _url: &str,
    _body: &B,
) -> Result<T, ApiFailure> {
    Err(ApiFailure::Network)
}

#[cfg(not(feature = "hydrate"))]
pub async fn delete(_url: &str) -> Result<(), ApiFailure> {
    Err(ApiFailure::Network)
}
