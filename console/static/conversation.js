// The open conversation: header actions (assign, close/reopen,
// follow/unfollow), the customer beside it, one timeline of the item's
// external messages and internal notes (notes visibly marked: customers
// never get them), and the composer (reply or note, attachments by
// picking or dropping, Ctrl+Enter sends).
import { all, api, people, state } from './api.js';
import { h, say, when, ago, errorBox } from './ui.js';
import { refreshUnseen } from './events.js';
import { drawConversationList, assigneeNames, who } from './messenger.js';
import { emailBody } from './email.js';

let timeline = [];
// openTimeline lists the conversations shown in the open timeline.
export function openTimeline() { return timeline; }

// Drafts and the files picked for them survive redraws (a new message
// comes in while typing).
const drafts = new Map();
const pendingFiles = new Map();

export async function drawConversation(id) {
  const box = document.getElementById('conv');
  if (!box) return;
  let conv;
  try { conv = await api('GET', `/conversations/${id}`); } catch (err) {
    box.replaceChildren(h('div', { class: 'card', id: 'conv-error' }, h('h2', {}, 'Conversation ' + id),
      errorBox(err.status === 404 ? new Error('There is no conversation ' + id + ', or you may not see it.') : err),
      h('p', {}, h('a', { href: '#/messenger' }, 'Back to the list'))));
    return;
  }
  if (state.openConv !== id) return;
  // The item's other conversations join the timeline (an agent's note
  // about a customer's question stays beside it).
  const siblings = await all(`/conversations?tab=all&status=&item_id=${conv.item_id}`).catch(() => []);
  const convs = [conv, ...siblings.filter(c => c.id !== conv.id)];
  const external = convs.find(c => c.kind === 'external');
  const internal = convs.find(c => c.kind === 'internal');
  timeline = convs.map(c => c.id);
  const [staff, lists] = await Promise.all([people(), Promise.all(convs.map(c => all(`/conversations/${c.id}/messages`).catch(() => [])))]);
  const msgs = lists.flat().sort((a, b) => (a.created_at < b.created_at ? -1 : a.created_at > b.created_at ? 1 : a.id - b.id));
  const dels = await Promise.all(msgs.map(m => api('GET', `/messages/${m.id}/deliveries`).catch(() => [])));
  if (state.openConv !== id) return;
  const newestUnseen = new Map();
  const list = h('div', { id: 'messages' });
  msgs.forEach((m, i) => {
    const mine = dels[i].find(d => d.recipient.type === 'user' && d.recipient.id === state.me.id);
    if (mine && !mine.seen_at) newestUnseen.set(m.conversation_id, m.id);
    list.append(messageCard(m, dels[i]));
  });
  if (!msgs.length) list.append(h('p', { class: 'muted' }, 'No messages yet.'));

  const old = document.getElementById('reply');
  const typing = old && document.activeElement === old && Number(old.dataset.conv) === id;
  if (old) drafts.set(Number(old.dataset.conv), old.value);
  box.replaceChildren(header(conv, staff), h('div', { class: 'convbody' },
    h('div', { class: 'thread' }, list, composer(id, conv, external, internal)), await customerCard(conv)));
  if (typing) document.getElementById('reply').focus();
  if (newestUnseen.size && document.visibilityState === 'visible') {
    // Seeing the newest unseen message sees every earlier one (SPEC §4).
    // A hidden tab sees nothing: the email fallback must still go out.
    for (const mid of newestUnseen.values()) await api('POST', `/messages/${mid}/seen`).catch(() => {});
    await refreshUnseen().catch(() => {});
    await drawConversation(id);
  }
}

