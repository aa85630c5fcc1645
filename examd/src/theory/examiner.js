// The examiner page: open sittings, assign seats, watch progress, alerts and results.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const base = '/api/v1/theory/';
  const runner = $('sittings').dataset.runner === 'true';

  async function call(path, body) {
    const opt = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const r = await fetch(base + path, Object.assign({ credentials: 'same-origin' }, opt));
    return { status: r.status, body: await r.json().catch(() => ({})) };
  }
  function err(msg) { const e = $('theory-error'); e.textContent = msg || ''; e.hidden = !msg; }
  function fmt(ms) { const s = Math.ceil(ms / 1000); return Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0'); }
  const statusZh = { not_started: '待登录', in_progress: '答题中', paused: '已暂停', finished: '已结束' };
  function td(text, cls) { const c = document.createElement('td'); c.textContent = text; if (cls) c.className = cls; return c; }

  // The candidate's photos (the finger login's, then the paper's) as thumbnails from
  // /api/v1/photos/<sha256>; a photo the camera could not take says why.
  function photoCell(seat) {
    const c = document.createElement('td'); c.className = 'photos';
    for (const p of seat.photos || []) {
      const label = p.shot === 0 ? '登录照片 / login photo' : '考试照片 ' + p.shot + ' / photo ' + p.shot;
      if (p.sha256) {
        const img = document.createElement('img');
        img.className = 'photo-thumb'; img.src = '/api/v1/photos/' + p.sha256; img.alt = label; img.title = label;
        img.width = 80; img.height = 60; img.dataset.sha256 = p.sha256; img.dataset.shot = String(p.shot);
        c.appendChild(img);
      } else {
        const span = document.createElement('span'); span.className = 'photo-unavailable'; span.dataset.shot = String(p.shot);
        span.textContent = label + ': ' + (p.unavailable || ''); c.appendChild(span);
      }
    }
    return c;
  }

  async function load() {
    const r = await call('sittings');
    if (r.status !== 200) return;
    const root = $('sittings');
    root.innerHTML = '';
    const sel = $('assign-sitting');
    const keep = sel && sel.value;
    if (sel) sel.innerHTML = '';
    for (const s of r.body.sittings) {
      if (sel) { const o = document.createElement('option'); o.value = s.id; o.textContent = s.exam_zh + ' ' + s.id; sel.appendChild(o); }
      const h = document.createElement('h2'); h.textContent = s.exam_zh + ' · ' + s.id + ' · 题库 ' + s.bank + ' ' + s.version + ' · 考试员 ' + s.examiner;
      root.appendChild(h);
      const t = document.createElement('table'); t.className = 'theory-seats'; t.dataset.sitting = s.id;
      t.innerHTML = '<thead><tr><th>座位</th><th>考生</th><th>状态</th><th>进度</th><th>错题</th><th>剩余</th><th>告警</th><th>指纹失败</th><th>结果</th><th>照片</th><th></th></tr></thead>';
      const tb = document.createElement('tbody');
      for (const seat of s.seats) {
        const tr = document.createElement('tr'); tr.dataset.seat = seat.seat; tr.dataset.status = seat.status;
        tr.appendChild(td(seat.seat)); tr.appendChild(td(seat.candidate)); tr.appendChild(td(statusZh[seat.status] || seat.status));
        tr.appendChild(td(seat.answered + '/' + seat.total)); tr.appendChild(td(seat.wrong));
        tr.appendChild(td(fmt(seat.remaining_ms)));
        tr.appendChild(td(seat.alert || (seat.reverify_due ? '待复核' : ''), seat.alert ? 'alert seat-alert' : ''));
        tr.appendChild(td(seat.finger_failures ? String(seat.finger_failures) : '', 'seat-finger'));
        const res = seat.result ? (seat.result.verdict === 'passed' ? '合格 ' : '不合格 ') + seat.result.score : '';
        const rc = td(res, 'seat-result'); if (seat.result) rc.dataset.verdict = seat.result.verdict; tr.appendChild(rc);
        tr.appendChild(photoCell(seat));
        const act = document.createElement('td');
        if (runner && (seat.status === 'in_progress' || seat.status === 'paused')) {
          const b = document.createElement('button'); b.type = 'button'; b.textContent = '终止'; b.className = 'terminate';
          b.addEventListener('click', async () => { if (confirm('终止该考生考试？')) { await call('seats/' + encodeURIComponent(seat.seat) + '/terminate', {}); load(); } });
          act.appendChild(b);
        }
        tr.appendChild(act);
        tb.appendChild(tr);
      }
      t.appendChild(tb); root.appendChild(t);
    }
    if (sel && keep) sel.value = keep;
  }

  if (runner) {
    call('banks').then((r) => {
      for (const b of (r.body.banks || [])) { const o = document.createElement('option'); o.value = b.id; o.textContent = b.id + ' ' + b.version; $('open-bank').appendChild(o); }
    });
    $('open-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const r = await call('sittings', { exam: $('open-exam').value, bank: $('open-bank').value, reverify_s: Number($('open-reverify').value) || 0, finger: $('open-finger').value.trim() });
      $('open-finger').value = '';
      err(r.status === 201 ? '' : r.status === 403 ? '考试员指纹不符，未开考 / the examiner finger did not match' : r.body.message_en); await load();
      if (r.status === 201) $('assign-sitting').value = r.body.sitting;
    });
    $('assign-form').addEventListener('submit', async (e) => {
      e.preventDefault();
      const r = await call('sittings/' + encodeURIComponent($('assign-sitting').value) + '/seats', { seat: $('assign-seat').value.trim(), candidate: $('assign-candidate').value.trim() });
      if (r.status === 201) { err(''); const p = $('assign-done'); p.textContent = r.body.seat + ' → ' + r.body.candidate + '：请考生在座位上按手指登录'; p.dataset.seat = r.body.seat; p.hidden = false; } else err(r.body.message_en);
      load();
    });
  }
  load();
  setInterval(load, 1000);
})();
