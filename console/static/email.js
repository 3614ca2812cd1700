// How a message's content shows: the new text first (an email's quoted
// history and signature trimmed), "Show the whole email" for the rest;
// the sanitized HTML in a frame sized to its content; inline images
// (cid:, RFC 2392) and image attachments shown from blob: URLs fetched
// with the token. Remote images stay off: the sanitizer moved their src
// to data-src and the page's policy (img-src 'self' data: blob:, which
// srcdoc frames inherit) would block them anyway.
import { api } from './api.js';
import { h, say } from './ui.js';

// The messages shown whole stay whole when the conversation is redrawn
// (a new message, a seen mark).
const expanded = new Set();

export function emailBody(m) {
  const trimmed = h('div', { class: 'body' }, m.body);
  const full = (m.full_text || '').trim();
  const hasMore = !!m.html || (full && full !== (m.body || '').trim());
  const atts = attachments(m);
  if (!hasMore) return [trimmed, atts];
  const whole = h('div', { class: 'whole', hidden: true });
  const toggle = h('button', { type: 'button', class: 'link showwhole', 'aria-expanded': 'false' }, 'Show the whole email');
  const set = open => {
    whole.hidden = !open;
    toggle.textContent = open ? 'Show only the new text' : 'Show the whole email';
    toggle.setAttribute('aria-expanded', String(open));
    trimmed.hidden = open;
    if (open && !whole.firstChild) whole.append(m.html ? frame(m) : h('div', { class: 'body' }, full));
    if (open) expanded.add(m.id); else expanded.delete(m.id);
  };
  toggle.addEventListener('click', () => set(whole.hidden));
  if (expanded.has(m.id)) set(true);
  return [trimmed, toggle, whole, atts];
}

// frame shows sanitized HTML sized to its content. allow-same-origin
// and no script permission: nothing in it runs, and the console may measure
// it and swap cid: images for blob: URLs.
function frame(m) {
  const f = h('iframe', { sandbox: 'allow-same-origin', title: 'Email ' + m.id, class: 'mailframe', referrerpolicy: 'no-referrer' });
  f.addEventListener('load', () => {
    const doc = f.contentDocument;
    if (!doc) return;
    for (const img of doc.querySelectorAll('img[src^="cid:" i]')) {
      const cid = img.getAttribute('src').slice(4).replace(/^<|>$/g, '');
      const a = m.attachments.find(x => x.content_id && x.content_id.replace(/^<|>$/g, '') === cid);
      if (a) blobURL(m, a).then(u => { img.src = u; }).catch(() => {});
    }
    const fit = () => { f.style.height = Math.min(20000, doc.documentElement.scrollHeight + 4) + 'px'; };
    fit();
    for (const img of doc.images) img.addEventListener('load', fit);
    if (doc.querySelector('img[data-src]')) f.after(h('p', { class: 'muted' }, 'Remote images in this email are not loaded (they would tell the sender when and where it was read).'));
  });
  f.srcdoc = m.html;
  return f;
}

const blobs = new Map();
async function blobURL(m, a) {
  const key = m.id + '/' + a.id;
  if (!blobs.has(key)) {
    blobs.set(key, api('GET', `/messages/${m.id}/attachments/${a.id}`, undefined, true).then(r => r.blob()).then(b => URL.createObjectURL(b)));
  }
  return blobs.get(key);
}

function attachments(m) {
  const list = (m.attachments || []).filter(a => !a.inline || !m.html);
  if (!list.length) return null;
  return h('div', { class: 'attachments row' }, list.map(a => {
    const isImage = /^image\/(png|jpeg|gif|webp)$/i.test(a.content_type) && a.size < 5 << 20;
    const btn = h('button', { type: 'button', class: 'file', onclick: () => download(m, a) }, `⤓ ${a.filename || 'attachment'} (${a.size} B)`);
    if (!isImage) return btn;
    const img = h('img', { alt: a.filename || 'image', class: 'thumb' });
    blobURL(m, a).then(u => { img.src = u; }).catch(() => { img.remove(); });
    return h('figure', { class: 'image' }, img, h('figcaption', {}, btn));
  }));
}

async function download(m, a) {
  try {
    const url = await blobURL(m, a);
    const link = h('a', { href: url, download: a.filename || 'attachment' });
    document.body.append(link); link.click(); link.remove();
  } catch (err) { say(err.message); }
}