function header(conv, staff) {
  const assigned = conv.assignees || [];
  const following = (conv.followers || []).includes(state.me.id);
  const closed = conv.status === 'closed';
  const act = f => async () => {
    try { await f(); await drawConversation(conv.id); await drawConversationList(); } catch (err) { say(err.message); }
  };
  const pick = h('select', { id: 'assign', 'aria-label': 'Assign to' }, h('option', { value: '' }, 'Assign to…'),
    h('option', { value: 'none' }, 'Nobody'),
    [...staff.values()].map(u => h('option', { value: String(u.id) }, (u.id === state.me.id ? 'Me — ' : '') + (u.name || u.email))));
  pick.addEventListener('change', act(async () => {
    const v = pick.value;
    if (!v) return;
    await api('PUT', `/items/${conv.item_id}/assignees`, { user_ids: v === 'none' ? [] : [Number(v)] });
    say(v === 'none' ? 'Unassigned' : 'Assigned');
  }));
  return h('header', { class: 'convhead' },
    h('div', { class: 'title' }, h('a', { href: '#/messenger', class: 'back' }, '‹ List'),
      h('h2', {}, conv.subject || '(no subject)'),
      h('span', { class: 'pill status-' + (conv.status || 'open'), id: 'conv-status' }, conv.status || 'open')),
    h('div', { class: 'muted' }, who(conv), ' · ', h('span', { id: 'conv-assignees' }, assigneeNames(conv, staff)), ' · ', conv.item_title || ''),
    h('div', { class: 'actions row' },
      assigned.includes(state.me.id) ? null : h('button', { type: 'button', id: 'assign-me', onclick: act(async () => {
        await api('PUT', `/items/${conv.item_id}/assignees`, { user_ids: [...assigned, state.me.id] }); say('Assigned to you');
      }) }, 'Assign to me'),
      pick,
      h('button', { type: 'button', id: closed ? 'reopen' : 'close', onclick: act(async () => {
        await api('PUT', `/items/${conv.item_id}`, { status: closed ? 'open' : 'closed' }); say(closed ? 'Reopened' : 'Closed');
      }) }, closed ? 'Reopen' : 'Close'),
      h('button', { type: 'button', id: 'follow', 'aria-pressed': String(following), onclick: act(async () => {
        if (following) await api('DELETE', `/conversations/${conv.id}/followers/${state.me.id}`);
        else await api('POST', `/conversations/${conv.id}/followers`, { user_id: state.me.id });
        say(following ? 'Unfollowed' : 'Following');
      }) }, following ? 'Unfollow' : 'Follow')));
}

// customerCard shows who the customer is and their other conversations.
async function customerCard(conv) {
  const cs = conv.customers || [];
  if (conv.kind !== 'external' || !cs.length) return h('aside', { class: 'customer card', hidden: conv.kind !== 'external' }, h('p', { class: 'muted' }, 'No customer on this conversation.'));
  const other = await Promise.all(cs.map(c => all(`/conversations?tab=from_customers&status=&customer_id=${c.id}`).catch(() => [])));
  return h('aside', { class: 'customer card', id: 'customer', 'aria-label': 'Customer' }, cs.map((c, i) => h('section', {},
    h('h3', {}, c.name || c.email), h('div', {}, h('a', { href: 'mailto:' + c.email }, c.email)),
    h('div', { class: 'muted' }, 'Customer since ', when(c.created_at)),
    h('h4', {}, 'Other conversations'),
    other[i].filter(o => o.id !== conv.id).length ? h('ul', { class: 'other' }, other[i].filter(o => o.id !== conv.id).slice(0, 10).map(o =>
      h('li', {}, h('a', { href: '#/messenger/' + o.id }, o.subject || '(no subject)'), ' ', h('span', { class: 'muted' }, (o.status || '') + ' · ' + ago(o.last_message_at || o.created_at)))))
      : h('p', { class: 'muted' }, 'None.'))));
}

function messageCard(m, dels) {
  const author = m.author.type === 'bot' ? 'Bot' : (m.author.name || m.author.email);
  return h('article', { class: 'msg ' + m.kind, 'data-message': m.id, 'data-conversation': m.conversation_id },
    h('div', { class: 'meta' }, h('span', { class: 'kind ' + m.kind }, m.kind === 'internal' ? 'internal note · staff only' : 'external · customer sees it'),
      h('strong', { title: m.author.email || '' }, author), h('time', { datetime: m.created_at, title: when(m.created_at) }, ago(m.created_at)), h('span', {}, 'via ' + m.source),
      m.unverified ? h('span', { class: 'unverified', title: 'The sender is not proven (DMARC or reply token)' }, 'unverified sender') : null),
    emailBody(m),
    h('div', { class: 'deliveries', 'aria-label': 'Deliveries' }, dels.map(deliveryChip)));
}

