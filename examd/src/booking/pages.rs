//! The candidate booking page (`/booking`), the admin page (`/booking/admin`) and the public
//! draw page (`/draw`). Static HTML in Chinese (English with `?lang=en`) plus a script that
//! calls `/api/v1/booking`.

use crate::console::LangQuery;
use axum::Router;
use axum::extract::Query;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use model::Role;

use crate::auth::Caller;
use crate::console::{Lang, area_visit, esc, lang_of};
use crate::error::ApiError;
use crate::state::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/booking", get(candidate))
        .route("/booking/admin", get(admin))
        .route("/draw", get(public_draw))
        .route(
            "/booking/static/booking.js",
            get(|| script(include_str!("booking.js"))),
        )
}

async fn script(body: &'static str) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        body,
    )
}

/// Chinese or English.
fn tr(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn head(lang: Lang, title: &str, page: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title><link rel=\"stylesheet\" href=\"/static/console.css\">\
         <script src=\"/booking/static/booking.js\" defer></script></head>\
         <body data-lang=\"{code}\" data-page=\"{page}\">",
        code = lang.code(),
        title = esc(title),
    )
}

async fn candidate(jar: CookieJar, q: Query<LangQuery>) -> Response {
    let l = lang_of(&jar, q.lang.as_deref());
    let t = |zh, en| tr(l, zh, en);
    let html = format!(
        "{head}<header><strong>{brand}</strong><nav><a href=\"/draw\">{draw}</a>\
         <a href=\"?lang=zh\">中文</a><a href=\"?lang=en\">English</a></nav></header><main>\
         <h1>{title}</h1>\
         <form id=\"login\" class=\"card\"><h2>{ident}</h2>\
         <label>{idno}<input id=\"cand-id\" required autocomplete=\"off\" maxlength=\"18\"></label>\
         <button type=\"button\" id=\"send-code\">{send}</button>\
         <label>{code}<input id=\"code\" inputmode=\"numeric\" maxlength=\"6\" autocomplete=\"one-time-code\"></label>\
         <button type=\"submit\" id=\"login-go\">{enter}</button>\
         <p class=\"badge\" id=\"login-msg\" hidden></p></form>\
         <section id=\"me\" hidden><h2 id=\"me-name\"></h2><p id=\"me-permit\"></p>\
         <p class=\"alert\" id=\"msg\" hidden></p><p class=\"badge\" id=\"ok\" hidden></p>\
         <div id=\"notices\"></div>\
         <h2>{mine}</h2><table id=\"bookings\"><thead><tr><th>{subj}</th><th>{day}</th><th>{session}</th>\
         <th>{state}</th><th></th></tr></thead><tbody></tbody></table>\
         <h2>{avail}</h2><table id=\"open\"><thead><tr><th>{subj}</th><th>{day}</th><th>{session}</th>\
         <th>{free}</th><th></th></tr></thead><tbody></tbody></table>\
         <button type=\"button\" id=\"logout\">{logout}</button></section>\
         <p class=\"hint\">{hint}</p></main>\
         <template id=\"words\" data-book=\"{book}\" data-cancel=\"{cancel}\" data-sent=\"{sent}\" \
         data-permit=\"{permit}\" data-none=\"{nopermit}\" data-pending=\"{pending}\" data-passed=\"{passed}\" \
         data-failed=\"{failed}\" data-no_show=\"{noshow}\" data-cancelled=\"{cancelled}\" \
         data-apply=\"{apply}\" data-applied=\"{applied}\" data-not_allocated=\"{notalloc}\" data-won=\"{won}\" \
         data-lottery=\"{lottery}\" data-applicants=\"{applicants}\" data-places=\"{places}\"></template></body></html>",
        head = head(l, t("考试预约", "Exam booking"), "candidate"),
        brand = t("机动车驾驶人考试预约", "Driving test booking"),
        draw = t("抽签公示", "Draw record"),
        title = t("考试预约", "Exam booking"),
        ident = t("身份核验", "Identify"),
        idno = t("身份证号码", "ID number"),
        send = t("获取验证码", "Send code"),
        code = t("短信验证码", "SMS code"),
        enter = t("登录", "Log in"),
        mine = t("我的预约", "My bookings"),
        subj = t("科目", "Subject"),
        day = t("考试日期", "Exam day"),
        session = t("场次", "Session"),
        state = t("状态", "State"),
        avail = t("可预约场次", "Sessions open for booking"),
        free = t("余位", "Places left"),
        logout = t("退出", "Log out"),
        hint = t(
            "验证码发送至报名时登记的手机号码，5 分钟内有效。须至少提前一个工作日取消预约，缺考按不合格处理。",
            "The code goes to the phone registered with your application and is valid for 5 minutes. Cancel at least one working day before; a no-show counts as a fail."
        ),
        book = t("预约", "Book"),
        cancel = t("取消", "Cancel"),
        sent = t("验证码已发送", "Code sent"),
        permit = t("学习驾驶证明有效期", "Learner permit valid"),
        nopermit = t(
            "尚无学习驾驶证明（请先预约科目一）",
            "No learner permit yet (book Subject 1 first)"
        ),
        pending = t("已预约", "Booked"),
        passed = t("合格", "Passed"),
        failed = t("不合格", "Failed"),
        noshow = t("缺考（不合格）", "No-show (failed)"),
        cancelled = t("已取消", "Cancelled"),
        apply = t("申请抽签", "Apply"),
        applied = t("已申请，等待抽签", "Applied, awaiting the lottery"),
        notalloc = t("未中签", "Not allocated"),
        won = t("已中签（已预约）", "Allocated (booked)"),
        lottery = t("抽签分配", "By lottery"),
        applicants = t("人申请", "applied"),
        places = t("个名额", "places"),
    );
    Html(html).into_response()
}

