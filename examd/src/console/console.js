// examd console: login, logout, live event tables, log verification. No dependencies.
"use strict";

async function api(path, options) {
  const resp = await fetch(path, Object.assign({ credentials: "same-origin", headers: { "content-type": "application/json" } }, options || {}));
  if (resp.status === 401 && location.pathname !== "/login") { location.href = "/login"; }
  return resp;
}

function text(s) { return document.createTextNode(s == null ? "" : String(s)); }

function row(ev) {
  const tr = document.createElement("tr");
  tr.dataset.seq = ev.seq;
  tr.dataset.kind = ev.kind;
  const cells = [ev.seq, new Date(ev.time_ms).toLocaleString(document.body.dataset.lang),
    ev.kind, ev.subjects.map(s => s.kind + ":" + s.id).join(", "), JSON.stringify(ev.payload)];
  for (const c of cells) { const td = document.createElement("td"); td.appendChild(text(c)); tr.appendChild(td); }
  return tr;
}

function liveTable(table) {
  const body = table.querySelector("tbody");
  const filter = table.dataset.filter || "";
  let paused = false;
  const state = document.getElementById(table.id + "-state");
  const toggle = document.querySelector('[data-toggle="' + table.id + '"]');
  if (toggle) toggle.addEventListener("click", () => {
    paused = !paused;
    toggle.textContent = paused ? toggle.dataset.resume : toggle.dataset.pause;
    state.textContent = paused ? state.dataset.paused : state.dataset.live;
    state.classList.toggle("off", paused);
  });
  let url = table.dataset.stream + "?from=1";
  if (filter) url += "&prefix=" + encodeURIComponent(filter);
  const src = new EventSource(url);
  src.addEventListener("event", (msg) => {
    const ev = JSON.parse(msg.data);
    if (paused) return;
    body.insertBefore(row(ev), body.firstChild);
    while (body.rows.length > 500) body.deleteRow(body.rows.length - 1);
  });
  src.onerror = () => { state.classList.add("off"); };
  src.onopen = () => { if (!paused) state.classList.remove("off"); };
}

document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("login-form");
  if (form) form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const resp = await api("/api/v1/login", { method: "POST", body: JSON.stringify({ name: form.name.value, password: form.password.value }) });
    if (resp.ok) { location.href = "/"; return; }
    const err = document.getElementById("login-error");
    err.textContent = form.dataset.failed;
    err.hidden = false;
  });
  const out = document.getElementById("logout");
  if (out) out.addEventListener("click", async () => { await api("/api/v1/logout", { method: "POST" }); location.href = "/login"; });
  document.querySelectorAll("table[data-stream]").forEach(liveTable);
  const verify = document.getElementById("verify");
  if (verify) verify.addEventListener("click", async () => {
    const box = document.getElementById("verify-result");
    box.hidden = false;
    box.textContent = "…";
    const resp = await api("/api/v1/audit/verify");
    const report = await resp.json();
    box.className = "card " + (report.ok ? "ok" : "alert");
    box.textContent = (report.ok ? verify.dataset.ok : verify.dataset.bad) + "\n" + JSON.stringify(report, null, 2);
  });
});
