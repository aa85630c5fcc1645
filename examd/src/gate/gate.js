// examd console, gate page: refreshes doors, vestibule, alarms and scans from /api/v1/gate/status
// whenever a gate event arrives in the page's live event table (Server-Sent Events), and every 3 s as a fallback. No dependencies.
"use strict";

(function () {
  const root = document.getElementById("gate");
  if (!root) return;
  const texts = JSON.parse(root.dataset.texts);
  const zh = document.body.dataset.lang !== "en";
  const tr = (k) => (texts[k] ? texts[k][zh ? 0 : 1] : k);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = String(text); return e; };
  const fill = (id, nodes) => { const box = document.getElementById(id); box.replaceChildren(...nodes); };

  async function ack(id) {
    await fetch("/api/v1/gate/alarms/" + id + "/ack", { method: "POST", credentials: "same-origin" });
    refresh();
  }

  async function fireReset() {
    const msg = document.getElementById("fire-reset-msg");
    const r = await fetch("/api/v1/gate/fire/reset", { method: "POST", credentials: "same-origin" });
    if (r.ok) { msg.textContent = ""; } else {
      let m = String(r.status);
      try { const e = await r.json(); m = e.message_en || e.message; } catch (_) { /* keep the status */ }
      msg.textContent = tr("fire_reset_refused") + m;
    }
    refresh();
  }
  document.getElementById("fire-reset").addEventListener("click", fireReset);

  function render(s) {
    document.getElementById("gate-not-running").hidden = true;
    document.getElementById("gate-info").textContent = tr("module") + ": " + s.module + " · " + tr("roster") + ": " + (s.sitting || "—") + " (" + s.roster_size + ")";
    const banner = document.getElementById("gate-banner");
    banner.hidden = s.comms_up && !s.fire_override;
    banner.textContent = s.fire_override ? tr("fire") : (!s.comms_up ? tr("comms_lost") : "");
    document.getElementById("gate-fire").hidden = !(s.fire_override && root.dataset.ack === "true");
    fill("gate-doors", s.doors.map((d) => {
      const p = el("p", "door door-" + d.state, (d.door === "A" ? tr("door_a") : tr("door_b")) + ": " + tr(d.state));
      p.id = "door-" + d.door; p.dataset.state = d.state; return p;
    }));
    const v = s.vestibule.length ? s.vestibule.map((o) => el("p", o.unidentified ? "alert" : "", o.unidentified ? tr("unidentified") : (o.candidate + " " + (o.name || "")))) : [el("p", "", tr("empty"))];
    fill("gate-vestibule", v);
    document.getElementById("gate-vestibule").dataset.count = s.vestibule.length;
    fill("gate-attempts", s.attempts.map((a) => el("p", "", a.door + " · " + a.candidate + " " + (a.name || "") + " · " + JSON.stringify(a.state))));
    const rows = s.alarms.map((a) => {
      const r = el("tr", a.active ? "alert" : ""); r.dataset.kind = a.kind; r.dataset.id = a.id;
      r.append(el("td", "", new Date(a.raised_ms).toLocaleTimeString(document.body.dataset.lang)), el("td", "alert", tr(a.kind)), el("td", "", a.door || ""), el("td", "mono", JSON.stringify(a.detail)));
      const c = el("td");
      if (root.dataset.ack === "true" && !a.acked_by) { const b = el("button", "ack", tr("ack")); b.type = "button"; b.addEventListener("click", () => ack(a.id)); c.append(b); }
      r.append(c); return r;
    });
    fill("gate-alarms", rows.length ? [el("tbody", "", null)] : [el("tbody")]);
    const body = document.querySelector("#gate-alarms tbody");
    if (rows.length) body.append(...rows); else body.append(el("tr", "", null)), body.firstChild.append(el("td", "", tr("no_alarms")));
    const scans = document.querySelector("#gate-scans tbody") || document.getElementById("gate-scans").appendChild(el("tbody"));
    scans.replaceChildren(...s.scans.map((x) => {
      const r = el("tr"); r.dataset.decision = x.decision;
      r.append(el("td", "", new Date(x.time_ms).toLocaleTimeString(document.body.dataset.lang)), el("td", "", x.door), el("td", "", x.claim || ""), el("td", "", tr(x.decision)), el("td", "", x.score == null ? "" : x.score.toFixed(3)));
      return r;
    }));
    fill("gate-seats", s.seats.map((x) => el("span", "badge", x.candidate + " → " + x.seat)));
  }

  let pending = false;
  async function refresh() {
    if (pending) return;
    pending = true;
    try {
      const r = await fetch("/api/v1/gate/status", { credentials: "same-origin" });
      if (r.ok) render(await r.json());
    } finally { pending = false; }
  }

  refresh();
  setInterval(refresh, 3000);
  // The page's event table (console.js) follows the gate's events; each new row triggers a refresh.
  const events = document.querySelector("#area-events tbody");
  if (events) new MutationObserver(() => refresh()).observe(events, { childList: true });
})();
