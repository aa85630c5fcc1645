// The watch-list page (/watchlist): an admin adds an entry (templates from an enrolled candidate's record or
// from uploaded ISO/IEC 19794-2 files) and removes one (a reason is required). Refusals are shown in the
// page's language as the daemon names them. No dependencies.
"use strict";
(function () {
  const $ = (id) => document.getElementById(id);
  const root = $("watchlist");
  if (!root) return;
  const en = document.documentElement.lang === "en";
  const texts = JSON.parse(root.dataset.texts || "{}");
  const word = (k) => (texts[k] || [k, k])[en ? 1 : 0];
  function show(id, msg) { const e = $(id); if (!e) return; e.textContent = msg; e.hidden = !msg; }
  function fail(msg) { show("wl-ok", ""); show("wl-msg", msg); }

  async function post(path, body) {
    const r = await fetch("/api/v1/watchlist" + path, {
      method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json" }, body: JSON.stringify(body),
    });
    let v = {};
    try { v = await r.json(); } catch (_) { /* not JSON */ }
    if (!r.ok) {
      if (r.status === 401) { location.href = "/login"; }
      throw new Error(word("refused") + " (" + r.status + "): " + ((en ? v.message_en : v.message) || v.message_en || v.message || r.statusText));
    }
    return v;
  }

  function base64(file) {
    return new Promise((resolve, reject) => {
      const rd = new FileReader();
      rd.onload = () => {
        const bytes = new Uint8Array(rd.result);
        let bin = "";
        for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
        resolve(btoa(bin));
      };
      rd.onerror = () => reject(new Error(word("unreadable") + ": " + file.name));
      rd.readAsArrayBuffer(file);
    });
  }

  // After a change the page is reloaded (the server renders the list); the notice survives the reload.
  function doneAndReload(msg) { sessionStorage.setItem("wl-done", msg); location.reload(); }
  const done = sessionStorage.getItem("wl-done");
  if (done) { sessionStorage.removeItem("wl-done"); show("wl-ok", done); }

  const add = $("wl-add");
  if (add) add.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const body = { reason: $("wl-reason").value };
    const opt = (k, id) => { const v = $(id).value.trim(); if (v) body[k] = v; };
    opt("until", "wl-until"); opt("id_number", "wl-id-number"); opt("name", "wl-name"); opt("note", "wl-note");
    try {
      if ($("wl-source-file").checked) {
        const files = Array.from($("wl-files").files || []);
        if (!files.length) { fail(word("need_file")); return; }
        body.templates_base64 = await Promise.all(files.map(base64));
      } else {
        const c = $("wl-candidate").value.trim();
        if (!c) { fail(word("need_candidate")); return; }
        body.from_person = c.startsWith("candidate:") ? c : "candidate:" + c;
      }
      const v = await post("/entries", body);
      doneAndReload(word("added_ok") + " " + v.id);
    } catch (e) { fail(e.message); }
  });

  document.addEventListener("submit", async (ev) => {
    const f = ev.target.closest("form.wl-remove");
    if (!f) return;
    ev.preventDefault();
    const reason = f.querySelector(".wl-remove-reason").value;
    try {
      const v = await post("/entries/" + encodeURIComponent(f.dataset.entry) + "/remove", { reason });
      doneAndReload(word("removed_ok") + " " + v.id);
    } catch (e) { fail(f.dataset.entry + " · " + e.message); }
  });
})();
