//! The console's watch-list page (`/watchlist`, 黑名单): the galleries' sizes and the last search's time, every
//! entry with its status, the recent hits (time, place, score) and duplicate-applicant alarms, and the area's
//! events as they are logged. Server-rendered from the area's projection; the event table follows the stream.

use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum_extra::extract::CookieJar;
use model::UnixMs;
use theory::LocalDay;

use super::model::{Place, Status};
use crate::auth::Caller;
use crate::console::{AreaVisit, Lang, LangQuery, T, area_visit, esc, t};
use crate::error::ApiError;
use crate::state::AppState;

crate::console::page_texts! {
    W, w;
    heading => "黑名单", "Watch-list";
    galleries => "比对库", "Galleries";
    watch_gallery => "黑名单库", "Watch-list gallery";
    people_gallery => "已登记考生库（查重）", "Enrolled candidates (duplicate check)";
    entries_n => "条", "entries";
    people_n => "人", "people";
    templates_n => "个模板", "templates";
    last_search => "最近一次检索", "Last search";
    no_search => "尚未检索", "no search yet";
    took => "耗时", "took";
    compared => "比对", "compared";
    searches => "检索次数", "Searches";
    threshold => "阈值（误识率万分之一）", "Threshold (FMR 1 in 10,000)";
    entries => "名单", "Entries";
    no_entries => "黑名单为空。", "The watch-list is empty.";
    id => "编号", "Id";
    id_number => "身份证号", "ID number";
    name => "姓名", "Name";
    reason => "原因", "Reason";
    until => "截止", "Until";
    note => "备注", "Note";
    status => "状态", "Status";
    added => "录入", "Added";
    templates => "模板", "Templates";
    active => "有效", "active";
    expired => "已到期", "expired";
    removed => "已移除", "removed";
    hits => "命中记录", "Hits";
    no_hits => "暂无命中。", "No hits.";
    time => "时间", "Time";
    place => "地点", "Place";
    score => "分数", "Score";
    entry => "名单编号", "Entry";
    gate => "门禁", "gate";
    door => "门", "door";
    claim => "自称", "claimed";
    enrolment => "登记", "enrolment";
    duplicates => "重复登记报警", "Duplicate applicants";
    no_duplicates => "暂无重复登记。", "No duplicate applicants.";
    person => "新登记人员", "Enrolled person";
    matched => "与之相符的已登记人员", "Matches enrolled person";
    events => "黑名单事件", "Watch-list events";
    unknown => "未知", "unknown";
    add => "添加黑名单条目", "Add an entry";
    add_go => "添加", "Add";
    reason_stand_in => "代考", "stand-in";
    reason_forged => "伪造证件", "forged documents";
    reason_ban => "禁考期（至截止日期）", "exam ban (until a day)";
    reason_other => "其他", "other";
    until_day => "禁考截止日期（最后一天）", "Exam ban's last day";
    source => "指纹模板来源", "Templates from";
    from_candidate => "已登记考生的记录", "an enrolled candidate's record";
    candidate_id => "考生编号", "Candidate id";
    from_file => "上传 ISO/IEC 19794-2 模板文件", "uploaded ISO/IEC 19794-2 template files";
    files => "模板文件", "Template files";
    remove => "移除", "Remove";
    remove_reason => "移除原因", "Reason for removal";
    actions => "操作", "Actions";
    need_candidate => "请填写考生编号（取用其已登记的指纹模板）", "Give the candidate's id (their enrolled templates are copied)";
    need_file => "请选择至少一个模板文件", "Choose at least one template file";
    unreadable => "无法读取文件", "Cannot read the file";
    added_ok => "已添加", "Added";
    removed_ok => "已移除", "Removed";
    refused => "请求被拒绝", "Refused";
    end_exhaustive => "已比对全部模板", "searched everything";
    end_decisive => "找到明确匹配后结束", "stopped at a decisive match";
    end_budget => "在比对预算内（未比对全部）", "within budget (not everything compared)";
}

/// How a search ended, as the page tells it: (code, text).
pub fn search_end(l: Lang, end: scoring::gallery::SearchEnd) -> (&'static str, &'static str) {
    use scoring::gallery::SearchEnd;
    match end {
        SearchEnd::Exhaustive => ("exhaustive", w(l, W::end_exhaustive)),
        SearchEnd::Decisive => ("decisive", w(l, W::end_decisive)),
        SearchEnd::BudgetLimited => ("budget_limited", w(l, W::end_budget)),
    }
}

