//! Extractors of the query string and of the path whose rejections name the field and the
//! reason, like every other error.

use super::Error;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// Like `axum::extract::Query`, answering bad input with our JSON error.
pub struct Query<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Error> {
        parse(parts.uri.query().unwrap_or_default()).map(Query)
    }
}

/// Like `axum::extract::Path`, answering a parameter that does not fit (`/alerts/abc`, bytes that
/// are not UTF-8) with our JSON error naming it.
pub struct Path<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for Path<T> {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Error> {
        use axum::extract::path::ErrorKind;
        use axum::extract::rejection::PathRejection;
        let mut names = Vec::new();
        if let Ok(raw) = axum::extract::RawPathParams::from_request_parts(parts, state).await {
            for (name, value) in raw.iter() {
                refuse_nul(name, value)?;
                names.push(name.to_string());
            }
        }
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let field = match e.kind() {
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::InvalidUtf8InPathParam { key }
                    | ErrorKind::DeserializeError { key, .. } => key.clone(),
                    ErrorKind::ParseErrorAtIndex { index, .. } => {
                        names.get(*index).cloned().unwrap_or_else(|| "path".into())
                    }
                    _ if names.len() == 1 => names[0].clone(),
                    _ => "path".into(),
                };
                Err(Error::invalid(field, e.body_text()))
            }
            // The route and the handler disagree: ours to fix, not the caller's.
            Err(other) => Err(Error::Internal(anyhow::anyhow!(other.body_text()))),
        }
    }
}

/// Reads a query string as `T`; a refusal names the parameter (a value of the wrong type, an
/// unknown, missing or repeated parameter).
pub fn parse<T: DeserializeOwned>(query: &str) -> Result<T, Error> {
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        refuse_nul(&name, &value)?;
    }
    let params = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(params).map_err(|e| {
        let msg = e.inner().to_string();
        // The path names the parameter (one whose value did not fit, or an unknown one); a
        // missing or repeated one is named only in the message; a nameless one by `query`.
        let field = match e.path().iter().next_back() {
            Some(serde_path_to_error::Segment::Map { key }) if !key.is_empty() => key.clone(),
            _ => named_in(&msg).unwrap_or("query").to_string(),
        };
        Error::invalid(field, msg)
    })
}

/// No parameter of the API holds a NUL character, and PostgreSQL refuses one in text: a value
/// with one is refused here, before any handler binds it.
fn refuse_nul(name: &str, value: &str) -> Result<(), Error> {
    if name.contains('\0') || value.contains('\0') {
        let name = if name.is_empty() || name.contains('\0') {
            "query"
        } else {
            name
        };
        return Err(Error::invalid(name, "must not contain NUL characters"));
    }
    Ok(())
}

