//! The console's driving page (`/driving`): live sessions with their deductions (refreshed from the
//! page's driving event feed, [`super::feed`]), the examiner's manual deduction, and finished
//! sessions with their replay pictures.

use crate::console::LangQuery;
use axum::Router;
use axum::extract::Query;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use model::Role;

use crate::auth::Caller;
use crate::console::{AreaVisit, Lang, T, area_visit, esc, t};
use crate::error::ApiError;

pub(super) fn routes() -> Router<crate::state::AppState> {
    Router::new()
        .route("/driving", get(driving_page))
        .route("/driving/static/driving.js", get(driving_js))
}

crate::console::page_texts! {
    D, d;
    live => "进行中的考试", "Exams in progress";
    finished => "已结束的考试", "Finished exams";
    none => "无", "None";
    session => "考试编号", "Session";
    car => "考车", "Car";
    candidate => "考生", "Candidate";
    examiner => "考试员", "Examiner";
    subject => "科目", "Subject";
    score => "得分", "Score";
    item => "当前项目", "Item";
    deductions => "扣分", "Deductions";
    result => "结果", "Result";
    passed => "合格", "passed";
    failed => "不合格", "failed";
    interrupted => "中断", "interrupted";
    replay => "回放图", "Replay";
    manual => "人工评判", "Manual deduction";
    rule => "扣分项", "Rule";
    enter => "扣分", "Deduct";
    driving_events => "驾驶考试事件", "Driving exam events";
    replays => "驾驶考试回放图", "Driving exam replays";
    photo_start => "开始照片", "Start photo";
    photo_item_start => "项目照片", "Item photo";
    photo_deduction => "扣分照片", "Deduction photo";
    photo_end => "结束照片", "End photo";
}

fn chrome(l: Lang, caller: &Caller, body: &str) -> String {
    crate::console::area_chrome(
        l,
        caller,
        "/driving",
        t(l, T::driving),
        "/driving/static/driving.js",
        body,
    )
}

/// `GET /driving`.
async fn driving_page(
    jar: CookieJar,
    Query(q): Query<LangQuery>,
    caller: Result<Caller, ApiError>,
) -> Response {
    let visit = area_visit(jar, q.lang.as_deref(), caller, super::api::WATCHERS, chrome);
    let AreaVisit {
        lang: l,
        jar,
        caller,
    } = match visit {
        Ok(v) => v,
        Err(response) => return response,
    };
    let can_deduct = matches!(caller.role, Role::Admin | Role::Examiner);
    let manual = if can_deduct {
        format!(
            "<form id=\"manual-form\" class=\"card\"><h2>{manual}</h2>\
             <label>{session}<select id=\"manual-session\"></select></label>\
             <label>{rule}<select id=\"manual-code\"></select></label>\
             <button type=\"submit\" id=\"manual-submit\">{enter}</button>\
             <p class=\"alert\" id=\"manual-error\" hidden></p></form>",
            manual = d(l, D::manual),
            session = d(l, D::session),
            rule = d(l, D::rule),
            enter = d(l, D::enter),
        )
    } else {
        String::new()
    };
    let body = format!(
        "<div id=\"driving\" data-lang=\"{lang}\" data-texts='{texts}'>\
         <h2>{live}</h2><div id=\"live-sessions\"></div>{manual}\
         <h2>{finished}</h2><table id=\"finished-sessions\"><thead><tr><th>{session}</th><th>{car}</th>\
         <th>{candidate}</th><th>{subject}</th><th>{score}</th><th>{result}</th><th>{deductions}</th><th>{replay}</th></tr></thead>\
         <tbody></tbody></table></div>\
         <h2>{events}</h2><div class=\"toolbar\"><span class=\"badge\" id=\"area-events-state\" data-live=\"{l_live}\" data-paused=\"{l_paused}\">{l_live}</span>\
         <button type=\"button\" data-toggle=\"area-events\" data-pause=\"{l_pause}\" data-resume=\"{l_resume}\">{l_pause}</button></div>\
         <table class=\"events\" id=\"area-events\" data-stream=\"/api/v1/driving/events\">\
         <thead><tr><th>{seq}</th><th>{time}</th><th>{kind}</th><th>{subjects}</th><th>{payload}</th></tr></thead><tbody></tbody></table>",
        lang = if l == Lang::En { "en" } else { "zh" },
        texts = esc(&table()),
        live = d(l, D::live),
        finished = d(l, D::finished),
        session = d(l, D::session),
        car = d(l, D::car),
        candidate = d(l, D::candidate),
        subject = d(l, D::subject),
        score = d(l, D::score),
        result = d(l, D::result),
        deductions = d(l, D::deductions),
        replay = d(l, D::replay),
        events = d(l, D::driving_events),
        l_live = t(l, T::live),
        l_paused = t(l, T::paused),
        l_pause = t(l, T::pause),
        l_resume = t(l, T::resume),
        seq = t(l, T::seq),
        time = t(l, T::time),
        kind = t(l, T::kind),
        subjects = t(l, T::subjects),
        payload = t(l, T::payload),
    );
    (jar, Html(chrome(l, &caller, &body))).into_response()
}

/// `GET /driving/static/driving.js`.
async fn driving_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("driving.js"),
    )
}

/// The audit page's list of the latest finished sessions (at most 20), each linked to its replay
/// picture, re-judged from the log.
pub fn audit_replays(st: &crate::state::AppState, l: Lang) -> String {
    let items: String = st
        .areas
        .driving
        .sessions()
        .into_iter()
        .filter(|s| s.state != "live")
        .take(20)
        .map(|s| {
            format!(
                "<li><a class=\"replay\" href=\"/api/v1/driving/sessions/{id}/replay.svg\">{id}</a> \
                 {candidate} · {score} · {state}</li>",
                id = esc(&s.id),
                candidate = esc(&s.candidate),
                score = s.score,
                state = d(
                    l,
                    match s.state.as_str() {
                        "passed" => D::passed,
                        "failed" => D::failed,
                        _ => D::interrupted,
                    }
                ),
            )
        })
        .collect();
    let items = if items.is_empty() {
        format!("<li>{}</li>", d(l, D::none))
    } else {
        items
    };
    format!(
        "<h2>{}</h2><ul id=\"driving-replays\">{items}</ul>",
        d(l, D::replays)
    )
}
