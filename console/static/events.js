// Live updates: GET /me/events read with fetch() so the bearer token goes
// in the Authorization header (EventSource cannot send one), the unseen
// counts, and a short WebAudio ping.
import { API, api, hooks, state } from './api.js';

let audio = null;
export function ping() {
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

export function showMute() {
  const b = document.getElementById('mute');
  b.textContent = state.muted ? 'Sound off' : 'Sound on';
  b.setAttribute('aria-pressed', String(state.muted));
}

export async function refreshUnseen() {
  const u = await api('GET', '/me/unseen');
  state.unseen = new Map(u.conversations.map(c => [c.conversation_id, c.unseen]));
  state.unseenTotal = u.total;
  const link = document.querySelector('nav a[data-page=messenger] .badge');
  if (link) { link.textContent = String(u.total); link.classList.toggle('unseen', u.total > 0); }
  document.title = u.total ? `(${u.total}) deskgate` : 'deskgate';
  document.querySelectorAll('[data-unseen-for]').forEach(b => {
    const n = state.unseen.get(Number(b.dataset.unseenFor)) || 0;
    b.textContent = String(n); b.classList.toggle('unseen', n > 0);
    const row = b.closest('li');
    if (row) row.classList.toggle('unread', n > 0);
  });
}

// Whatever is on screen and shows conversations registers here; each
// listener is called with the notification after the counts are fresh.
const listeners = new Set();
export function onLive(fn) { listeners.add(fn); return () => listeners.delete(fn); }

async function onNotification(n) {
  if (!n.seen) ping();
  await refreshUnseen().catch(() => {});
  for (const fn of listeners) await Promise.resolve(fn(n)).catch(() => {});
}

export async function startStream() {
  const ctl = new AbortController();
  state.stream = ctl;
  let lastID = '';
  for (let attempt = 0; state.stream === ctl; attempt++) {
    try {
      const headers = { Authorization: 'Bearer ' + state.token };
      if (lastID) headers['Last-Event-ID'] = lastID;
      const res = await fetch(API + '/me/events', { headers, signal: ctl.signal });
      if (res.status === 401) { hooks.signedOut(); return; }
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
