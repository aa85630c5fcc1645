//! The examiner page (`/theory`) and the candidate terminal (`/theory/seat`).
//!
//! Both are static HTML plus a script that calls `/api/v1/theory`; the terminal knows nothing
//! but its own seat session, so it cannot reach another candidate's paper.

use axum::Router;
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use model::Role;

use crate::auth::Caller;
use crate::console::esc;
use crate::error::ApiError;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/theory", get(examiner))
        .route("/theory/seat", get(seat))
        .route(
            "/theory/static/examiner.js",
            get(|| script(include_str!("examiner.js"))),
        )
        .route(
            "/theory/static/seat.js",
            get(|| script(include_str!("seat.js"))),
        )
        .route("/theory/static/seat.css", get(seat_css))
}

async fn script(body: &'static str) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        body,
    )
}

async fn seat_css() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("seat.css"),
    )
}

async fn examiner(caller: Result<Caller, ApiError>) -> Response {
    let caller = match caller {
        Ok(c) => c,
        Err(ApiError::Unauthorized) => return Redirect::to("/login").into_response(),
        Err(e) => return e.into_response(),
    };
    if !matches!(caller.role, Role::Admin | Role::Examiner | Role::Auditor) {
        return (
            axum::http::StatusCode::FORBIDDEN,
            Html("<p id=\"forbidden\">当前角色无权查看此页面。</p>"),
        )
            .into_response();
    }
    let runner = matches!(caller.role, Role::Admin | Role::Examiner);
    let controls = if runner {
        "<form id=\"open-form\" class=\"card\"><h2>开考 / Open a sitting</h2>\
         <label>科目<select id=\"open-exam\"><option value=\"subject1\">科目一</option>\
         <option value=\"safety\">安全文明驾驶常识</option></select></label>\
         <label>题库<select id=\"open-bank\"></select></label>\
         <label>身份复核间隔(秒)<input id=\"open-reverify\" type=\"number\" min=\"0\" value=\"0\"></label>\
         <label>考试员指纹(考试员台指纹采集器, ISO 19794-2)<textarea id=\"open-finger\" rows=\"2\" required \
         placeholder=\"请按手指 / press your finger on the desk reader\"></textarea></label>\
         <button type=\"submit\" id=\"open-submit\">按指纹开考</button></form>\
         <form id=\"assign-form\" class=\"card\"><h2>安排座位 / Assign a seat</h2>\
         <label>场次<select id=\"assign-sitting\"></select></label>\
         <label>座位<input id=\"assign-seat\" required></label>\
         <label>考生<input id=\"assign-candidate\" required></label>\
         <button type=\"submit\" id=\"assign-submit\">安排</button>\
         <p id=\"assign-done\" class=\"badge\" hidden></p></form>"
    } else {
        ""
    };
    let html = format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <title>理论考试 · 考场管理系统</title><link rel=\"stylesheet\" href=\"/static/console.css\">\
         <script src=\"/static/console.js\" defer></script><script src=\"/theory/static/examiner.js\" defer></script></head>\
         <body data-lang=\"zh-CN\"><header><strong>考场管理系统</strong><nav><a href=\"/\">总览</a><a href=\"/gate\">门禁</a>\
         <a href=\"/theory\" class=\"active\">理论考试</a><a href=\"/driving\">驾驶考试</a></nav>\
         <span class=\"right\"><span class=\"who\" id=\"who\" data-role=\"{role}\">{name} · {role}</span>\
         <button id=\"logout\" type=\"button\">退出</button></span></header>\
         <main><h1>理论考试 / Theory</h1>{controls}<p class=\"alert\" id=\"theory-error\" hidden></p>\
         <div id=\"sittings\" data-runner=\"{runner}\"></div>\
         <h2>相关事件 / Related events</h2><div class=\"toolbar\"><span class=\"badge\" id=\"area-events-state\" data-live=\"实时\" data-paused=\"已暂停\">实时</span>\
         <button type=\"button\" data-toggle=\"area-events\" data-pause=\"暂停\" data-resume=\"继续\">暂停</button></div>\
         <table class=\"events\" id=\"area-events\" data-stream=\"/api/v1/events/stream\" data-filter=\"theory.\">\
         <thead><tr><th>序号</th><th>时间</th><th>类型</th><th>对象</th><th>内容</th></tr></thead><tbody></tbody></table>\
         </main></body></html>",
        role = caller.role,
        name = esc(caller.name.as_str()),
    );
    Html(html).into_response()
}

async fn seat() -> Response {
    Html(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>理论考试 考生终端</title><link rel=\"stylesheet\" href=\"/theory/static/seat.css\">\
         <script src=\"/theory/static/seat.js\" defer></script></head><body>\
         <form id=\"seat-login\" hidden><h1>理论考试 考生登录</h1>\
         <label>座位号<input id=\"login-seat\" required></label>\
         <button type=\"submit\" id=\"login-go\">开始</button><p class=\"alert\" id=\"login-error\" hidden></p></form>\
         <section id=\"finger\" hidden><h1 id=\"finger-title\">请按手指</h1>\
         <p id=\"finger-why\">请将手指平放在本座位的指纹采集器上，核验通过后开始考试。</p>\
         <p class=\"alert\" id=\"finger-error\" hidden></p></section>\
         <section id=\"exam\" hidden><header><span id=\"exam-name\"></span><span id=\"candidate\"></span>\
         <span>剩余时间 <b id=\"countdown\">--:--</b></span><span>得分 <b id=\"score\">0</b></span></header>\
         <div id=\"body\"><article id=\"question\"><p id=\"qno\"></p><p id=\"stem\"></p><img id=\"media\" alt=\"题图\" hidden>\
         <ol id=\"options\"></ol><p class=\"hint\">按 1–4 或 A–D 选择，Enter 确认，多选题可选多项</p>\
         <button id=\"confirm\" type=\"button\">确认答案 (Enter)</button> <button id=\"submit\" type=\"button\">交卷</button>\
         <p class=\"alert\" id=\"exam-error\" hidden></p></article><aside id=\"grid\"></aside></div></section>\
         <section id=\"reverify\" hidden><h2>请按手指复核身份</h2><p id=\"reverify-why\">考试已到身份复核时间，请将手指平放在指纹采集器上。</p>\
         <p class=\"alert\" id=\"reverify-error\" hidden></p></section>\
         <section id=\"result\" hidden><h1 id=\"verdict\"></h1><p id=\"result-detail\"></p></section>\
         </body></html>",
    )
    .into_response()
}
