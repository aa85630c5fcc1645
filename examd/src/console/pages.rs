//! One handler per console page.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use model::{EventKind, Role};
use serde::Deserialize;

use super::{Lang, T, esc, t};
use crate::auth::Caller;
use crate::error::ApiError;
use crate::state::AppState;

/// `?lang=en` on any page.
#[derive(Debug, Deserialize)]
pub struct LangQuery {
    /// `zh` or `en`; anything else keeps the remembered language.
    pub lang: Option<String>,
}

/// Every console page's navigation: path and label.
const NAV: &[(&str, T)] = &[
    ("/", T::overview),
    ("/events", T::events),
    ("/gate", T::gate),
    ("/theory", T::theory),
    ("/driving", T::driving),
    ("/devices", T::devices),
    ("/watchlist", T::watchlist),
    ("/booking/admin", T::booking),
    ("/upload", T::upload),
    ("/audit", T::audit),
];

/// The navigation links, the one at `active` marked.
pub(crate) fn nav_links(l: Lang, active: &str) -> String {
    NAV.iter()
        .map(|(href, key)| {
            let cls = if *href == active {
                " class=\"active\""
            } else {
                ""
            };
            format!("<a href=\"{href}\"{cls}>{}</a>", t(l, *key))
        })
        .collect()
}

struct Page {
    lang: Lang,
    jar: CookieJar,
}

impl Page {
    fn new(jar: CookieJar, q: &LangQuery) -> Page {
        let (lang, jar) = super::remember_lang(jar, q.lang.as_deref());
        Page { lang, jar }
    }

    fn t(&self, key: T) -> &'static str {
        t(self.lang, key)
    }

    /// The whole page around `body`; `active` is the nav path.
    fn render(self, caller: Option<&Caller>, active: &str, heading: T, body: &str) -> Response {
        let l = self.lang;
        let nav = nav_links(l, active);
        let other = if l == Lang::Zh { "en" } else { "zh" };
        let who = match caller {
            Some(c) => format!(
                "<span class=\"who\" id=\"who\" data-role=\"{role}\">{name} · {role}</span>\
                 <button id=\"logout\" type=\"button\">{out}</button>",
                name = esc(c.name.as_str()),
                role = c.role,
                out = t(l, T::logout)
            ),
            None => String::new(),
        };
        let nav = if caller.is_some() {
            format!("<nav>{nav}</nav>")
        } else {
            String::new()
        };
        let html = format!(
            "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <title>{heading} · {title}</title><link rel=\"stylesheet\" href=\"/static/console.css\">\
             <script src=\"/static/console.js\" defer></script></head>\
             <body data-lang=\"{code}\"><header><strong>{title}</strong>{nav}\
             <span class=\"right\">{who}<a href=\"?lang={other}\" id=\"lang\">{language}</a></span></header>\
             <main><h1>{heading}</h1>{body}</main></body></html>",
            code = l.code(),
            title = t(l, T::title),
            heading = t(l, heading),
            language = t(l, T::language),
        );
        (self.jar, Html(html)).into_response()
    }
}

/// Renders a page for a signed-in caller with one of `roles`, else redirects to login or says no.
async fn guarded<F, Fut>(
    page: Page,
    caller: Result<Caller, ApiError>,
    roles: &[Role],
    active: &str,
    heading: T,
    body: F,
) -> Response
where
    F: FnOnce(Lang) -> Fut,
    Fut: std::future::Future<Output = Result<String, ApiError>>,
{
    let caller = match caller {
        Ok(c) => c,
        Err(ApiError::Unauthorized) => return Redirect::to("/login").into_response(),
        Err(e) => return e.into_response(),
    };
    if !roles.contains(&caller.role) {
        let msg = format!(
            "<p class=\"alert\" id=\"forbidden\">{}</p>",
            page.t(T::forbidden)
        );
        let mut resp = page.render(Some(&caller), active, heading, &msg);
        *resp.status_mut() = axum::http::StatusCode::FORBIDDEN;
        return resp;
    }
    match body(page.lang).await {
        Ok(html) => page.render(Some(&caller), active, heading, &html),
        Err(e) => e.into_response(),
    }
}

