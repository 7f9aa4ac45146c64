// xingqu console: the account's own password, and for admins the pages for notices,
// maintenance, people, health and feedback. It reads the access token the console keeps in
// sessionStorage and never refreshes it itself (a refresh token is good for one use);
// every text from the server is set with textContent.
(function () {
  'use strict';
  var zh = (navigator.language || 'zh').toLowerCase().indexOf('zh') === 0;
  var T = zh ? {
    open: '管理', close: '关闭', notices: '公告', maintenance: '维护', people: '人员', health: '健康',
    all: '全部', published: '已发布', cancelled: '已取消', completed: '已完成', more: '更多',
    upcoming: '即将开始', current: '进行中', past: '已结束', create: '新建公告', type: '类型', window: '时间',
    state: '状态', delivery: '送达', startsAt: '开始', endsAt: '结束', urgent: '紧急', fault: '故障',
    shortNotice: '短于通常提前期，仍然发布', title: '标题', body: '内容', impact: '影响', notes: '建议',
    preview: '预览', schedule: '发布', telegram: 'Telegram 消息', widget: '网页弹窗', cancel: '取消公告',
    complete: '标记完成', update: '发布进展', updates: '进展', total: '总数', sent: '已发送', failed: '失败',
    blocked: '已屏蔽', pending: '待发送', unknown: '未知', withdrawn: '已撤回', rate: '速度', eta: '预计完成',
    perSec: '条/秒', on: '开启维护', until: '预计结束', message: '说明', save: '保存', held: '暂存的消息',
    maintOn: '维护中', maintOff: '未在维护', username: '用户名', role: '角色', agent: '客服', admin: '管理员',
    add: '添加', disable: '停用', reset: '重置密码', disabled: '已停用', mustChange: '需改密码',
    tempPassword: '临时密码（只显示这一次，首次登录时必须修改）：', providers: '模型服务', breaker: '熔断',
    calls: '调用', errors: '错误', queue: 'Telegram 发送队列', failures: '最近的失败',
    pwTitle: '请修改临时密码', pwCurrent: '当前（临时）密码', pwNew: '新密码（至少10个字符）', pwRepeat: '再输入一次新密码',
    pwMismatch: '两次输入的新密码不一致', pwSave: '修改密码', zhLabel: '中文', enLabel: 'English', none: '无',
    correction: '取消说明（可选，随取消通知发给已收到公告的人）', csat: '平均评分', satisfied: '4-5星占比', rated: '评分数', feedbackTotal: '反馈总数', last30: '最近30天',
    ratings: '评分分布', daily: '每日平均评分', openHigh: '待处理的高优先级反馈', recent: '最近的反馈',
    feedback: '评价', replyTo: '回复旅客…', handle: '回复并标记已处理'
  } : {
    open: 'Admin', close: 'Close', notices: 'Notices', maintenance: 'Maintenance', people: 'People', health: 'Health',
    all: 'All', published: 'Published', cancelled: 'Cancelled', completed: 'Completed', more: 'More',
    upcoming: 'upcoming', current: 'under way', past: 'over', create: 'New notice', type: 'Type', window: 'When',
    state: 'State', delivery: 'Delivery', startsAt: 'Starts', endsAt: 'Ends', urgent: 'Urgent', fault: 'Fault',
    shortNotice: 'Sooner than the usual notice: publish anyway', title: 'Title', body: 'Body', impact: 'Impact', notes: 'What to do',
    preview: 'Preview', schedule: 'Publish', telegram: 'Telegram message', widget: 'Widget pop-up', cancel: 'Cancel notice',
    complete: 'Mark completed', update: 'Post progress', updates: 'Progress', total: 'total', sent: 'sent', failed: 'failed',
    blocked: 'blocked', pending: 'pending', unknown: 'unknown', withdrawn: 'withdrawn', rate: 'rate', eta: 'estimated finish',
    perSec: '/s', on: 'Maintenance on', until: 'Expected end', message: 'Message', save: 'Save', held: 'Messages held',
    maintOn: 'Maintenance is on', maintOff: 'No maintenance', username: 'Username', role: 'Role', agent: 'agent', admin: 'admin',
    add: 'Add', disable: 'Disable', reset: 'Reset password', disabled: 'disabled', mustChange: 'must change password',
    tempPassword: 'Temporary password (shown this once; it must be changed at the first login): ', providers: 'Model providers', breaker: 'breaker',
    calls: 'calls', errors: 'errors', queue: 'Telegram send queue', failures: 'Latest failures',
    pwTitle: 'Choose a new password', pwCurrent: 'Current (temporary) password', pwNew: 'New password (10 characters or more)', pwRepeat: 'New password again',
    pwMismatch: 'The new passwords differ', pwSave: 'Change password', zhLabel: '中文', enLabel: 'English', none: 'none',
    correction: 'Why it is cancelled (optional; sent with the cancellation to those already told)', csat: 'average rating', satisfied: 'rated 4-5', rated: 'ratings', feedbackTotal: 'feedback', last30: 'Last 30 days',
    ratings: 'Ratings', daily: 'Average rating by day', openHigh: 'Open high-priority feedback', recent: 'Latest feedback',
    feedback: 'Feedback', replyTo: 'Reply to the traveller…', handle: 'Reply and mark handled'
  };
  var S = sessionStorage;
  var types = ['feature', 'performance', 'security', 'ui', 'maintenance', 'downtime'];
  var seenToken = null, root = null, opener = null, timers = [];

  var css = document.createElement('link');
  css.rel = 'stylesheet'; css.href = '/admin.css';
  document.head.appendChild(css);

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }
  function button(text, id, onClick, primary) {
    var b = el('button', primary ? 'primary' : null, text);
    b.type = 'button'; if (id) b.id = id;
    b.addEventListener('click', onClick);
    return b;
  }
  function field(label, input) {
    var l = el('label', 'xa-field');
    l.appendChild(el('span', null, label));
    l.appendChild(input);
    return l;
  }
  function input(id, type, value) {
    var i = el(type === 'textarea' ? 'textarea' : 'input');
    if (type !== 'textarea') i.type = type || 'text';
    i.id = id; if (value != null) i.value = value;
    return i;
  }
  function api(method, path, body) {
    var h = { 'Content-Type': 'application/json', Authorization: 'Bearer ' + S.getItem('access') };
    return fetch(path, { method: method, headers: h, body: body ? JSON.stringify(body) : undefined }).then(function (r) {
      return r.json().then(function (j) { return { ok: r.ok, status: r.status, body: j }; });
    });
  }
  function when(t) { return t ? new Date(t).toLocaleString() : T.none; }
  function localInput(d) { // a Date as a datetime-local value
    var p = function (n) { return String(n).padStart(2, '0'); };
    return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + 'T' + p(d.getHours()) + ':' + p(d.getMinutes());
  }
  function iso(v) { return v ? new Date(v).toISOString() : ''; }
  function every(ms, f) { f(); timers.push(setInterval(f, ms)); }
  function stopTimers() { timers.forEach(clearInterval); timers = []; }
  function errorBox() { var e = el('div', 'xa-err'); e.setAttribute('role', 'alert'); return e; }
  function showError(box, res) { box.textContent = (res.body && res.body.message || res.status) + (res.body && res.body.field ? ' (' + res.body.field + ')' : ''); }

  // The token the console holds decides what is shown; the console renews it on its own.
  setInterval(watch, 300);
  watch();
  function watch() {
    var tok = S.getItem('access');
    if (tok === seenToken) return;
    seenToken = tok;
    if (!tok) { teardown(); return; }
    api('GET', '/api/account').then(function (res) {
      if (!res.ok) { teardown(); return; }
      if (res.body.mustChangePassword) { passwordForm(); return; }
      if (res.body.role === 'admin') addOpener(); else teardown();
    });
  }
  function teardown() {
    stopTimers();
    if (root) { root.remove(); root = null; }
    if (opener) { opener.remove(); opener = null; }
  }

  function passwordForm() {
    teardown();
    root = el('div', 'xa-overlay');
    var f = el('form', 'xa-dialog');
    f.setAttribute('role', 'dialog'); f.setAttribute('aria-modal', 'true'); f.setAttribute('aria-labelledby', 'xa-pw-title');
    var h = el('h2', null, T.pwTitle); h.id = 'xa-pw-title';
    var cur = input('xa-pw-current', 'password'), nw = input('xa-pw-new', 'password'), again = input('xa-pw-repeat', 'password');
    cur.autocomplete = 'current-password'; nw.autocomplete = 'new-password'; again.autocomplete = 'new-password';
    var err = errorBox(), save = el('button', 'primary', T.pwSave);
    save.type = 'submit'; save.id = 'xa-pw-save';
    [h, field(T.pwCurrent, cur), field(T.pwNew, nw), field(T.pwRepeat, again), save, err].forEach(function (x) { f.appendChild(x); });
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      if (nw.value !== again.value) { err.textContent = T.pwMismatch; return; }
      api('POST', '/api/account/password', { current: cur.value, new: nw.value }).then(function (res) {
        if (!res.ok) { showError(err, res); return; }
        // Every session ended with the old password: carry on with the fresh login.
        S.setItem('access', res.body.access_token); S.setItem('refresh', res.body.refresh_token);
        S.setItem('expires', String(Date.now() + res.body.expires_in * 1000));
        location.reload();
      });
    });
    root.appendChild(f);
    document.body.appendChild(root);
    cur.focus();
  }

  function addOpener() {
    if (opener) return;
    opener = button(T.open, 'xa-open', openPanel);
    opener.className = 'xa-opener';
    document.body.appendChild(opener);
  }

  function openPanel() {
    if (root) return;
    root = el('div', 'xa-overlay');
    var panel = el('section', 'xa-panel');
    panel.setAttribute('role', 'dialog'); panel.setAttribute('aria-modal', 'true'); panel.setAttribute('aria-label', T.open);
    var bar = el('div', 'xa-tabs'), body = el('div', 'xa-body');
    var pages = { notices: noticesPage, maintenance: maintenancePage, people: peoplePage, health: healthPage, feedback: feedbackPage };
    Object.keys(pages).forEach(function (k) {
      var b = button(T[k], 'xa-tab-' + k, function () { show(k); });
      bar.appendChild(b);
    });
    bar.appendChild(button(T.close, 'xa-close', close));
    function show(k) {
      stopTimers();
      bar.querySelectorAll('button').forEach(function (b) { b.setAttribute('aria-pressed', String(b.id === 'xa-tab-' + k)); });
      body.textContent = '';
      pages[k](body);
    }
    function close() { stopTimers(); root.remove(); root = null; opener.focus(); }
    panel.addEventListener('keydown', function (e) { if (e.key === 'Escape') close(); });
    panel.appendChild(bar); panel.appendChild(body);
    root.appendChild(panel);
    document.body.appendChild(root);
    show('notices');
    bar.querySelector('button').focus();
  }

  // Notices: the list with state and delivery, the form with a preview, and one notice's
  // live delivery with its actions.
  function noticesPage(body) {
    var filter = el('select'); filter.id = 'xa-filter';
    ['', 'published', 'cancelled', 'completed'].forEach(function (s) { var o = el('option', null, T[s || 'all']); o.value = s; filter.appendChild(o); });
    var top = el('div', 'xa-row');
    top.appendChild(filter);
    top.appendChild(button(T.create, 'xa-new', function () { form(detail); }, true));
    var table = el('table', 'xa-table'); table.id = 'xa-notices';
    var more = button(T.more, 'xa-more', function () { load(false); });
    var detail = el('div', 'xa-detail'); detail.id = 'xa-detail';
    body.appendChild(top); body.appendChild(table); body.appendChild(more); body.appendChild(detail);
    var cursor = '';
    filter.addEventListener('change', function () { load(true); });
    function load(fresh) {
      var q = '/api/admin/announcements?limit=20' + (filter.value ? '&state=' + filter.value : '') + (!fresh && cursor ? '&before=' + cursor : '');
      api('GET', q).then(function (res) {
        if (!res.ok) return;
        if (fresh) {
          table.textContent = '';
          var head = el('tr');
          ['#', T.type, T.title, T.window, T.state, T.delivery].forEach(function (h) { head.appendChild(el('th', null, h)); });
          table.appendChild(head);
        }
        res.body.announcements.forEach(function (a) {
          var tr = el('tr'); tr.dataset.id = a.id;
          var open = button(a.title, null, function () { notice(detail, a.id); });
          open.className = 'xa-link';
          var title = el('td'); title.appendChild(open);
          [el('td', null, a.id), el('td', null, a.type), title, el('td', null, when(a.startsAt) + ' – ' + when(a.endsAt))].forEach(function (c) { tr.appendChild(c); });
          listRow(tr, a);
          table.appendChild(tr);
        });
        cursor = res.body.cursor;
        more.hidden = !cursor;
      });
    }
    load(true);
    body.reload = function () { load(true); };
  }
  // listRow sets a listed notice's state and delivery cells, again whenever its live
  // view reads it.
  function listRow(tr, a) {
    tr.querySelectorAll('.xa-state, .xa-delivery').forEach(function (c) { c.remove(); });
    tr.appendChild(el('td', 'xa-state', T[a.status] + (a.status === 'published' ? ' · ' + T[a.phase] : '')));
    tr.appendChild(progressCell(a.deliveries));
  }
  function done(d) { return d.sent + d.failed + d.blocked + d.unknown; }
  function progressCell(d) {
    var td = el('td', 'xa-delivery');
    td.appendChild(progress(d));
    td.appendChild(el('span', 'xa-small', done(d) + '/' + d.total));
    return td;
  }
  function progress(d) {
    var p = el('div', 'xa-progress'), fill = el('div');
    var pct = d.total ? Math.round(100 * done(d) / d.total) : 100;
    p.setAttribute('role', 'progressbar'); p.setAttribute('aria-valuemin', '0'); p.setAttribute('aria-valuemax', '100');
    p.setAttribute('aria-valuenow', String(pct));
    fill.style.width = pct + '%';
    p.appendChild(fill);
    return p;
  }

  function bilingualInputs(box, name, kind) {
    var pair = el('fieldset', 'xa-pair');
    pair.appendChild(el('legend', null, T[name]));
    var z = input('xa-' + name + '-zh', kind), e = input('xa-' + name + '-en', kind);
    pair.appendChild(field(T.zhLabel, z)); pair.appendChild(field(T.enLabel, e));
    box.appendChild(pair);
    return function () { return { zh: z.value, en: e.value }; };
  }

  function form(box) {
    stopTimers();
    box.textContent = '';
    var f = el('form', 'xa-form'); f.id = 'xa-form';
    var type = el('select'); type.id = 'xa-type';
    types.forEach(function (t) { var o = el('option', null, t); o.value = t; type.appendChild(o); });
    var soon = new Date(Date.now() + 8 * 864e5);
    var starts = input('xa-starts', 'datetime-local', localInput(soon)), ends = input('xa-ends', 'datetime-local', localInput(new Date(+soon + 2 * 36e5)));
    var urgent = input('xa-urgent', 'checkbox'), fault = input('xa-fault', 'checkbox'), shortN = input('xa-short', 'checkbox');
    [field(T.type, type), field(T.startsAt, starts), field(T.endsAt, ends), field(T.urgent, urgent), field(T.fault, fault), field(T.shortNotice, shortN)]
      .forEach(function (x) { f.appendChild(x); });
    var title = bilingualInputs(f, 'title'), bodyT = bilingualInputs(f, 'body', 'textarea'),
      impact = bilingualInputs(f, 'impact'), notes = bilingualInputs(f, 'notes');
    var err = errorBox(), prev = el('div', 'xa-preview'); prev.id = 'xa-preview';
    function draft() {
      return { type: type.value, startsAt: iso(starts.value), endsAt: iso(ends.value), urgent: urgent.checked, fault: fault.checked,
        shortNotice: shortN.checked, title: title(), body: bodyT(), impact: impact(), notes: notes() };
    }
    var actions = el('div', 'xa-row');
    actions.appendChild(button(T.preview, 'xa-preview-btn', function () {
      err.textContent = '';
      api('POST', '/api/admin/announcements/preview', draft()).then(function (res) {
        if (!res.ok) { showError(err, res); return; }
        prev.textContent = '';
        ['zh', 'en'].forEach(function (l) {
          var col = el('div', 'xa-col');
          col.appendChild(el('h4', null, T.telegram + ' · ' + l));
          col.appendChild(el('pre', 'xa-tg', res.body.telegram[l]));
          var w = res.body.widget.translations[l];
          col.appendChild(el('h4', null, T.widget + ' · ' + l));
          var pop = el('div', 'xa-popup');
          pop.appendChild(el('strong', null, w.title));
          pop.appendChild(el('p', null, w.body));
          pop.appendChild(el('p', 'xa-small', w.impact + ' · ' + w.notes));
          col.appendChild(pop);
          prev.appendChild(col);
        });
      });
    }));
    var submit = el('button', 'primary', T.schedule); submit.type = 'submit'; submit.id = 'xa-schedule';
    actions.appendChild(submit);
    f.appendChild(actions); f.appendChild(err); f.appendChild(prev);
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      api('POST', '/api/admin/announcements', draft()).then(function (res) {
        if (!res.ok) { showError(err, res); return; }
        var page = box.parentNode;
        if (page && page.reload) page.reload();
        notice(box, res.body.id);
      });
    });
    box.appendChild(f);
    type.focus();
  }

  function notice(box, id) {
    stopTimers();
    box.textContent = '';
    var head = el('h3'), info = el('div', 'xa-small'), live = el('div', 'xa-live'); live.id = 'xa-live';
    live.setAttribute('aria-live', 'polite');
    var ups = el('ul', 'xa-updates'); ups.id = 'xa-updates';
    var err = errorBox(), actions = el('div', 'xa-row');
    box.appendChild(head); box.appendChild(info); box.appendChild(live); box.appendChild(actions); box.appendChild(err);
    var last = null, a = null;
    var fix = el('div'); fix.id = 'xa-correction';
    var correction = bilingualInputs(fix, 'correction', 'textarea');
    box.insertBefore(fix, actions);
    actions.appendChild(button(T.cancel, 'xa-cancel', function () { act('cancel', { message: correction() }); }));
    actions.appendChild(button(T.complete, 'xa-complete', function () { act('complete'); }));
    var upForm = el('form', 'xa-form'); upForm.id = 'xa-update-form'; upForm.hidden = true;
    var upText = bilingualInputs(upForm, 'updates', 'textarea');
    var upBtn = el('button', 'primary', T.update); upBtn.type = 'submit'; upBtn.id = 'xa-post-update';
    upForm.appendChild(upBtn);
    upForm.addEventListener('submit', function (e) {
      e.preventDefault();
      api('POST', '/api/admin/announcements/' + id + '/updates', { body: upText() }).then(function (res) {
        if (!res.ok) { showError(err, res); return; }
        upForm.querySelectorAll('textarea').forEach(function (t) { t.value = ''; });
        refresh();
      });
    });
    box.appendChild(upForm); box.appendChild(el('h4', null, T.updates)); box.appendChild(ups);
    function act(op, body) {
      err.textContent = '';
      api('POST', '/api/admin/announcements/' + id + '/' + op, body).then(function (res) {
        if (!res.ok) showError(err, res);
        refresh();
        var page = box.parentNode;
        if (page && page.reload) page.reload();
      });
    }
    function refresh() {
      api('GET', '/api/admin/announcements/' + id).then(function (res) {
        if (!res.ok) return;
        a = res.body;
        var row = document.querySelector('#xa-notices tr[data-id="' + a.id + '"]');
        if (row) listRow(row, a);
        head.textContent = '#' + a.id + ' ' + a.title;
        info.textContent = a.type + ' · ' + when(a.startsAt) + ' – ' + when(a.endsAt) + ' · ';
        var st = el('span', 'xa-state', T[a.status] + (a.status === 'published' ? ' · ' + T[a.phase] : ''));
        st.id = 'xa-status'; st.dataset.status = a.status;
        info.appendChild(st);
        var d = a.deliveries, now = Date.now();
        var rate = last && now > last.t ? Math.max(0, (done(d) - last.n) * 1000 / (now - last.t)) : 0;
        last = { t: now, n: done(d) };
        live.textContent = '';
        live.appendChild(progress(d));
        var counts = el('div', 'xa-counts');
        ['total', 'sent', 'failed', 'blocked', 'pending', 'unknown', 'withdrawn'].forEach(function (k) {
          var c = el('span', null, T[k] + ' ' + d[k]); c.dataset.k = k; counts.appendChild(c);
        });
        counts.appendChild(el('span', null, T.rate + ' ' + rate.toFixed(1) + T.perSec));
        if (d.pending && rate > 0) counts.appendChild(el('span', null, T.eta + ' ' + new Date(now + d.pending / rate * 1000).toLocaleTimeString()));
        live.appendChild(counts);
        upForm.hidden = !(a.status === 'published' && a.phase === 'current' && (a.type === 'maintenance' || a.type === 'downtime'));
        fix.hidden = a.status !== 'published';
        ups.textContent = '';
        a.updates.forEach(function (u) { ups.appendChild(el('li', null, when(u.createdAt) + ' ' + u.translations.zh + (u.translations.en !== u.translations.zh ? ' / ' + u.translations.en : ''))); });
      });
    }
    every(1000, refresh);
  }

  function maintenancePage(body) {
    var status = el('div', 'xa-status'); status.id = 'xa-maint-status'; status.setAttribute('aria-live', 'polite');
    var f = el('form', 'xa-form'); f.id = 'xa-maint-form';
    var on = input('xa-maint-on', 'checkbox'), until = input('xa-maint-until', 'datetime-local', localInput(new Date(Date.now() + 2 * 36e5)));
    f.appendChild(field(T.on, on)); f.appendChild(field(T.until, until));
    var msg = bilingualInputs(f, 'message');
    var err = errorBox(), save = el('button', 'primary', T.save); save.type = 'submit'; save.id = 'xa-maint-save';
    f.appendChild(save); f.appendChild(err);
    body.appendChild(status); body.appendChild(f);
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      var m = msg();
      api('POST', '/api/admin/maintenance', { on: on.checked, until: on.checked ? iso(until.value) : '', message: m.zh || m.en ? m : '' }).then(function (res) {
        if (!res.ok) { showError(err, res); return; }
        err.textContent = '';
        render(res.body);
      });
    });
    // The form starts from the current state unless the admin got to it first.
    var first = true;
    f.addEventListener('input', function () { first = false; });
    f.addEventListener('change', function () { first = false; });
    function render(m) {
      status.textContent = '';
      var s = el('strong', null, m.on ? T.maintOn : T.maintOff); s.dataset.on = String(m.on);
      status.appendChild(s);
      if (m.on) status.appendChild(el('span', null, ' · ' + T.until + ' ' + when(m.until) + ' · ' + m.message));
      var h = el('div', 'xa-held', T.held + ': ' + m.held); h.id = 'xa-held'; h.dataset.held = String(m.held);
      status.appendChild(h);
      if (first) {
        first = false; on.checked = m.on;
        if (m.translations) { f.querySelector('#xa-message-zh').value = m.translations.zh; f.querySelector('#xa-message-en').value = m.translations.en; }
      }
    }
    every(2000, function () { api('GET', '/api/admin/maintenance').then(function (res) { if (res.ok) render(res.body); }); });
  }

  function peoplePage(body) {
    var f = el('form', 'xa-form xa-row'); f.id = 'xa-user-form';
    var name = input('xa-user-name'), role = el('select'); role.id = 'xa-user-role';
    ['agent', 'admin'].forEach(function (r) { var o = el('option', null, T[r]); o.value = r; role.appendChild(o); });
    var add = el('button', 'primary', T.add); add.type = 'submit'; add.id = 'xa-user-add';
    f.appendChild(field(T.username, name)); f.appendChild(field(T.role, role)); f.appendChild(add);
    var err = errorBox(), temp = el('div', 'xa-temp'); temp.id = 'xa-temp'; temp.setAttribute('aria-live', 'polite');
    var table = el('table', 'xa-table'); table.id = 'xa-users';
    body.appendChild(f); body.appendChild(err); body.appendChild(temp); body.appendChild(table);
    function showTemp(res) {
      if (!res.ok) { showError(err, res); return; }
      err.textContent = '';
      temp.textContent = res.body.user.username + ' · ' + T.tempPassword;
      var code = el('code', null, res.body.temporaryPassword); code.id = 'xa-temp-password';
      temp.appendChild(code);
      load();
    }
    f.addEventListener('submit', function (e) {
      e.preventDefault();
      api('POST', '/api/admin/users', { username: name.value, role: role.value }).then(function (res) { if (res.ok) name.value = ''; showTemp(res); });
    });
    function load() {
      api('GET', '/api/admin/users').then(function (res) {
        if (!res.ok) return;
        table.textContent = '';
        res.body.users.forEach(function (u) {
          var tr = el('tr'); tr.dataset.user = u.username;
          tr.appendChild(el('td', null, u.username));
          tr.appendChild(el('td', null, T[u.role]));
          tr.appendChild(el('td', null, [u.disabled ? T.disabled : '', u.mustChangePassword ? T.mustChange : ''].filter(Boolean).join(' · ')));
          var acts = el('td');
          if (!u.disabled) {
            acts.appendChild(button(T.disable, null, function () { api('POST', '/api/admin/users/' + u.id + '/disable').then(function (res) { if (!res.ok) showError(err, res); load(); }); }));
            acts.appendChild(button(T.reset, null, function () { api('POST', '/api/admin/users/' + u.id + '/password').then(showTemp); }));
          }
          tr.appendChild(acts);
          table.appendChild(tr);
        });
      });
    }
    load();
  }

  function healthPage(body) {
    var prov = el('div'), queue = el('div');
    body.appendChild(el('h3', null, T.providers)); body.appendChild(prov);
    body.appendChild(el('h3', null, T.queue)); body.appendChild(queue);
    function bars(box, counts) {
      var max = Math.max.apply(null, Object.keys(counts).map(function (k) { return counts[k]; }).concat([1]));
      Object.keys(counts).forEach(function (k) {
        var row = el('div', 'xa-bar');
        row.appendChild(el('span', null, k + ' ' + counts[k]));
        var b = el('div', 'xa-barfill'); b.style.width = Math.round(100 * counts[k] / max) + '%';
        row.appendChild(b);
        box.appendChild(row);
      });
    }
    // chart draws calls per interval as columns, the errors' share in red.
    function chart(box, samples) {
      if (!samples.length) return;
      var c = el('div', 'xa-chart'); c.setAttribute('role', 'img');
      var max = Math.max.apply(null, samples.map(function (s) { return s.calls; }).concat([1]));
      var calls = 0, errs = 0;
      samples.forEach(function (s) {
        var e = Object.keys(s.errors).reduce(function (n, k) { return n + s.errors[k]; }, 0);
        calls += s.calls; errs += e;
        var col = el('div', 'xa-colbar'), bad = el('div', 'xa-colerr');
        col.style.height = Math.round(100 * s.calls / max) + '%';
        bad.style.height = s.calls ? Math.round(100 * Math.min(e, s.calls) / s.calls) + '%' : '0';
        col.title = new Date(s.at).toLocaleTimeString() + ' · ' + T.calls + ' ' + s.calls + ' · ' + T.errors + ' ' + e +
          Object.keys(s.errors).map(function (k) { return ' ' + k + ':' + s.errors[k]; }).join('');
        col.appendChild(bad);
        c.appendChild(col);
      });
      c.setAttribute('aria-label', T.calls + ' ' + calls + ', ' + T.errors + ' ' + errs + ' (' + when(samples[0].at) + ' – ' + when(samples[samples.length - 1].at) + ')');
      box.appendChild(c);
    }
    every(5000, function () {
      api('GET', '/api/admin/providers').then(function (res) {
        if (!res.ok) return;
        prov.textContent = '';
        res.body.providers.forEach(function (p) {
          var card = el('div', 'xa-card');
          card.appendChild(el('strong', null, p.name + ' (' + p.model + ')'));
          card.appendChild(el('div', 'xa-small', T.breaker + ' ' + p.state + ' · ' + T.calls + ' ' + p.calls + ' · p50 ' + Math.round(p.p50Ms) + ' ms · p95 ' + Math.round(p.p95Ms) + ' ms'));
          if (Object.keys(p.errors).length) bars(card, p.errors);
          chart(card, (res.body.history || {})[p.name] || []);
          prov.appendChild(card);
        });
      });
      api('GET', '/api/admin/outbox?limit=10').then(function (res) {
        if (!res.ok) return;
        queue.textContent = '';
        bars(queue, res.body.stats);
        queue.appendChild(el('h4', null, T.failures));
        var ul = el('ul');
        res.body.problems.forEach(function (p) { ul.appendChild(el('li', null, when(p.at) + ' ' + p.state + ' ' + p.chat + ' ' + p.error)); });
        queue.appendChild(ul);
      });
    });
  }

  // feedbackPage shows the last 30 days of travellers' feedback (GET /api/admin/feedback):
  // the average rating and the share of 4-5, the ratings, satisfaction per day as an inline
  // SVG line chart (average rating 1-5 and the share of 4-5), the open high-priority items,
  // each answerable here (the reply is sent to the traveller), and the latest items.
  function feedbackPage(body) {
    var sum = el('div', 'xa-status'); sum.id = 'xa-csat';
    var dist = el('div'); dist.id = 'xa-ratings';
    var daily = el('div'); daily.id = 'xa-daily';
    var high = el('div'); high.id = 'xa-open-high';
    var recent = el('ul'); recent.id = 'xa-feedback-items';
    var err = errorBox();
    [el('h3', null, T.last30), sum, el('h4', null, T.ratings), dist, el('h4', null, T.daily), daily,
      el('h4', null, T.openHigh), high, err, el('h4', null, T.recent), recent].forEach(function (x) { body.appendChild(x); });
    var NS = 'http://www.w3.org/2000/svg';
    function svg(tag, attrs) {
      var e = document.createElementNS(NS, tag);
      Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
      return e;
    }
    function chart(days) {
      var w = 600, h = 160, pad = 24, n = Math.max(days.length - 1, 1);
      var c = svg('svg', { viewBox: '0 0 ' + w + ' ' + h, 'class': 'xa-csat', role: 'img', width: '100%' });
      var rated = days.filter(function (d) { return d.ratings > 0; });
      c.setAttribute('aria-label', T.daily + ': ' + rated.map(function (d) { return d.day + ' ' + d.csat.toFixed(2); }).join(', '));
      c.appendChild(svg('line', { x1: pad, y1: h - pad, x2: w - pad, y2: h - pad, stroke: '#999' }));
      function x(i) { return pad + (w - 2 * pad) * i / n; }
      function line(cls, color, value) {
        var pts = [];
        days.forEach(function (d, i) { if (d.ratings > 0) pts.push(x(i).toFixed(1) + ',' + (h - pad - (h - 2 * pad) * value(d)).toFixed(1)); });
        if (pts.length) c.appendChild(svg('polyline', { points: pts.join(' '), fill: 'none', stroke: color, 'stroke-width': 2, 'class': cls }));
        days.forEach(function (d, i) {
          if (!d.ratings) return;
          var dot = svg('circle', { cx: x(i), cy: h - pad - (h - 2 * pad) * value(d), r: 3, fill: color, 'class': cls + '-dot' });
          var tip = svg('title', {}); tip.textContent = d.day + ' · ' + T.csat + ' ' + d.csat.toFixed(2) + ' · ' + T.satisfied + ' ' + Math.round(100 * d.satisfiedShare) + '% · ' + T.rated + ' ' + d.ratings;
          dot.appendChild(tip);
          c.appendChild(dot);
        });
      }
      line('xa-csat-avg', '#2563eb', function (d) { return (d.csat - 1) / 4; });
      line('xa-csat-share', '#16a34a', function (d) { return d.satisfiedShare; });
      return c;
    }
    function card(f) {
      var row = el('div', 'xa-card'); row.setAttribute('data-feedback', f.id);
      row.appendChild(el('strong', null, (f.rating ? '★' + f.rating + ' ' : '') + f.category + ' · ' + f.priority));
      if (f.opening) row.appendChild(el('div', null, f.opening));
      if (f.comment) row.appendChild(el('div', null, f.comment));
      row.appendChild(el('div', 'xa-small', when(f.createdAt)));
      var reply = input('xa-reply-' + f.id, 'textarea'); reply.placeholder = T.replyTo;
      row.appendChild(reply);
      row.appendChild(button(T.handle, 'xa-handle-' + f.id, function () {
        if (!reply.value.trim()) return;
        api('POST', '/api/admin/feedback/' + f.id + '/handle', { reply: reply.value }).then(function (res) {
          if (!res.ok) { showError(err, res); return; }
          reply.value = '';
          load();
        });
      }));
      return row;
    }
    function line(f) {
      return el('li', null, when(f.createdAt) + ' ' + (f.rating ? '★' + f.rating + ' ' : '') + (f.category ? '[' + f.category + '] ' : '') + (f.comment || f.opening || ''));
    }
    function load() {
      api('GET', '/api/admin/feedback').then(function (res) {
        if (!res.ok) { showError(err, res); return; }
        var r = res.body;
        sum.textContent = T.csat + ' ' + r.csat.toFixed(2) + ' · ' + T.satisfied + ' ' + Math.round(100 * r.satisfiedShare) + '% · ' +
          T.rated + ' ' + r.rated + ' · ' + T.feedbackTotal + ' ' + r.total;
        sum.dataset.csat = r.csat.toFixed(2); sum.dataset.rated = r.rated;
        dist.textContent = '';
        var max = Math.max.apply(null, ['1', '2', '3', '4', '5'].map(function (k) { return r.ratings[k]; }).concat([1]));
        ['5', '4', '3', '2', '1'].forEach(function (k) {
          var row = el('div', 'xa-bar'); row.dataset.rating = k;
          row.appendChild(el('span', null, '★' + k + ' ' + r.ratings[k]));
          var b = el('div', 'xa-barfill'); b.style.width = Math.round(100 * r.ratings[k] / max) + '%';
          row.appendChild(b);
          dist.appendChild(row);
        });
        daily.textContent = '';
        var c = chart(r.daily); c.style.maxWidth = '720px'; c.style.display = 'block';
        daily.appendChild(c);
        var key = el('div', 'xa-small');
        [['#2563eb', T.csat + ' (1-5)'], ['#16a34a', T.satisfied]].forEach(function (k) {
          var mark = el('span', null, '━ '); mark.style.color = k[0];
          key.appendChild(mark); key.appendChild(el('span', null, k[1] + '  '));
        });
        daily.appendChild(key);
        // A reply being written is never wiped by the refresh.
        var writing = Array.prototype.some.call(high.querySelectorAll('textarea'), function (t) { return t.value.trim() !== ''; });
        if (!writing) {
          high.textContent = '';
          if (!r.openHighPriority.length) high.appendChild(el('div', null, T.none));
          r.openHighPriority.forEach(function (f) { high.appendChild(card(f)); });
        }
        recent.textContent = '';
        if (!r.items.length) recent.appendChild(el('li', null, T.none));
        r.items.slice(0, 20).forEach(function (f) { recent.appendChild(line(f)); });
      });
    }
    every(30000, load);
  }
})();
