// Automations in the messaging center (SPEC §9): which automations use a
// template (the template's used_by when GET /templates gives it, else
// worked out from the automations), and an editor for an automation's
// trigger, conditions and actions (PATCH /automations/{id}, with PUT as
// the fallback of an API without PATCH; POST /automations for a new one).
import { api, APIError } from './api.js';
import { h, say, errorBox } from './ui.js';

// The events and their conditions (SPEC §9).
export const EVENTS = {
  'item.created': [], 'item.status_changed': ['to', 'from'], 'item.assignees_changed': [],
  'conversation.created': ['kind'], 'message.created': ['author_type', 'kind'],
};
const TARGETS = ['followers', 'assignees', 'customers'];

// usedBy lists the automations ({id, name}) that use template t.
export function usedBy(t, autos) {
  if (Array.isArray(t.used_by)) {
    return t.used_by.map(u => (typeof u === 'object' ? u : autos.find(a => a.id === u) || { id: u, name: 'automation ' + u }));
  }
  return autos.filter(a => (a.actions || []).some(x => x.template === t.name) || (a.id === 1 && t.name === 'notification'));
}

export function usedByLinks(t, autos) {
  const users = usedBy(t, autos);
  return h('p', { class: 'muted', id: 't-used-by' }, 'Used by: ', users.length
    ? users.map((a, i) => [i ? ', ' : '', h('a', { href: '#/messaging/automation/' + a.id, 'data-automation-link': a.id }, a.name)])
    : 'no automation');
}

// drawAutomation fills box with the editor of automation id ('new': a new one).
export async function drawAutomation(box, id, templates, redraw) {
  const isNew = id === 'new';
  const a = isNew ? { name: '', trigger: { event: 'item.status_changed', conditions: { to: 'closed' } }, actions: [{ type: 'send_email', template: '', to: 'customers' }], enabled: true, locked: false }
    : await api('GET', '/automations/' + id);
  const out = h('div');
  const name = h('input', { id: 'a-name', value: a.name, required: true });
  const event = h('select', { id: 'a-event' }, Object.keys(EVENTS).map(e => h('option', { value: e, selected: a.trigger.event === e }, e)));
  const conds = h('div', { id: 'a-conditions' });
  const condInputs = {};
  const drawConds = () => {
    const keys = EVENTS[event.value] || [];
    conds.replaceChildren(...keys.map(k => {
      condInputs[k] = condInputs[k] || h('input', { id: 'a-cond-' + k, value: (a.trigger.conditions || {})[k] || '', placeholder: 'any' });
      return h('div', { class: 'row' }, h('label', { for: 'a-cond-' + k }, k), condInputs[k]);
    }));
    if (!keys.length) conds.append(h('p', { class: 'muted' }, 'This event has no conditions.'));
  };
  event.addEventListener('change', drawConds);
  const actions = (a.actions || []).map(x => ({ ...x }));
  const list = h('div', { id: 'a-actions' });
  const drawActions = () => {
    list.replaceChildren(...actions.map((x, i) => {
      const type = h('select', { 'aria-label': 'Action', 'data-field': 'type' }, ['send_email', 'post_message'].map(t => h('option', { value: t, selected: x.type === t }, t === 'send_email' ? 'Send an email' : 'Post a message')));
      const tpl = h('select', { 'aria-label': 'Template', 'data-field': 'template' }, h('option', { value: '' }, 'template…'), templates.map(t => h('option', { value: t.name, selected: x.template === t.name }, t.name)));
      const to = x.type === 'post_message'
        ? h('select', { 'aria-label': 'Conversation', 'data-field': 'conversation' }, ['external', 'internal'].map(k => h('option', { value: k, selected: x.conversation === k }, 'in the ' + k + ' conversation')))
        : h('input', { 'aria-label': 'To', 'data-field': 'to', list: 'a-targets', value: x.to || '', placeholder: 'followers, assignees, customers or an address' });
      type.addEventListener('change', () => { x.type = type.value; if (x.type === 'post_message') { delete x.to; x.conversation = x.conversation || 'external'; } else { delete x.conversation; x.to = x.to || 'followers'; } drawActions(); });
      tpl.addEventListener('change', () => { x.template = tpl.value; });
      to.addEventListener('change', () => { if (x.type === 'post_message') x.conversation = to.value; else x.to = to.value.trim(); });
      return h('div', { class: 'row action', 'data-action': i }, type, tpl, to,
        h('button', { type: 'button', 'aria-label': 'Remove action ' + (i + 1), onclick: () => { actions.splice(i, 1); drawActions(); } }, 'Remove'));
    }), h('datalist', { id: 'a-targets' }, TARGETS.map(t => h('option', { value: t }))),
    h('button', { type: 'button', id: 'a-add', onclick: () => { actions.push({ type: 'send_email', template: '', to: 'followers' }); drawActions(); } }, 'Add an action'));
  };
  drawConds(); drawActions();
  const body = () => {
    const conditions = {};
    for (const k of EVENTS[event.value] || []) if (condInputs[k] && condInputs[k].value.trim()) conditions[k] = condInputs[k].value.trim();
    return { name: name.value.trim(), trigger: { event: event.value, conditions }, actions, enabled: a.enabled };
  };
  const save = async e => {
    e.preventDefault();
    try {
      let saved;
      if (isNew) saved = await api('POST', '/automations', body());
      else {
        try { saved = await api('PATCH', '/automations/' + id, body()); }
        catch (err) { if (!(err instanceof APIError) || (err.status !== 404 && err.status !== 405)) throw err; saved = await api('PUT', '/automations/' + id, body()); }
      }
      say('Automation saved');
      location.hash = '#/messaging/automation/' + saved.id;
      await redraw();
    } catch (err) { out.replaceChildren(errorBox(err)); }
  };
  box.replaceChildren(h('form', { class: 'card', id: 'automation-editor', onsubmit: save },
    h('h2', {}, isNew ? 'New automation' : 'Automation ' + a.name, a.locked ? ' (locked: its rule is fixed; edit its template)' : ''),
    h('label', { for: 'a-name' }, 'Name'), name,
    h('label', { for: 'a-event' }, 'When'), event, h('h3', {}, 'Only if'), conds,
    h('h3', {}, 'Then'), list,
    a.locked ? h('p', { class: 'muted' }, 'Uses the template ', h('a', { href: '#/messaging/notification' }, 'notification'), '.') : null,
    h('div', { class: 'row' }, h('button', { class: 'primary', type: 'submit', disabled: a.locked, id: 'a-save' }, isNew ? 'Create automation' : 'Save automation'),
      isNew || a.locked ? null : h('button', { type: 'button', onclick: async () => {
        if (!confirm(`Delete the automation ${a.name}?`)) return;
        try { await api('DELETE', '/automations/' + id); say('Automation deleted'); location.hash = '#/messaging'; } catch (err) { out.replaceChildren(errorBox(err)); }
      } }, 'Delete')),
    out));
}
