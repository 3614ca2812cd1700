// The messenger (SPEC §13): the conversation list (tabs, status and
// assignee filters, search, live), and the open conversation with its
// item's internal notes in one timeline.
import { api, page, people, state } from './api.js';
import { h, main, say, ago, when, errorBox } from './ui.js';
import { onLive, refreshUnseen } from './events.js';
import { drawConversation, openTimeline } from './conversation.js';

const TAB_NAMES = { all: 'All', from_customers: 'From customers', internal: 'Internal' };
// The filters live across redraws (and reloads of the tab).
const filters = JSON.parse(sessionStorage.getItem('dg_filters') || '{}');
function keep() { sessionStorage.setItem('dg_filters', JSON.stringify(filters)); }

export async function drawMessenger(args) {
  const at = location.hash;
  const [settings, staff] = await Promise.all([api('GET', `/users/${state.me.id}/settings`), people()]);
  const tabs = ['all', ...(settings.show_from_customers ? ['from_customers'] : []), 'internal'];
  if (!tabs.includes(filters.tab)) filters.tab = 'all';
  state.openConv = Number(args[0]) || 0;
  const tabbar = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'Conversations' }, tabs.map(t => h('button', {
    type: 'button', role: 'tab', 'aria-selected': String(filters.tab === t), 'data-tab': t,
    onclick: () => { filters.tab = t; keep(); list.pages = 1; drawMessenger(args); },
  }, TAB_NAMES[t])));
  const status = h('select', { id: 'f-conv-status', 'aria-label': 'Status' },
    [['open', 'Open'], ['closed', 'Closed'], ['', 'Any status']].map(([v, n]) => h('option', { value: v, selected: (filters.status ?? 'open') === v }, n)));
  const assignee = h('select', { id: 'f-assignee', 'aria-label': 'Assignee' },
    h('option', { value: '' }, 'Anyone'), h('option', { value: 'me', selected: filters.assignee === 'me' }, 'Assigned to me'),
    h('option', { value: 'none', selected: filters.assignee === 'none' }, 'Unassigned'),
    [...staff.values()].filter(u => u.id !== state.me.id).map(u => h('option', { value: String(u.id), selected: filters.assignee === String(u.id) }, u.name || u.email)));
  const search = h('input', { id: 'search', type: 'search', placeholder: 'Search subjects, messages, addresses', 'aria-label': 'Search conversations', value: filters.q || '' });
  let timer = 0;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { filters.q = search.value.trim(); keep(); resetList(); }, 250); });
  status.addEventListener('change', () => { filters.status = status.value; keep(); resetList(); });
  assignee.addEventListener('change', () => { filters.assignee = assignee.value; keep(); resetList(); });
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', { class: 'sr-only' }, 'Messenger'),
    h('div', { class: 'messenger' + (state.openConv ? ' has-open' : '') },
      h('section', { class: 'listpane', 'aria-label': 'Conversation list' }, tabbar,
        h('div', { class: 'filters' }, search, status, assignee,
          h('a', { href: '#/messenger/new', class: 'button', id: 'new-conv' }, 'New conversation')),
        h('ul', { class: 'convs', id: 'convs', 'aria-live': 'polite' })),
      h('section', { id: 'conv', 'aria-label': 'Conversation' }, state.openConv || args[0] === 'new' ? '' : h('p', { class: 'muted' }, 'Pick a conversation.'))));
  await refreshUnseen().catch(() => {});
  await drawConversationList();
  if (args[0] === 'new') await drawNewConversation();
  else if (state.openConv) await drawConversation(state.openConv);
}

// listQuery is the GET /conversations query of the filters.
function listQuery() {
  const p = new URLSearchParams({ tab: filters.tab || 'all' });
  if (filters.status ?? 'open') p.set('status', filters.status ?? 'open');
  if (filters.assignee) p.set('assignee', filters.assignee);
  if (filters.q) p.set('q', filters.q);
  return p.toString();
}

