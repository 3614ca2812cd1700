// The mail log page (admins, SPEC §6): Inbound and Outbound tabs, filters,
// an email shown readably (mailread.js) or raw.
import { api, page } from './api.js';
import { h, main, say, when, errorBox } from './ui.js';
import { readable } from './mailread.js';

export async function drawMailLog(args) {
  const at = location.hash;
  const dir = args[0] === 'outbound' ? 'outbound' : 'inbound';
  const addr = h('input', { id: 'f-addr', type: 'search', placeholder: 'address contains' });
  const statuses = dir === 'inbound' ? ['threaded', 'created', 'suppressed', 'bounce', 'rejected'] : ['queued', 'sent', 'deferred', 'bounced', 'cancelled', 'captured'];
  const status = h('select', { id: 'f-status' }, h('option', { value: '' }, 'any status'), statuses.map(s => h('option', { value: s }, s)));
  const tbody = h('tbody');
  const view = h('div', { id: 'raw' });
  // The whole retention window, 500 entries a page, following the Link
  // header of the last page read (SPEC §14).
  const first = await page(`/maillog?direction=${dir}&limit=500`);
  const entries = first.items;
  let next = first.next;
  const more = h('button', { type: 'button', id: 'more', onclick: async () => {
    more.disabled = true;
    try {
      const p = await page(next);
      entries.push(...p.items); next = p.next; draw();
    } catch (err) { say(err.message); }
    more.disabled = false; more.hidden = !next;
  } }, 'Load more (older mail)');
  more.hidden = !next;
  const show = async (title, make) => {
    try { view.replaceChildren(h('h2', {}, title), await make()); view.scrollIntoView(); } catch (err) { view.replaceChildren(errorBox(err)); }
  };
  const draw = () => {
    const a = addr.value.toLowerCase();
    tbody.replaceChildren(...entries.filter(e => (!a || (e.from + ' ' + e.to).toLowerCase().includes(a)) && (!status.value || e.status === status.value)).map(e =>
      h('tr', { 'data-entry': e.id },
        h('td', {}, when(e.at)), h('td', {}, e.from), h('td', {}, e.to), h('td', {}, e.subject),
        h('td', { class: 'status-' + e.status }, e.status), h('td', {}, e.detail, e.class ? h('div', { class: 'muted' }, 'class: ' + e.class) : null,
          e.auth ? h('div', { class: 'muted' }, `spf ${e.auth.spf} · dkim ${e.auth.dkim} · dmarc ${e.auth.dmarc}`) : null),
        h('td', {}, e.conversation_id ? h('a', { href: `#/messenger/${e.conversation_id}` }, 'conversation ' + e.conversation_id) : ''),
        h('td', { class: 'actions' }, e.size ? [
          h('button', { type: 'button', class: 'readbtn', onclick: () => show(`Email ${e.id}`, () => readable(e.id)) }, 'Read'), ' ',
          h('button', { type: 'button', class: 'rawbtn', onclick: () => show(`Raw mail ${e.id}`, async () => {
            const res = await api('GET', `/maillog/${e.id}/raw`, undefined, true);
            return h('pre', { class: 'raw' }, await res.text());
          }) }, 'Raw')] : ''))));
    if (!tbody.children.length) tbody.append(h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'No mail.')));
  };
  addr.addEventListener('input', draw); status.addEventListener('change', draw);
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', {}, 'Mail log'),
    h('div', { class: 'tabs', role: 'tablist' }, ['inbound', 'outbound'].map(d => h('button', { role: 'tab', 'aria-selected': String(d === dir), onclick: () => { location.hash = '#/maillog/' + d; } }, d === 'inbound' ? 'Inbound' : 'Outbound'))),
    h('div', { class: 'row' }, h('label', { for: 'f-addr' }, 'Address'), addr, h('label', { for: 'f-status' }, 'Status'), status),
    h('div', { class: 'tablewrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['When', 'From', 'To', 'Subject', 'Status', 'Detail', 'Triggered', ''].map(t => h('th', {}, t)))), tbody)),
    h('div', { class: 'row' }, more), view);
  draw();
}
