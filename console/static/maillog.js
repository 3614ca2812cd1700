// The mail log page (admins, SPEC §6): Inbound and Outbound tabs, filters,
// the raw view.
import { api } from './api.js';
import { h, main, say, when, errorBox } from './ui.js';

export async function drawMailLog(args) {
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
