//! The platform page (`/central/`, zh/en): sites and their heads, a candidate's results across
//! sites, a site's day, and the live feed (server-sent events). Platform staff sign in with
//! their token, which the page keeps in an HttpOnly cookie.

use axum::Form;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use serde::Deserialize;
use store::central::FlowEntry;

use super::CentralApp;
use super::accounts::{Platform, TOKEN_COOKIE};
use crate::auth::token_hash;
use crate::console::{Lang, esc, lang_of};
use model::UnixMs;

/// The page's texts.
#[derive(Debug, Clone, Copy)]
enum K {
    Title,
    SignIn,
    Token,
    Bad,
    Sites,
    Site,
    LastSeq,
    Alarms,
    Candidate,
    Day,
    Date,
    Show,
    Live,
    Time,
    Step,
    Detail,
    None,
}

fn tx(l: Lang, k: K) -> &'static str {
    let (zh, en) = match k {
        K::Title => ("中心平台", "Central platform"),
        K::SignIn => ("登录", "Sign in"),
        K::Token => ("平台令牌", "Platform token"),
        K::Bad => ("令牌无效", "Invalid token"),
        K::Sites => ("考场", "Sites"),
        K::Site => ("考场", "Site"),
        K::LastSeq => ("已接收至", "Held up to seq"),
        K::Alarms => ("告警", "Alarms"),
        K::Candidate => ("考生成绩（各考场）", "A candidate's results (all sites)"),
        K::Day => ("考场当日", "A site's day"),
        K::Date => ("日期", "Date"),
        K::Show => ("查询", "Show"),
        K::Live => ("实时流水", "Live feed"),
        K::Time => ("时间", "Time"),
        K::Step => ("环节", "Step"),
        K::Detail => ("内容", "Detail"),
        K::None => ("无记录", "Nothing recorded"),
    };
    if l == Lang::Zh { zh } else { en }
}

/// The label of a flow step, with its platform code.
pub fn step_label(l: Lang, step: &str, code: Option<&str>) -> String {
    let (zh, en) = match step {
        "subject_start" => ("身份认证/科目开始", "identity / subject start"),
        "item_start" => ("项目开始", "item start"),
        "deduction" => ("考试扣分", "deduction"),
        "photo" => ("过程图片", "process photo"),
        "item_end" => ("项目结束", "item end"),
        "subject_end" => ("科目结束", "subject end"),
        "theory_result" => ("理论考试成绩", "theory result"),
        "gate_admission" => ("门禁放行入场", "gate admission"),
        other => (other, other),
    };
    let name = if l == Lang::Zh { zh } else { en };
    match code {
        Some(c) => format!("{name} ({c})"),
        None => name.to_owned(),
    }
}

/// `?lang=`, `?candidate=`, `?site=&date=`.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
    candidate: Option<String>,
    site: Option<String>,
    date: Option<String>,
}

