// The caller's own settings (SPEC §4): one-click presets, the fields,
// invitations and the password.
import { api, state } from './api.js';
import { h, main, say, when, errorBox, credentialsEnded } from './ui.js';

const PRESETS = [
  { name: 'Front line', about: 'every customer message, replies to what I follow, internal notes I follow', set: { from_customers: 'all', from_users_and_bot: 'followed', followed_internal: true, email_assignment_changes: true, email_new_members: false } },
  { name: 'My conversations', about: 'the defaults: customers and colleagues in conversations I follow', set: { from_customers: 'mine', from_users_and_bot: 'followed', followed_internal: true, email_assignment_changes: true, email_new_members: false } },
  { name: 'Internal only', about: 'no customer traffic; internal notes I follow and assignment changes', set: { from_customers: 'none', from_users_and_bot: 'none', followed_internal: true, email_assignment_changes: true, email_new_members: false } },
];

export async function drawSettings() {
  const at = location.hash;
  const s = await api('GET', `/users/${state.me.id}/settings`);
  const invitations = await invitationsBox();
  const out = h('div');
  const sel = (id, opts) => h('select', { id, 'data-field': id }, opts.map(o => h('option', { value: o, selected: s[id] === o }, o)));
  const chk = id => h('input', { type: 'checkbox', id, 'data-field': id, checked: s[id] });
  const admin = state.me.role === 'admin';
  const fields = {
    conversation_visibility: sel('conversation_visibility', ['all', 'followed']), show_from_customers: chk('show_from_customers'),
    from_customers: sel('from_customers', ['all', 'mine', 'none']), from_users_and_bot: sel('from_users_and_bot', ['all', 'followed', 'none']),
    followed_internal: chk('followed_internal'), email_assignment_changes: chk('email_assignment_changes'), email_new_members: chk('email_new_members'), accept_all_invitations: chk('accept_all_invitations'),
  };
  if (!admin) { fields.conversation_visibility.disabled = true; fields.show_from_customers.disabled = true; }
  const labels = { conversation_visibility: 'Conversations I can see', show_from_customers: 'Show conversations with customers', from_customers: 'Notify me of customer messages', from_users_and_bot: 'Notify me of colleagues\u2019 and the bot\u2019s messages to customers', followed_internal: 'Notify me of internal messages I follow', email_assignment_changes: 'Email me when assignments change', email_new_members: 'Email me about new members', accept_all_invitations: 'Accept invitations at once' };
  const save = async body => {
    try { await api('PUT', `/users/${state.me.id}/settings`, body); say('Settings saved'); await drawSettings(); }
    catch (err) { out.replaceChildren(errorBox(err)); }
  };
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', {}, 'Settings'),
    h('h2', {}, 'One-click configurations'),
    h('div', { class: 'row', role: 'group', 'aria-label': 'Presets' }, PRESETS.map(p => {
      const on = Object.entries(p.set).every(([k, v]) => s[k] === v);
      return h('button', { type: 'button', 'data-preset': p.name, 'aria-pressed': String(on), title: p.about, onclick: () => save(p.set) }, on ? '✓ ' : '', p.name);
    }), PRESETS.some(p => Object.entries(p.set).every(([k, v]) => s[k] === v)) ? null : h('span', { class: 'muted', id: 'custom-settings' }, 'Your own mix (no preset)')),
    h('ul', { class: 'muted' }, PRESETS.map(p => h('li', {}, h('strong', {}, p.name), ': ', p.about))),
    h('form', { class: 'card', onsubmit: e => {
      e.preventDefault();
      const body = {};
      for (const [k, el] of Object.entries(fields)) { if (el.disabled) continue; body[k] = el.type === 'checkbox' ? el.checked : el.value; }
      save(body);
    } }, Object.entries(fields).map(([k, el]) => h('div', {}, h('label', { for: k }, labels[k], el.disabled ? ' (set by an admin)' : ''), el)),
    h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit' }, 'Save'))), out,
    invitations, passwordBox());
}

// invitationsBox lists the caller's invitations, pending ones with
// Accept and Decline (SPEC §10).
async function invitationsBox() {
  const invs = await api('GET', '/me/invitations').catch(() => []);
  const settle = (inv, how) => async () => {
    try { await api('POST', `/invitations/${inv.id}/${how}`); say('Invitation ' + how + (how === 'accept' ? 'ed' : 'd')); await drawSettings(); }
    catch (err) { say(err.message); }
  };
  return h('section', {}, h('h2', {}, 'Invitations'), invs.length ? h('ul', {}, invs.map(inv => h('li', {},
    `Project ${inv.project_id}${inv.team_id ? ' (team ' + inv.team_id + ')' : ''}: ${inv.status} · ${when(inv.created_at)} `,
    inv.status === 'pending' ? [h('button', { type: 'button', onclick: settle(inv, 'accept') }, 'Accept'), ' ', h('button', { type: 'button', onclick: settle(inv, 'decline') }, 'Decline')] : null)))
    : h('p', { class: 'muted' }, 'No invitations.'));
}

function passwordBox() {
  const cur = h('input', { id: 'pw-current', type: 'password', autocomplete: 'current-password', required: true });
  const next = h('input', { id: 'pw-new', type: 'password', autocomplete: 'new-password', minlength: 8, required: true });
  const out = h('div');
  return h('form', { class: 'card', onsubmit: async e => {
    e.preventDefault();
    try { const r = await api('PUT', '/me/password', { current_password: cur.value, password: next.value }); cur.value = next.value = ''; out.replaceChildren(h('p', { id: 'pw-changed' }, h('strong', {}, 'Password changed.')), ...credentialsEnded(r, true)); }
    catch (err) { out.replaceChildren(errorBox(err)); }
  } }, h('h2', {}, 'Password'), h('label', { for: 'pw-current' }, 'Current password'), cur, h('label', { for: 'pw-new' }, 'New password (at least 8 characters)'), next,
  h('div', { class: 'row' }, h('button', { type: 'submit' }, 'Change password')), out);
}