/// The field serde names in a message about a missing or repeated field (`missing field \`x\``).
fn named_in(msg: &str) -> Option<&str> {
    let rest = msg
        .strip_prefix("missing field `")
        .or_else(|| msg.strip_prefix("duplicate field `"))?;
    rest.split('`').next().filter(|f| !f.is_empty())
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

/// Property tests of the query parameters of every handler: any query string is read or refused
/// naming a parameter, never a panic; dates read back as written.
#[cfg(test)]
mod properties {
    use super::*;
    use crate::http::{
        alerts::AlertQuery, boundaries::BoundariesQuery, cases::CasesQuery,
        directives::DirectiveQuery, ingest::IngestQuery, overview::OverviewQuery, reports,
        sources::UnitQuery, summary::SummaryQuery, units::UnitsQuery,
    };
    use crate::testing::proptest_config;
    use proptest::prelude::*;

    /// Each handler's query: its parameters, and a reader that answers the field refused.
    type Reader = fn(&str) -> Result<(), Error>;

    fn reader<T: DeserializeOwned>(q: &str) -> Result<(), Error> {
        parse::<T>(q).map(|_| ())
    }

    fn handlers() -> Vec<(&'static [&'static str], Reader)> {
        vec![
            (
                &[
                    "unit",
                    "kind",
                    "sector",
                    "status",
                    "from",
                    "to",
                    "source",
                    "external_id",
                    "page",
                    "per_page",
                    "near",
                    "polygon",
                ],
                reader::<CasesQuery>,
            ),
            (
                &["state", "severity", "kind", "unit", "limit", "offset"],
                reader::<AlertQuery>,
            ),
            (&["level", "lod", "within"], reader::<BoundariesQuery>),
            (
                &["from", "to", "unit", "kind", "sector"],
                reader::<SummaryQuery>,
            ),
            (&["level", "parent"], reader::<UnitsQuery>),
            (&["unit"], reader::<DirectiveQuery>),
            (&["unit"], reader::<OverviewQuery>),
            (&["unit"], reader::<UnitQuery>),
            (&["dry_run"], reader::<IngestQuery>),
            (&["unit", "period"], reader::<reports::PreviewQuery>),
            (
                &["unit", "period", "format", "lang"],
                reader::<reports::FileQuery>,
            ),
            (&["unit"], reader::<reports::ListQuery>),
        ]
    }

    /// A parameter's name or value: a known one, digits, signs, or anything percent-encoded.
    fn piece(known: &'static [&'static str]) -> impl Strategy<Value = String> {
        prop_oneof![
            3 => proptest::sample::select(known).prop_map(str::to_string),
            1 => "-?[0-9]{1,25}",
            1 => "[a-z_`]{0,12}",
            2 => any::<String>().prop_map(|s| form_urlencoded::byte_serialize(s.as_bytes()).collect()),
            1 => "[%&=+;#?a-zA-Z0-9]{0,12}",
            1 => proptest::collection::vec(any::<u8>(), 0..12).prop_map(|b| {
                b.iter().map(|x| format!("%{x:02X}")).collect()
            }),
        ]
    }

    fn query(known: &'static [&'static str]) -> impl Strategy<Value = String> {
        proptest::collection::vec((piece(known), piece(known), any::<bool>()), 0..6).prop_map(
            |pairs| {
                pairs
                    .into_iter()
                    .map(|(k, v, with_value)| if with_value { format!("{k}={v}") } else { k })
                    .collect::<Vec<_>>()
                    .join("&")
            },
        )
    }

    /// The parameter names a query string holds, decoded.
    fn names(q: &str) -> Vec<String> {
        form_urlencoded::parse(q.as_bytes())
            .map(|(k, _)| k.into_owned())
            .collect()
    }

    proptest! {
        #![proptest_config(proptest_config(512))]

        #[test]
        fn any_query_is_read_or_refused_naming_a_parameter(
            (h, q) in (0..12usize).prop_flat_map(|h| (Just(h), query(handlers()[h].0)))
        ) {
            let (known, read) = handlers()[h];
            match read(&q) {
                Ok(()) => {}
                Err(Error::Invalid { field, reason }) => {
                    let given = names(&q);
                    // A parameter of the handler's, one the query gave, or the query itself
                    // when a parameter has no name.
                    let named = if field == "query" {
                        given.iter().any(|n| n.is_empty() || n.contains('\0'))
                    } else {
                        known.contains(&field.as_str()) || given.contains(&field)
                    };
                    prop_assert!(named, "{q:?}: {field:?}: {reason}");
                }
                Err(other) => prop_assert!(false, "{q:?}: {other:?}"),
            }
        }

        #[test]
        fn a_date_parameter_is_a_day_or_refused_naming_it(s in prop_oneof![
            "[ ]?[0-9]{1,5}-[0-9]{1,2}-[0-9]{1,3}[ ]?",
            any::<String>(),
        ]) {
            match date("from", Some(&s)) {
                Ok(None) => prop_assert!(s.trim().is_empty()),
                Ok(Some(d)) => {
                    let written = d.format("%Y-%m-%d").to_string();
                    prop_assert_eq!(date("from", Some(&written)).ok(), Some(Some(d)));
                }
                Err(Error::Invalid { field, .. }) => prop_assert_eq!(field, "from"),
                Err(other) => prop_assert!(false, "{other:?}"),
            }
        }

        #[test]
        fn every_day_of_the_years_reads_back(days in 0i64..73_413) {
            let d = chrono::NaiveDate::from_ymd_opt(1900, 1, 1)
                .and_then(|d| d.checked_add_signed(chrono::TimeDelta::days(days)))
                .unwrap_or_default();
            prop_assert_eq!(
                date("to", Some(&d.format("%Y-%m-%d").to_string())).ok(),
                Some(Some(d))
            );
        }
    }

    #[test]
    fn a_number_of_the_wrong_kind_is_refused_naming_its_parameter() {
        for (q, field) in [
            ("limit=abc", "limit"),
            ("offset=99999999999999999999", "offset"),
            ("limit=1&limit=2", "limit"),
            ("colour=red", "colour"),
            ("a%60b=1", "a`b"),
            ("=1", "query"),
            ("kind=%00", "kind"),
            ("%00=1", "query"),
        ] {
            match parse::<AlertQuery>(q) {
                Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field, "{q}"),
                other => panic!("{q}: {other:?}"),
            }
        }
        match parse::<BoundariesQuery>("lod=1") {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "level"),
            other => panic!("{other:?}"),
        }
        match parse::<BoundariesQuery>("level=province&lod=70000") {
            Err(Error::Invalid { field, .. }) => assert_eq!(field, "lod"),
            other => panic!("{other:?}"),
        }
    }
}

#[cfg(test)]
mod path_tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::http::Request;
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_path_parameter_that_does_not_fit_is_refused_naming_it() {
        async fn text(Path(code): Path<String>) -> String {
            code
        }
        async fn number(Path(id): Path<i64>) -> String {
            id.to_string()
        }
        let app = Router::new()
            .route("/x/{code}", axum::routing::get(text))
            .route("/n/{id}", axum::routing::get(number));
        for (uri, field) in [
            ("/x/a%00b", "code"),
            ("/x/%FF", "code"),
            ("/n/abc", "id"),
            ("/n/99999999999999999999", "id"),
        ] {
            let res = app
                .clone()
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
                .await
                .unwrap();
            assert_eq!(res.status(), 400, "{uri}");
            let body = axum::body::to_bytes(res.into_body(), 1 << 16)
                .await
                .unwrap();
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(json["field"], field, "{uri}: {json}");
        }
    }
}