/// `YYYY-MM-DD HH:MM:SS`, China time.
pub fn local_time(ms: UnixMs) -> String {
    const CST: i64 = 8 * 3_600_000;
    let day = LocalDay::of(ms);
    let in_day = (ms.0 + CST).rem_euclid(86_400_000) / 1000;
    format!(
        "{day} {:02}:{:02}:{:02}",
        in_day / 3600,
        in_day / 60 % 60,
        in_day % 60
    )
}

fn chrome(l: Lang, caller: &Caller, body: &str) -> String {
    crate::console::area_chrome(
        l,
        caller,
        "/watchlist",
        w(l, W::heading),
        "/watchlist/static/watchlist.js",
        body,
    )
}

/// The admin's form to add an entry: reason (an exam ban with its last day), ID number, name, note, and the
/// templates from an enrolled candidate's record or from uploaded ISO/IEC 19794-2 files. The script sends it
/// to `POST /api/v1/watchlist/entries` as JSON with the session cookie (SameSite=Strict, like every console
/// form) and shows the refusal in the page's language.
fn add_form(l: Lang) -> String {
    format!(
        "<p class=\"alert\" id=\"wl-msg\" hidden></p><p class=\"badge\" id=\"wl-ok\" hidden></p>\
         <form id=\"wl-add\" class=\"card\" novalidate><h2>{add}</h2>\
         <label>{reason}<select id=\"wl-reason\"><option value=\"stand_in\">{si}</option>\
         <option value=\"forged_documents\">{fd}</option><option value=\"exam_ban\">{ban}</option>\
         <option value=\"other\">{other}</option></select></label>\
         <label>{until}<input id=\"wl-until\" type=\"date\"></label>\
         <label>{idn}<input id=\"wl-id-number\" maxlength=\"32\"></label>\
         <label>{name}<input id=\"wl-name\" maxlength=\"64\"></label>\
         <label>{note}<input id=\"wl-note\" maxlength=\"500\"></label>\
         <fieldset><legend>{source}</legend>\
         <label><input type=\"radio\" name=\"wl-source\" id=\"wl-source-candidate\" value=\"candidate\" checked>{fc}</label>\
         <label>{cid}<input id=\"wl-candidate\"></label>\
         <label><input type=\"radio\" name=\"wl-source\" id=\"wl-source-file\" value=\"file\">{ff}</label>\
         <label>{files}<input id=\"wl-files\" type=\"file\" multiple></label></fieldset>\
         <button type=\"submit\" id=\"wl-add-go\">{go}</button></form>",
        add = w(l, W::add),
        reason = w(l, W::reason),
        si = w(l, W::reason_stand_in),
        fd = w(l, W::reason_forged),
        ban = w(l, W::reason_ban),
        other = w(l, W::reason_other),
        until = w(l, W::until_day),
        idn = w(l, W::id_number),
        name = w(l, W::name),
        note = w(l, W::note),
        source = w(l, W::source),
        fc = w(l, W::from_candidate),
        cid = w(l, W::candidate_id),
        ff = w(l, W::from_file),
        files = w(l, W::files),
        go = w(l, W::add_go),
    )
}

/// An entry's removal form (admins; entries not removed yet): the reason is required.
fn remove_form(l: Lang, id: &str) -> String {
    format!(
        "<form class=\"wl-remove\" data-entry=\"{id}\" novalidate><input class=\"wl-remove-reason\" \
         placeholder=\"{reason}\" aria-label=\"{reason}\"><button type=\"submit\">{go}</button></form>",
        reason = w(l, W::remove_reason),
        go = w(l, W::remove),
    )
}

