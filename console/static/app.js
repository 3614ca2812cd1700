// The deskgate console (SPEC §13): one module, no dependencies. It talks to
// the JSON API under /api/v1 with the session token of POST /auth/login,
// kept in sessionStorage and sent as a Bearer token (no cookie, so no CSRF
// surface). Every value from mail or users reaches the page through
// textContent or an attribute, never by parsing a string as HTML;
// sanitized mail HTML is shown in a sandboxed iframe (no scripts, no same
// origin).

const API = '/api/v1';
const main = document.getElementById('main');
const state = { token: sessionStorage.getItem('dg_token') || '', me: null, unseen: new Map(), muted: localStorage.getItem('dg_muted') === '1', stream: null, route: '' };

// h builds an element: attrs are attributes (on* are listeners), children
// are nodes or strings (strings become text nodes).
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = true;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function say(text) {
  const s = document.getElementById('status');
  s.textContent = text;
  clearTimeout(say.t);
  say.t = setTimeout(() => { s.textContent = ''; }, 4000);
}

function when(t) { return t ? new Date(t).toLocaleString() : ''; }

class APIError extends Error { constructor(status, code, message) { super(message); this.status = status; this.code = code; } }

// api calls the JSON API; a 401 signs out.
async function api(method, path, body, raw) {
  const headers = {};
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  if (!res.ok) {
    let code = 'http_' + res.status, message = res.statusText;
    try { const e = (await res.json()).error; code = e.code; message = e.message; } catch { /* not JSON */ }
    if (res.status === 401 && state.token && path !== '/auth/login') { signedOut(); }
    throw new APIError(res.status, code, message);
  }
  if (raw) return res;
  if (res.status === 204 || res.status === 202) return null;
  return res.json();
}

function errorBox(err) { return h('p', { class: 'error', role: 'alert' }, err.message || String(err)); }

// ---- sound: a short WebAudio beep, mutable --------------------------------
let audio = null;
function ping() {
  if (state.muted) return;
  document.body.dataset.pings = String(Number(document.body.dataset.pings || 0) + 1); // counted for the tests
  try {
    audio = audio || new AudioContext();
    const o = audio.createOscillator(), g = audio.createGain();
    o.frequency.value = 880; g.gain.value = 0.08;
    o.connect(g).connect(audio.destination);
    o.start(); o.stop(audio.currentTime + 0.15);
  } catch { /* no audio */ }
}
function showMute() {
  const b = document.getElementById('mute');
  b.textContent = state.muted ? 'Sound off' : 'Sound on';
  b.setAttribute('aria-pressed', String(state.muted));
}

// ---- live unseen counts: GET /me/events read with fetch() so the bearer
// token goes in the Authorization header (EventSource cannot send one) ----
async function refreshUnseen() {
  const u = await api('GET', '/me/unseen');
  state.unseen = new Map(u.conversations.map(c => [c.conversation_id, c.unseen]));
  state.unseenTotal = u.total;
  const link = document.querySelector('nav a[data-page=messenger] .badge');
  if (link) { link.textContent = String(u.total); link.classList.toggle('unseen', u.total > 0); }
  document.querySelectorAll('[data-unseen-for]').forEach(b => {
    const n = state.unseen.get(Number(b.dataset.unseenFor)) || 0;
    b.textContent = String(n); b.classList.toggle('unseen', n > 0);
  });
}

async function startStream() {
  const ctl = new AbortController();
  state.stream = ctl;
  let lastID = '';
  for (let attempt = 0; state.stream === ctl; attempt++) {
    try {
      const headers = { Authorization: 'Bearer ' + state.token };
      if (lastID) headers['Last-Event-ID'] = lastID;
      const res = await fetch(API + '/me/events', { headers, signal: ctl.signal });
      if (res.status === 401) { signedOut(); return; }
      if (!res.ok || !res.body) throw new Error('events: ' + res.status);
      attempt = 0;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i); buf = buf.slice(i + 2);
          let ev = 'message', data = '';
          for (const line of block.split('\n')) {
            if (line.startsWith('event:')) ev = line.slice(6).trim();
            else if (line.startsWith('data:')) data += line.slice(5).trim();
            else if (line.startsWith('id:')) lastID = line.slice(3).trim();
          }
          if (ev === 'notification' && data) onNotification(JSON.parse(data));
        }
      }
    } catch (e) {
      if (ctl.signal.aborted) return;
    }
    await new Promise(r => setTimeout(r, Math.min(30000, 1000 * 2 ** attempt)));
  }
}

