//! The console's gate page (`/gate`): both doors live, who is in the vestibule, alarms with acknowledge, the
//! last scans, and the gate's events as they are logged. Server-rendered; `gate.js` refreshes the panels from
//! `/api/v1/gate/status` whenever a `gate.` event arrives on the event stream.

use crate::console::LangQuery;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::CookieJar;
use model::Role;

use crate::auth::Caller;
use crate::console::{AreaVisit, Lang, T, area_visit, esc, t};
use crate::error::ApiError;
use crate::state::AppState;

crate::console::page_texts! {
    G, g;
    doors => "门", "Doors";
    door_a => "A门（候考区→缓冲间）", "Door A (waiting area → vestibule)";
    door_b => "B门（缓冲间→考场）", "Door B (vestibule → exam hall)";
    vestibule => "缓冲间内", "In the vestibule";
    empty => "无人", "Nobody";
    unidentified => "身份不明人员", "Unidentified person";
    alarms => "报警", "Alarms";
    no_alarms => "无报警", "No alarms";
    ack => "确认", "Acknowledge";
    scans => "最近比对", "Last scans";
    attempts => "正在核验", "Checks in progress";
    not_running => "门禁服务未运行（未连接门控模块）。", "The gate service is not running (no door module attached).";
    module => "门控模块", "Door module";
    roster => "考生名单", "Roster";
    comms_lost => "门控模块无响应", "Door module not answering";
    fire => "消防联动：所有门已释放", "Fire override: every door released";
    gate_events => "门禁事件", "Gate events";
    closed_locked => "关闭·已锁", "closed · locked";
    closed_unlocked => "关闭·已开锁", "closed · unlocked";
    open => "打开", "open";
    held_open => "开门超时", "held open";
    forced_open => "强行开门", "forced open";
    fire_released => "消防释放", "fire released";
    unknown => "未知", "unknown";
    stand_in => "替考报警", "Stand-in";
    tailgating => "尾随报警", "Tailgating";
    passback => "反潜回报警", "Passback";
    fire_override => "消防联动", "Fire override";
    tamper => "防拆报警", "Tamper";
    no_seat => "无空座位", "No free seat";
    watchlist => "黑名单报警", "Watch-list";
    watchlist_hit => "黑名单人员，禁止入场", "watch-list: refused";
    admit => "通过", "admitted";
    retry => "重试", "retry";
    stand_in_alarm => "替考报警", "stand-in alarm";
    needs_override => "需考试员核验", "examiner needed";
    awaiting_examiner => "等待考试员", "awaiting examiner";
    not_on_roster => "不在名单", "not on roster";
    not_today => "不是今天的考试", "sitting not today";
    sitting_not_open => "尚未开始入场", "sitting not open yet";
    sitting_over => "已停止入场", "sitting over";
    driving_only => "驾驶考试考生（到考车核验）", "driving test only";
    refused => "拒绝", "refused";
    nobody_inside => "缓冲间无人", "nobody inside";
    override_rejected => "考试员指纹不符", "examiner finger rejected";
    seats => "已分配座位", "Seats given";
    fire_reset => "复位消防联动（所有门重新上锁）", "Reset the fire override (relocks every door)";
    fire_reset_refused => "不能复位：", "Reset refused: ";
}

fn chrome(l: Lang, caller: &Caller, body: &str) -> String {
    crate::console::area_chrome(l, caller, "/gate", t(l, T::gate), "/static/gate.js", body)
}

/// `GET /gate`.
pub async fn gate_page(
    State(st): State<AppState>,
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
    let running = st.areas.gate.running();
    let can_ack = matches!(caller.role, Role::Admin | Role::Examiner);
    let body = format!(
        "<div id=\"gate\" data-running=\"{running}\" data-ack=\"{can_ack}\" data-texts='{texts}'>\
         <p class=\"alert\" id=\"gate-not-running\"{hide}>{not_running}</p>\
         <p class=\"alert\" id=\"gate-banner\" hidden></p>\
         <p id=\"gate-fire\" hidden><button id=\"fire-reset\" type=\"button\">{fire_reset}</button> \
         <span class=\"alert\" id=\"fire-reset-msg\"></span></p>\
         <p id=\"gate-info\"></p>\
         <h2>{doors}</h2><div class=\"card\" id=\"gate-doors\"></div>\
         <h2>{vestibule}</h2><div class=\"card\" id=\"gate-vestibule\"></div>\
         <h2>{attempts}</h2><div class=\"card\" id=\"gate-attempts\"></div>\
         <h2>{alarms}</h2><table id=\"gate-alarms\"><tbody></tbody></table>\
         <h2>{scans}</h2><table id=\"gate-scans\"><tbody></tbody></table>\
         <h2>{seats}</h2><div class=\"card\" id=\"gate-seats\"></div></div>\
         <h2>{events}</h2>\
         <table class=\"events\" id=\"area-events\" data-stream=\"/api/v1/events/stream\" data-filter=\"gate.\">\
         <thead><tr><th>{seq}</th><th>{time}</th><th>{kind}</th><th>{subjects}</th><th>{payload}</th></tr></thead><tbody></tbody></table>",
        texts = esc(&table()),
        hide = if running { " hidden" } else { "" },
        not_running = g(l, G::not_running),
        doors = g(l, G::doors),
        vestibule = g(l, G::vestibule),
        attempts = g(l, G::attempts),
        alarms = g(l, G::alarms),
        scans = g(l, G::scans),
        seats = g(l, G::seats),
        fire_reset = g(l, G::fire_reset),
        events = g(l, G::gate_events),
        seq = t(l, T::seq),
        time = t(l, T::time),
        kind = t(l, T::kind),
        subjects = t(l, T::subjects),
        payload = t(l, T::payload),
    );
    (jar, Html(chrome(l, &caller, &body))).into_response()
}

/// `GET /static/gate.js`.
pub async fn gate_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("gate.js"),
    )
}