fn body(l: Lang, st: &AppState, caller: &Caller) -> String {
    let admin = caller.role == model::Role::Admin;
    let a = &st.areas.watchlist;
    let (entries_n, templates_n) = a.watch_size();
    let (people_n, people_templates) = a.people_size();
    let s = a.stats();
    let last = match s.last_at {
        Some(at) => format!(
            "{} · {} {:.1} ms · {} {} / {}",
            local_time(at),
            w(l, W::took),
            s.last.took.as_secs_f64() * 1000.0,
            w(l, W::compared),
            s.last.compared,
            s.last.templates,
        ),
        None => w(l, W::no_search).to_owned(),
    };
    let mut out = format!(
        "<div id=\"watchlist\" data-texts='{texts}'><h2>{galleries}</h2><table id=\"wl-stats\"><tbody>\
         <tr><th>{watch}</th><td id=\"wl-size\">{entries_n} {en} · {templates_n} {tn}</td></tr>\
         <tr><th>{people}</th><td id=\"wl-people\">{people_n} {pn} · {people_templates} {tn}</td></tr>\
         <tr><th>{last_h}</th><td id=\"wl-last-search\">{last}{end}</td></tr>\
         <tr><th>{searches_h}</th><td>{searches}</td></tr>\
         <tr><th>{threshold_h}</th><td>{threshold:.4}</td></tr></tbody></table>",
        texts = esc(&table()),
        galleries = w(l, W::galleries),
        watch = w(l, W::watch_gallery),
        people = w(l, W::people_gallery),
        en = w(l, W::entries_n),
        pn = w(l, W::people_n),
        tn = w(l, W::templates_n),
        last_h = w(l, W::last_search),
        last = esc(&last),
        end = match (s.last_at, s.last.end) {
            (Some(_), Some(e)) => {
                let (code, text) = search_end(l, e);
                format!(" · <span id=\"wl-search-end\" data-end=\"{code}\">{text}</span>")
            }
            _ => String::new(),
        },
        searches_h = w(l, W::searches),
        searches = s.searches,
        threshold_h = w(l, W::threshold),
        threshold = super::search::threshold(),
    );
    if admin {
        out.push_str(&add_form(l));
    }
    out.push_str(&format!("<h2>{}</h2>", w(l, W::entries)));
    let entries = a.entries();
    if entries.is_empty() {
        out.push_str(&format!("<p id=\"wl-empty\">{}</p>", w(l, W::no_entries)));
    }
    out.push_str(&format!(
        "<table id=\"wl-entries\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th><th>{}</th><th>{}</th><th>{}</th>{}</tr></thead><tbody>",
        w(l, W::id),
        w(l, W::name),
        w(l, W::id_number),
        w(l, W::reason),
        w(l, W::until),
        w(l, W::status),
        w(l, W::added),
        w(l, W::templates),
        w(l, W::note),
        if admin {
            format!("<th>{}</th>", w(l, W::actions))
        } else {
            String::new()
        },
    ));
    let dash = "—".to_owned();
    for e in entries.iter().rev() {
        let (zh, en) = e.reason.label();
        let status = match a.status(e) {
            Status::Active => w(l, W::active).to_owned(),
            Status::Expired => w(l, W::expired).to_owned(),
            Status::Removed => {
                let r = e.removed.as_ref().expect("removed entries have a removal");
                format!(
                    "{} ({} · {} · {})",
                    w(l, W::removed),
                    local_time(r.at),
                    r.by,
                    r.reason
                )
            }
        };
        out.push_str(&format!(
            "<tr data-entry=\"{id}\" data-status=\"{code}\"><td>{id}</td><td>{name}</td><td>{idn}</td><td>{reason}</td>\
             <td>{until}</td><td>{status}</td><td>{added} · {by}</td><td title=\"{sha}\">{n}</td><td>{note}</td>{actions}</tr>",
            id = e.id,
            code = a.status(e).code(),
            name = esc(e.person.name.as_deref().unwrap_or(&dash)),
            idn = esc(e.person.id_number.as_ref().map_or(dash.as_str(), |c| c.as_str())),
            reason = if l == Lang::Zh { zh } else { en },
            until = e.reason.until().map_or(dash.clone(), |d| d.to_string()),
            status = esc(&status),
            added = local_time(e.added_at),
            by = esc(&e.added_by),
            sha = esc(&e.sha256.join(" ")),
            n = e.sha256.len(),
            note = esc(&e.note),
            actions = match (admin, &e.removed) {
                (false, _) => String::new(),
                (true, Some(_)) => "<td></td>".to_owned(),
                (true, None) => format!("<td>{}</td>", remove_form(l, &e.id.to_string())),
            },
        ));
    }
    out.push_str("</tbody></table>");
    out.push_str(&format!("<h2>{}</h2>", w(l, W::hits)));
    let hits = a.hits();
    if hits.is_empty() {
        out.push_str(&format!("<p id=\"wl-no-hits\">{}</p>", w(l, W::no_hits)));
    }
    out.push_str(&format!(
        "<table id=\"wl-hits\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        w(l, W::time),
        w(l, W::entry),
        w(l, W::name),
        w(l, W::place),
        w(l, W::score),
    ));
    for h in &hits {
        let name = a
            .entry(h.entry)
            .and_then(|e| e.person.name)
            .unwrap_or_else(|| dash.clone());
        let place = match &h.place {
            Place::Gate {
                door,
                device,
                claim,
            } => format!(
                "{} · {} {door} · {device}{}",
                w(l, W::gate),
                w(l, W::door),
                claim
                    .as_ref()
                    .map(|c| format!(" · {} {c}", w(l, W::claim)))
                    .unwrap_or_default()
            ),
            Place::Enrolment {
                person,
                enrolment_seq,
            } => format!("{} · {person} · #{enrolment_seq}", w(l, W::enrolment)),
        };
        out.push_str(&format!(
            "<tr data-seq=\"{seq}\"><td>{time}</td><td>{entry}</td><td>{name}</td><td>{place}</td><td>{score:.3}</td></tr>",
            seq = h.seq,
            time = local_time(h.at),
            entry = h.entry,
            name = esc(&name),
            place = esc(&place),
            score = h.score,
        ));
    }
    out.push_str("</tbody></table>");
    out.push_str(&format!("<h2>{}</h2>", w(l, W::duplicates)));
    let dups = a.duplicates();
    if dups.is_empty() {
        out.push_str(&format!(
            "<p id=\"wl-no-duplicates\">{}</p>",
            w(l, W::no_duplicates)
        ));
    }
    out.push_str(&format!(
        "<table id=\"wl-duplicates\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        w(l, W::time),
        w(l, W::person),
        w(l, W::matched),
        w(l, W::score),
    ));
    for d in &dups {
        out.push_str(&format!(
            "<tr data-seq=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td>{:.3}</td></tr>",
            d.seq,
            local_time(d.at),
            esc(&d.person),
            esc(&d.matched),
            d.score,
        ));
    }
    out.push_str("</tbody></table></div>");
    out.push_str(&format!(
        "<h2>{events}</h2>\
         <table class=\"events\" id=\"area-events\" data-stream=\"/api/v1/events/stream\" data-filter=\"watchlist.\">\
         <thead><tr><th>{seq}</th><th>{time}</th><th>{kind}</th><th>{subjects}</th><th>{payload}</th></tr></thead><tbody></tbody></table>",
        events = w(l, W::events),
        seq = t(l, T::seq),
        time = t(l, T::time),
        kind = t(l, T::kind),
        subjects = t(l, T::subjects),
        payload = t(l, T::payload),
    ));
    out
}