// The list is paged (SPEC §14: 100 a page, a Link header to the next).
// list.pages is how many pages are shown: "Load more" follows the Link of
// the last one, and a redraw (live, filters kept) reloads the first page
// and follows Link as far as was loaded before, so what was loaded beyond
// the first page stays, fresh and in order. A filter or tab change starts
// again at one page.
const list = { pages: 1, next: '', convs: [] };
export function resetList() { list.pages = 1; return drawConversationList(); }

// drawConversationList redraws the list wherever it is shown; an answer
// that comes back after a newer request started is dropped.
let listSeq = 0;
export async function drawConversationList() {
  const ul = document.getElementById('convs');
  if (!ul) return;
  const seq = ++listSeq;
  const convs = [];
  let next = '/conversations?' + listQuery(), pages = 0;
  try {
    while (next && pages < list.pages) {
      const p = await page(next);
      if (seq !== listSeq) return;
      convs.push(...p.items); next = p.next; pages++;
    }
  } catch (err) { if (seq === listSeq) ul.replaceChildren(h('li', { class: 'empty' }, errorBox(err))); return; }
  if (seq !== listSeq || !document.body.contains(ul)) return;
  list.pages = Math.max(1, pages); list.next = next; list.convs = dedupe(convs);
  await showList(ul);
}

// loadMore shows the next page below what is shown.
async function loadMore() {
  const ul = document.getElementById('convs');
  if (!ul || !list.next) return;
  const seq = ++listSeq;
  let p;
  try { p = await page(list.next); } catch (err) { say(err.message); await showList(ul); return; }
  if (seq !== listSeq || !document.body.contains(ul)) return;
  list.pages++; list.next = p.next; list.convs = dedupe([...list.convs, ...p.items]);
  await showList(ul);
}

// dedupe keeps the first of a conversation that moved between pages
// while they were read.
function dedupe(convs) {
  const seen = new Set();
  return convs.filter(c => !seen.has(c.id) && seen.add(c.id));
}

async function showList(ul) {
  const staff = await people();
  const convs = list.convs;
  state.rows = new Map(convs.map(c => [c.id, c]));
  ul.replaceChildren(...convs.map(c => row(c, staff)));
  if (!convs.length) ul.append(h('li', { class: 'empty' }, emptyText()));
  if (list.next) {
    ul.append(h('li', { class: 'more' }, h('button', { type: 'button', id: 'more-convs', onclick: e => { e.target.disabled = true; loadMore(); } },
      `Load more (${convs.length} shown)`)));
  }
}

function emptyText() {
  if (filters.q) return [h('strong', {}, 'Nothing found for “' + filters.q + '”.'), ' Search looks at subjects, message text and customer addresses; try one word.'];
  if (filters.status === 'closed') return 'No closed conversations.';
  if (filters.assignee || (filters.status ?? 'open') !== 'open' || filters.tab !== 'all') {
    return [h('strong', {}, 'No conversations here.'), ' Try Any status, Anyone or the All tab.'];
  }
  return [h('strong', {}, 'No open conversations.'), ' When a customer writes to ', h('code', {}, state.supportAddress || 'support@<your domain>'),
    ', the email starts a conversation here. Or start one yourself with New conversation.'];
}

// who names the other side of a conversation: its customers, or the
// staff for an internal one.
export function who(c) {
  if (c.kind === 'internal') return 'Internal · staff';
  const cs = c.customers || [];
  if (!cs.length) return 'No customer';
  const first = cs[0].name || cs[0].email;
  return cs.length > 1 ? `${first} +${cs.length - 1}` : first;
}

export function assigneeNames(c, staff) {
  const ids = c.assignees || [];
  if (!ids.length) return 'Unassigned';
  return ids.map((id, i) => (id === state.me.id ? 'me' : (staff.get(id)?.name || (c.assignee_names || [])[i] || 'user ' + id))).join(', ');
}

