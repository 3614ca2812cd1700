// Mailboxes (SPEC §11), users, teams and invitations (SPEC §10): admins.
import { api, all } from './api.js';
import { h, main, say, when, errorBox } from './ui.js';

export async function drawMailboxes() {
  const at = location.hash;
  const boxes = await all('/mailboxes');
  const f = {
    host: h('input', { id: 'm-host', required: true }), port: h('input', { id: 'm-port', type: 'number', min: 1, max: 65535, placeholder: '993' }),
    tls: h('select', { id: 'm-tls' }, ['implicit', 'starttls', 'none'].map(x => h('option', { value: x }, x))),
    username: h('input', { id: 'm-username', required: true, autocomplete: 'off' }), password: h('input', { id: 'm-password', type: 'password', required: true, autocomplete: 'new-password' }),
    folder: h('input', { id: 'm-folder', placeholder: 'INBOX' }), after: h('input', { id: 'm-after', placeholder: 'seen' }),
  };
  const names = { host: 'Host', port: 'Port', tls: 'TLS', username: 'Username', password: 'Password', folder: 'Folder', after: 'After import (seen, move:<folder>, delete)' };
  const out = h('div');
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', {}, 'Mailboxes'), out, h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => drawMailboxes() }, 'Refresh status')),
    h('div', { class: 'tablewrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['Mailbox', 'Folder', 'State', 'Last sync', 'Last error', ''].map(x => h('th', {}, x)))),
      h('tbody', {}, boxes.length ? boxes.map(b => h('tr', { 'data-mailbox': b.id }, h('td', {}, `${b.username} @ ${b.host}:${b.port} (${b.tls})`), h('td', {}, b.folder), h('td', {}, b.status.state),
        h('td', {}, when(b.status.last_sync_at)), h('td', { class: b.status.last_error ? 'error' : '' }, b.status.last_error),
        h('td', {}, h('button', { type: 'button', onclick: async () => {
          if (!confirm(`Disconnect ${b.username} @ ${b.host}? What it imported stays.`)) return;
          try { await api('DELETE', '/mailboxes/' + b.id); await drawMailboxes(); } catch (err) { out.replaceChildren(errorBox(err)); }
        } }, 'Disconnect')))) : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'No mailbox connected.'))))),
    h('form', { class: 'card', onsubmit: async e => {
      e.preventDefault();
      const body = { host: f.host.value, tls: f.tls.value, username: f.username.value, password: f.password.value };
      if (f.port.value) body.port = Number(f.port.value);
      if (f.folder.value) body.folder = f.folder.value;
      if (f.after.value) body.after = f.after.value;
      try { await api('POST', '/mailboxes', body); await drawMailboxes(); say('Mailbox connected'); } catch (err) { out.replaceChildren(errorBox(err)); }
    } }, h('h2', {}, 'Connect an IMAP mailbox'), Object.entries(f).map(([k, el]) => [h('label', { for: el.id }, names[k]), el]),
    h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit' }, 'Connect'))));
}

export async function drawUsers() {
  const at = location.hash;
  const [users, teams] = await Promise.all([all('/users'), all('/teams')]);
  const byID = new Map(users.map(u => [u.id, u]));
  const email = h('input', { id: 'u-email', type: 'email', required: true }), name = h('input', { id: 'u-name' });
  const role = h('select', { id: 'u-role' }, h('option', { value: 'agent' }, 'agent'), h('option', { value: 'admin' }, 'admin'));
  const tname = h('input', { id: 't-name', required: true });
  // Projects by name where the API lists them (GET /projects), else by id.
  const projects = await all('/projects').catch(() => null);
  const invProject = projects ? h('select', { id: 'i-project', required: true }, h('option', { value: '' }, 'Choose a project'), projects.map(p => h('option', { value: String(p.id) }, p.name)))
    : h('input', { id: 'i-project', type: 'number', min: 1, required: true, placeholder: 'project id' });
  const invUser = h('select', { id: 'i-user' }, h('option', { value: '' }, 'Choose a person'), users.map(u => h('option', { value: String(u.id) }, u.name ? `${u.name} <${u.email}>` : u.email)));
  const invTeam = h('select', { id: 'i-team' }, h('option', { value: '' }, 'or a team'), teams.map(t => h('option', { value: String(t.id) }, t.name)));
  const out = h('div');
  const act = f => async e => { e.preventDefault(); try { await f(); await drawUsers(); say('Done'); } catch (err) { out.replaceChildren(errorBox(err)); } };
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', {}, 'Users'), out,
    h('div', { class: 'tablewrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['Id', 'Name', 'Email', 'Role', 'Since'].map(x => h('th', {}, x)))),
      h('tbody', {}, users.map(u => h('tr', {}, h('td', {}, String(u.id)), h('td', {}, u.name), h('td', {}, u.email), h('td', {}, u.role), h('td', {}, when(u.created_at))))))),
    h('form', { class: 'row', onsubmit: act(() => api('POST', '/users', { email: email.value, name: name.value, role: role.value })) },
      h('label', { for: 'u-email' }, 'Email'), email, h('label', { for: 'u-name' }, 'Name'), name, h('label', { for: 'u-role' }, 'Role'), role, h('button', { type: 'submit' }, 'Add user')),
    h('h2', {}, 'Teams'),
    h('ul', {}, teams.map(t => h('li', {}, h('strong', {}, t.name), ' — ', t.user_ids.map(id => (byID.get(id) || { email: '#' + id }).email).join(', ') || 'no members'))),
    h('form', { class: 'row', onsubmit: act(() => api('POST', '/teams', { name: tname.value })) }, h('label', { for: 't-name' }, 'Team name'), tname, h('button', { type: 'submit' }, 'Add team')),
    h('h2', {}, 'Invitations'),
    h('form', { class: 'row', onsubmit: act(() => {
      if (!invTeam.value && !invUser.value) throw new Error('Choose a person or a team to invite.');
      return api('POST', `/projects/${invProject.value}/invitations`, invTeam.value ? { team_id: Number(invTeam.value) } : { user_id: Number(invUser.value) });
    }) },
      h('label', { for: 'i-project' }, 'Project'), invProject, h('label', { for: 'i-user' }, 'Person'), invUser, h('label', { for: 'i-team' }, 'Team'), invTeam, h('button', { type: 'submit' }, 'Invite')));
}