fn shell(l: Lang, body: &str) -> Html<String> {
    let other = if l == Lang::Zh { "en" } else { "zh" };
    Html(format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <title>{title}</title><style>\
         body{{font-family:sans-serif;margin:1.5em;max-width:70em}}\
         table{{border-collapse:collapse;margin:.5em 0}}td,th{{border:1px solid #bbb;padding:.2em .5em;text-align:left}}\
         form{{margin:.5em 0}}#feed li{{font-family:monospace}}</style></head>\
         <body><header><h1>{title}</h1><a href=\"?lang={other}\">{other}</a></header>{body}</body></html>",
        lang = if l == Lang::Zh { "zh" } else { "en" },
        title = tx(l, K::Title),
    ))
}

fn time_text(t: UnixMs) -> String {
    // China Standard Time, HH:MM:SS of the day, and the Unix ms for the precise value.
    let s = (t.0 + 8 * 3_600_000).div_euclid(1000);
    let d = s.rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", d / 3600, d / 60 % 60, d % 60)
}

fn flow_table(l: Lang, flow: &[FlowEntry]) -> String {
    if flow.is_empty() {
        return format!("<p class=\"none\">{}</p>", tx(l, K::None));
    }
    let rows: String = flow
        .iter()
        .map(|e| {
            format!(
                "<tr data-step=\"{step}\"><td>{time}</td><td>{site}#{seq}</td><td>{label}</td><td>{cand}</td><td>{detail}</td></tr>",
                step = esc(&e.row.step),
                time = time_text(e.row.time),
                site = esc(e.site.as_str()),
                seq = e.row.seq.0,
                label = esc(&step_label(l, &e.row.step, e.row.code.as_deref())),
                cand = esc(e.row.candidate.as_deref().unwrap_or("")),
                detail = esc(&e.row.detail),
            )
        })
        .collect();
    format!(
        "<table class=\"flow\"><tr><th>{}</th><th>{}</th><th>{}</th><th>ID</th><th>{}</th></tr>{rows}</table>",
        tx(l, K::Time),
        tx(l, K::Site),
        tx(l, K::Step),
        tx(l, K::Detail)
    )
}

/// `GET /central/`: the sign-in form, or the platform view.
pub async fn page(
    State(app): State<CentralApp>,
    jar: CookieJar,
    who: Result<Platform, crate::error::ApiError>,
    Query(q): Query<PageQuery>,
) -> Response {
    let l = lang_of(&jar, q.lang.as_deref());
    let Ok(_who) = who else {
        let form = format!(
            "<form method=\"post\" action=\"/central/login\"><label>{} <input name=\"token\" type=\"password\" autocomplete=\"off\"></label> <button>{}</button></form>",
            tx(l, K::Token),
            tx(l, K::SignIn)
        );
        return shell(l, &form).into_response();
    };
    match view(&app, l, &q).await {
        Ok(body) => shell(l, &body).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn view(app: &CentralApp, l: Lang, q: &PageQuery) -> Result<String, crate::error::ApiError> {
    let mut body = format!(
        "<h2>{}</h2><table id=\"sites\"><tr><th>{}</th><th>{}</th><th>{}</th></tr>",
        tx(l, K::Sites),
        tx(l, K::Site),
        tx(l, K::LastSeq),
        tx(l, K::Alarms)
    );
    for site in app.store.sites().await? {
        let (seq, _) = app.store.head(&site).await?;
        let alarms = app.store.alarms(Some(&site)).await?.len();
        body.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{alarms}</td></tr>",
            esc(site.as_str()),
            seq.0
        ));
    }
    body.push_str("</table>");
    let candidate = q.candidate.as_deref().unwrap_or("");
    body.push_str(&format!(
        "<h2>{}</h2><form method=\"get\"><input name=\"candidate\" value=\"{}\"> <button>{}</button></form>",
        tx(l, K::Candidate),
        esc(candidate),
        tx(l, K::Show)
    ));
    if !candidate.is_empty() {
        let flow = app.store.candidate_flow(candidate).await?;
        body.push_str(&format!(
            "<div id=\"candidate\">{}</div>",
            flow_table(l, &flow)
        ));
    }
    let (site, date) = (
        q.site.as_deref().unwrap_or(""),
        q.date.as_deref().unwrap_or(""),
    );
    body.push_str(&format!(
        "<h2>{}</h2><form method=\"get\"><label>{} <input name=\"site\" value=\"{}\"></label> \
         <label>{} <input name=\"date\" placeholder=\"2026-11-29\" value=\"{}\"></label> <button>{}</button></form>",
        tx(l, K::Day),
        tx(l, K::Site),
        esc(site),
        tx(l, K::Date),
        esc(date),
        tx(l, K::Show)
    ));
    if !site.is_empty() && !date.is_empty() {
        let s: model::SiteId = site
            .parse()
            .map_err(|e| crate::error::ApiError::BadRequest(format!("site {site:?}: {e}")))?;
        let from = super::api::day_start(date).map_err(crate::error::ApiError::BadRequest)?;
        let flow = app
            .store
            .site_flow(&s, from, UnixMs(from.0 + 86_400_000))
            .await?;
        body.push_str(&format!("<div id=\"day\">{}</div>", flow_table(l, &flow)));
    }
    // The live feed: the last entries now, then whatever central commits, by SSE.
    let last = app.store.flow_last_id().await?;
    body.push_str(&format!(
        "<h2>{live}</h2><ul id=\"feed\" data-after=\"{last}\"></ul><script>\
         const feed=document.getElementById('feed');\
         const es=new EventSource('/central/v1/flow/live?after='+Math.max(0,{last}-20));\
         es.addEventListener('flow',m=>{{const e=JSON.parse(m.data);const li=document.createElement('li');\
         li.dataset.step=e.step;li.textContent=new Date(e.time).toLocaleTimeString()+' '+e.site+'#'+e.seq+' '+e.step+(e.code?' ('+e.code+')':'')+' '+(e.candidate||'');\
         feed.prepend(li);}});</script>",
        live = tx(l, K::Live)
    ));
    Ok(body)
}

/// The sign-in form's field.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    token: String,
}

/// `POST /central/login`: a valid token goes into an HttpOnly cookie.
pub async fn login(
    State(app): State<CentralApp>,
    jar: CookieJar,
    Form(f): Form<LoginForm>,
) -> Response {
    let token = f.token.trim().to_owned();
    match app.store.account_by_token(&token_hash(&token).0).await {
        Ok(Some(_)) => {
            let cookie = Cookie::build((TOKEN_COOKIE, token))
                .path("/central")
                .http_only(true)
                .same_site(SameSite::Strict)
                .build();
            (jar.add(cookie), Redirect::to("/central/")).into_response()
        }
        Ok(None) => {
            let l = lang_of(&jar, None);
            (
                axum::http::StatusCode::UNAUTHORIZED,
                shell(
                    l,
                    &format!(
                        "<p class=\"error\">{}</p><a href=\"/central/\">{}</a>",
                        tx(l, K::Bad),
                        tx(l, K::SignIn)
                    ),
                ),
            )
                .into_response()
        }
        Err(e) => crate::error::ApiError::from(e).into_response(),
    }
}