function deliveryChip(d) {
  const who = d.recipient.name || d.recipient.email;
  let st = 'notified', icon = '○', text = 'not seen yet';
  if (d.seen_at) { st = 'seen'; icon = '✓✓'; text = 'seen ' + when(d.seen_at); }
  if (d.email_status === 'bounced') { st = 'bounced'; icon = '⚠'; text = 'email bounced' + (d.detail ? ': ' + d.detail : ''); }
  else if (d.email_status === 'sent') { if (!d.seen_at) st = 'emailed'; icon = (d.seen_at ? '✓✓ ' : '') + '✉'; text = (d.seen_at ? text + ', ' : '') + 'emailed ' + when(d.emailed_at); }
  else if (['pending', 'queued', 'deferred'].includes(d.email_status) && !d.seen_at) { text += ', email ' + d.email_status; }
  return h('span', { class: 'delivery', 'data-state': st, 'data-recipient': `${d.recipient.type}:${d.recipient.id}`, title: `${who}: ${text}` }, `${icon} ${who}`, h('span', { class: 'muted' }, ` (${text})`));
}

// composer writes to the customer (the external conversation) or a note
// to colleagues (the item's internal conversation, made on first use).
function composer(id, conv, external, internal) {
  let mode = state.mode?.[id] || (conv.kind === 'internal' ? 'note' : 'reply');
  if (!external) mode = 'note';
  if (!pendingFiles.has(id)) pendingFiles.set(id, []);
  const files = pendingFiles.get(id);
  const text = h('textarea', { id: 'reply', 'aria-label': 'Message', 'data-conv': id });
  text.value = drafts.get(id) || '';
  const chips = h('div', { class: 'files', id: 'files' });
  const picker = h('input', { type: 'file', id: 'attach', multiple: true, class: 'sr-only' });
  const send = h('button', { class: 'primary', type: 'submit', id: 'send' });
  const tabs = h('div', { class: 'tabs compose', role: 'tablist', 'aria-label': 'Write' });
  const form = h('form', { class: 'composer', id: 'composer' }, tabs, text, chips,
    h('div', { class: 'row' }, send, h('label', { for: 'attach', class: 'button' }, 'Attach files'), picker,
      h('span', { class: 'muted' }, 'Ctrl+Enter sends · drop files here')));
  const show = () => {
    form.classList.toggle('note', mode === 'note');
    text.placeholder = mode === 'note' ? 'Internal note: only staff see it' : 'Reply: the customer gets it by email';
    send.textContent = mode === 'note' ? 'Add internal note' : 'Send reply';
    tabs.replaceChildren(...[external ? ['reply', 'Reply to customer'] : null, ['note', 'Internal note']].filter(Boolean).map(([m, n]) =>
      h('button', { type: 'button', role: 'tab', 'data-mode': m, 'aria-selected': String(mode === m), onclick: () => { mode = m; state.mode = { ...state.mode, [id]: m }; show(); text.focus(); } }, n)));
    chips.replaceChildren(...files.map((f, i) => h('span', { class: 'chip' }, `${f.name} (${size(f.size)}) `,
      h('button', { type: 'button', 'aria-label': 'Remove ' + f.name, onclick: () => { files.splice(i, 1); show(); } }, '×'))));
  };
  const add = list => { for (const f of list) files.push(f); show(); };
  picker.addEventListener('change', () => { add(picker.files); picker.value = ''; });
  form.addEventListener('dragover', e => { e.preventDefault(); form.classList.add('drop'); });
  form.addEventListener('dragleave', () => form.classList.remove('drop'));
  form.addEventListener('drop', e => { e.preventDefault(); form.classList.remove('drop'); add(e.dataTransfer.files); });
  text.addEventListener('keydown', e => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); } });
  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (!text.value.trim()) { text.focus(); return; }
    send.disabled = true;
    try {
      let target = mode === 'note' ? internal : external;
      if (!target) target = await api('POST', '/conversations', { item_id: conv.item_id, kind: 'internal', subject: conv.subject || 'Notes' });
      const body = { body: text.value };
      if (files.length) body.attachments = await Promise.all(files.map(encode));
      await api('POST', `/conversations/${target.id}/messages`, body);
      text.value = ''; drafts.delete(id); files.length = 0;
      say(mode === 'note' ? 'Note added' : 'Reply sent');
      await drawConversation(id); await drawConversationList();
    } catch (err) { say(err.message); send.disabled = false; }
  });
  show();
  return form;
}

function size(n) { return n < 1024 ? n + ' B' : n < 1048576 ? Math.round(n / 1024) + ' KB' : (n / 1048576).toFixed(1) + ' MB'; }

// encode reads a File as the attachment of POST …/messages (base64).
function encode(f) {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve({ filename: f.name, content_type: f.type || 'application/octet-stream', content: String(r.result).replace(/^data:[^,]*,/, '') });
    r.onerror = () => reject(r.error);
    r.readAsDataURL(f);
  });
}
