//! The console's devices page (`/devices`, 设备): every configured sensor with its link, finger, last error and
//! last capture, and the gate's door module. Server-rendered; `devices.js` refreshes the table from
//! `/api/v1/devices` whenever a `device.` event arrives on the event stream, and every 2 s.

use crate::console::LangQuery;
use axum::extract::Query;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::CookieJar;

use crate::auth::Caller;
use crate::console::{AreaVisit, Lang, T, area_visit, esc, t};
use crate::error::ApiError;

crate::console::page_texts! {
    D, d;
    heading => "设备", "Devices";
    sensors => "指纹仪", "Fingerprint sensors";
    no_sensors => "未配置指纹仪（配置文件中的 [[sensor]]）。", "No sensors configured ([[sensor]] in the configuration file).";
    id => "编号", "Id";
    kind => "类型", "Kind";
    role => "用途", "Role";
    device => "设备地址", "Device";
    link => "连接", "Link";
    finger => "手指", "Finger";
    image => "图像", "Image";
    last_error => "最近错误", "Last error";
    last_capture => "最近采集", "Last capture";
    captures => "采集次数", "Captures";
    connecting => "连接中", "connecting";
    connected => "已连接", "connected";
    lost => "已断开", "lost";
    present => "有", "present";
    absent => "无", "none";
    door_module => "门控模块", "Door module";
    door_up => "正常", "answering";
    door_down => "无响应", "not answering";
    no_door => "门禁服务未运行。", "The gate service is not running.";
    device_events => "设备事件", "Device events";
}

fn chrome(l: Lang, caller: &Caller, body: &str) -> String {
    crate::console::area_chrome(
        l,
        caller,
        "/devices",
        d(l, D::heading),
        "/static/devices.js",
        body,
    )
}

/// `GET /devices`.
pub async fn devices_page(
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
    let body = format!(
        "<div id=\"devices\" data-texts='{texts}'>\
         <h2>{sensors}</h2><p id=\"no-sensors\" hidden>{no_sensors}</p>\
         <table id=\"sensors\"><thead><tr><th>{id}</th><th>{kind}</th><th>{role}</th><th>{device}</th>\
         <th>{link}</th><th>{finger}</th><th>{image}</th><th>{last_capture}</th><th>{captures}</th><th>{last_error}</th>\
         </tr></thead><tbody></tbody></table>\
         <h2>{door_module}</h2><p class=\"card\" id=\"door-module\"></p></div>\
         <h2>{events}</h2>\
         <table class=\"events\" id=\"area-events\" data-stream=\"/api/v1/events/stream\" data-filter=\"device.\">\
         <thead><tr><th>{seq}</th><th>{time}</th><th>{ekind}</th><th>{subjects}</th><th>{payload}</th></tr></thead><tbody></tbody></table>",
        texts = esc(&table()),
        sensors = d(l, D::sensors),
        no_sensors = d(l, D::no_sensors),
        id = d(l, D::id),
        kind = d(l, D::kind),
        role = d(l, D::role),
        device = d(l, D::device),
        link = d(l, D::link),
        finger = d(l, D::finger),
        image = d(l, D::image),
        last_capture = d(l, D::last_capture),
        captures = d(l, D::captures),
        last_error = d(l, D::last_error),
        door_module = d(l, D::door_module),
        events = d(l, D::device_events),
        seq = t(l, T::seq),
        time = t(l, T::time),
        ekind = t(l, T::kind),
        subjects = t(l, T::subjects),
        payload = t(l, T::payload),
    );
    (jar, Html(chrome(l, &caller, &body))).into_response()
}

/// `GET /static/devices.js`.
pub async fn devices_js() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("devices.js"),
    )
}
