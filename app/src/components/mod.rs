//! Pieces shared by pages: the app shell, KPI tiles, the language switch.

pub mod kpi;
pub mod notices;
pub mod quality;
pub mod shell;
pub mod spark;

use crate::i18n::{Key, t};
use leptos::prelude::*;

/// A loaded resource's view, or the notice that it could not be loaded (every page says it the
/// same way).
pub fn or_failed<T, V: IntoView + 'static>(
    loaded: Result<T, crate::api::ApiFailure>,
    ok: impl FnOnce(T) -> V,
) -> AnyView {
    match loaded {
        Ok(value) => ok(value).into_any(),
        Err(_) => view! { <p class="load-failed" role="alert">{t(Key::LoadFailed)}</p> }.into_any(),
    }
}
