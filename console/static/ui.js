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
