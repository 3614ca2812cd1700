// The messaging center (admins, SPEC §9): templates with a live preview,
// system emails, automations.
import { api, all } from './api.js';
import { h, main, say, when, errorBox } from './ui.js';
import { drawAutomation, usedByLinks } from './automations.js';

export async function drawMessaging(args) {
  const at = location.hash;
  const [templates, autos] = await Promise.all([all('/templates'), all('/automations')]);
  const system = templates.filter(t => t.kind === 'system');
  const editor = h('div', { id: 'editor' });
  if (location.hash !== at) return; // another page was asked for meanwhile
  main.replaceChildren(h('h1', {}, 'Messaging center'),
    h('h2', {}, 'Templates'),
    h('div', { class: 'row' }, templates.map(t => h('button', { type: 'button', 'data-template': t.name, onclick: () => { location.hash = '#/messaging/' + encodeURIComponent(t.name); } }, t.name))),
    editor,
    h('h2', {}, 'System emails'),
    h('div', { class: 'tablewrap' }, h('table', {}, h('tbody', {}, system.map(t => h('tr', {}, h('td', {}, t.name), h('td', {},
      h('label', { class: t.locked ? 'locked' : '' }, h('input', { type: 'checkbox', checked: t.enabled, disabled: t.locked, 'data-switch': t.name, onchange: async e => {
        try { await api('PUT', '/templates/' + encodeURIComponent(t.name), { enabled: e.target.checked }); say(`${t.name} ${e.target.checked ? 'on' : 'off'}`); }
        catch (err) { e.target.checked = !e.target.checked; say(err.message); }
      } }), t.locked ? ' always on (locked)' : ' enabled'))))))),
    h('h2', { id: 'automations' }, 'Automations'),
    h('div', { class: 'row' }, h('a', { class: 'button', href: '#/messaging/automation/new', id: 'a-new' }, 'New automation')),
    h('div', { class: 'tablewrap' }, h('table', {}, h('thead', {}, h('tr', {}, ['Name', 'When', 'Does', 'Runs', 'Last error', 'On'].map(x => h('th', {}, x)))),
      h('tbody', {}, [...autos].sort((a, b) => (b.locked - a.locked) || (a.id - b.id)).map(a => h('tr', { 'data-automation': a.id },
        h('td', {}, a.locked ? h('span', { class: 'lock' }, 'locked') : null, h('a', { href: '#/messaging/automation/' + a.id }, a.name)), h('td', {}, a.trigger.event, Object.entries(a.trigger.conditions || {}).map(([k, v]) => ` ${k}=${v}`)),
        h('td', {}, a.actions.map((x, i) => [i ? ', ' : '', `${x.type}(`, h('a', { href: '#/messaging/' + encodeURIComponent(x.template), 'data-template-link': x.template }, x.template), `${x.to ? ' → ' + x.to : ''}${x.conversation ? ' → ' + x.conversation : ''})`])),
        h('td', {}, String(a.runs)), h('td', {}, a.last_error ? `${a.last_error} (${when(a.last_error_at)})` : ''),
        h('td', {}, h('input', { type: 'checkbox', 'aria-label': 'enabled', checked: a.enabled, disabled: a.locked, onchange: async e => {
          try { await api('PUT', '/automations/' + a.id, { name: a.name, trigger: a.trigger, actions: a.actions, enabled: e.target.checked }); }
          catch (err) { e.target.checked = !e.target.checked; say(err.message); }
        } }))))))));
  if (args[0] === 'automation' && args[1]) {
    await drawAutomation(editor, args[1] === 'new' ? 'new' : Number(args[1]), templates, () => drawMessaging(location.hash.replace(/^#\/?/, '').split('/').slice(1)));
    return;
  }
  const name = args[0] ? decodeURIComponent(args[0]) : '';
  if (name) await drawTemplate(editor, name, usedByLinks(templates.find(t => t.name === name) || { name }, autos));
}

async function drawTemplate(box, name, links) {
  const t = await api('GET', '/templates/' + encodeURIComponent(name));
  const subject = h('input', { id: 't-subject', value: t.subject, style: undefined });
  const text = h('textarea', { id: 't-text' }); text.value = t.text;
  const html = h('textarea', { id: 't-html' }); html.value = t.html;
  const frame = h('iframe', { sandbox: '', title: 'HTML preview', id: 't-preview-html' });
  const pSubject = h('div', { id: 't-preview-subject', class: 'body' }), pText = h('pre', { id: 't-preview-text', class: 'raw' }), out = h('div');
  let timer = 0;
  const preview = async () => {
    try {
      const r = await api('POST', '/templates/' + encodeURIComponent(name) + '/preview', { subject: subject.value, text: text.value, html: html.value });
      pSubject.textContent = r.subject; pText.textContent = r.text; frame.srcdoc = r.html; out.replaceChildren();
    } catch (err) { out.replaceChildren(errorBox(err)); }
  };
  const later = () => { clearTimeout(timer); timer = setTimeout(preview, 300); };
  [subject, text, html].forEach(x => x.addEventListener('input', later));
  box.replaceChildren(h('div', { class: 'card' }, h('h2', {}, 'Template ', name, t.locked ? ' (locked: cannot be disabled)' : ''), links,
    h('div', { class: 'grid2' },
      h('div', {}, h('label', { for: 't-subject' }, 'Subject'), subject, h('label', { for: 't-text' }, 'Text'), text, h('label', { for: 't-html' }, 'HTML'), html,
        h('p', { class: 'muted' }, 'Variables: ', t.variables.map(v => `{{.${v.name}}}`).join(' ')),
        h('div', { class: 'row' }, h('button', { class: 'primary', type: 'button', id: 't-save', onclick: async () => {
          try { await api('PUT', '/templates/' + encodeURIComponent(name), { subject: subject.value, text: text.value, html: html.value }); say('Saved'); }
          catch (err) { out.replaceChildren(errorBox(err)); }
        } }, 'Save'), t.kind === 'system' ? h('button', { type: 'button', onclick: async () => {
          try { await api('POST', '/templates/' + encodeURIComponent(name) + '/reset'); await drawTemplate(box, name, links); say('Reset to default'); }
          catch (err) { out.replaceChildren(errorBox(err)); }
        } }, 'Reset to default') : null), out),
      h('div', {}, h('h2', {}, 'Preview'), h('label', {}, 'Subject'), pSubject, h('label', {}, 'Text'), pText, h('label', {}, 'HTML'), frame))));
  await preview();
}