async fn admin(jar: CookieJar, q: Query<LangQuery>, caller: Result<Caller, ApiError>) -> Response {
    let frame = |l: Lang, _: &Caller, notice: &str| {
        let title = tr(l, "预约与抽签管理", "Booking and draw");
        format!(
            "{}<main>{notice}</main></body></html>",
            head(l, title, "admin")
        )
    };
    let watchers = [Role::Admin, Role::Examiner, Role::Auditor];
    let (l, jar, caller) = match area_visit(jar, q.lang.as_deref(), caller, &watchers, frame) {
        Ok(v) => (v.lang, v.jar, v.caller),
        Err(response) => return response,
    };
    let t = |zh, en| tr(l, zh, en);
    let html = format!(
        "{head}<header><strong>{brand}</strong><nav><a href=\"/\">{home}</a><a href=\"/booking/admin\" class=\"active\">{title}</a>\
         <a href=\"/draw\">{draw}</a><a href=\"?lang=zh\">中文</a><a href=\"?lang=en\">English</a></nav>\
         <span class=\"right\"><span class=\"who\" id=\"who\" data-role=\"{role}\">{name} · {role}</span></span></header><main>\
         <h1>{title}</h1><p class=\"alert\" id=\"msg\" hidden></p><p class=\"badge\" id=\"ok\" hidden></p>\
         <form id=\"reg-form\" class=\"card\"><h2>{reg}</h2>\
         <label>{idno}<input id=\"reg-id\" required maxlength=\"18\"></label>\
         <label>{nm}<input id=\"reg-name\" required></label>\
         <label>{class}<input id=\"reg-class\" value=\"C1\" required></label>\
         <label>{phone}<input id=\"reg-phone\" required maxlength=\"11\"></label>\
         <button type=\"submit\" id=\"reg-go\">{regb}</button></form>\
         <form id=\"open-form\" class=\"card\"><h2>{open}</h2>\
         <label>{session}<input id=\"open-id\" required></label>\
         <label>{subj}<select id=\"open-subject\"><option value=\"subject1\">科目一</option><option value=\"subject2\">科目二</option>\
         <option value=\"subject3\">科目三道路驾驶技能</option><option value=\"safety\">科目三安全文明驾驶常识</option></select></label>\
         <label>{day}<input id=\"open-day\" type=\"date\" required></label>\
         <label>{cap}<input id=\"open-capacity\" type=\"number\" min=\"1\" value=\"20\"></label>\
         <label>{exs}<input id=\"open-examiners\" placeholder=\"ex1,ex2\"></label>\
         <label>{per}<input id=\"open-per\" type=\"number\" min=\"0\" value=\"10\"></label>\
         <label>{grp}<input id=\"open-group\" type=\"number\" min=\"1\" value=\"1\"></label>\
         <label>{cars}<input id=\"open-cars\" placeholder=\"car-01,car-02\"></label>\
         <label>{routes}<input id=\"open-routes\" placeholder=\"route-a,route-b\"></label>\
         <label>{sitemax}<input id=\"open-sitemax\" type=\"number\" min=\"1\" value=\"500\"></label>\
         <label>{exmax}<input id=\"open-exmax\" type=\"number\" min=\"1\" value=\"60\"></label>\
         <label>{alloc}<select id=\"open-allocation\"><option value=\"fcfs\">{fcfs}</option><option value=\"lottery\">{lottery}</option></select></label>\
         <label>{starts}<input id=\"open-starts\" placeholder=\"09:00\" maxlength=\"5\" autocomplete=\"off\"></label>\
         <label>{gbefore}<input id=\"open-gate-before\" type=\"number\" min=\"0\" max=\"1440\" placeholder=\"60\"></label>\
         <label>{gafter}<input id=\"open-gate-after\" type=\"number\" min=\"0\" max=\"1440\" placeholder=\"15\"></label>\
         <label>{aclose}<input id=\"open-close\" placeholder=\"YYYY-MM-DD HH:MM\" maxlength=\"16\" autocomplete=\"off\"></label>\
         <p class=\"hint\">{timeshint}</p>\
         <button type=\"submit\" id=\"open-go\">{openb}</button></form>\
         <form id=\"result-form\" class=\"card\"><h2>{res}</h2>\
         <label>{session}<input id=\"res-session\" required></label><label>{idno}<input id=\"res-id\" required></label>\
         <label>{outcome}<select id=\"res-outcome\"><option value=\"passed\">{passed}</option><option value=\"failed\">{failed}</option>\
         <option value=\"no_show\">{noshow}</option></select></label><button type=\"submit\" id=\"res-go\">{record}</button></form>\
         <h2>{sessions}</h2><table id=\"sessions\"><thead><tr><th>{session}</th><th>{subj}</th><th>{day}</th>\
         <th>{starts}</th><th>{gate}</th><th>{aclose}</th><th>{booked}</th>\
         <th>{alloc}</th><th>{commit}</th><th>{seed}</th><th></th></tr></thead><tbody></tbody></table>\
         <h2>{assign}</h2><table id=\"assignments\"><thead><tr><th>{idno}</th><th>{group}</th><th>{order}</th><th>{ex}</th><th>{car}</th><th>{route}</th></tr></thead><tbody></tbody></table>\
         <h2>{outbox}</h2><table id=\"outbox\"><thead><tr><th>{to}</th><th>{code}</th></tr></thead><tbody></tbody></table>\
         </main><template id=\"words\" data-commit=\"{commitb}\" data-close=\"{closeb}\" data-finish=\"{finishb}\" data-show=\"{showb}\" \
         data-allocate=\"{allocateb}\" data-fcfs=\"{fcfs}\" data-lottery=\"{lottery}\" data-applied=\"{applied}\" \
         data-allocated=\"{allocated}\" data-not_allocated=\"{notalloc}\" data-allday=\"{allday}\"></template></body></html>",
        head = head(l, t("预约与抽签管理", "Booking and draw"), "admin"),
        brand = t("考场管理系统", "Exam site console"),
        home = t("总览", "Overview"),
        title = t("预约与抽签", "Booking and draw"),
        draw = t("抽签公示", "Draw record"),
        role = caller.role,
        name = esc(caller.name.as_str()),
        reg = t("登记考生", "Register a candidate"),
        idno = t("身份证号码", "ID number"),
        nm = t("姓名", "Name"),
        class = t("准驾车型", "Class"),
        phone = t("手机号码", "Mobile phone"),
        regb = t("登记", "Register"),
        open = t("开放场次", "Open a session"),
        session = t("场次", "Session"),
        subj = t("科目", "Subject"),
        day = t("考试日期", "Exam day"),
        cap = t("名额", "Places"),
        exs = t("考试员", "Examiners"),
        per = t("每名考试员考生数", "Candidates per examiner"),
        grp = t("每组人数", "Group size"),
        cars = t("考试车辆", "Cars"),
        routes = t("考试路线", "Routes"),
        sitemax = t("考场日上限", "Site daily maximum"),
        exmax = t("考试员日上限", "Examiner daily maximum"),
        openb = t("开放预约", "Open"),
        res = t("登记考试结果", "Record a result"),
        outcome = t("结果", "Outcome"),
        passed = t("合格", "Passed"),
        failed = t("不合格", "Failed"),
        noshow = t("缺考", "No-show"),
        record = t("登记", "Record"),
        sessions = t("场次", "Sessions"),
        booked = t("已约/名额", "Booked / places"),
        commit = t("种子承诺 (SHA-256)", "Seed commitment (SHA-256)"),
        seed = t("公开种子", "Revealed seed"),
        assign = t("抽签结果", "Draw"),
        group = t("组", "Group"),
        order = t("顺序", "Order"),
        ex = t("考试员", "Examiner"),
        car = t("车辆", "Car"),
        route = t("路线", "Route"),
        outbox = t("短信待发（验证码）", "SMS outbox (codes)"),
        to = t("考生", "Candidate"),
        code = t("验证码", "Code"),
        commitb = t("生成种子并公示承诺", "Commit seed"),
        closeb = t("锁定名单并抽签", "Close roster and draw"),
        finishb = t("结束并公开种子", "Finish and reveal"),
        showb = t("查看", "Show"),
        alloc = t("名额分配", "Allocation"),
        fcfs = t("先到先得", "First come, first served"),
        lottery = t("抽签", "Lottery"),
        allocateb = t("截止申请并抽签分配", "Close applications and draw"),
        applied = t("申请", "applied"),
        allocated = t("中签", "allocated"),
        notalloc = t("未中签", "not allocated"),
        starts = t("开考时间", "Starts"),
        gbefore = t("开考前入场（分钟）", "Gate opens before (min)"),
        gafter = t("开考后停止入场（分钟）", "Gate closes after (min)"),
        aclose = t("抽签申请截止", "Applications close"),
        timeshint = t(
            "开考时间为北京时间 HH:MM；不填则考试当天全天可入场，入场分钟数默认开考前 60、开考后 15。抽签申请截止填 YYYY-MM-DD HH:MM，须早于开考，到时由系统自动抽签。",
            "Start time HH:MM China time; without one the gate admits all the exam day, and the gate margins default to 60 before and 15 after. Applications close YYYY-MM-DD HH:MM, before the start; the system then draws the places by itself."
        ),
        gate = t("入场时段", "Gate window"),
        allday = t("全天", "All day"),
    );
    (jar, Html(html)).into_response()
}

