// examd console, devices page: refreshes the sensor table and the door module from /api/v1/devices
// whenever a device event arrives in the page's live event table, and every 2 s. No dependencies.
"use strict";

(function () {
  const root = document.getElementById("devices");
  if (!root) return;
  const texts = JSON.parse(root.dataset.texts);
  const zh = document.body.dataset.lang !== "en";
  const tr = (k) => (texts[k] ? texts[k][zh ? 0 : 1] : k);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text != null) e.textContent = String(text); return e; };
  const time = (ms) => (ms == null ? "—" : new Date(ms).toLocaleTimeString(document.body.dataset.lang));

  function render(s) {
    document.getElementById("no-sensors").hidden = s.sensors.length > 0;
    const body = document.querySelector("#sensors tbody");
    body.replaceChildren(...s.sensors.map((x) => {
      const r = el("tr", x.link === "lost" ? "alert" : "");
      r.id = "sensor-" + x.id; r.dataset.link = x.link; r.dataset.finger = String(x.finger_present);
      const link = el("td", "link link-" + x.link, tr(x.link));
      const image = x.width ? x.width + "×" + x.height + " @ " + x.ppi + " ppi" : "—";
      r.append(el("td", "mono", x.id), el("td", "", x.kind), el("td", "", x.role), el("td", "mono", x.selector), link,
        el("td", "finger", x.finger_present ? tr("present") : tr("absent")), el("td", "", image),
        el("td", "", time(x.last_capture_ms)), el("td", "captures", x.captures),
        el("td", "error", x.last_error ? time(x.last_error_ms) + " " + x.last_error : ""));
      return r;
    }));
    const door = document.getElementById("door-module");
    if (s.door_module) {
      door.textContent = s.door_module.module + " · " + (s.door_module.comms_up ? tr("door_up") : tr("door_down"));
      door.dataset.up = String(s.door_module.comms_up);
    } else {
      door.textContent = tr("no_door");
      delete door.dataset.up;
    }
  }

  let pending = false;
  async function refresh() {
    if (pending) return;
    pending = true;
    try {
      const r = await fetch("/api/v1/devices", { credentials: "same-origin" });
      if (r.ok) render(await r.json());
    } finally { pending = false; }
  }

  refresh();
  setInterval(refresh, 2000);
  const events = document.querySelector("#area-events tbody");
  if (events) new MutationObserver(() => refresh()).observe(events, { childList: true });
})();
