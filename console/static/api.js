// The JSON API under /api/v1 (SPEC §7), called with the session token of
// POST /auth/login, kept in sessionStorage and sent as a Bearer token (no
// cookie, so no CSRF surface). state is what the pages share.

export const API = '/api/v1';

export const state = {
  token: sessionStorage.getItem('dg_token') || '', me: null, unseen: new Map(),
  muted: localStorage.getItem('dg_muted') === '1', stream: null, page: '', route: '',
};

// hooks.signedOut is called on a 401 (app.js sets it).
export const hooks = { signedOut: () => {} };

export class APIError extends Error { constructor(status, code, message) { super(message); this.status = status; this.code = code; } }

// api calls the JSON API; a 401 signs out. body may be a FormData (sent
// as multipart) or anything JSON; raw answers the Response itself.
export async function api(method, path, body, raw) {
  const headers = {};
  if (state.token) headers.Authorization = 'Bearer ' + state.token;
  let payload;
  if (body instanceof FormData) payload = body;
  else if (body !== undefined) { headers['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  const res = await fetch(API + path, { method, headers, body: payload });
  if (!res.ok) {
    let code = 'http_' + res.status, message = res.statusText;
    try { const e = (await res.json()).error; code = e.code; message = e.message; } catch { /* not JSON */ }
    if (res.status === 401 && state.token && path !== '/auth/login') hooks.signedOut();
    throw new APIError(res.status, code, message);
  }
  if (raw) return res;
  if (res.status === 204 || res.status === 202) return null;
  return res.json();
}

// people caches the staff list (id → user) for names; admins read
// GET /users, agents fall back to what they meet.
let peopleCache = null;
export async function people() {
  if (!peopleCache) peopleCache = all('/users').then(us => new Map(us.map(u => [u.id, u]))).catch(() => new Map(state.me ? [[state.me.id, state.me]] : []));
  return peopleCache;
}
export function forgetPeople() { peopleCache = null; }

// ---- paging (SPEC §14) -----------------------------------------------------
// Every list answers at most `limit` entries (default 100, at most 500) and
// a `Link: <URL>; rel="next"` header while there are more; the URL carries
// an opaque cursor and is followed as given, never built.

// nextOf is the API path (under /api/v1) of the rel="next" link of a
// response, or '' on the last page. Only a link to this origin's API is
// followed.
export function nextOf(res) {
  for (const part of (res.headers.get('Link') || '').split(',')) {
    const m = part.match(/^\s*<([^>]*)>\s*;(.*)$/);
    if (!m || !/(^|;)\s*rel="?next"?\s*(;|$)/.test(m[2])) continue;
    const u = new URL(m[1], location.origin);
    if (u.origin === location.origin && u.pathname.startsWith(API + '/')) return u.pathname.slice(API.length) + u.search;
  }
  return '';
}

// page reads one page of a list: { items, next } (next as nextOf says).
export async function page(path) {
  const res = await api('GET', path, undefined, true);
  return { items: await res.json(), next: nextOf(res) };
}

// all reads a whole list: it asks for pages of 500 and follows Link, at
// most 200 pages (100,000 entries).
export async function all(path) {
  let next = path + (path.includes('?') ? '&' : '?') + 'limit=500';
  const out = [];
  for (let i = 0; next && i < 200; i++) {
    const p = await page(next);
    out.push(...p.items);
    next = p.next;
  }
  return out;
}
