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
    crate::console::area_chrome(l, caller, "/watchlist", w(l, W::heading), "", body)
}

fn body(l: Lang, st: &AppState) -> String {
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
         <tr><th>{last_h}</th><td id=\"wl-last-search\">{last}</td></tr>\
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
        searches_h = w(l, W::searches),
        searches = s.searches,
        threshold_h = w(l, W::threshold),
        threshold = super::search::threshold(),
    );
    out.push_str(&format!("<h2>{}</h2>", w(l, W::entries)));
    let entries = a.entries();
    if entries.is_empty() {
        out.push_str(&format!("<p id=\"wl-empty\">{}</p>", w(l, W::no_entries)));
    }
    out.push_str(&format!(
        "<table id=\"wl-entries\"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th>\
         <th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
        w(l, W::id),
        w(l, W::name),
        w(l, W::id_number),
        w(l, W::reason),
        w(l, W::until),
        w(l, W::status),
        w(l, W::added),
        w(l, W::templates),
        w(l, W::note),
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
             <td>{until}</td><td>{status}</td><td>{added} · {by}</td><td title=\"{sha}\">{n}</td><td>{note}</td></tr>",
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
    (jar, Html(chrome(l, &caller, &body(l, &st)))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_china_time() {
        // 2026-11-29 15:59:59 UTC is 23:59:59 in Beijing.
        assert_eq!(local_time(UnixMs(1_795_967_999_000)), "2026-11-29 23:59:59");
        assert_eq!(local_time(UnixMs(1_795_968_000_000)), "2026-11-30 00:00:00");
    }
}
