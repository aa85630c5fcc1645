//! The web console: server-rendered pages, Chinese first, working offline (no CDN).
//!
//! Pages read the same store and log as the API; live parts use the API from a small script.

mod area_page;
mod i18n;
mod pages;

use axum::Router;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum_extra::extract::CookieJar;

use crate::state::AppState;
pub use area_page::{AreaVisit, area_chrome, area_visit, remember_lang};
pub(crate) use i18n::page_texts;
pub use i18n::{Lang, T, t};
pub use pages::LangQuery;

/// Console routes (outside `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::overview))
        .route("/login", get(pages::login))
        .route("/events", get(pages::events))
        .route("/audit", get(pages::audit))
        .route("/upload", get(pages::upload))
        .route("/static/console.css", get(css))
        .route("/static/console.js", get(js))
}

async fn css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("console.css"),
    )
}

async fn js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("console.js"),
    )
}

/// The language from `?lang=zh|en` (then remembered) or the cookie; Chinese by default. Another
/// `?lang=` value keeps the remembered language.
pub fn lang_of(jar: &CookieJar, query: Option<&str>) -> Lang {
    let asked = query.filter(|q| matches!(*q, "en" | "zh"));
    match asked.or_else(|| jar.get("lang").map(|c| c.value())) {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