function row(c, staff) {
  const n = state.unseen.get(c.id) || 0;
  const last = c.last_message;
  const by = last ? (last.author.type === 'bot' ? 'Bot' : (last.author.type === 'user' && last.author.id === state.me.id ? 'You' : (last.author.name || last.author.email || last.author.type))) : '';
  return h('li', { class: n ? 'unread' : '' }, h('a', { href: `#/messenger/${c.id}`, 'aria-current': String(state.openConv === c.id), 'data-conv': c.id },
    h('div', { class: 'line' }, h('span', { class: 'who' }, h('span', { class: 'kind ' + c.kind, title: c.kind }, c.kind === 'internal' ? 'int' : 'ext'), ' ', who(c)),
      h('time', { datetime: c.last_message_at || c.created_at, title: when(c.last_message_at || c.created_at) }, ago(c.last_message_at || c.created_at))),
    h('div', { class: 'subject' }, c.subject || '(no subject)'),
    last ? h('div', { class: 'snippet' }, by + ': ' + last.snippet) : h('div', { class: 'snippet muted' }, 'No messages yet'),
    h('div', { class: 'line' }, h('span', { class: 'tags' }, c.status ? h('span', { class: 'pill status-' + c.status, 'data-status': c.status }, c.status) : null,
      ' ', h('span', { class: 'assignee', 'data-assignees': (c.assignees || []).join(',') }, assigneeNames(c, staff))),
    h('span', { class: 'badge' + (n ? ' unseen' : ''), 'data-unseen-for': c.id, 'aria-label': 'unseen messages' }, String(n)))));
}

// The list is live wherever it is shown (on / with no hash too): every
// notification redraws it, and the open conversation when it is concerned.
onLive(async n => {
  await drawConversationList();
  if (state.openConv && document.getElementById('conv') && openTimeline().includes(n.conversation_id)) await drawConversation(state.openConv);
});

// Activity the caller is not notified of (their settings) sends no event:
// while the list is on screen and the tab visible, it is redrawn every
// 30 s as well.
setInterval(() => {
  if (document.visibilityState === 'visible' && document.getElementById('convs') && !document.activeElement?.matches?.('#search')) drawConversationList().catch(() => {});
}, 30000);

// revisit redraws what a hidden tab may have missed.
export function revisit() {
  drawConversationList().catch(() => {});
  if (state.openConv) drawConversation(state.openConv).catch(() => {});
}

// drawNewConversation starts an external conversation with a customer
// (POST /conversations/start).
async function drawNewConversation() {
  const box = document.getElementById('conv');
  const email = h('input', { id: 'nc-email', type: 'email', required: true, autocomplete: 'off' });
  const name = h('input', { id: 'nc-name', autocomplete: 'off' });
  const subject = h('input', { id: 'nc-subject', required: true });
  const body = h('textarea', { id: 'nc-body', required: true });
  const out = h('div');
  const send = async e => {
    e.preventDefault();
    try {
      const c = await api('POST', '/conversations/start', { customer_email: email.value, customer_name: name.value, subject: subject.value, body: body.value });
      say('Conversation started'); location.hash = '#/messenger/' + c.id;
    } catch (err) { out.replaceChildren(errorBox(err)); }
  };
  body.addEventListener('keydown', e => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) send(e); });
  box.replaceChildren(h('form', { class: 'card', id: 'new-conversation', onsubmit: send }, h('h2', {}, 'New conversation with a customer'),
    h('p', { class: 'muted' }, 'The customer gets your message by email, and their replies come back here.'),
    h('label', { for: 'nc-email' }, 'Customer email'), email, h('label', { for: 'nc-name' }, 'Customer name (optional)'), name,
    h('label', { for: 'nc-subject' }, 'Subject'), subject, h('label', { for: 'nc-body' }, 'Message'), body,
    h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit' }, 'Start conversation'), h('span', { class: 'muted' }, 'Ctrl+Enter sends')), out));
  email.focus();
}