/// `GET /watchlist`.
pub async fn watchlist_page(
    State(st): State<AppState>,
    jar: CookieJar,
    Query(q): Query<LangQuery>,
    caller: Result<Caller, ApiError>,
) -> Response {
    let visit = area_visit(jar, q.lang.as_deref(), caller, super::api::READERS, chrome);
    let AreaVisit {
        lang: l,
        jar,
        caller,
    } = match visit {
        Ok(v) => v,
        Err(response) => return response,
    };
    (jar, Html(chrome(l, &caller, &body(l, &st, &caller)))).into_response()
}

/// `GET /watchlist/static/watchlist.js`: the add and remove forms.
pub async fn watchlist_js() -> impl IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/javascript; charset=utf-8",
        )],
        include_str!("watchlist.js"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_end_is_told_in_both_languages() {
        use scoring::gallery::SearchEnd;
        assert_eq!(
            search_end(Lang::Zh, SearchEnd::Exhaustive),
            ("exhaustive", "已比对全部模板")
        );
        assert_eq!(
            search_end(Lang::En, SearchEnd::BudgetLimited).1,
            "within budget (not everything compared)"
        );
        assert_eq!(search_end(Lang::En, SearchEnd::Decisive).0, "decisive");
    }

    #[test]
    fn times_are_shown_in_china_time() {
        // 2026-11-29 15:59:59 UTC is 23:59:59 in Beijing.
        assert_eq!(local_time(UnixMs(1_795_967_999_000)), "2026-11-29 23:59:59");
        assert_eq!(local_time(UnixMs(1_795_968_000_000)), "2026-11-30 00:00:00");
    }
}
