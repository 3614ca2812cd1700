// The deskgate console (SPEC §13): ES modules, no dependencies, no build
// step. This one signs in, draws the navigation and routes the hash
// (#/messenger/12, #/maillog/outbound, …) to the page modules: api.js
// (the JSON API), ui.js (DOM helpers), events.js (the live stream),
// messenger.js, maillog.js, messaging.js, people.js (mailboxes, users,
// teams) and settings.js. Every value from mail or users reaches the
// page through textContent or an attribute, never by parsing a string as
// HTML; sanitized mail HTML is shown in sandboxed iframes.
import { api, forgetPeople, hooks, state } from './api.js';
import { h, main, errorBox, pageError, credentialsEnded } from './ui.js';
import { refreshUnseen, showMute, startStream } from './events.js';
import { drawMessenger, revisit } from './messenger.js';
import { drawMailLog } from './maillog.js';
import { drawMessaging } from './messaging.js';
import { drawMailboxes, drawUsers } from './people.js';
import { drawSettings } from './settings.js';

// ---- sign-in, password reset, sign-out -------------------------------------
function signedOut() {
  if (state.stream) state.stream.abort();
  state.stream = null; state.token = ''; state.me = null; state.openConv = 0;
  forgetPeople();
  sessionStorage.removeItem('dg_token');
  document.getElementById('top').hidden = true;
  document.getElementById('status').textContent = '';
  drawSignIn();
}

function drawSignIn(msg) {
  const email = h('input', { id: 'email', name: 'email', type: 'email', autocomplete: 'username', required: true });
  const password = h('input', { id: 'password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const out = h('div', {}, typeof msg === 'string' ? h('p', { class: 'muted' }, msg) : msg ? h('div', { class: 'note', id: 'signin-note' }, msg) : null);
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
      const r = await api('POST', '/auth/password-reset/confirm?details=true', { token, password: pw.value });
      history.replaceState(null, '', '/');
      drawSignIn([h('p', { id: 'pw-set' }, h('strong', {}, 'Your password is set. Sign in with it.')), credentialsEnded(r, false)]);
    } catch (err) { out.replaceChildren(errorBox(err)); }
  } }, h('h1', {}, 'Set a new password'),
  token ? null : h('p', { class: 'error' }, 'This link has no token; ask for a new one from the sign-in page.'),
  h('label', { for: 'newpw' }, 'New password (at least 8 characters)'), pw,
  h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit' }, 'Set password')), out));
  pw.focus();
}

// ---- navigation ------------------------------------------------------------
// [route, name, admins only, draw]
const PAGES = [
  ['messenger', 'Messenger', false, drawMessenger], ['maillog', 'Mail log', true, drawMailLog], ['messaging', 'Messaging center', true, drawMessaging],
  ['mailboxes', 'Mailboxes', true, drawMailboxes], ['users', 'Users', true, drawUsers], ['settings', 'Settings', false, drawSettings],
];

function drawNav() {
  const nav = document.getElementById('nav');
  nav.replaceChildren(...PAGES.filter(p => !p[2] || state.me.role === 'admin').map(([id, name]) =>
    h('a', { href: '#/' + id, 'data-page': id }, name, id === 'messenger' ? [' ', h('span', { class: 'badge', 'aria-label': 'unseen messages' }, '0')] : [])));
  document.getElementById('whoami').textContent = state.me.name || state.me.email;
  document.getElementById('whoami').title = state.me.email;
}

async function route() {
  if (!state.me) return;
  // start() and a hashchange can ask for the same page at once: draw it once.
  const hash = location.hash;
  if (state.drawing === hash) return;
  state.drawing = hash;
  try { await draw(); } finally { if (state.drawing === hash) state.drawing = null; }
}

// draw shows the page of the hash; "/" with no hash is the messenger. A
// page the caller may not open says so; an error shows inside the page.
async function draw() {
  const parts = location.hash.replace(/^#\/?/, '').split('/');
  const known = PAGES.find(p => p[0] === parts[0]);
  const page = known || PAGES[0];
  state.page = page[0];
  state.route = [page[0], ...parts.slice(1)].join('/');
  document.querySelectorAll('nav a').forEach(a => { if (a.dataset.page === page[0]) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current'); });
  if (page[2] && state.me.role !== 'admin') {
    main.replaceChildren(h('h1', {}, page[1]), h('p', { class: 'error', role: 'alert', id: 'denied' }, `The ${page[1].toLowerCase()} is for admins; you are signed in as an agent.`),
      h('p', {}, h('a', { href: '#/messenger' }, 'Back to the messenger')));
    return;
  }
  try { await page[3](known ? parts.slice(1) : []); } catch (err) { pageError(page[1], err); }
}

// ---- start -----------------------------------------------------------------------
async function start() {
  try { state.me = await api('GET', '/me'); } catch { signedOut(); return; }
  if (state.me.type !== 'user') { state.token = ''; sessionStorage.removeItem('dg_token'); drawSignIn('The console is for staff.'); return; }
  state.supportAddress = state.me.support_address || '';
  document.getElementById('top').hidden = false;
  drawNav(); showMute();
  if (location.pathname !== '/') history.replaceState(null, '', '/' + location.hash);
  startStream();
  await refreshUnseen().catch(() => {});
  await route();
}

hooks.signedOut = signedOut;
document.getElementById('mute').addEventListener('click', () => { state.muted = !state.muted; localStorage.setItem('dg_muted', state.muted ? '1' : '0'); showMute(); });
document.getElementById('signout').addEventListener('click', async () => { try { await api('DELETE', '/auth/session'); } catch { /* gone already */ } signedOut(); });
window.addEventListener('hashchange', route);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && state.me && state.page === 'messenger') revisit();
});

if (location.pathname === '/reset-password') drawResetPassword();
else if (state.token) start();
else drawSignIn();
