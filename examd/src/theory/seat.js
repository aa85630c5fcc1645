// The candidate terminal: one seat session, its own paper only. The server keeps the clock.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const api = '/api/v1/theory/seat/';
  let state = null, chosen = new Set(), syncedAt = 0, busy = false;

  async function call(path, body) {
    const opt = body === undefined ? {} : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    const r = await fetch(api + path, Object.assign({ credentials: 'same-origin' }, opt));
    const j = await r.json().catch(() => ({}));
    return { status: r.status, body: j };
  }

  function show(id, on) { $(id).hidden = !on; }

  function fmt(ms) {
    const s = Math.max(0, Math.ceil(ms / 1000));
    return String(Math.floor(s / 60)).padStart(2, '0') + ':' + String(s % 60).padStart(2, '0');
  }

  function tickClock() {
    if (!state) return;
    let left = state.remaining_ms;
    if (state.status === 'in_progress') left -= Date.now() - syncedAt;
    $('countdown').textContent = fmt(left);
  }

  function render(s) {
    const prevIndex = state && state.index;
    state = s; syncedAt = Date.now();
    show('seat-login', false);
    if (s.status === 'awaiting_finger') {
      show('exam', false); show('result', false); show('reverify', false); show('finger', true);
      $('finger-title').textContent = s.resume ? '请按手指继续考试' : '请按手指';
      const e = $('finger-error');
      e.textContent = s.finger_failures ? '指纹核验未通过（' + s.finger_failures + ' 次），请重按' + (s.alert ? '，已通知考试员' : '') : '';
      e.hidden = !s.finger_failures;
      return;
    }
    show('finger', false);
    if (s.status === 'finished') {
      show('exam', false); show('reverify', false); show('result', true);
      const r = s.result;
      $('verdict').textContent = r.verdict === 'passed' ? '考试合格' : '考试不合格';
      $('verdict').className = r.verdict;
      $('result').dataset.verdict = r.verdict;
      $('result-detail').textContent = '得分 ' + r.score + '，答对 ' + r.correct + ' 题，答错 ' + r.wrong + ' 题，未答 ' + r.unanswered + ' 题';
      return;
    }
    show('exam', true);
    $('exam').dataset.status = s.status;
    $('exam-name').textContent = s.exam_zh;
    $('candidate').textContent = '考生 ' + s.candidate;
    $('score').textContent = s.score || 0;
    const needCheck = s.reverify_due || s.status === 'paused';
    show('reverify', needCheck);
    $('reverify-why').textContent = s.status === 'paused' ? '身份复核未通过，考试已暂停，已通知考试员。请重新按手指。' : '考试已到身份复核时间，请将手指平放在指纹采集器上。';
    const re = $('reverify-error');
    re.textContent = s.finger_failures ? '指纹核验未通过（' + s.finger_failures + ' 次）' : '';
    re.hidden = !s.finger_failures;
    const grid = $('grid');
    if (grid.children.length !== s.grid.length) {
      grid.innerHTML = '';
      s.grid.forEach((_, i) => { const c = document.createElement('span'); c.textContent = i + 1; grid.appendChild(c); });
    }
    s.grid.forEach((g, i) => { grid.children[i].className = g; });
    const q = s.question;
    if (!q) return;
    if (prevIndex !== s.index || $('question').dataset.qid !== q.id) {
      chosen = new Set();
      $('question').dataset.qid = q.id;
      $('question').dataset.index = s.index;
      $('question').dataset.kind = q.kind;
      $('qno').textContent = '第 ' + (s.index + 1) + ' 题 / 共 ' + s.total + ' 题（' + q.kind_zh + '）';
      $('stem').textContent = q.stem;
      const m = $('media');
      if (q.media) { m.src = q.media; m.hidden = false; m.dataset.animated = q.animated; } else { m.removeAttribute('src'); m.hidden = true; }
      const ol = $('options'); ol.innerHTML = '';
      q.options.forEach((o) => {
        const li = document.createElement('li');
        li.dataset.key = o.key;
        li.textContent = o.key + '. ' + o.text;
        if (o.media) { const im = document.createElement('img'); im.src = o.media; li.appendChild(im); }
        li.addEventListener('click', () => choose(o.key));
        ol.appendChild(li);
      });
    }
    paintChoice();
  }

  function paintChoice() {
    for (const li of $('options').children) li.classList.toggle('chosen', chosen.has(li.dataset.key));
  }

  function choose(key) {
    if (!state || !state.question) return;
    if (!state.question.options.some((o) => o.key === key)) return;
    if (state.question.kind === 'multi') { chosen.has(key) ? chosen.delete(key) : chosen.add(key); } else { chosen = new Set([key]); }
    paintChoice();
  }

  async function confirmAnswer() {
    if (busy || !state || chosen.size === 0) return;
    busy = true;
    const choice = Array.from(chosen).sort().join('');
    const r = await call('answer', { index: state.index, choice: choice });
    busy = false;
    if (r.status === 200) { $('exam-error').hidden = true; render(r.body); } else { $('exam-error').textContent = r.body.message || '提交失败'; $('exam-error').hidden = false; refresh(); }
  }

  async function refresh() {
    const r = await call('state');
    if (r.status === 401) {
      state = null; show('exam', false); show('result', false); show('finger', false); show('seat-login', true);
      const seat = new URLSearchParams(location.search).get('seat');
      if (seat && !$('login-seat').value) $('login-seat').value = seat;
      return;
    }
    if (r.status === 200) render(r.body);
  }

  $('seat-login').addEventListener('submit', async (e) => {
    e.preventDefault();
    const r = await call('begin', { seat: $('login-seat').value.trim() });
    if (r.status === 200) { $('login-error').hidden = true; render(r.body.state); } else { $('login-error').textContent = r.status === 404 ? '该座位未安排考生' : (r.body.message || '无法开始'); $('login-error').hidden = false; }
  });
  $('confirm').addEventListener('click', confirmAnswer);
  $('submit').addEventListener('click', async () => {
    if (!confirm('确定交卷吗？')) return;
    const r = await call('submit', {});
    if (r.status === 200) render(r.body);
  });
  document.addEventListener('keydown', (e) => {
    if (!state || $('exam').hidden || !$('reverify').hidden) return;
    const k = e.key.toUpperCase();
    const map = { '1': 'A', '2': 'B', '3': 'C', '4': 'D' };
    if (map[k]) choose(map[k]);
    else if (/^[A-H]$/.test(k)) choose(k);
    else if (e.key === 'Enter') { e.preventDefault(); confirmAnswer(); }
  });
  setInterval(tickClock, 250);
  // Waiting for a finger (login or re-check) polls fast; otherwise the clock is re-synced now and then.
  setInterval(() => {
    if (!state || state.status === 'finished') return;
    const waiting = state.status === 'awaiting_finger' || state.status === 'paused' || state.reverify_due;
    if (waiting || Date.now() - syncedAt > 3000) refresh();
  }, 500);
  refresh();
})();
