// examd console, driving page: sessions from /api/v1/driving/sessions, refreshed on every driving.* event.
"use strict";

(function () {
  const root = document.getElementById("driving");
  if (!root) return;
  const texts = JSON.parse(root.dataset.texts);
  const en = root.dataset.lang === "en";
  const tr = (k) => (texts[k] ? texts[k][en ? 1 : 0] : k);
  const el = (tag, attrs, kids) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "text") e.textContent = v; else e.setAttribute(k, v);
    }
    for (const c of kids || []) e.appendChild(c);
    return e;
  };
  const rules = {};

  function deductionList(s) {
    const ul = el("ul", { class: "deductions" });
    for (const d of s.deductions) {
      const pts = d.points >= 100 ? tr("failed") : "-" + d.points;
      const who = d.by ? " (" + d.by + ")" : "";
      ul.appendChild(el("li", { "data-code": d.code, text: (d.t_ms / 1000).toFixed(1) + " s  " + d.item + "  " + d.code + "  " + pts + "  " + d.reason + who }));
    }
    return ul;
  }

  // The session's photos (start 17C51, items and deductions 17C54, end 17C56) as thumbnails
  // from /api/v1/photos/<sha256>; a photo the camera could not take says why.
  function photoStrip(s) {
    const div = el("div", { class: "photos" });
    for (const p of s.photos || []) {
      const label = tr("photo_" + p.trigger) + (p.what ? " " + p.what : "");
      if (p.photo.sha256) {
        div.appendChild(el("img", { class: "photo-thumb", src: "/api/v1/photos/" + p.photo.sha256, alt: label, title: label, width: "80", height: "60", "data-sha256": p.photo.sha256 }));
      } else {
        div.appendChild(el("span", { class: "photo-unavailable", text: label + ": " + (p.photo.unavailable || "") }));
      }
    }
    return div;
  }

  function render(list) {
    const live = document.getElementById("live-sessions");
    live.replaceChildren();
    const running = list.filter((s) => s.state === "live");
    if (running.length === 0) live.appendChild(el("p", { class: "card", text: tr("none") }));
    for (const s of running) {
      live.appendChild(el("div", { class: "card session", id: "session-" + s.id, "data-session": s.id, "data-score": String(s.score) }, [
        el("h3", { text: s.id + " · " + tr("car") + " " + s.car + " · " + tr("candidate") + " " + s.candidate }),
        el("p", { text: tr("subject") + " " + s.subject + " · " + tr("examiner") + " " + s.examiner + " · " + tr("item") + " " + (s.item || "—") }),
        el("p", {}, [el("b", { class: "score", text: tr("score") + " " + s.score })]),
        deductionList(s),
        photoStrip(s),
      ]));
    }
    const sel = document.getElementById("manual-session");
    if (sel) {
      const keep = sel.value;
      sel.replaceChildren(...running.map((s) => el("option", { value: s.id, "data-subject": String(s.subject), text: s.id + " · " + s.candidate })));
      if (running.some((s) => s.id === keep)) sel.value = keep;
      fillCodes();
    }
    const body = document.querySelector("#finished-sessions tbody");
    body.replaceChildren();
    for (const s of list.filter((s) => s.state !== "live")) {
      body.appendChild(el("tr", { "data-session": s.id }, [
        el("td", { text: s.id }), el("td", { text: s.car }), el("td", { text: s.candidate }),
        el("td", { text: String(s.subject) }), el("td", { text: String(s.score) }),
        el("td", { text: tr(s.state) }), el("td", {}, [deductionList(s), photoStrip(s)]),
        el("td", {}, [el("a", { href: "/api/v1/driving/sessions/" + encodeURIComponent(s.id) + "/replay.svg", class: "replay", text: tr("replay") })]),
      ]));
    }
  }

  async function loadRules(subject) {
    if (rules[subject]) return rules[subject];
    const r = await fetch("/api/v1/driving/rules?subject=" + subject, { credentials: "same-origin" });
    rules[subject] = r.ok ? await r.json() : [];
    return rules[subject];
  }

  async function fillCodes() {
    const sel = document.getElementById("manual-session");
    const codes = document.getElementById("manual-code");
    if (!sel || !codes) return;
    const opt = sel.selectedOptions[0];
    if (!opt) { codes.replaceChildren(); return; }
    const subject = opt.dataset.subject;
    if (codes.dataset.subject === subject && codes.options.length) return;
    const list = await loadRules(subject);
    codes.dataset.subject = subject;
    codes.replaceChildren(...list.map((r) => el("option", { value: r.code, text: r.code + " " + (r.points >= 100 ? tr("failed") : "-" + r.points) + " " + (en ? r.en : r.zh) })));
  }

  let pending = false;
  async function refresh() {
    if (pending) return;
    pending = true;
    try {
      const r = await fetch("/api/v1/driving/sessions", { credentials: "same-origin" });
      if (r.ok) render(await r.json());
    } finally { pending = false; }
  }

  const form = document.getElementById("manual-form");
  if (form) {
    document.getElementById("manual-session").addEventListener("change", fillCodes);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const session = document.getElementById("manual-session").value;
      const code = document.getElementById("manual-code").value;
      const err = document.getElementById("manual-error");
      err.hidden = true;
      const r = await fetch("/api/v1/driving/sessions/" + encodeURIComponent(session) + "/deductions", {
        method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" }, body: JSON.stringify({ code }),
      });
      if (!r.ok) {
        const body = await r.json().catch(() => ({}));
        err.textContent = (en ? body.message_en : body.message + ": " + body.message_en) || String(r.status);
        err.hidden = false;
      }
      refresh();
    });
  }

  // The page's event table (console.js) already follows the driving feed (no telemetry chunks):
  // refresh when it grows, so the page holds one stream connection, not two.
  const events = document.querySelector("#area-events tbody");
  if (events) new MutationObserver((muts) => {
    for (const m of muts) for (const n of m.addedNodes) {
      if (n.dataset && n.dataset.kind) { refresh(); return; }
    }
  }).observe(events, { childList: true });
  refresh();
})();