/// `GET /login`.
pub async fn login(jar: CookieJar, Query(q): Query<LangQuery>) -> Response {
    let p = Page::new(jar, &q);
    let body = format!(
        "<form id=\"login-form\" class=\"card\" data-failed=\"{failed}\">\
         <label>{user}<input name=\"name\" id=\"name\" autocomplete=\"username\" required></label>\
         <label>{pw}<input name=\"password\" id=\"password\" type=\"password\" autocomplete=\"current-password\" required></label>\
         <button type=\"submit\" id=\"login-submit\">{login}</button>\
         <p class=\"alert\" id=\"login-error\" hidden></p></form>",
        failed = esc(p.t(T::login_failed)),
        user = p.t(T::user_name),
        pw = p.t(T::password),
        login = p.t(T::login),
    );
    p.render(None, "/login", T::login, &body)
}

/// `GET /` — the site at a glance.
pub async fn overview(
    State(st): State<AppState>,
    jar: CookieJar,
    Query(q): Query<LangQuery>,
    caller: Result<Caller, ApiError>,
) -> Response {
    let page = Page::new(jar, &q);
    guarded(page, caller, &Role::ALL, "/", T::overview, |l| async move {
        let head = st.store.log_head().await?;
        let counts = st.store.kind_counts().await?;
        let rows: String = counts
            .iter()
            .map(|(code, n)| format!("<tr><td>{}</td><td>{n}</td></tr>", EventKind::from_code(*code)))
            .collect();
        Ok(format!(
            "<dl class=\"card\" id=\"site-info\">\
             <dt>{site}</dt><dd id=\"site-id\">{site_name} ({site_id})</dd>\
             <dt>{backend}</dt><dd>{backend_v}</dd>\
             <dt>{last}</dt><dd id=\"last-seq\">{last_v}</dd>\
             <dt>{headk}</dt><dd class=\"mono\">{head_v}</dd>\
             <dt>{key}</dt><dd class=\"mono\">{key_v}</dd></dl>\
             <h2>{kinds}</h2><table><thead><tr><th>{kind}</th><th>{count}</th></tr></thead><tbody>{rows}</tbody></table>",
            site = t(l, T::site),
            site_name = esc(&st.rt.site_name),
            site_id = st.rt.site,
            backend = t(l, T::backend),
            backend_v = st.store.backend(),
            last = t(l, T::last_seq),
            last_v = head.map(|(s, _)| s.0).unwrap_or(0),
            headk = t(l, T::head),
            head_v = head.map(|(_, h)| h.to_hex()).unwrap_or_default(),
            key = t(l, T::key_id),
            key_v = st.public_key.key_id(),
            kinds = t(l, T::kind_counts),
            kind = t(l, T::kind),
            count = t(l, T::count),
        ))
    })
    .await
}

fn events_table(l: Lang, id: &str, filter: &str) -> String {
    format!(
        "<div class=\"toolbar\"><span class=\"badge\" id=\"{id}-state\" data-live=\"{live}\" data-paused=\"{paused}\">{live}</span>\
         <button type=\"button\" data-toggle=\"{id}\" data-pause=\"{pause}\" data-resume=\"{resume}\">{pause}</button></div>\
         <table class=\"events\" id=\"{id}\" data-stream=\"/api/v1/events/stream\" data-filter=\"{filter}\">\
         <thead><tr><th>{seq}</th><th>{time}</th><th>{kind}</th><th>{subjects}</th><th>{payload}</th></tr></thead><tbody></tbody></table>",
        live = t(l, T::live),
        paused = t(l, T::paused),
        pause = t(l, T::pause),
        resume = t(l, T::resume),
        seq = t(l, T::seq),
        time = t(l, T::time),
        kind = t(l, T::kind),
        subjects = t(l, T::subjects),
        payload = t(l, T::payload),
    )
}

