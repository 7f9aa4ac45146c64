// xingqu chat widget: include with <script src=".../widget.js" data-lang="zh" async>.
// Everything shown is set with textContent, never parsed as HTML. The session token
// lives in localStorage and travels only in the Authorization header.
(function () {
  'use strict';
  if (window.__xingquWidget) return;
  window.__xingquWidget = true;
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  var base = new URL(script.src, location.href).origin;
  var want = (script.getAttribute('data-lang') || navigator.language || 'zh').toLowerCase();
  var lang = want.indexOf('zh') === 0 ? 'zh' : 'en';
  var TEXT = {
    zh: { title: '行趣旅行助手', botName: '行趣', status: '通常几秒内回复', open: '打开聊天', unread: '条新消息', close: '关闭聊天', send: '发送', placeholder: '输入消息…（Enter 发送）',
      typing: '正在输入…', agent: '人工客服', lost: '与服务器的同步中断（E-606）。', sync: '同步', offline: '网络连接失败，请稍后重试（E-101）。',
      retry: '重试', writing: '正在为您撰写行程…', days: '每日行程', food: '美食', notice: '公告', ok: '知道了', where: '公告会在你打开聊天时显示在这里，停服和抢修进展显示在顶部横幅；这个网页不会另外发通知，想收到消息提醒请在 Telegram 上发送 /subscribe。', maintenance: '维护中', log: '聊天记录',
      morning: '上午', afternoon: '下午', evening: '晚上', colon: '：', listSep: '；',
      noWeather: '这些日期暂时查不到天气预报（E-303），行程照常可用，临近出发可以再查。', checkWeather: '再查天气',
      down: '系统维护中', until: '预计恢复：', untilUnknown: '恢复时间待定', when: '时间', impact: '影响', todo: '建议', progress: '最新进展' },
    en: { title: 'xingqu travel assistant', botName: 'xingqu', status: 'Usually replies in seconds', open: 'Open chat', unread: 'new messages', close: 'Close chat', send: 'Send', placeholder: 'Type a message… (Enter sends)',
      typing: 'Typing…', agent: 'Support agent', lost: 'The chat lost sync with the server (E-606).', sync: 'Sync', offline: 'Network connection failed, please retry (E-101).',
      retry: 'Retry', writing: 'Writing your plan…', days: 'Day by day', food: 'Food', notice: 'Notice', ok: 'OK', where: 'Notices show here when you open the chat, and downtime and repair progress in the banner at the top; this page sends nothing else. To get notices as messages, send /subscribe on Telegram.', maintenance: 'Maintenance', log: 'Conversation',
      morning: 'Morning', afternoon: 'Afternoon', evening: 'Evening', colon: ': ', listSep: '; ',
      noWeather: 'No forecast for these dates yet (E-303); the plan stands, and you can check again closer to the trip.', checkWeather: 'Check the weather',
      down: 'The service is down for maintenance.', until: 'Expected back:', untilUnknown: 'End not known yet.', when: 'When', impact: 'Impact', todo: 'What to do', progress: 'Latest' }
  }[lang];
  var TIER = { zh: { luxury: '豪华尊享游', economical: '经济适用游', backpacker: '特种兵穷游' },
    en: { luxury: 'Luxury', economical: 'Economical', backpacker: 'Backpacker' } }[lang];
  var KEY = 'xingqu.widget.' + base;
  var token = localStorage.getItem(KEY);
  var cursor = '0';
  var seen = {};
  var labels = {};
  var streamCtl = null;
  var progressNode = null;
  var started = false;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }

  // chatIcon is the launcher's speech bubble, drawn rather than an emoji that some
  // systems have no font for.
  function chatIcon() {
    var ns = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '26');
    svg.setAttribute('height', '26');
    svg.setAttribute('aria-hidden', 'true');
    var path = document.createElementNS(ns, 'path');
    path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z');
    path.setAttribute('fill', 'currentColor');
    svg.appendChild(path);
    return svg;
  }

  var css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = base + '/widget.css';
  document.head.appendChild(css);

  var root = el('div', 'xq-root');
  var bubble = el('button', 'xq-bubble');
  bubble.appendChild(chatIcon());
  bubble.type = 'button';
  bubble.setAttribute('aria-label', TEXT.open);
  bubble.setAttribute('aria-expanded', 'false');
  var panel = el('section', 'xq-panel');
  panel.hidden = true;
  panel.setAttribute('role', 'dialog');
  panel.setAttribute('aria-label', TEXT.title);
  panel.lang = lang === 'zh' ? 'zh-CN' : 'en';
  var badge = el('span', 'xq-badge');
  badge.hidden = true;
  bubble.appendChild(badge);
  var unread = 0;
  var head = el('div', 'xq-head');
  var ident = el('div', 'xq-ident');
  ident.appendChild(el('span', 'xq-avatar', '行'));
  var names = el('div');
  names.appendChild(el('h2', null, TEXT.title));
  names.appendChild(el('div', 'xq-status', TEXT.status));
  ident.appendChild(names);
  head.appendChild(ident);
  var closeBtn = el('button', null, '×');
  closeBtn.type = 'button';
  closeBtn.setAttribute('aria-label', TEXT.close);
  head.appendChild(closeBtn);
  var banner = el('div', 'xq-banner');
  banner.hidden = true;
  banner.setAttribute('role', 'status');
  var logBox = el('div', 'xq-log');
  logBox.setAttribute('role', 'log');
  logBox.setAttribute('aria-live', 'polite');
  logBox.setAttribute('aria-label', TEXT.log);
  var typing = el('div', 'xq-typing', TEXT.typing);
  typing.hidden = true;
  typing.setAttribute('aria-live', 'polite');
  var form = el('form', 'xq-form');
  var input = el('textarea');
  input.placeholder = TEXT.placeholder;
  input.setAttribute('aria-label', TEXT.placeholder);
  input.maxLength = 4096;
  var sendBtn = el('button', null, TEXT.send);
  sendBtn.type = 'submit';
  form.appendChild(input);
  form.appendChild(sendBtn);
  var popup = el('div', 'xq-popup');
  popup.hidden = true;
  popup.setAttribute('role', 'dialog');
  popup.setAttribute('aria-modal', 'true');
  panel.appendChild(head);
  panel.appendChild(banner);
  panel.appendChild(logBox);
  panel.appendChild(typing);
  panel.appendChild(form);
  panel.appendChild(popup);
  root.appendChild(panel);
  root.appendChild(bubble);

  function mount() { document.body.appendChild(root); if (sessionStorage.getItem(KEY + '.open') === '1') open(); }
  if (document.body) mount(); else document.addEventListener('DOMContentLoaded', mount);

  // fitKeyboard keeps the input in sight when a phone's on-screen keyboard shrinks the
  // visual viewport, which 100dvh does not follow.
  var vv = window.visualViewport;
  function fitKeyboard() {
    if (!vv || panel.hidden || !window.matchMedia('(max-width: 480px)').matches) { panel.style.height = ''; panel.style.top = ''; return; }
    panel.style.height = vv.height + 'px';
    panel.style.top = vv.offsetTop + 'px';
    logBox.scrollTop = logBox.scrollHeight;
  }
  if (vv) { vv.addEventListener('resize', fitKeyboard); vv.addEventListener('scroll', fitKeyboard); }

  // setUnread shows on the launcher how many answers came while the chat was closed.
  function setUnread(n) {
    unread = n;
    badge.textContent = n > 99 ? '99+' : String(n);
    badge.hidden = n === 0;
    bubble.setAttribute('aria-label', n ? TEXT.open + ' (' + n + ' ' + TEXT.unread + ')' : TEXT.open);
  }

  function open() {
    panel.hidden = false;
    setUnread(0);
    root.classList.add('xq-open');
    fitKeyboard();
    bubble.setAttribute('aria-expanded', 'true');
    sessionStorage.setItem(KEY + '.open', '1');
    input.focus();
    if (!started) { started = true; start(); }
  }
  function close() {
    panel.hidden = true;
    root.classList.remove('xq-open');
    bubble.setAttribute('aria-expanded', 'false');
    sessionStorage.setItem(KEY + '.open', '0');
    bubble.focus();
  }
  bubble.addEventListener('click', function () { panel.hidden ? open() : close(); });
  closeBtn.addEventListener('click', close);
  panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') close(); });
  input.addEventListener('keydown', function (e) {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); submit(); }
  });
  form.addEventListener('submit', function (e) { e.preventDefault(); submit(); });

  function submit() {
    var t = input.value.trim();
    if (!t) return;
    input.value = '';
    send({ text: t });
  }

  function api(method, path, body) {
    var h = { 'Content-Type': 'application/json' };
    if (token) h.Authorization = 'Bearer ' + token;
    return fetch(base + path, { method: method, headers: h, body: body ? JSON.stringify(body) : undefined });
  }

  function newSession() {
    var tz = '';
    try { tz = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) {}
    return api('POST', '/api/widget/session', { lang: lang, timeZone: tz }).then(function (r) {
      return r.json().then(function (j) {
        if (!r.ok) throw new Error(j.message || r.status);
        token = j.sessionToken;
        localStorage.setItem(KEY, token);
      });
    });
  }

  function notice(text, btnLabel, onClick) {
    var n = el('div', 'xq-notice', text);
    n.setAttribute('role', 'alert');
    if (btnLabel) {
      var b = el('button', null, btnLabel);
      b.type = 'button';
      b.addEventListener('click', function () { n.remove(); onClick(); });
      n.appendChild(document.createTextNode(' '));
      n.appendChild(b);
    }
    logBox.appendChild(n);
    logBox.scrollTop = logBox.scrollHeight;
  }

  function send(body) {
    var id = (window.crypto && crypto.randomUUID) ? crypto.randomUUID() : String(Date.now()) + Math.random();
    body.id = id;
    typing.hidden = false;
    var attempt = function () {
      return api('POST', '/api/widget/messages', body).then(function (r) {
        if (r.status === 401) return newSession().then(reset).then(attempt);
        if (!r.ok) return r.json().then(function (j) { typing.hidden = true; notice(j.message || String(r.status)); });
      });
    };
    attempt().catch(function () { typing.hidden = true; notice(TEXT.offline, TEXT.retry, function () { send(body); }); });
  }

  // shareLocation sends where the visitor is, with the browser's permission; refused or
  // impossible, the bot explains how else to tell it (E-202).
  function shareLocation() {
    if (!navigator.geolocation) { send({ action: 'location:denied' }); return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      send({ location: { lat: pos.coords.latitude, lon: pos.coords.longitude } });
    }, function () { send({ action: 'location:denied' }); }, { timeout: 15000, maximumAge: 60000 });
  }

  function planCard(m) {
    var card = el('div', 'xq-plan');
    card.appendChild(el('div', null, m.text));
    (m.plan.options || []).forEach(function (o) {
      var sec = el('section', 'xq-option');
      sec.appendChild(el('h3', null, TIER[o.tier] || o.title || o.tier));
      sec.appendChild(el('div', 'xq-range', Math.round(o.budgetLow) + '–' + Math.round(o.budgetHigh) + ' ' + (o.currency || '')));
      var det = el('details');
      det.appendChild(el('summary', null, TEXT.days));
      (o.days || []).forEach(function (d) {
        var day = el('div', 'xq-day');
        day.appendChild(el('strong', null, d.date));
        [[TEXT.morning, d.morning], [TEXT.afternoon, d.afternoon], [TEXT.evening, d.evening]].forEach(function (p) {
          if (!p[1]) return;
          var line = el('div', 'xq-part');
          line.appendChild(el('span', 'xq-when', p[0]));
          line.appendChild(document.createTextNode(p[1]));
          day.appendChild(line);
        });
        if (d.weather) day.appendChild(el('div', 'xq-wx', d.weather.summary + ' ' + Math.round(d.weather.tempMinC) + '–' + Math.round(d.weather.tempMaxC) + '°C'));
        det.appendChild(day);
      });
      if (o.food && o.food.length) det.appendChild(el('div', 'xq-day', TEXT.food + TEXT.colon + o.food.join(TEXT.listSep)));
      sec.appendChild(det);
      card.appendChild(sec);
    });
    if (m.plan.weatherNote) card.appendChild(weatherNote(m.plan.weatherNote));
    return card;
  }

  // weatherNote says in words what a code under the plan means (SPEC section 8), with the
  // choice to ask for the weather again.
  function weatherNote(code) {
    var n = el('div', 'xq-wx xq-wx-note', code === 'E-303' ? TEXT.noWeather : code);
    var b = el('button', 'xq-secondary', TEXT.checkWeather);
    b.type = 'button';
    b.addEventListener('click', function () { send({ action: 'weather' }); });
    n.appendChild(document.createTextNode(' '));
    n.appendChild(b);
    return n;
  }

  // progress shows the plan being written in one bubble, updated in place and kept last,
  // until the card it becomes arrives.
  function progress(p) {
    if (!progressNode) {
      progressNode = el('div', 'xq-msg xq-bot xq-progress');
      progressNode.setAttribute('role', 'status');
      progressNode.setAttribute('aria-live', 'polite');
      progressNode.appendChild(el('div', 'xq-progress-title', TEXT.writing));
      progressNode.appendChild(el('div', 'xq-preview'));
      logBox.appendChild(progressNode);
    }
    progressNode.lastChild.textContent = p.preview || '';
    logBox.scrollTop = logBox.scrollHeight;
  }
  function endProgress() {
    if (progressNode) progressNode.remove();
    progressNode = null;
  }

  // Times are shown once per group: above the first message, and again after a pause.
  var lastAt = 0, lastRole = '';
  function stamp(m) {
    var at = new Date(m.createdAt).getTime();
    if (!at || at - lastAt < 5 * 60 * 1000) return;
    var d = new Date(at), now = new Date();
    var opts = { hour: '2-digit', minute: '2-digit' };
    if (d.toDateString() !== now.toDateString()) { opts.month = 'short'; opts.day = 'numeric'; }
    var t = el('div', 'xq-time', d.toLocaleString(lang === 'zh' ? 'zh-CN' : 'en-GB', opts));
    logBox.insertBefore(t, progressNode);
    lastRole = '';
  }
  // from names who speaks at the start of each run of bot or agent messages.
  function from(m) {
    if (m.role !== 'bot' && m.role !== 'agent') { lastRole = m.role; return; }
    var key = m.role + ':' + (m.author || '');
    if (key === lastRole) return;
    lastRole = key;
    var f = el('div', 'xq-from xq-from-' + m.role);
    f.appendChild(el('span', 'xq-avatar', m.role === 'bot' ? '行' : '👤'));
    f.appendChild(el('span', null, m.role === 'bot' ? TEXT.botName : (m.author ? m.author + ' · ' + TEXT.agent : TEXT.agent)));
    logBox.insertBefore(f, progressNode);
  }
  function buttonClass(action) {
    if (action === 'plan' || action === 'keep') return 'xq-primary';
    if (action.indexOf('edit') === 0) return 'xq-secondary';
    return null;
  }

  function render(m, live) {
    if (seen[m.id]) return;
    seen[m.id] = true;
    stamp(m);
    from(m);
    lastAt = new Date(m.createdAt).getTime() || lastAt;
    if (live && panel.hidden && m.role !== 'traveller' && m.kind !== 'working') setUnread(unread + 1);
    if (Number(m.id) > Number(cursor)) cursor = String(m.id);
    var node;
    if (m.plan) {
      endProgress();
      node = planCard(m);
    } else {
      var text = m.text;
      if (!text && m.action) text = labels[m.action] || m.action;
      node = el('div', 'xq-msg xq-' + (['traveller', 'bot', 'agent', 'system'].indexOf(m.role) >= 0 ? m.role : 'system'), text);
      if (m.kind === 'working') node.classList.add('xq-working');
    }
    node.setAttribute('data-id', m.id);
    if (m.buttons && m.buttons.length) {
      var row = el('div', 'xq-buttons');
      m.buttons.forEach(function (b) {
        labels[b.action] = b.label;
        var btn = el('button', buttonClass(b.action), b.label);
        btn.type = 'button';
        btn.addEventListener('click', function () { b.action === 'location' ? shareLocation() : send({ action: b.action }); });
        row.appendChild(btn);
      });
      node.appendChild(row);
    }
    if (m.role === 'bot' || m.role === 'agent' || m.role === 'system') typing.hidden = m.kind !== 'working';
    logBox.insertBefore(node, progressNode);
    logBox.scrollTop = logBox.scrollHeight;
  }

  function loadHistory() {
    return api('GET', '/api/widget/messages?after=' + encodeURIComponent(cursor)).then(function (r) {
      if (r.status === 401) { var e = new Error('session'); e.session = true; throw e; }
      if (!r.ok) throw new Error(String(r.status));
      return r.json();
    }).then(function (j) {
      j.messages.forEach(render);
      cursor = j.cursor || cursor;
      if (j.messages.length > 0) return loadHistory();
    });
  }

  function reset() {
    cursor = '0';
    seen = {};
    lastAt = 0;
    lastRole = '';
    logBox.textContent = '';
    progressNode = null;
  }

  // stream reads the event stream with fetch, so the token stays in a header, and resumes
  // from the last id it saw after any drop.
  var backoff = 1000;
  function stream() {
    if (streamCtl) streamCtl.abort();
    var ctl = new AbortController();
    streamCtl = ctl;
    fetch(base + '/api/widget/events', { headers: { Authorization: 'Bearer ' + token, 'Last-Event-ID': cursor, Accept: 'text/event-stream' }, signal: ctl.signal })
      .then(function (r) {
        if (r.status === 401) return newSession().then(function () { reset(); return loadHistory(); }).then(stream);
        if (!r.ok || !r.body) throw new Error(String(r.status));
        backoff = 1000;
        var reader = r.body.getReader();
        var dec = new TextDecoder();
        var buf = '';
        function pump() {
          return reader.read().then(function (res) {
            if (res.done) throw new Error('closed');
            buf += dec.decode(res.value, { stream: true });
            var i;
            while ((i = buf.indexOf('\n\n')) >= 0) {
              event(buf.slice(0, i));
              buf = buf.slice(i + 2);
            }
            return pump();
          });
        }
        return pump();
      })
      .catch(function () {
        if (ctl.signal.aborted) return;
        setTimeout(stream, backoff);
        backoff = Math.min(backoff * 2, 15000);
      });
  }

  function event(block) {
    var name = 'message', data = '';
    block.split('\n').forEach(function (line) {
      if (line.indexOf('event:') === 0) name = line.slice(6).trim();
      else if (line.indexOf('data:') === 0) data += line.slice(5).trim();
    });
    if (!data) return;
    var j = JSON.parse(data);
    if (name === 'message') render(j, true);
    else if (name === 'progress') progress(j);
    else if (name === 'resync') resync();
  }

  // resync reads the conversation again, then offers to do it once more: the notice goes
  // in after the reset, which would otherwise take it away with the old log.
  function resync() {
    reset();
    loadHistory().then(function () {
      notice(TEXT.lost, TEXT.sync, function () { reset(); loadHistory().then(stream); });
      stream();
    }).catch(function () { notice(TEXT.offline, TEXT.retry, resync); });
  }

  // announcements shows each current or upcoming notice once per visitor in a pop-up,
  // and the maintenance banner while the service is down (GET /api/announcements).
  var NOTICES = KEY + '.notices';
  function fmtTime(t) {
    try { return new Date(t).toLocaleString(lang === 'zh' ? 'zh-CN' : 'en'); } catch (e) { return t; }
  }
  function announcements() {
    fetch(base + '/api/announcements?lang=' + lang).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
      if (!j) return;
      var m = j.maintenance || {};
      // The latest progress on work under way (a fault, a maintenance) goes in the banner too.
      var run = (j.announcements || []).filter(function (a) { return a.phase === 'current' && a.updates && a.updates.length; })[0];
      var progress = run ? ' ' + TEXT.progress + ' (' + fmtTime(run.updates[0].createdAt) + '): ' + run.updates[0].body : '';
      if (m.on) {
        banner.textContent = TEXT.maintenance + ': ' + (m.message || TEXT.down) + ' ' +
          (m.until ? TEXT.until + ' ' + fmtTime(m.until) : TEXT.untilUnknown) + progress;
        banner.hidden = false;
      } else if (run) {
        banner.textContent = run.title + ':' + progress;
        banner.hidden = false;
      } else {
        banner.hidden = true;
        banner.textContent = '';
      }
      var shown = [];
      try { shown = JSON.parse(localStorage.getItem(NOTICES) || '[]'); } catch (e) {}
      var fresh = (j.announcements || []).filter(function (a) { return shown.indexOf(a.id) < 0; });
      if (!fresh.length) return;
      popup.textContent = '';
      var heading = el('h3', null, TEXT.notice);
      heading.id = 'xq-popup-title-' + Date.now();
      popup.setAttribute('aria-labelledby', heading.id);
      popup.appendChild(heading);
      fresh.forEach(function (a) {
        var sec = el('section', 'xq-popup-item');
        sec.setAttribute('data-id', a.id);
        sec.appendChild(el('h4', null, a.title));
        sec.appendChild(el('p', null, TEXT.when + ': ' + fmtTime(a.startsAt) + (a.endsAt ? ' – ' + fmtTime(a.endsAt) : '')));
        if (a.body) sec.appendChild(el('p', null, a.body));
        if (a.impact) sec.appendChild(el('p', null, TEXT.impact + ': ' + a.impact));
        if (a.notes) sec.appendChild(el('p', null, TEXT.todo + ': ' + a.notes));
        popup.appendChild(sec);
        shown.push(a.id);
      });
      popup.appendChild(el('p', 'xq-popup-where', TEXT.where));
      var ok = el('button', 'xq-popup-ok', TEXT.ok);
      ok.type = 'button';
      ok.addEventListener('click', dismiss);
      popup.appendChild(ok);
      popup.hidden = false;
      ok.focus();
      try { localStorage.setItem(NOTICES, JSON.stringify(shown.slice(-200))); } catch (e) {}
    }).catch(function () {});
  }
  function dismiss() { popup.hidden = true; input.focus(); }
  popup.addEventListener('keydown', function (e) {
    // Escape closes the pop-up, not the chat; Tab stays on its one button while it is open.
    if (e.key === 'Escape') { e.stopPropagation(); dismiss(); }
    else if (e.key === 'Tab') { e.preventDefault(); popup.querySelector('button').focus(); }
  });

  function start() {
    announcements();
    // Maintenance can begin while the chat is open: the banner follows within a minute.
    setInterval(function () { if (!panel.hidden) announcements(); }, 30000);
    var ready = token ? Promise.resolve() : newSession();
    ready.then(loadHistory).catch(function (e) {
      if (e && e.session) { token = null; reset(); return newSession().then(loadHistory); }
      throw e;
    }).then(stream).catch(function () {
      notice(TEXT.offline, TEXT.retry, function () { started = false; open(); });
    });
  }
})();
