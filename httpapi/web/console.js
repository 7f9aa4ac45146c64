// xingqu agent console. Tokens are kept in sessionStorage and sent only as a Bearer
// header; every text from travellers, agents and models is set with textContent.
(function () {
  'use strict';
  // The console speaks Chinese or English: the agent's choice, else the browser's.
  var TEXTS = {
    zh: {
      title: '行趣 客服控制台', user: '用户名', pass: '密码', login: '登录', logout: '退出', waiting: '等待中', mine: '我的', all: '全部',
      takeover: '接管', handback: '交还机器人', send: '发送', reply: '回复旅客…（Ctrl+Enter 发送）', takeFirst: '接管后即可回复旅客', slots: '行程需求', plans: '方案版本', chosen: '旅客选定：', notChosen: '旅客还没有选定方案', feedback: '评价',
      emergencies: '紧急情况', none: '无', newWaiting: '新对话等待人工：', heldBy: '已被接管：',
      traveller: '旅客', bot: '机器人', agent: '客服', system: '系统', since: '等待自', emergency: '紧急', other: 'English', back: '← 队列', details: '行程需求', toChat: '← 返回对话',
      pickTitle: '选择一个对话开始', pickSteps: ['左侧“等待中”是请求人工的旅客，紧急情况排在最前。', '点开对话查看聊天记录和行程需求。', '点“接管”后回复旅客；处理完点“交还机器人”。'],
      sideEmpty: '打开一个对话后，这里显示旅客的目的地、日期、预算、需求、方案版本、评价和紧急情况。',
      visitor: { web: '网页访客', telegram: 'Telegram 用户' }, channel: { web: '网页', telegram: 'Telegram' },
      status: { waiting: '等待人工', human: '人工处理中', bot: '机器人' },
      state: { start: '开始', destination: '问目的地', dates: '问日期', budget: '问预算', needs: '问需求', preferences: '问偏好', confirm: '待确认',
        planning: '生成方案中', planned: '已出方案', editing: '修改方案', emergency: '紧急', feedback: '评价', human: '人工' },
      slot: { destination: '目的地', place: '位置', startDate: '出发', endDate: '返回', budget: '预算/人', currency: '币种', partySize: '人数',
        accessibility: '无障碍', kidFriendly: '带孩子', petFriendly: '带宠物', naturalLandscape: '自然风光', socialLandscape: '人文', cuisine: '美食', otherNeeds: '其他需求' },
      yes: '是', no: '否', source: { offline: '本地资料' },
      caseTitle: '求助', caseAck: '已收到', caseWork: '我来处理', caseNote: '给旅客的进展…', caseAddNote: '发送进展', caseResolve: '结案', caseSafe: '旅客说已安全',
      caseStatus: { open: '待接手', acknowledged: '已收到', in_progress: '处理中', resolved: '已结案' }
    },
    en: {
      title: 'xingqu agent console', user: 'Username', pass: 'Password', login: 'Log in', logout: 'Log out', waiting: 'Waiting', mine: 'Mine', all: 'All',
      takeover: 'Take over', handback: 'Hand back to bot', send: 'Send', reply: 'Reply to the traveller… (Ctrl+Enter sends)', takeFirst: 'Take the conversation over to reply', slots: 'Trip', plans: 'Plan versions', chosen: 'Chosen by the traveller: ', notChosen: 'No option chosen yet', feedback: 'Feedback',
      emergencies: 'Emergencies', none: 'none', newWaiting: 'New conversation waiting: ', heldBy: 'Taken over by ',
      traveller: 'traveller', bot: 'bot', agent: 'agent', system: 'system', since: 'waiting since', emergency: 'emergency', other: '中文', back: '← Queue', details: 'Trip', toChat: '← Back to the chat',
      pickTitle: 'Pick a conversation to start', pickSteps: ['"Waiting" on the left lists travellers who asked for a person, emergencies first.', 'Open one to read the chat and the trip details.', 'Press "Take over" to reply; when done, "Hand back to bot".'],
      sideEmpty: 'Open a conversation to see the traveller\'s destination, dates, budget, needs, plan versions, feedback and emergencies here.',
      visitor: { web: 'Web visitor', telegram: 'Telegram user' }, channel: { web: 'web', telegram: 'Telegram' },
      status: { waiting: 'waiting', human: 'with an agent', bot: 'bot' },
      state: { start: 'start', destination: 'asking where', dates: 'asking when', budget: 'asking budget', needs: 'asking needs', preferences: 'asking likes', confirm: 'to confirm',
        planning: 'planning', planned: 'planned', editing: 'editing', emergency: 'emergency', feedback: 'feedback', human: 'with an agent' },
      slot: { destination: 'Destination', place: 'Place', startDate: 'From', endDate: 'To', budget: 'Budget pp', currency: 'Currency', partySize: 'Party',
        accessibility: 'Accessible', kidFriendly: 'Kids', petFriendly: 'Pets', naturalLandscape: 'Nature', socialLandscape: 'Culture', cuisine: 'Food', otherNeeds: 'Other needs' },
      yes: 'yes', no: 'no', source: { offline: 'built-in data' },
      caseTitle: 'Case', caseAck: 'Acknowledge', caseWork: 'I\'m on it', caseNote: 'Progress for the traveller…', caseAddNote: 'Send update', caseResolve: 'Resolve', caseSafe: 'the traveller says they are safe',
      caseStatus: { open: 'open', acknowledged: 'acknowledged', in_progress: 'in progress', resolved: 'resolved' }
    }
  };
  var LANG_KEY = 'xingqu.console.lang';
  var lang = localStorage.getItem(LANG_KEY) || ((navigator.language || 'zh').toLowerCase().indexOf('zh') === 0 ? 'zh' : 'en');
  var T = TEXTS[lang] || TEXTS.zh;
  var locale = lang === 'zh' ? 'zh-CN' : 'en-GB';
  function setLang(l) {
    lang = l; T = TEXTS[l]; locale = l === 'zh' ? 'zh-CN' : 'en-GB';
    localStorage.setItem(LANG_KEY, l);
    document.documentElement.lang = locale;
    document.title = T.title;
  }
  setLang(lang);
  function langButton(then) {
    var b = el('button', 'lang', T.other); b.type = 'button'; b.id = 'lang';
    b.setAttribute('lang', lang === 'zh' ? 'en' : 'zh-CN');
    b.addEventListener('click', function () { setLang(lang === 'zh' ? 'en' : 'zh'); then(); });
    return b;
  }
  // who names the traveller: their name where the channel gives one, else a readable label.
  function who(c) { return c.travellerName || ((T.visitor[c.channel] || c.channel) + ' #' + c.id); }
  function statusTag(st) { return el('span', 'tag ' + st, T.status[st] || st); }
  function time(t) { return new Date(t).toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' }); }
  function dateTime(t) { return new Date(t).toLocaleString(locale, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }); }
  var app = document.getElementById('app');
  var S = sessionStorage;
  var me = null, tab = 'waiting', openId = null, known = {}, streamCtl = null, timer = null;
  var refreshing = null, renewTimer = null;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }
  function claims(tok) {
    try { return JSON.parse(atob(tok.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))); } catch (e) { return null; }
  }

  function api(method, path, body, retried) {
    var h = { 'Content-Type': 'application/json' };
    var tok = S.getItem('access');
    if (tok) h.Authorization = 'Bearer ' + tok;
    return fetch(path, { method: method, headers: h, body: body ? JSON.stringify(body) : undefined }).then(function (r) {
      if (r.status === 401 && !retried && S.getItem('refresh')) {
        // A request sent with the old token may come back after another has renewed it.
        var renewed = S.getItem('access') !== tok ? Promise.resolve(true) : renew();
        return renewed.then(function (ok) { if (!ok) { showLogin(); throw new Error('signed out'); } return api(method, path, body, true); });
      }
      if (r.status === 401) { showLogin(); throw new Error('signed out'); }
      return r;
    });
  }
  // renew shares one refresh among every request that needs it: a refresh token is good
  // for one use, and the server takes a second use for theft and signs the login out.
  function renew() {
    refreshing = refreshing || refresh().finally(function () { refreshing = null; });
    return refreshing;
  }
  function refresh() {
    return fetch('/api/token/refresh', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ refresh_token: S.getItem('refresh') }) })
      .then(function (r) { return r.ok ? r.json().then(function (j) { store(j); return true; }) : false; });
  }
  function store(j) {
    S.setItem('access', j.access_token); S.setItem('refresh', j.refresh_token);
    S.setItem('expires', String(Date.now() + j.expires_in * 1000));
    me = claims(j.access_token);
    renewBeforeExpiry();
  }
  // Renewing a little early means requests seldom meet an expired token at all.
  function renewBeforeExpiry() {
    clearTimeout(renewTimer);
    if (!S.getItem('refresh')) return;
    var left = Number(S.getItem('expires') || 0) - Date.now();
    renewTimer = setTimeout(function () {
      renew().then(function (ok) { if (!ok) showLogin(); }, function () { setTimeout(renewBeforeExpiry, 5000); });
    }, Math.max(left - Math.min(60000, left / 5), 0));
  }

  function showLogin() {
    if (streamCtl) streamCtl.abort();
    clearTimeout(renewTimer);
    S.removeItem('access');
    document.body.classList.remove('app');
    app.textContent = '';
    var f = el('form', 'login');
    f.method = 'post'; // never a GET that would put the password in the URL
    f.appendChild(el('h1', null, T.title));
    var lu = el('label', null, T.user), iu = el('input');
    iu.id = 'username'; iu.autocomplete = 'username'; lu.htmlFor = 'username';
    var lp = el('label', null, T.pass), ip = el('input');
    ip.id = 'password'; ip.type = 'password'; ip.autocomplete = 'current-password'; lp.htmlFor = 'password';
    var b = el('button', 'primary', T.login); b.type = 'submit';
    var err = el('div', 'err'); err.setAttribute('role', 'alert');
    [lu, iu, lp, ip, b, err].forEach(function (x) { f.appendChild(x); });
    var lb = langButton(showLogin); lb.classList.add('switch');
    f.appendChild(lb);
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      fetch('/api/login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: iu.value, password: ip.value }) })
        .then(function (r) { return r.json().then(function (j) { if (!r.ok) throw new Error(j.message); store(j); main(); }); })
        .catch(function (e) { err.textContent = e.message; });
    });
    app.appendChild(f);
    iu.focus();
  }

  var queueBox, viewBox, sideBox, alertBox, layout;
  function main() {
    me = claims(S.getItem('access'));
    renewBeforeExpiry();
    document.body.classList.add('app');
    app.textContent = '';
    var shell = el('div', 'shell');
    var h = el('header');
    h.appendChild(el('h1', null, T.title));
    var right = el('div');
    right.appendChild(el('span', 'me', (me && me.name) + ' (' + (me && me.role) + ')'));
    right.appendChild(langButton(function () { var id = openId; main(); if (id) openConv(id); }));
    var lo = el('button', null, T.logout); lo.type = 'button';
    lo.addEventListener('click', function () {
      api('POST', '/api/logout', { refresh_token: S.getItem('refresh') }).finally(function () { S.clear(); showLogin(); });
    });
    right.appendChild(lo);
    h.appendChild(right);
    alertBox = el('div', 'alert'); alertBox.hidden = true; alertBox.setAttribute('role', 'alert'); alertBox.id = 'alert';
    layout = el('div', 'layout');
    var q = el('nav', 'queue'); q.setAttribute('aria-label', T.waiting);
    var tabs = el('div', 'tabs');
    ['waiting', 'mine', 'all'].forEach(function (t) {
      var b = el('button', null, T[t]); b.type = 'button'; b.dataset.tab = t;
      b.setAttribute('aria-pressed', String(t === tab));
      b.addEventListener('click', function () { tab = t; tabs.querySelectorAll('button').forEach(function (x) { x.setAttribute('aria-pressed', String(x.dataset.tab === t)); }); loadQueue(); });
      tabs.appendChild(b);
    });
    q.appendChild(tabs);
    queueBox = el('div', 'items'); queueBox.id = 'queue';
    q.appendChild(queueBox);
    viewBox = el('main', 'view'); viewBox.id = 'view';
    var pick = el('div', 'empty');
    pick.appendChild(el('h2', null, T.pickTitle));
    var steps = el('ol');
    T.pickSteps.forEach(function (x) { steps.appendChild(el('li', null, x)); });
    pick.appendChild(steps);
    viewBox.appendChild(pick);
    sideBox = el('aside', 'side'); sideBox.id = 'side';
    sideBox.appendChild(el('div', 'empty', T.sideEmpty));
    layout.appendChild(q); layout.appendChild(viewBox); layout.appendChild(sideBox);
    shell.appendChild(h); shell.appendChild(alertBox); shell.appendChild(layout);
    app.appendChild(shell);
    loadQueue(true);
    stream();
    if (window.Notification && Notification.permission === 'default') Notification.requestPermission();
  }

  function loadQueue(first) {
    var status = tab;
    return Promise.all([api('GET', '/api/agent/conversations?status=' + status).then(function (r) { return r.json(); }),
      status === 'waiting' ? null : api('GET', '/api/agent/conversations?status=waiting').then(function (r) { return r.json(); })])
      .then(function (res) {
        var list = res[0].conversations, waiting = res[1] ? res[1].conversations : list;
        waiting.forEach(function (c) {
          if (!known[c.id] && !first) notify(c);
          known[c.id] = true;
        });
        Object.keys(known).forEach(function (id) { if (!waiting.some(function (c) { return String(c.id) === id; })) delete known[id]; });
        queueBox.textContent = '';
        if (!list.length) queueBox.appendChild(el('div', 'empty', T.none));
        list.forEach(function (c) {
          var b = el('button', 'item'); b.type = 'button'; b.dataset.id = c.id;
          if (c.id === openId) b.setAttribute('aria-current', 'true');
          var top = el('div');
          if (c.emergency) top.appendChild(el('span', 'tag emergency', T.emergency));
          top.appendChild(statusTag(c.status));
          top.appendChild(el('strong', null, who(c)));
          b.appendChild(top);
          b.appendChild(el('div', 'meta', (T.channel[c.channel] || c.channel) + ' · ' + (T.state[c.state] || c.state) + (c.agent ? ' · ' + c.agent : '') + (c.waitingSince ? ' · ' + T.since + ' ' + time(c.waitingSince) : '')));
          if (c.lastMessage) b.appendChild(el('div', 'last', c.lastMessage.text));
          b.addEventListener('click', function () { openConv(c.id); });
          queueBox.appendChild(b);
        });
      }).catch(function () {});
  }

  function notify(c) {
    alertBox.textContent = T.newWaiting + who(c) + (c.emergency ? ' — ' + T.emergency : '');
    alertBox.hidden = false;
    document.title = '(!) ' + T.title;
    if (window.Notification && Notification.permission === 'granted') new Notification(alertBox.textContent);
    if (c.emergency) beep();
  }

  // beep sounds an emergency: three short tones, where the browser lets the page play them.
  var audio = null;
  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [0, 0.3, 0.6].forEach(function (at) {
        var o = audio.createOscillator(), g = audio.createGain();
        o.frequency.value = 880; g.gain.value = 0.2;
        o.connect(g); g.connect(audio.destination);
        o.start(audio.currentTime + at); o.stop(audio.currentTime + at + 0.18);
      });
      window.__beeps = (window.__beeps || 0) + 1;
    } catch (e) { /* no audio here */ }
  }

  // renderCase shows the conversation's open case with the steps an agent takes on it;
  // each step is told to the traveller. The panel and its buttons are built once per
  // conversation and updated in place while the side is redrawn around it, so a note
  // being written keeps its text and focus and a button is never replaced under a click.
  var casePanel = null;
  function renderCase(convId) {
    if (!casePanel || casePanel.convId !== convId) {
      var p = { convId: convId, box: el('div', 'case'), head: el('div'), title: el('h3'), line: el('div', 'line'),
        last: el('div', 'line'), note: el('textarea'), tail: el('div'), steps: {}, k: null };
      p.box.id = 'case'; p.box.hidden = true;
      p.note.id = 'case-note'; p.note.placeholder = T.caseNote; p.note.maxLength = 4096;
      p.head.appendChild(p.title); p.head.appendChild(p.line); p.head.appendChild(p.last);
      p.box.appendChild(p.head); p.box.appendChild(p.note); p.box.appendChild(p.tail);
      var step = function (into, label, id, path, withNote) {
        var b = el('button', null, label); b.type = 'button'; b.id = id; b.hidden = true;
        b.addEventListener('click', function () {
          if (!p.k) return;
          api('POST', '/api/agent/cases/' + p.k.id + '/' + path, withNote ? { text: p.note.value } : {}).then(function (r) {
            if (r.ok && withNote) p.note.value = '';
            openConv(convId);
          });
        });
        into.appendChild(b);
        p.steps[id] = b;
      };
      step(p.head, T.caseAck, 'case-ack', 'acknowledge');
      step(p.head, T.caseWork, 'case-assign', 'assign');
      step(p.tail, T.caseAddNote, 'case-add-note', 'notes', true);
      step(p.tail, T.caseResolve, 'case-resolve', 'resolve', true);
      casePanel = p;
    }
    var cp = casePanel;
    if (cp.box.parentNode !== sideBox) sideBox.insertBefore(cp.box, sideBox.children[1] || null);
    api('GET', '/api/agent/cases').then(function (r) { return r.json(); }).then(function (j) {
      var k = (j.cases || []).filter(function (x) { return x.conversationId === convId; })[0];
      if (casePanel !== cp) return;
      cp.k = k || null;
      cp.box.hidden = !k;
      if (!k) return;
      cp.title.textContent = T.caseTitle + ' #' + k.id;
      cp.line.textContent = (k.category ? (T.state.emergency + ' · ' + k.category) : k.kind) + (k.country ? ' · ' + k.country : '') + ' · ' +
        (T.caseStatus[k.status] || k.status) + (k.agent ? ' · ' + k.agent : '') + (k.safe ? ' · ' + T.caseSafe : '');
      cp.last.textContent = k.lastNote || '';
      cp.last.hidden = !k.lastNote;
      // A hidden button is removed from the tree, so selectors see only the steps open now.
      var show = { 'case-ack': k.status === 'open', 'case-assign': k.status !== 'in_progress', 'case-add-note': true, 'case-resolve': true };
      Object.keys(cp.steps).forEach(function (id) {
        var b = cp.steps[id], home = (id === 'case-ack' || id === 'case-assign') ? cp.head : cp.tail;
        if (show[id] && b.parentNode !== home) home.appendChild(b);
        if (!show[id] && b.parentNode) b.remove();
        b.hidden = !show[id];
      });
    }).catch(function () {});
  }

  function openConv(id) {
    openId = id;
    document.title = T.title;
    return api('GET', '/api/agent/conversations/' + id).then(function (r) { return r.json(); }).then(function (c) {
      if (c.error_code) return;
      layout.classList.add('open');
      renderView(c);
      renderSide(c);
      queueBox.querySelectorAll('.item').forEach(function (b) { b.setAttribute('aria-current', String(Number(b.dataset.id) === id)); });
    });
  }

  // The open conversation's view is built once and then updated in place: the stream
  // re-reads the conversation on every change, and rebuilding the buttons and the reply box
  // each time would drop the agent's draft, focus or click.
  var view = null;
  function buildView(id) {
    viewBox.textContent = '';
    var v = { id: id };
    v.bar = el('div', 'bar');
    var backBtn = el('button', 'narrow', T.back); backBtn.type = 'button'; backBtn.id = 'back';
    backBtn.addEventListener('click', function () { layout.classList.remove('open', 'details'); openId = null; v.fresh = true; });
    v.bar.appendChild(backBtn);
    v.who = el('span', 'who');
    v.bar.appendChild(v.who);
    v.take = el('button', 'primary', T.takeover); v.take.type = 'button'; v.take.id = 'takeover';
    v.take.addEventListener('click', function () {
      api('POST', '/api/agent/conversations/' + id + '/takeover').then(function (r) { return r.json().then(function (j) {
        if (r.status === 409) { alertBox.textContent = T.heldBy + (j.agent || ''); alertBox.hidden = false; }
        return openConv(id);
      }); });
    });
    v.back = el('button', null, T.handback); v.back.type = 'button'; v.back.id = 'handback';
    v.back.addEventListener('click', function () { api('POST', '/api/agent/conversations/' + id + '/handback').then(function () { openConv(id); }); });
    v.info = el('button', 'narrow', T.details); v.info.type = 'button'; v.info.id = 'details';
    v.info.addEventListener('click', function () { layout.classList.toggle('details'); });
    v.bar.appendChild(v.take); v.bar.appendChild(v.back); v.bar.appendChild(v.info);
    v.tr = el('div', 'transcript'); v.tr.id = 'transcript'; v.tr.setAttribute('role', 'log'); v.tr.setAttribute('aria-live', 'polite');
    v.older = []; v.cursor = ''; v.loading = false;
    // The view holds the latest messages; scrolling to the top reads the page before them,
    // and the pages read stay when a refresh brings newer messages.
    v.tr.addEventListener('scroll', function () {
      if (v.tr.scrollTop > 40 || !v.cursor || v.loading) return;
      v.loading = true;
      api('GET', '/api/agent/conversations/' + id + '?before=' + encodeURIComponent(v.cursor)).then(function (r) { return r.json(); }).then(function (p) {
        if (p.error_code || view !== v) return;
        v.older = (p.messages || []).concat(v.older.length ? v.older : v.last.messages); v.cursor = p.cursor || '';
        var h = v.tr.scrollHeight, top = v.tr.scrollTop;
        renderView(v.last);
        v.tr.scrollTop = top + v.tr.scrollHeight - h;
      }).finally(function () { v.loading = false; });
    });
    v.form = el('form', 'reply');
    v.ta = el('textarea'); v.ta.setAttribute('aria-label', T.reply); v.ta.maxLength = 4096;
    v.sb = el('button', 'primary', T.send); v.sb.type = 'submit';
    v.form.appendChild(v.ta); v.form.appendChild(v.sb);
    v.form.addEventListener('submit', function (e) {
      e.preventDefault();
      var t = v.ta.value.trim(); if (!t) return;
      api('POST', '/api/agent/conversations/' + id + '/messages', { text: t }).then(function (r) {
        if (r.ok) { v.ta.value = ''; openConv(id); } else r.json().then(function (j) { alertBox.textContent = j.message; alertBox.hidden = false; });
      });
    });
    v.ta.addEventListener('keydown', function (e) { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) v.form.requestSubmit(); });
    viewBox.appendChild(v.bar); viewBox.appendChild(v.tr); viewBox.appendChild(v.form);
    v.fresh = true;
    return v;
  }

  function renderView(c) {
    if (!view || view.id !== c.id || !viewBox.contains(view.form)) view = buildView(c.id);
    var v = view;
    var mineNow = !!(c.agent && me && c.agent === me.name);
    v.who.textContent = who(c) + ' ';
    v.who.appendChild(statusTag(c.status));
    if (c.agent) v.who.appendChild(document.createTextNode(c.agent));
    v.take.disabled = mineNow;
    v.back.disabled = !mineNow;
    v.info.setAttribute('aria-pressed', String(layout.classList.contains('details')));
    // Stay where the agent is reading unless they were at the newest message.
    var atEnd = v.fresh || v.tr.scrollHeight - v.tr.scrollTop - v.tr.clientHeight < 40;
    v.fresh = false;
    v.tr.textContent = '';
    var labels = {}, lastDay = '';
    v.last = c;
    if (!v.older.length) v.cursor = c.cursor || '';
    var first = c.messages.length ? c.messages[0].id : Infinity;
    var msgs = v.older.filter(function (m) { return m.id < first; }).concat(c.messages);
    if (v.older.length) v.older = msgs;
    msgs.forEach(function (m) {
      (m.buttons || []).forEach(function (b) { labels[b.action] = b.label; });
      var day = new Date(m.createdAt).toLocaleDateString(locale, { year: 'numeric', month: 'long', day: 'numeric', weekday: 'short' });
      if (day !== lastDay) { v.tr.appendChild(el('div', 'day', day)); lastDay = day; }
      var d = el('div', 'msg ' + m.role);
      d.appendChild(el('span', 'role', (T[m.role] || m.role) + ' · ' + time(m.createdAt)));
      var text = m.text || (m.action ? '[' + (labels[m.action] || m.action) + ']' : '');
      if (m.plan) text += '\n' + (m.plan.options || []).map(function (o) { return o.title + ' ' + Math.round(o.budgetLow) + '–' + Math.round(o.budgetHigh) + ' ' + o.currency; }).join('\n');
      d.appendChild(document.createTextNode(text));
      v.tr.appendChild(d);
    });
    if (atEnd) v.tr.scrollTop = v.tr.scrollHeight;
    v.ta.placeholder = mineNow ? T.reply : T.takeFirst;
    v.ta.disabled = !mineNow;
    v.sb.disabled = !mineNow;
  }

  function renderSide(c) {
    Array.prototype.slice.call(sideBox.childNodes).forEach(function (n) { if (!casePanel || n !== casePanel.box) n.remove(); });
    var closeBtn = el('button', 'narrow', T.toChat); closeBtn.type = 'button'; closeBtn.id = 'closeDetails';
    closeBtn.addEventListener('click', function () { layout.classList.remove('details'); });
    sideBox.insertBefore(closeBtn, sideBox.firstChild);
    renderCase(c.id);
    sideBox.appendChild(el('h3', null, T.slots));
    var dl = el('dl');
    var s = c.slots || {};
    Object.keys(s).forEach(function (k) {
      var v = s[k];
      if (k === 'place' && v) v = v.name + ' (' + v.countryCode + ' ' + v.lat + ',' + v.lon + ')';
      if (v === true) v = T.yes;
      if (v === false) v = T.no;
      dl.appendChild(el('dt', null, T.slot[k] || k));
      dl.appendChild(el('dd', null, typeof v === 'object' ? JSON.stringify(v) : String(v)));
    });
    sideBox.appendChild(Object.keys(s).length ? dl : el('div', 'line', T.none));
    sideBox.appendChild(el('h3', null, T.plans));
    if (!c.plans.length) sideBox.appendChild(el('div', 'line', T.none));
    if (c.plans.length) {
      // The option the traveller chose is "their plan": edits and weather warnings follow it.
      var latest = c.plans[c.plans.length - 1].plan, title = c.chosen;
      (latest.options || []).forEach(function (o) { if (o.tier === c.chosen) title = o.title; });
      sideBox.appendChild(el('div', 'line chosen', c.chosen ? T.chosen + title : T.notChosen));
    }
    c.plans.forEach(function (p) {
      var d = el('details', 'line');
      d.appendChild(el('summary', null, 'v' + p.version + ' · ' + (T.source[p.source] || p.source) + ' · ' + dateTime(p.createdAt)));
      if (p.plan.changes) d.appendChild(el('div', 'changes', p.plan.changes));
      (p.plan.options || []).forEach(function (o) {
        d.appendChild(el('div', null, (o.tier === c.chosen ? '✅ ' : '') + o.title + ': ' + Math.round(o.budgetLow) + '–' + Math.round(o.budgetHigh) + ' ' + o.currency));
        (o.days || []).forEach(function (day) { d.appendChild(el('div', null, day.date + ' ' + [day.morning, day.afternoon, day.evening].join(' / '))); });
      });
      sideBox.appendChild(d);
    });
    sideBox.appendChild(el('h3', null, T.feedback));
    if (!c.feedback.length) sideBox.appendChild(el('div', 'line', T.none));
    c.feedback.forEach(function (f) { sideBox.appendChild(el('div', 'line', (f.rating ? '★' + f.rating + ' ' : '') + f.comment)); });
    sideBox.appendChild(el('h3', null, T.emergencies));
    if (!c.emergencies.length) sideBox.appendChild(el('div', 'line', T.none));
    c.emergencies.forEach(function (e) { sideBox.appendChild(el('div', 'line', dateTime(e.createdAt) + ' ' + e.text)); });
  }

  function refreshSoon(id) {
    clearTimeout(timer);
    timer = setTimeout(function () { loadQueue(); if (openId && (id == null || id === openId)) openConv(openId); }, 150);
  }

  var backoff = 1000;
  function stream() {
    if (streamCtl) streamCtl.abort();
    var ctl = new AbortController(); streamCtl = ctl;
    fetch('/api/agent/events', { headers: { Authorization: 'Bearer ' + S.getItem('access') }, signal: ctl.signal }).then(function (r) {
      if (r.status === 401) return renew().then(function (ok) { if (ok) stream(); else showLogin(); });
      if (!r.ok || !r.body) throw new Error(String(r.status));
      backoff = 1000;
      var reader = r.body.getReader(), dec = new TextDecoder(), buf = '';
      function pump() {
        return reader.read().then(function (res) {
          if (res.done) throw new Error('closed');
          buf += dec.decode(res.value, { stream: true });
          var i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            var block = buf.slice(0, i); buf = buf.slice(i + 2);
            var name = '', data = '';
            block.split('\n').forEach(function (l) { if (l.indexOf('event:') === 0) name = l.slice(6).trim(); else if (l.indexOf('data:') === 0) data += l.slice(5).trim(); });
            if (name === 'conversation') refreshSoon(JSON.parse(data).id);
            else if (name === 'resync') refreshSoon(null);
          }
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      if (ctl.signal.aborted) return;
      setTimeout(function () { refreshSoon(null); stream(); }, backoff);
      backoff = Math.min(backoff * 2, 15000);
    });
  }

  if (S.getItem('access')) main(); else showLogin();
})();