/// `GET /events` — the live event stream.
pub async fn events(
    jar: CookieJar,
    Query(q): Query<LangQuery>,
    caller: Result<Caller, ApiError>,
) -> Response {
    let page = Page::new(jar, &q);
    guarded(
        page,
        caller,
        crate::api::LOG_READERS,
        "/events",
        T::events,
        |l| async move { Ok(events_table(l, "event-stream", "")) },
    )
    .await
}

/// `GET /audit` — verify the log, export it, see checkpoints.
pub async fn audit(
    State(st): State<AppState>,
    jar: CookieJar,
    Query(q): Query<LangQuery>,
    caller: Result<Caller, ApiError>,
) -> Response {
    let page = Page::new(jar, &q);
    guarded(page, caller, crate::api::LOG_READERS, "/audit", T::audit, |l| async move {
        let cps = st.store.checkpoints().await?;
        let rows: String = cps
            .iter()
            .rev()
            .take(20)
            .map(|c| format!("<tr><td>{}</td><td class=\"mono\">{}</td></tr>", c.tree_size, hex::encode(&c.signature[..8.min(c.signature.len())])))
            .collect();
        Ok(format!(
            "<div class=\"toolbar\"><button type=\"button\" id=\"verify\" data-ok=\"{ok}\" data-bad=\"{bad}\">{verify}</button>\
             <a class=\"button\" id=\"export\" href=\"/api/v1/audit/export\" download>{export}</a></div>\
             <pre class=\"card\" id=\"verify-result\" hidden></pre>\
             <h2>{cpk}</h2><table id=\"checkpoints\"><thead><tr><th>{size}</th><th>Ed25519</th></tr></thead><tbody>{rows}</tbody></table>{replays}",
            ok = esc(t(l, T::verify_ok)),
            bad = esc(t(l, T::verify_bad)),
            verify = t(l, T::verify),
            export = t(l, T::export),
            cpk = t(l, T::checkpoints),
            size = t(l, T::tree_size),
            replays = crate::driving::audit_replays(&st, l),
        ))
    })
    .await
}

/// `GET /upload` — how far central has acknowledged the log.
pub async fn upload(
    State(st): State<AppState>,
    jar: CookieJar,
    Query(q): Query<LangQuery>,
    c: Result<Caller, ApiError>,
) -> Response {
    let page = Page::new(jar, &q);
    let roles = [Role::Admin, Role::Examiner, Role::Auditor];
    guarded(page, c, &roles, "/upload", T::upload, |l| async move {
        let s = crate::api::upload_json(&st);
        let v = |k: &str| match &s[k] {
            serde_json::Value::Null => "—".to_owned(),
            serde_json::Value::String(x) => esc(x),
            other => other.to_string(),
        };
        let status = if s["configured"] == true {
            format!(
                "<dl class=\"card\" id=\"upload-status\" data-backlog=\"{backlog}\">\
                 <dt>{c}</dt><dd class=\"mono\">{url}</dd><dt>{a}</dt><dd id=\"acked\">{acked}</dd>\
                 <dt>{last}</dt><dd>{head}</dd><dt>{b}</dt><dd id=\"backlog\">{backlog}</dd>\
                 <dt>{e}</dt><dd class=\"alert\">{err}</dd></dl>",
                c = t(l, T::central),
                url = v("central_url"),
                a = t(l, T::acked),
                acked = v("acked"),
                last = t(l, T::last_seq),
                head = v("local_head"),
                b = t(l, T::backlog),
                backlog = v("backlog"),
                e = t(l, T::last_error),
                err = v("last_error"),
            )
        } else {
            format!(
                "<p class=\"card\" id=\"upload-status\">{}</p>",
                t(l, T::upload_off)
            )
        };
        Ok(format!(
            "{status}<h2>{}</h2>{}",
            t(l, T::related_events),
            events_table(l, "area-events", "upload.")
        ))
    })
    .await
}