async function onNotification(n) {
  if (!n.seen) ping();
  await refreshUnseen().catch(() => {});
  if (state.route.startsWith('messenger')) {
    await drawConversationList().catch(() => {});
    if (state.openConv === n.conversation_id) await drawConversation(n.conversation_id).catch(() => {});
  }
}

// ---- sign-in, password reset, sign-out -------------------------------------
function signedOut() {
  if (state.stream) state.stream.abort();
  state.stream = null; state.token = ''; state.me = null;
  sessionStorage.removeItem('dg_token');
  document.getElementById('top').hidden = true;
  document.getElementById('status').textContent = '';
  drawSignIn();
}

function drawSignIn(msg) {
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const out = h('div', {}, msg ? h('p', { class: 'muted' }, msg) : null);
  const form = h('form', { class: 'card signin', 'aria-labelledby': 'signin-title', onsubmit: async e => {
    e.preventDefault(); out.replaceChildren();
    try {
      const s = await api('POST', '/auth/login', { email: email.value, password: password.value });
      state.token = s.token; sessionStorage.setItem('dg_token', s.token);
      await start();
    } catch (err) { out.replaceChildren(errorBox(err)); }
  } },
  h('h1', { id: 'signin-title' }, 'Sign in'),
  h('label', { for: 'email' }, 'Email'), email,
  h('label', { for: 'password' }, 'Password'), password,
  h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit' }, 'Sign in'),
    h('button', { type: 'button', id: 'forgot', onclick: async () => {
      out.replaceChildren();
      if (!email.value) { out.replaceChildren(h('p', { class: 'error' }, 'Type your email address first.')); return; }
      try {
        await api('POST', '/auth/password-reset', { email: email.value });
        out.replaceChildren(h('p', {}, 'If that address has an account, a link to set a new password is on its way.'));
      } catch (err) { out.replaceChildren(errorBox(err)); }
    } }, 'Forgot password?')),
  out);
  main.replaceChildren(form);
  email.focus();
}

