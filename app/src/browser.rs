//! The few things the app asks of the browser directly: navigation, cookies, the document's language.

use domain::format::Lang;

/// Sends the browser to the login page, returning here after.
pub fn go_to_login() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let loc = w.location();
        let here = format!(
            "{}{}",
            loc.pathname().unwrap_or_default(),
            loc.search().unwrap_or_default()
        );
        if here.starts_with("/login") {
            return;
        }
        let next = js_sys::encode_uri_component(&here);
        let _ = loc.assign(&format!("/login?next={next}"));
    }
}

/// Loads `path` (a path on our own server) as a full page.
pub fn go_to(path: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(path);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = path;
}

/// Remembers the language in a cookie (so the server renders it next time) and on `<html lang>`.
pub fn remember_lang(lang: Lang) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(doc) = web_sys::window().and_then(|w| w.document()) {
            if let Some(html) = doc.document_element() {
                let _ = html.set_attribute("lang", lang.tag());
            }
            if let Ok(doc) = doc.dyn_into::<web_sys::HtmlDocument>() {
                let _ = doc.set_cookie(&format!(
                    "lang={}; Path=/; Max-Age=31536000; SameSite=Strict",
                    lang.tag()
                ));
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = lang;
}

/// The language the server rendered the page in (`<html lang>`).
#[cfg(feature = "hydrate")]
pub fn document_lang() -> Option<Lang> {
    let html = web_sys::window()?.document()?.document_element()?;
    html.get_attribute("lang").map(|t| Lang::from_tag(&t))
}

/// The language the server rendered the page in (none on the server itself).
#[cfg(not(feature = "hydrate"))]
pub fn document_lang() -> Option<Lang> {
    None
}

/// A safe place to go after login: a path on this server, else the overview.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_string(),
        _ => "/".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn login_only_returns_to_our_own_pages() {
        assert_eq!(safe_next(Some("/?unit=01")), "/?unit=01");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }
}