async fn public_draw(jar: CookieJar, q: Query<LangQuery>) -> Response {
    let l = lang_of(&jar, q.lang.as_deref());
    let t = |zh, en| tr(l, zh, en);
    let html = format!(
        "{head}<header><strong>{title}</strong><nav><a href=\"/booking\">{booking}</a>\
         <a href=\"?lang=zh\">中文</a><a href=\"?lang=en\">English</a></nav></header><main><h1>{title}</h1>\
         <p>{how}</p><table id=\"draws\"><thead><tr><th>{session}</th><th>{subj}</th><th>{day}</th><th>{n}</th>\
         <th>{commit}</th><th>{seed}</th></tr></thead><tbody></tbody></table>\
         <h2>{lotteries}</h2><p>{lhow}</p><table id=\"lotteries\"><thead><tr><th>{session}</th><th>{subj}</th><th>{day}</th>\
         <th>{applicants}</th><th>{allocated}</th><th>{commit}</th><th>{lseed}</th></tr></thead><tbody></tbody></table>\
         <p class=\"hint\">{verify}</p></main></body></html>",
        head = head(l, t("抽签公示", "Draw record"), "draw"),
        title = t("随机抽签公示", "Random draw record"),
        booking = t("考试预约", "Exam booking"),
        how = t(
            "考前公布随机种子的 SHA-256 承诺，名单锁定后按公开算法（examd.draw.v1）分组并分配考试员、车辆和科目三路线，考后公开种子，任何人都可复算。",
            "Before the exam the SHA-256 commitment of a random seed is published; after the roster closes, groups, examiners, cars and Subject 3 routes follow from the seed by a published algorithm (examd.draw.v1); after the exam the seed is revealed so anyone can recompute the draw."
        ),
        session = t("场次", "Session"),
        subj = t("科目", "Subject"),
        day = t("考试日期", "Exam day"),
        n = t("考生数", "Candidates"),
        commit = t("种子承诺", "Commitment"),
        seed = t("种子（考后公开）", "Seed (revealed after the exam)"),
        verify = t(
            "复算：examd draw verify --from <审计导出文件>",
            "Recompute: examd draw verify --from <audit export file>"
        ),
        lotteries = t("抽签分配名额", "Places allocated by lottery"),
        lhow = t(
            "开放申请时即公布随机种子的 SHA-256 承诺；申请截止时按公开算法（examd.lottery.v1：申请人按身份证号排序后以种子洗牌，前若干名中签）分配名额并公开种子。",
            "When applications open, the SHA-256 commitment of a random seed is published; when they close, the places follow from the seed by a published algorithm (examd.lottery.v1: applicants sorted by ID number, shuffled with the seed, the first ones up to the places win) and the seed is revealed."
        ),
        applicants = t("申请人数", "Applicants"),
        allocated = t("中签人数", "Allocated"),
        lseed = t("种子（截止后公开）", "Seed (revealed at the close)"),
    );
    Html(html).into_response()
}