function drawResetPassword() {
  const token = new URLSearchParams(location.search).get('token') || '';
  const pw = h('input', { id: 'newpw', type: 'password', autocomplete: 'new-password', minlength: 8, required: true });
  const out = h('div');
  main.replaceChildren(h('form', { class: 'card signin', onsubmit: async e => {
    e.preventDefault();
    try {
      await api('POST', '/auth/password-reset/confirm', { token, password: pw.value });
      history.replaceState(null, '', '/');
      drawSignIn('Your password is set. Sign in with it.');
    } catch (err) { out.replaceChildren(errorBox(err)); }
  } }, h('h1', {}, 'Set a new password'),
  token ? null : h('p', { class: 'error' }, 'This link has no token; ask for a new one from the sign-in page.'),
  h('label', { for: 'newpw' }, 'New password (at least 8 characters)'), pw,
  h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit' }, 'Set password')), out));
  pw.focus();
}

// ---- navigation ------------------------------------------------------------
const PAGES = [
  ['messenger', 'Messenger', false], ['maillog', 'Mail log', true], ['messaging', 'Messaging center', true],
  ['mailboxes', 'Mailboxes', true], ['users', 'Users', true], ['settings', 'Settings', false],
];

function drawNav() {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...PAGES.filter(p => !p[2] || state.me.role === 'admin').map(([id, name]) =>
    h('a', { href: '#/' + id, 'data-page': id }, name, id === 'messenger' ? [' ', h('span', { class: 'badge', 'aria-label': 'unseen messages' }, '0')] : [])));
  document.getElementById('whoami').textContent = state.me.name ? `${state.me.name} <${state.me.email}>` : state.me.email;
}

async function route() {
  if (!state.me) return;
  // start() and a hashchange can ask for the same page at once: draw it once.
  const hash = location.hash;
  if (state.drawing === hash) return;
  state.drawing = hash;
  try { await draw(); } finally { if (state.drawing === hash) state.drawing = null; }
}

async function draw() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const page = PAGES.find(p => p[0] === parts[0] && (!p[2] || state.me.role === 'admin')) ? parts[0] : 'messenger';
  state.route = parts.join('/');
  document.querySelectorAll('nav a').forEach(a => { if (a.dataset.page === page) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current'); });
  try {
    await ({ messenger: drawMessenger, maillog: drawMailLog, messaging: drawMessaging, mailboxes: drawMailboxes, users: drawUsers, settings: drawSettings })[page](parts.slice(1));
  } catch (err) { main.replaceChildren(errorBox(err)); }
}

// ---- messenger ---------------------------------------------------------------
async function drawMessenger(args) {
  const at = location.hash;
  const settings = await api('GET', `/users/${state.me.id}/settings`);
  const tabs = ['all', ...(settings.show_from_customers ? ['from_customers'] : []), 'internal'];
  const names = { all: 'All', from_customers: 'From customers', internal: 'Internal' };
  if (!tabs.includes(state.tab)) state.tab = 'all';
  state.openConv = Number(args[0]) || 0;
  const tabbar = h('div', { class: 'tabs', role: 'tablist' }, tabs.map(t => h('button', { role: 'tab', 'aria-selected': String(state.tab === t), 'data-tab': t, onclick: () => { state.tab = t; drawMessenger(args); } }, names[t])));
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', {}, 'Messenger'), tabbar,
    h('div', { class: 'messenger' }, h('section', { 'aria-label': 'Conversations' }, h('ul', { class: 'convs', id: 'convs' })),
      h('section', { id: 'conv', 'aria-label': 'Conversation' }, state.openConv ? '' : h('p', { class: 'muted' }, 'Pick a conversation.'))));
  await refreshUnseen();
  await drawConversationList();
  if (state.openConv) await drawConversation(state.openConv);
}

async function drawConversationList() {
  const ul = document.getElementById('convs');
  if (!ul) return;
  const convs = await api('GET', '/conversations?tab=' + encodeURIComponent(state.tab || 'all'));
  ul.replaceChildren(...convs.map(c => {
    const n = state.unseen.get(c.id) || 0;
    return h('li', {}, h('a', { href: `#/messenger/${c.id}`, 'aria-current': String(state.openConv === c.id), 'data-conv': c.id },
      h('span', {}, h('span', { class: 'kind ' + c.kind }, c.kind), ' ', c.subject || '(no subject)',
        h('br'), h('span', { class: 'muted' }, when(c.last_message_at || c.created_at))),
      h('span', { class: 'badge' + (n ? ' unseen' : ''), 'data-unseen-for': c.id, 'aria-label': 'unseen' }, String(n))));
  }));
  if (!convs.length) ul.append(h('li', { class: 'muted' }, 'No conversations.'));
}

function deliveryChip(d) {
  const who = d.recipient.name || d.recipient.email;
  let st = 'notified', icon = '○', text = 'not seen yet';
  if (d.seen_at) { st = 'seen'; icon = '✓✓'; text = 'seen ' + when(d.seen_at); }
  if (d.email_status === 'bounced') { st = 'bounced'; icon = '⚠'; text = 'email bounced' + (d.detail ? ': ' + d.detail : ''); }
  else if (d.email_status === 'sent') { if (!d.seen_at) st = 'emailed'; icon = (d.seen_at ? '✓✓ ' : '') + '✉'; text = (d.seen_at ? text + ', ' : '') + 'emailed ' + when(d.emailed_at); }
  else if (['pending', 'queued', 'deferred'].includes(d.email_status) && !d.seen_at) { text += ', email ' + d.email_status; }
  return h('span', { class: 'delivery', 'data-state': st, 'data-recipient': `${d.recipient.type}:${d.recipient.id}`, title: `${who}: ${text}` }, `${icon} ${who}`, h('span', { class: 'muted' }, ` (${text})`));
}

async function download(m, a) {
  try {
    const res = await api('GET', `/messages/${m.id}/attachments/${a.id}`, undefined, true);
    const url = URL.createObjectURL(await res.blob());
    const link = h('a', { href: url, download: a.filename || 'attachment' });
    document.body.append(link); link.click(); link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  } catch (err) { say(err.message); }
}

async function drawConversation(id) {
  const box = document.getElementById('conv');
  if (!box) return;
  const [conv, msgs] = await Promise.all([api('GET', `/conversations/${id}`), api('GET', `/conversations/${id}/messages`)]);
  const list = h('div', { id: 'messages' });
  let newestUnseen = 0;
  const allDels = await Promise.all(msgs.map(m => api('GET', `/messages/${m.id}/deliveries`).catch(() => [])));
  for (const [i, m] of msgs.entries()) {
    const dels = allDels[i];
    const mine = dels.find(d => d.recipient.type === 'user' && d.recipient.id === state.me.id);
    if (mine && !mine.seen_at) newestUnseen = m.id;
    const author = m.author.type === 'bot' ? 'Bot' : (m.author.name ? `${m.author.name} <${m.author.email}>` : m.author.email);
    list.append(h('article', { class: 'msg ' + m.kind, 'data-message': m.id },
      h('div', { class: 'meta' }, h('span', { class: 'kind ' + m.kind }, m.kind === 'internal' ? 'internal · staff only' : 'external · customer sees it'),
        h('strong', {}, author), h('span', {}, m.author.type), h('span', {}, when(m.created_at)), h('span', {}, 'via ' + m.source),
        m.unverified ? h('span', { class: 'unverified', title: 'The sender is not proven (DMARC or reply token)' }, 'unverified sender') : null),
      m.html ? h('iframe', { sandbox: '', title: 'Email ' + m.id, srcdoc: m.html, referrerpolicy: 'no-referrer' }) : h('div', { class: 'body' }, m.body),
      m.attachments.length ? h('div', { class: 'row' }, m.attachments.map(a => h('button', { type: 'button', onclick: () => download(m, a) }, `⤓ ${a.filename || 'attachment'} (${a.size} B)`))) : null,
      h('div', { class: 'deliveries', 'aria-label': 'Deliveries' }, dels.map(deliveryChip))));
  }
  // A redraw (a new message came in) keeps what is being typed.
  const old = document.getElementById('reply');
  const typing = old && document.activeElement === old;
  const draft = old && state.openConv === id ? old.value : '';
  const text = h('textarea', { id: 'reply', 'aria-label': 'Reply', placeholder: conv.kind === 'internal' ? 'Internal note (staff only)' : 'Reply (the customer gets it)' });
  text.value = draft;
  box.replaceChildren(h('h2', {}, h('span', { class: 'kind ' + conv.kind }, conv.kind), ' ', conv.subject || '(no subject)'), list,
    h('form', { onsubmit: async e => {
      e.preventDefault();
      if (!text.value.trim()) return;
      try { await api('POST', `/conversations/${id}/messages`, { body: text.value }); text.value = ''; await drawConversation(id); await drawConversationList(); }
      catch (err) { say(err.message); }
    } }, text, h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit' }, conv.kind === 'internal' ? 'Post internal note' : 'Send reply'))));
  if (typing) text.focus();
  if (newestUnseen && document.visibilityState === 'visible') {
    // Seeing the newest unseen message sees every earlier one (SPEC §4).
    // A hidden tab sees nothing: the email fallback must still go out.
    await api('POST', `/messages/${newestUnseen}/seen`);
    await refreshUnseen();
    await drawConversation(id);
  }
}

// ---- mail log ----------------------------------------------------------------
async function drawMailLog(args) {
  const at = location.hash;
  const dir = args[0] === 'outbound' ? 'outbound' : 'inbound';
  const addr = h('input', { id: 'f-addr', type: 'search', placeholder: 'address contains' });
  const statuses = dir === 'inbound' ? ['threaded', 'created', 'suppressed', 'bounce', 'rejected'] : ['queued', 'sent', 'deferred', 'bounced', 'cancelled'];
  const status = h('select', { id: 'f-status' }, h('option', { value: '' }, 'any status'), statuses.map(s => h('option', { value: s }, s)));
  const tbody = h('tbody');
  const raw = h('div', { id: 'raw' });
  // The whole retention window, a page of 500 at a time (before = the last id).
  const entries = await api('GET', `/maillog?direction=${dir}&limit=500`);
  const more = h('button', { type: 'button', id: 'more', onclick: async () => {
    try {
      const page = await api('GET', `/maillog?direction=${dir}&limit=500&before=${entries[entries.length - 1].id}`);
      entries.push(...page); more.hidden = page.length < 500; draw();
    } catch (err) { say(err.message); }
  } }, 'Older mail');
  more.hidden = entries.length < 500;
  const draw = () => {
    const a = addr.value.toLowerCase();
    tbody.replaceChildren(...entries.filter(e => (!a || (e.from + ' ' + e.to).toLowerCase().includes(a)) && (!status.value || e.status === status.value)).map(e =>
      h('tr', { 'data-entry': e.id },
        h('td', {}, when(e.at)), h('td', {}, e.from), h('td', {}, e.to), h('td', {}, e.subject),
        h('td', { class: 'status-' + e.status }, e.status), h('td', {}, e.detail, e.class ? h('div', { class: 'muted' }, 'class: ' + e.class) : null,
          e.auth ? h('div', { class: 'muted' }, `spf ${e.auth.spf} · dkim ${e.auth.dkim} · dmarc ${e.auth.dmarc}`) : null),
        h('td', {}, e.conversation_id ? h('a', { href: `#/messenger/${e.conversation_id}` }, 'conversation ' + e.conversation_id) : ''),
        h('td', {}, e.size ? h('button', { type: 'button', class: 'rawbtn', onclick: async () => {
          try {
            const res = await api('GET', `/maillog/${e.id}/raw`, undefined, true);
            raw.replaceChildren(h('h2', {}, 'Raw mail ' + e.id), h('pre', { class: 'raw' }, await res.text()));
            raw.scrollIntoView();
          } catch (err) { raw.replaceChildren(errorBox(err)); }
        } }, 'Raw') : ''))));
    if (!tbody.children.length) tbody.append(h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No mail.')));
  };
  addr.addEventListener('input', draw); status.addEventListener('change', draw);
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', {}, 'Mail log'),
    h('div', { class: 'tabs', role: 'tablist' }, ['inbound', 'outbound'].map(d => h('button', { role: 'tab', 'aria-selected': String(d === dir), onclick: () => { location.hash = '#/maillog/' + d; } }, d === 'inbound' ? 'Inbound' : 'Outbound'))),
    h('div', { class: 'row' }, h('label', { for: 'f-addr' }, 'Address'), addr, h('label', { for: 'f-status' }, 'Status'), status),
    h('div', { class: 'tablewrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['When', 'From', 'To', 'Subject', 'Status', 'Detail', 'Triggered', ''].map(t => h('th', {}, t)))), tbody)),
    h('div', { class: 'row' }, more), raw);
  draw();
}

// ---- messaging center ------------------------------------------------------------
async function drawMessaging(args) {
  const at = location.hash;
  const [templates, autos] = await Promise.all([api('GET', '/templates'), api('GET', '/automations')]);
  const system = templates.filter(t => t.kind === 'system');
  const editor = h('div', { id: 'editor' });
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', {}, 'Messaging center'),
    h('h2', {}, 'Templates'),
    h('div', { class: 'row' }, templates.map(t => h('button', { type: 'button', 'data-template': t.name, onclick: () => { location.hash = '#/messaging/' + encodeURIComponent(t.name); } }, t.name))),
    editor,
    h('h2', {}, 'System emails'),
    h('div', { class: 'tablewrap' }, h('table', {}, h('tbody', {}, system.map(t => h('tr', {}, h('td', {}, t.name), h('td', {},
      h('label', { class: t.locked ? 'locked' : '' }, h('input', { type: 'checkbox', checked: t.enabled, disabled: t.locked, 'data-switch': t.name, onchange: async e => {
        try { await api('PUT', '/templates/' + encodeURIComponent(t.name), { enabled: e.target.checked }); say(`${t.name} ${e.target.checked ? 'on' : 'off'}`); }
        catch (err) { e.target.checked = !e.target.checked; say(err.message); }
      } }), t.locked ? ' always on (locked)' : ' enabled'))))))),
    h('h2', {}, 'Automations'),
    h('div', { class: 'tablewrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'When', 'Does', 'Runs', 'Last error', 'On'].map(x => h('th', {}, x)))),
      h('tbody', {}, [...autos].sort((a, b) => (b.locked - a.locked) || (a.id - b.id)).map(a => h('tr', { 'data-automation': a.id },
        h('td', {}, a.locked ? h('span', { class: 'lock' }, 'locked') : null, a.name), h('td', {}, a.trigger.event, Object.entries(a.trigger.conditions || {}).map(([k, v]) => ` ${k}=${v}`)),
        h('td', {}, a.actions.map(x => `${x.type}(${x.template}${x.to ? ' → ' + x.to : ''}${x.conversation ? ' → ' + x.conversation : ''})`).join(', ')),
        h('td', {}, String(a.runs)), h('td', {}, a.last_error ? `${a.last_error} (${when(a.last_error_at)})` : ''),
        h('td', {}, h('input', { type: 'checkbox', 'aria-label': 'enabled', checked: a.enabled, disabled: a.locked, onchange: async e => {
          try { await api('PUT', '/automations/' + a.id, { ...a, enabled: e.target.checked }); }
          catch (err) { e.target.checked = !e.target.checked; say(err.message); }
        } }))))))));
  const name = args[0] ? decodeURIComponent(args[0]) : '';
  if (name) await drawTemplate(editor, name);
}

async function drawTemplate(box, name) {
  const t = await api('GET', '/templates/' + encodeURIComponent(name));
  const subject = h('input', { id: 't-subject', value: t.subject, style: undefined });
  const text = h('textarea', { id: 't-text' }); text.value = t.text;
  const html = h('textarea', { id: 't-html' }); html.value = t.html;
  const frame = h('iframe', { sandbox: '', title: 'HTML preview', id: 't-preview-html' });
  const pSubject = h('div', { id: 't-preview-subject', class: 'body' }), pText = h('pre', { id: 't-preview-text', class: 'raw' }), out = h('div');
  let timer = 0;
  const preview = async () => {
    try {
      const r = await api('POST', '/templates/' + encodeURIComponent(name) + '/preview', { subject: subject.value, text: text.value, html: html.value });
      pSubject.textContent = r.subject; pText.textContent = r.text; frame.srcdoc = r.html; out.replaceChildren();
    } catch (err) { out.replaceChildren(errorBox(err)); }
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(preview, 300); };
  [subject, text, html].forEach(x => x.addEventListener('input', later));
  box.replaceChildren(h('div', { class: 'card' }, h('h2', {}, 'Template ', name, t.locked ? ' (locked: cannot be disabled)' : ''),
    h('div', { class: 'grid2' },
      h('div', {}, h('label', { for: 't-subject' }, 'Subject'), subject, h('label', { for: 't-text' }, 'Text'), text, h('label', { for: 't-html' }, 'HTML'), html,
        h('p', { class: 'muted' }, 'Variables: ', t.variables.map(v => `{{.${v.name}}}`).join(' ')),
        h('div', { class: 'row' }, h('button', { class: 'primary', type: 'button', id: 't-save', onclick: async () => {
          try { await api('PUT', '/templates/' + encodeURIComponent(name), { subject: subject.value, text: text.value, html: html.value }); say('Saved'); }
          catch (err) { out.replaceChildren(errorBox(err)); }
        } }, 'Save'), t.kind === 'system' ? h('button', { type: 'button', onclick: async () => {
          try { await api('POST', '/templates/' + encodeURIComponent(name) + '/reset'); await drawTemplate(box, name); say('Reset to default'); }
          catch (err) { out.replaceChildren(errorBox(err)); }
        } }, 'Reset to default') : null), out),
      h('div', {}, h('h2', {}, 'Preview'), h('label', {}, 'Subject'), pSubject, h('label', {}, 'Text'), pText, h('label', {}, 'HTML'), frame))));
  await preview();
}

// ---- mailboxes, users, teams ---------------------------------------------------------
async function drawMailboxes() {
  const at = location.hash;
  const boxes = await api('GET', '/mailboxes');
  const f = {
    host: h('input', { id: 'm-host', required: true }), port: h('input', { id: 'm-port', type: 'number', min: 1, max: 65535, placeholder: '993' }),
    tls: h('select', { id: 'm-tls' }, ['implicit', 'starttls', 'none'].map(x => h('option', { value: x }, x))),
    username: h('input', { id: 'm-username', required: true, autocomplete: 'off' }), password: h('input', { id: 'm-password', type: 'password', required: true, autocomplete: 'new-password' }),
    folder: h('input', { id: 'm-folder', placeholder: 'INBOX' }), after: h('input', { id: 'm-after', placeholder: 'seen' }),
  };
  const names = { host: 'Host', port: 'Port', tls: 'TLS', username: 'Username', password: 'Password', folder: 'Folder', after: 'After import (seen, move:<folder>, delete)' };
  const out = h('div');
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', {}, 'Mailboxes'), out, h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => drawMailboxes() }, 'Refresh status')),
    h('div', { class: 'tablewrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['Mailbox', 'Folder', 'State', 'Last sync', 'Last error', ''].map(x => h('th', {}, x)))),
      h('tbody', {}, boxes.length ? boxes.map(b => h('tr', { 'data-mailbox': b.id }, h('td', {}, `${b.username} @ ${b.host}:${b.port} (${b.tls})`), h('td', {}, b.folder), h('td', {}, b.status.state),
        h('td', {}, when(b.status.last_sync_at)), h('td', { class: b.status.last_error ? 'error' : '' }, b.status.last_error),
        h('td', {}, h('button', { type: 'button', onclick: async () => {
          if (!confirm(`Disconnect ${b.username} @ ${b.host}? What it imported stays.`)) return;
          try { await api('DELETE', '/mailboxes/' + b.id); await drawMailboxes(); } catch (err) { out.replaceChildren(errorBox(err)); }
        } }, 'Disconnect')))) : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No mailbox connected.'))))),
    h('form', { class: 'card', onsubmit: async e => {
      e.preventDefault();
      const body = { host: f.host.value, tls: f.tls.value, username: f.username.value, password: f.password.value };
      if (f.port.value) body.port = Number(f.port.value);
      if (f.folder.value) body.folder = f.folder.value;
      if (f.after.value) body.after = f.after.value;
      try { await api('POST', '/mailboxes', body); await drawMailboxes(); say('Mailbox connected'); } catch (err) { out.replaceChildren(errorBox(err)); }
    } }, h('h2', {}, 'Connect an IMAP mailbox'), Object.entries(f).map(([k, el]) => [h('label', { for: el.id }, names[k]), el]),
    h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit' }, 'Connect'))));
}

async function drawUsers() {
  const at = location.hash;
  const [users, teams] = await Promise.all([api('GET', '/users'), api('GET', '/teams')]);
  const byID = new Map(users.map(u => [u.id, u]));
  const email = h('input', { id: 'u-email', type: 'email', required: true }), name = h('input', { id: 'u-name' });
  const role = h('select', { id: 'u-role' }, h('option', { value: 'agent' }, 'agent'), h('option', { value: 'admin' }, 'admin'));
  const tname = h('input', { id: 't-name', required: true });
  const invProject = h('input', { id: 'i-project', type: 'number', min: 1, required: true }), invUser = h('input', { id: 'i-user', type: 'number', min: 1 }), invTeam = h('input', { id: 'i-team', type: 'number', min: 1 });
  const out = h('div');
  const act = f => async e => { e.preventDefault(); try { await f(); await drawUsers(); say('Done'); } catch (err) { out.replaceChildren(errorBox(err)); } };
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', {}, 'Users'), out,
    h('div', { class: 'tablewrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['Id', 'Name', 'Email', 'Role', 'Since'].map(x => h('th', {}, x)))),
      h('tbody', {}, users.map(u => h('tr', {}, h('td', {}, String(u.id)), h('td', {}, u.name), h('td', {}, u.email), h('td', {}, u.role), h('td', {}, when(u.created_at))))))),
    h('form', { class: 'row', onsubmit: act(() => api('POST', '/users', { email: email.value, name: name.value, role: role.value })) },
      h('label', { for: 'u-email' }, 'Email'), email, h('label', { for: 'u-name' }, 'Name'), name, h('label', { for: 'u-role' }, 'Role'), role, h('button', { type: 'submit' }, 'Add user')),
    h('h2', {}, 'Teams'),
    h('ul', {}, teams.map(t => h('li', {}, h('strong', {}, t.name), ' — ', t.user_ids.map(id => (byID.get(id) || { email: '#' + id }).email).join(', ') || 'no members'))),
    h('form', { class: 'row', onsubmit: act(() => api('POST', '/teams', { name: tname.value })) }, h('label', { for: 't-name' }, 'Team name'), tname, h('button', { type: 'submit' }, 'Add team')),
    h('h2', {}, 'Invitations'),
    h('form', { class: 'row', onsubmit: act(() => api('POST', `/projects/${invProject.value}/invitations`, invTeam.value ? { team_id: Number(invTeam.value) } : { user_id: Number(invUser.value) })) },
      h('label', { for: 'i-project' }, 'Project id'), invProject, h('label', { for: 'i-user' }, 'User id'), invUser, h('label', { for: 'i-team' }, 'or team id'), invTeam, h('button', { type: 'submit' }, 'Invite')));
}

// ---- settings: three presets one click away (docs/console.md) -----------------------
const PRESETS = [
  { name: 'Front line', about: 'every customer message, replies to what I follow, internal notes I follow', set: { from_customers: 'all', from_users_and_bot: 'followed', followed_internal: true, email_assignment_changes: true, email_new_members: false } },
  { name: 'My conversations', about: 'the defaults: customers and colleagues in conversations I follow', set: { from_customers: 'mine', from_users_and_bot: 'followed', followed_internal: true, email_assignment_changes: true, email_new_members: false } },
  { name: 'Internal only', about: 'no customer traffic; internal notes I follow and assignment changes', set: { from_customers: 'none', from_users_and_bot: 'none', followed_internal: true, email_assignment_changes: true, email_new_members: false } },
];

async function drawSettings() {
  const at = location.hash;
  const s = await api('GET', `/users/${state.me.id}/settings`);
  const invitations = await invitationsBox();
  const out = h('div');
  const sel = (id, opts) => h('select', { id, 'data-field': id }, opts.map(o => h('option', { value: o, selected: s[id] === o }, o)));
  const chk = id => h('input', { type: 'checkbox', id, 'data-field': id, checked: s[id] });
  const admin = state.me.role === 'admin';
  const fields = {
    conversation_visibility: sel('conversation_visibility', ['all', 'followed']), show_from_customers: chk('show_from_customers'),
    from_customers: sel('from_customers', ['all', 'mine', 'none']), from_users_and_bot: sel('from_users_and_bot', ['all', 'followed', 'none']),
    followed_internal: chk('followed_internal'), email_assignment_changes: chk('email_assignment_changes'), email_new_members: chk('email_new_members'), accept_all_invitations: chk('accept_all_invitations'),
  };
  if (!admin) { fields.conversation_visibility.disabled = true; fields.show_from_customers.disabled = true; }
  const labels = { conversation_visibility: 'Conversations I can see', show_from_customers: 'Show conversations with customers', from_customers: 'Notify me of customer messages', from_users_and_bot: 'Notify me of colleagues\u2019 and the bot\u2019s messages to customers', followed_internal: 'Notify me of internal messages I follow', email_assignment_changes: 'Email me when assignments change', email_new_members: 'Email me about new members', accept_all_invitations: 'Accept invitations at once' };
  const save = async body => {
    try { await api('PUT', `/users/${state.me.id}/settings`, body); say('Settings saved'); await drawSettings(); }
    catch (err) { out.replaceChildren(errorBox(err)); }
  };
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', {}, 'Settings'),
    h('h2', {}, 'One-click configurations'),
    h('div', { class: 'row' }, PRESETS.map(p => h('button', { type: 'button', 'data-preset': p.name, title: p.about, onclick: () => save(p.set) }, p.name))),
    h('ul', { class: 'muted' }, PRESETS.map(p => h('li', {}, h('strong', {}, p.name), ': ', p.about))),
    h('form', { class: 'card', onsubmit: e => {
      e.preventDefault();
      const body = {};
      for (const [k, el] of Object.entries(fields)) { if (el.disabled) continue; body[k] = el.type === 'checkbox' ? el.checked : el.value; }
      save(body);
    } }, Object.entries(fields).map(([k, el]) => h('div', {}, h('label', { for: k }, labels[k], el.disabled ? ' (set by an admin)' : ''), el)),
    h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit' }, 'Save'))), out,
    invitations, passwordBox());
}

// invitationsBox lists the caller's invitations, pending ones with
// Accept and Decline (SPEC §10).
async function invitationsBox() {
  const invs = await api('GET', '/me/invitations').catch(() => []);
  const settle = (inv, how) => async () => {
    try { await api('POST', `/invitations/${inv.id}/${how}`); say('Invitation ' + how + (how === 'accept' ? 'ed' : 'd')); await drawSettings(); }
    catch (err) { say(err.message); }
  };
  return h('section', {}, h('h2', {}, 'Invitations'), invs.length ? h('ul', {}, invs.map(inv => h('li', {},
    `Project ${inv.project_id}${inv.team_id ? ' (team ' + inv.team_id + ')' : ''}: ${inv.status} · ${when(inv.created_at)} `,
    inv.status === 'pending' ? [h('button', { type: 'button', onclick: settle(inv, 'accept') }, 'Accept'), ' ', h('button', { type: 'button', onclick: settle(inv, 'decline') }, 'Decline')] : null)))
    : h('p', { class: 'muted' }, 'No invitations.'));
}

function passwordBox() {
  const cur = h('input', { id: 'pw-current', type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { id: 'pw-new', type: 'password', autocomplete: 'new-password', minlength: 8, required: true });
  const out = h('div');
  return h('form', { class: 'card', onsubmit: async e => {
    e.preventDefault();
    try { await api('PUT', '/me/password', { current_password: cur.value, password: next.value }); cur.value = next.value = ''; out.replaceChildren(h('p', {}, 'Password changed; your other sessions are signed out.')); }
    catch (err) { out.replaceChildren(errorBox(err)); }
  } }, h('h2', {}, 'Password'), h('label', { for: 'pw-current' }, 'Current password'), cur, h('label', { for: 'pw-new' }, 'New password (at least 8 characters)'), next,
  h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Change password')), out);
}

// ---- start -----------------------------------------------------------------------
async function start() {
  try { state.me = await api('GET', '/me'); } catch { signedOut(); return; }
  if (state.me.type !== 'user') { state.token = ''; sessionStorage.removeItem('dg_token'); drawSignIn('The console is for staff.'); return; }
  document.getElementById('top').hidden = false;
  drawNav(); showMute();
  if (location.pathname !== '/') history.replaceState(null, '', '/' + location.hash);
  startStream();
  await refreshUnseen().catch(() => {});
  await route();
}

document.getElementById('mute').addEventListener('click', () => { state.muted = !state.muted; localStorage.setItem('dg_muted', state.muted ? '1' : '0'); showMute(); });
document.getElementById('signout').addEventListener('click', async () => { try { await api('DELETE', '/auth/session'); } catch { /* gone already */ } signedOut(); });
window.addEventListener('hashchange', route);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && state.me && state.openConv && state.route.startsWith('messenger')) drawConversation(state.openConv).catch(() => {});
});

if (location.pathname === '/reset-password') drawResetPassword();
else if (state.token) start();
else drawSignIn();
