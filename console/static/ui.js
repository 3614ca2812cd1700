// Small DOM helpers. Every value from mail or users reaches the page
// through textContent or an attribute (h), never by parsing a string as
// HTML.

export const main = document.getElementById('main');

// h builds an element: attrs are attributes (on* are listeners), children
// are nodes or strings (strings become text nodes).
export function h(tag, attrs, ...children) {
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

export function say(text) {
  const s = document.getElementById('status');
  s.textContent = text;
  clearTimeout(say.t);
  say.t = setTimeout(() => { s.textContent = ''; }, 4000);
}

export function when(t) { return t ? new Date(t).toLocaleString() : ''; }

// ago is a short relative time ("now", "5 min", "3 h", "2 d", then a date).
export function ago(t, now = Date.now()) {
  if (!t) return '';
  const s = Math.max(0, (now - new Date(t).getTime()) / 1000);
  if (s < 60) return 'now';
  if (s < 3600) return Math.floor(s / 60) + ' min';
  if (s < 86400) return Math.floor(s / 3600) + ' h';
  if (s < 7 * 86400) return Math.floor(s / 86400) + ' d';
  return new Date(t).toLocaleDateString();
}

export function errorBox(err) { return h('p', { class: 'error', role: 'alert' }, err.message || String(err)); }

// pageError shows an error inside the page, under its title, instead of
// replacing the page.
export function pageError(title, err) {
  main.replaceChildren(h('h1', {}, title), errorBox(err),
    h('p', {}, h('a', { href: '#/messenger' }, 'Back to the messenger')));
}

// credentialsEnded says what a password reset or change ended (the answer
// {sessions_ended, tokens_revoked, tokens_kept} of the API; null when the
// server answered no body) and which admin-issued tokens still work.
export function credentialsEnded(r, own) {
  if (!r) return [h('p', {}, own ? 'Your other sessions are signed out, and API tokens made from a session no longer work.' : 'Your sessions are signed out, and API tokens made from a session no longer work.')];
  const n = r.sessions_ended || 0, revoked = (r.tokens_revoked || []).length, kept = r.tokens_kept || [];
  const plural = (k, one, many) => `${k} ${k === 1 ? one : many}`;
  return [
    h('p', { id: 'ended-sessions' }, n ? `${plural(n, 'signed-in session', 'signed-in sessions')} ended${own ? ' (this one stays)' : ''}.` : (own ? 'No other session was signed in.' : 'No session was signed in.')),
    h('p', { id: 'ended-tokens' }, revoked ? `${plural(revoked, 'API token', 'API tokens')} made from a session no longer ${revoked === 1 ? 'works' : 'work'}.` : 'No token made from a session had to end.'),
    kept.length
      ? h('div', { id: 'kept-tokens' }, h('p', {}, `${plural(kept.length, 'token', 'tokens')} an admin issued still ${kept.length === 1 ? 'works' : 'work'}; ask an admin to revoke any you no longer use:`),
        h('ul', {}, kept.map(t => h('li', { 'data-token': t.id }, h('code', {}, t.id), ` · ${t.minted || 'issued'}`,
          t.created_at ? ` · issued ${when(t.created_at)}` : '', ` · ${t.last_used_at ? 'last used ' + when(t.last_used_at) : 'never used'}`))))
      : h('p', { id: 'kept-tokens' }, 'No other token works for your account.'),
  ];
}
