//! A query-string extractor whose rejections name the field and the reason, like every other error.

use super::Error;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Like `axum::extract::Query`, answering bad input with our JSON error.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        let q = parts.uri.query().unwrap_or_default();
        serde_urlencoded::from_str(q).map(Query).map_err(|e| {
            let msg = e.to_string();
            // serde names the field in its message as `field \`x\``; lift it out when it does.
            let field = msg
                .split('`')
                .nth(1)
                .filter(|_| msg.contains("field"))
                .unwrap_or("query")
                .to_string();
            Error::invalid(field, msg)
        })
    }
}

/// A date parameter (`YYYY-MM-DD`, years 1900 to 2100); blank or absent is `None`.
pub fn date(field: &'static str, v: Option<&str>) -> Result<Option<chrono::NaiveDate>, Error> {
    use chrono::Datelike;
    let Some(s) = v.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    match chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if (1900..=2100).contains(&d.year()) => Ok(Some(d)),
        Ok(_) => Err(Error::invalid(
            field,
            format!("'{s}' is outside the years 1900 to 2100"),
        )),
        Err(_) => Err(Error::invalid(
            field,
            format!("'{s}' is not a date (YYYY-MM-DD)"),
        )),
    }
}
