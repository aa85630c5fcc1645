// The booking pages: candidate (/booking), admin (/booking/admin), public draw (/draw).
"use strict";
(function () {
  const page = document.body.dataset.page;
  const en = document.documentElement.lang === "en";
  const $ = (id) => document.getElementById(id);
  const words = ($("words") || {}).dataset || {};
  const text = (s) => { const d = document.createElement("span"); d.textContent = s == null ? "" : String(s); return d.innerHTML; };
  async function call(method, path, body) {
    const r = await fetch("/api/v1/booking" + path, {
      method, credentials: "same-origin",
      headers: body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    let v = {};
    try { v = await r.json(); } catch (_) { /* empty body */ }
    if (!r.ok) {
      const m = en ? (v.message_en || v.message) : (v.message && (v.error === "refused" || v.field) ? v.message : (v.message_en || v.message));
      const e = new Error((v.rule ? "[" + v.rule + "] " : "") + (m || r.status));
      e.status = r.status;
      throw e;
    }
    return v;
  }
  function show(id, msg) { const e = $(id); if (!e) return; e.textContent = msg; e.hidden = !msg; }
  function fail(e) { show("ok", ""); show("msg", e.message); }
  function done(msg) { show("msg", ""); show("ok", msg); }

  // ---- candidate ----
  async function loadMe() {
    let me;
    try { me = await call("GET", "/me"); } catch (e) {
      if (e.status === 401) { $("login").hidden = false; $("me").hidden = true; return; }
      throw e;
    }
    $("login").hidden = true; $("me").hidden = false;
    $("me-name").textContent = me.name + " · " + me.candidate + " · " + me.class;
    $("me-permit").textContent = me.permit ? words.permit + ": " + me.permit.issued + " – " + me.permit.expires : words.none;
    const state = (b) => (b.lottery && b.result === "pending") ? words.won : (words[b.result] || b.result);
    const rows = me.bookings.map((b) =>
      "<tr data-session=\"" + text(b.session) + "\"><td>" + text(en ? b.subject_en : b.subject_zh) + "</td><td>" + text(b.day) +
      "</td><td>" + text(b.session) + "</td><td class=\"state\">" + text(state(b)) + "</td><td>" +
      (b.result === "pending" || b.result === "applied" ? "<button type=\"button\" class=\"cancel\" data-session=\"" + text(b.session) + "\">" + text(words.cancel) + "</button>" : "") +
      "</td></tr>");
    $("notices").innerHTML = me.bookings.filter((b) => b.notice).map((b) =>
      "<p class=\"alert notice\" data-session=\"" + text(b.session) + "\">" + text(b.session) + " · " + text(en ? b.notice_en : b.notice) + "</p>").join("");
    $("bookings").querySelector("tbody").innerHTML = rows.join("");
    const open = await call("GET", "/open");
    $("open").querySelector("tbody").innerHTML = open.sessions.map((s) => {
      const lot = s.lottery;
      const free = lot ? words.lottery + ": " + s.capacity + " " + words.places + ", " + lot.applicants + " " + words.applicants : s.free;
      const cls = lot ? "apply" : "book";
      return "<tr data-session=\"" + text(s.session) + "\"><td>" + text(en ? s.subject_en : s.subject_zh) + "</td><td>" + text(s.day) +
        "</td><td>" + text(s.session) + "</td><td class=\"free\">" + text(free) + "</td><td><button type=\"button\" class=\"" + cls + "\" data-session=\"" +
        text(s.session) + "\">" + text(lot ? words.apply : words.book) + "</button></td></tr>";
    }).join("");
  }
  function candidate() {
    $("send-code").addEventListener("click", async () => {
      try { await call("POST", "/login/code", { candidate: $("cand-id").value.trim() }); show("login-msg", words.sent); }
      catch (e) { show("login-msg", e.message); }
    });
    $("login").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try { await call("POST", "/login", { candidate: $("cand-id").value.trim(), code: $("code").value.trim() }); await loadMe(); }
      catch (e) { show("login-msg", e.message); }
    });
    document.addEventListener("click", async (ev) => {
      const b = ev.target.closest("button.book, button.apply, button.cancel");
      if (!b) return;
      const path = b.classList.contains("book") ? "/book" : b.classList.contains("apply") ? "/apply" : "/cancel";
      try {
        const v = await call("POST", path, { session: b.dataset.session });
        done(en ? v.message_en : v.message);
      } catch (e) { fail(e); }
      await loadMe().catch(fail);
    });
    $("logout").addEventListener("click", async () => { await call("POST", "/logout").catch(() => {}); location.reload(); });
    loadMe().catch(fail);
  }

  // ---- admin ----
  const list = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);
  const num = (s) => s.trim() === "" ? null : +s;
  const hhmm = (t) => t ? t.slice(11) : "";
  async function loadAdmin() {
    const v = await call("GET", "/sessions");
    $("sessions").querySelector("tbody").innerHTML = v.sessions.map((s) => {
      const lot = s.lottery;
      const step = lot && lot.taking_applications ? "allocate" : !s.commitment ? "commit" : !s.closed ? "close" : !s.seed ? "finish" : "";
      const alloc = !lot ? words.fcfs : words.lottery + ": " + words.applied + " " + lot.applicants +
        (lot.allocated == null ? "" : " · " + words.allocated + " " + lot.allocated + " · " + words.not_allocated + " " + lot.not_allocated);
      return "<tr data-session=\"" + text(s.session) + "\"><td>" + text(s.session) + "</td><td>" + text(s.subject) + "</td><td>" + text(s.day) +
        "</td><td class=\"starts\">" + text(s.times.starts || words.allday) +
        "</td><td class=\"gate\">" + text(s.times.starts ? hhmm(s.times.gate_opens) + "–" + hhmm(s.times.gate_closes) : words.allday) +
        "</td><td class=\"close\">" + text(s.times.applications_close || "") +
        "</td><td class=\"booked\">" + text(s.booked + "/" + s.capacity) + "</td><td class=\"allocation\" title=\"" + text(lot ? lot.commitment : "") + "\">" + text(alloc) +
        "</td><td class=\"commitment\"><code>" + text(s.commitment || "") +
        "</code></td><td class=\"seed\"><code>" + text(s.seed || "") + "</code></td><td>" +
        (step ? "<button type=\"button\" class=\"step\" data-step=\"" + step + "\" data-session=\"" + text(s.session) + "\">" + text(words[step]) + "</button>" : "") +
        (s.drawn ? " <button type=\"button\" class=\"show\" data-session=\"" + text(s.session) + "\">" + text(words.show) + "</button>" : "") + "</td></tr>";
    }).join("");
    try {
      const o = await call("GET", "/outbox");
      $("outbox").querySelector("tbody").innerHTML = o.messages.slice(-20).reverse().map((m) =>
        "<tr><td>" + text(m.candidate) + "</td><td class=\"code\">" + text(m.code) + "</td></tr>").join("");
    } catch (_) { /* not an admin */ }
  }
  async function showDraw(session) {
    const d = await call("GET", "/sessions/" + encodeURIComponent(session));
    $("assignments").querySelector("tbody").innerHTML = (d.assignments || []).map((a) =>
      "<tr><td>" + text(a.candidate) + "</td><td>" + text(a.group + 1) + "</td><td>" + text(a.position + 1) + "</td><td>" + text(a.examiner || "") +
      "</td><td>" + text(a.car || "") + "</td><td>" + text(a.route || "") + "</td></tr>").join("");
  }
  function admin() {
    $("reg-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await call("POST", "/candidates", { candidate: $("reg-id").value.trim(), name: $("reg-name").value.trim(), class: $("reg-class").value.trim(), phone: $("reg-phone").value.trim() });
        done("✓ " + $("reg-id").value.trim());
      } catch (e) { fail(e); }
    });
    $("open-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await call("POST", "/sessions", {
          session: $("open-id").value.trim(), subject: $("open-subject").value, day: $("open-day").value,
          capacity: +$("open-capacity").value, examiners: list($("open-examiners").value), per_examiner: +$("open-per").value,
          group_size: +$("open-group").value, cars: list($("open-cars").value), routes: list($("open-routes").value),
          site_day_max: +$("open-sitemax").value, examiner_day_max: +$("open-exmax").value,
          allocation: $("open-allocation").value,
          starts: $("open-starts").value.trim() || null,
          gate_opens_before_min: num($("open-gate-before").value), gate_closes_after_min: num($("open-gate-after").value),
          applications_close: $("open-close").value.trim() || null,
        });
        done("✓ " + $("open-id").value.trim());
      } catch (e) { fail(e); }
      await loadAdmin().catch(fail);
    });
    $("result-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      try {
        await call("POST", "/sessions/" + encodeURIComponent($("res-session").value.trim()) + "/results", { candidate: $("res-id").value.trim(), outcome: $("res-outcome").value });
        done("✓");
      } catch (e) { fail(e); }
    });
    document.addEventListener("click", async (ev) => {
      const b = ev.target.closest("button.step, button.show");
      if (!b) return;
      try {
        if (b.classList.contains("step")) { await call("POST", "/sessions/" + encodeURIComponent(b.dataset.session) + "/" + b.dataset.step); done("✓ " + b.dataset.session); }
        await showDraw(b.dataset.session);
      } catch (e) { fail(e); }
      await loadAdmin().catch(fail);
    });
    loadAdmin().catch(fail);
    setInterval(() => loadAdmin().catch(() => {}), 3000);
  }

  // ---- public draw ----
  async function draws() {
    const v = await call("GET", "/draws");
    $("draws").querySelector("tbody").innerHTML = v.draws.map((d) =>
      "<tr data-session=\"" + text(d.session) + "\"><td>" + text(d.session) + "</td><td>" + text(d.subject) + "</td><td>" + text(d.day) +
      "</td><td>" + text(d.candidates) + "</td><td class=\"commitment\"><code>" + text(d.commitment || "") + "</code></td><td class=\"seed\"><code>" +
      text(d.seed || "") + "</code></td></tr>").join("");
    $("lotteries").querySelector("tbody").innerHTML = (v.lotteries || []).map((d) =>
      "<tr data-session=\"" + text(d.session) + "\"><td>" + text(d.session) + "</td><td>" + text(d.subject) + "</td><td>" + text(d.day) +
      "</td><td>" + text(d.applicants) + "</td><td>" + text(d.allocated == null ? "" : d.allocated) + "</td><td class=\"commitment\"><code>" +
      text(d.commitment) + "</code></td><td class=\"seed\"><code>" + text(d.seed || "") + "</code></td></tr>").join("");
  }

  if (page === "candidate") candidate();
  else if (page === "admin") admin();
  else if (page === "draw") { draws().catch(() => {}); setInterval(() => draws().catch(() => {}), 5000); }
})();
