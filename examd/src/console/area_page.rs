//! The preamble every area page (gate, driving, devices, booking administration) starts with:
//! the page language, the login redirect, and the forbidden page for roles outside the area.

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use model::Role;

use super::{Lang, T, esc, lang_of, t};
use crate::auth::Caller;
use crate::error::ApiError;

/// The page language from `?lang=` or the `lang` cookie, and the jar that remembers an explicit
/// `?lang=zh|en` in that cookie (anything else keeps the remembered language).
pub fn remember_lang(jar: CookieJar, query: Option<&str>) -> (Lang, CookieJar) {
    let lang = lang_of(&jar, query);
    let jar = match query {
        Some(l @ ("en" | "zh")) => jar.add(
            Cookie::build(("lang", l.to_owned()))
                .path("/")
                .same_site(SameSite::Lax)
                .build(),
        ),
        _ => jar,
    };
    (lang, jar)
}

/// Who an area page is shown to, once [`area_visit`] let them in.
#[derive(Debug)]
pub struct AreaVisit {
    /// The page language.
    pub lang: Lang,
    /// The cookies to send back with the page (the remembered language).
    pub jar: CookieJar,
    /// The logged-in caller, whose role is one of the area's watchers.
    pub caller: Caller,
}

/// An area page's preamble: the language ([`remember_lang`]); a redirect to `/login` for a
/// visitor without a session (other authentication errors answered as the API answers them);
/// for a role outside `watchers`, status 403 with the forbidden notice inside the area's
/// `chrome` (its page frame). `Err` is the response to send instead of the page.
#[allow(clippy::result_large_err)] // The refusal is returned to axum as it is, once per request.
pub fn area_visit(
    jar: CookieJar,
    query: Option<&str>,
    caller: Result<Caller, ApiError>,
    watchers: &[Role],
    chrome: impl FnOnce(Lang, &Caller, &str) -> String,
) -> Result<AreaVisit, Response> {
    let (lang, jar) = remember_lang(jar, query);
    let caller = match caller {
        Ok(c) => c,
        Err(ApiError::Unauthorized) => return Err(Redirect::to("/login").into_response()),
        Err(e) => return Err(e.into_response()),
    };
    if !watchers.contains(&caller.role) {
        let notice = format!(
            "<p class=\"alert\" id=\"forbidden\">{}</p>",
            t(lang, T::forbidden)
        );
        let page = Html(chrome(lang, &caller, &notice));
        return Err((StatusCode::FORBIDDEN, jar, page).into_response());
    }
    Ok(AreaVisit { lang, jar, caller })
}

/// An area page's frame: the console's header and navigation (`active` marked), the caller,
/// the language switch, the area's own `script` (none when empty) and `body` under `heading`.
pub fn area_chrome(
    l: Lang,
    caller: &Caller,
    active: &str,
    heading: &str,
    script: &str,
    body: &str,
) -> String {
    let other = if l == Lang::Zh { "en" } else { "zh" };
    let script = if script.is_empty() {
        String::new()
    } else {
        format!("<script src=\"{script}\" defer></script>")
    };
    format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{heading} · {title}</title><link rel=\"stylesheet\" href=\"/static/console.css\">\
         <script src=\"/static/console.js\" defer></script>{script}</head>\
         <body data-lang=\"{code}\"><header><strong>{title}</strong><nav>{nav}</nav>\
         <span class=\"right\"><span class=\"who\" id=\"who\" data-role=\"{role}\">{name} · {role}</span>\
         <button id=\"logout\" type=\"button\">{out}</button><a href=\"?lang={other}\" id=\"lang\">{language}</a></span></header>\
         <main><h1>{heading}</h1>{body}</main></body></html>",
        code = l.code(),
        title = t(l, T::title),
        language = t(l, T::language),
        nav = super::pages::nav_links(l, active),
        role = caller.role,
        name = esc(caller.name.as_str()),
        out = t(l, T::logout),
    )
}

#[cfg(test)]
mod tests {
    use axum::http::header;

    use super::*;

    fn caller(role: Role) -> Result<Caller, ApiError> {
        Ok(Caller {
            name: "li.wei".parse().unwrap(),
            role,
        })
    }

    fn frame(l: Lang, c: &Caller, body: &str) -> String {
        format!("<html lang=\"{}\">{} {body}</html>", l.code(), c.role)
    }

    #[test]
    fn a_watcher_gets_the_page_in_the_language_asked_and_remembered() {
        let visit = area_visit(
            CookieJar::new(),
            Some("en"),
            caller(Role::Auditor),
            &[Role::Admin, Role::Auditor],
            frame,
        )
        .unwrap();
        assert_eq!(visit.lang, Lang::En);
        assert_eq!(visit.jar.get("lang").map(|c| c.value()), Some("en"));
        assert_eq!(visit.caller.role, Role::Auditor);
        // The cookie alone keeps the language; a language not offered changes nothing.
        let (lang, jar) = remember_lang(visit.jar, Some("fr"));
        assert_eq!(lang, Lang::En);
        assert_eq!(jar.get("lang").map(|c| c.value()), Some("en"));
        assert_eq!(remember_lang(CookieJar::new(), None).0, Lang::Zh);
    }

    #[test]
    fn a_visitor_without_a_session_goes_to_the_login() {
        let r = area_visit(
            CookieJar::new(),
            None,
            Err(ApiError::Unauthorized),
            &[Role::Admin],
            frame,
        )
        .unwrap_err();
        assert!(r.status().is_redirection(), "{}", r.status());
        assert_eq!(r.headers()[header::LOCATION], "/login");
    }

    #[tokio::test]
    async fn another_role_gets_the_forbidden_notice_in_the_area_frame() {
        let r = area_visit(
            CookieJar::new(),
            Some("zh"),
            caller(Role::Device),
            &[Role::Admin, Role::Examiner],
            frame,
        )
        .unwrap_err();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(
            r.headers()[header::SET_COOKIE]
                .to_str()
                .unwrap()
                .starts_with("lang=zh")
        );
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        let body = String::from_utf8(body.to_vec()).unwrap();
        assert!(
            body.starts_with("<html lang=\"zh-CN\">device <p class=\"alert\" id=\"forbidden\">"),
            "{body}"
        );
    }
}
