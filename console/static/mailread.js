// A logged email shown readably (mail log): its headers and text decoded
// by the API (GET /maillog/{id}/text: RFC 2047, quoted-printable, base64,
// charsets), with its web links clickable. The text reaches the page only
// as text nodes; a link is an <a> built with h() whose href is an http(s)
// URL found in the text, opened in a new tab without opener or referrer.
import { api } from './api.js';
import { h, when } from './ui.js';

// URLs as they appear in plain text; a trailing sentence mark or closing
// bracket is left out of the link.
const URL_RE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAIL = /[.,;:!?)\]}'"]+$/;

// linkify turns text into text nodes and links (http and https only).
export function linkify(text) {
  const out = [];
  let at = 0;
  for (const m of text.matchAll(URL_RE)) {
    const url = m[0].replace(TRAIL, '');
    let href;
    try { href = new URL(url); } catch { continue; }
    if (href.protocol !== 'http:' && href.protocol !== 'https:') continue;
    if (m.index > at) out.push(text.slice(at, m.index));
    out.push(h('a', { href: href.href, target: '_blank', rel: 'noopener noreferrer', class: 'maillink' }, url));
    at = m.index + url.length;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}

// readable answers the decoded view of mail log entry id as a section.
export async function readable(id) {
  const m = await api('GET', `/maillog/${id}/text`);
  const row = (name, v) => (v && v.length ? [h('dt', {}, name), h('dd', {}, Array.isArray(v) ? v.join(', ') : v)] : null);
  return h('section', { class: 'card mailread', 'data-read': id },
    h('dl', { class: 'mailhead' }, row('From', m.from), row('To', m.to), row('Cc', m.cc), row('Subject', m.subject || '(no subject)'),
      row('Date', m.date ? when(m.date) : ''), row('Message-ID', m.message_id)),
    h('pre', { class: 'mailtext' }, linkify(m.text || '')),
    m.has_html ? h('p', { class: 'muted' }, 'The email has an HTML version too; the text version is shown. Raw shows the whole message.') : null,
    m.attachments.length ? h('p', { class: 'muted' }, 'Attachments: ', m.attachments.map(a => `${a.filename} (${a.content_type}, ${a.size} bytes)`).join(', ')) : null,
    m.problems.length ? h('p', { class: 'muted' }, 'Decoding problems: ', m.problems.join('; ')) : null);
}
