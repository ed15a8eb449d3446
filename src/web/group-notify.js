// SPDX-License-Identifier: MIT
// A group's notification menu (the bell in the conversation's header): notify about every
// message, only mentions (and questions), or nothing; mute for 1 hour, 8 hours or a week, or
// unmute; and, when this device does not show notifications yet, the button that asks.
// PUT /groups/{id}/notifications {level, muted_until}; GET /groups carries `notify`.

import { request } from './api.js';
import { h, iconButton } from './dom.js';
import { formatFull } from './format.js';
import { on } from './hooks.js';
import { toast } from './panels.js';
import { enableNotifications, notificationStatus } from './push.js';
import { groupTitle, state } from './state.js';

const LEVELS = [
  ['all', 'Every message'],
  ['mentions', 'Only mentions of me and questions'],
  ['none', 'Nothing'],
];
const MUTES = [['', 'Not muted'], ['3600000', 'For 1 hour'], ['28800000', 'For 8 hours'], ['604800000', 'For a week']];

let invalidate = () => {};

function notifyOf(group) {
  const n = group.notify || {};
  const muted = n.muted_until && n.muted_until > Date.now() ? n.muted_until : null;
  return { level: n.level || 'all', muted_until: muted };
}

export function describe(group) {
  const n = notifyOf(group);
  if (n.muted_until) return `muted until ${formatFull(n.muted_until)}`;
  return { all: 'every message', mentions: 'mentions only', none: 'off' }[n.level];
}

async function save(gid, level, mutedUntil) {
  const res = await request('PUT', `/groups/${encodeURIComponent(gid)}/notifications`, { level, muted_until: mutedUntil });
  const group = state.groups.get(gid);
  if (group) group.notify = { level: res?.level || level, muted_until: res?.muted_until ?? mutedUntil };
  invalidate('conv', 'groups');
}

function deviceRow() {
  const status = notificationStatus();
  const text = {
    granted: 'Notifications are on for this device.',
    denied: 'Notifications are blocked for this site in this browser’s settings.',
    unsupported: 'This browser cannot show notifications.',
    'home-screen': 'Add peerchat to your Home Screen to get notifications on this device.',
    default: 'This device does not show notifications yet.',
  }[status];
  const row = h('div', { class: 'notify-device' }, h('p', { class: 'muted small' }, text));
  if (status === 'default' || status === 'home-screen') {
    row.append(h('button', {
      type: 'button', class: 'btn btn-small',
      onclick: async () => { await enableNotifications(); row.replaceWith(deviceRow()); },
    }, 'Turn on notifications on this device'));
  }
  return row;
}

export function openGroupNotifications(gid) {
  const group = state.groups.get(gid);
  if (!group) return;
  const current = notifyOf(group);
  const radios = LEVELS.map(([value, text]) => h('label', { class: 'radio' },
    h('input', { type: 'radio', name: 'notify-level', value, checked: value === current.level }), text));
  const mute = h('select', { id: 'notify-mute' },
    current.muted_until ? h('option', { value: 'keep', selected: true }, `Muted until ${formatFull(current.muted_until)}`) : null,
    MUTES.map(([value, text]) => h('option', { value }, current.muted_until && !value ? 'Unmute' : text)));
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': 'notify-title' });
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      const level = form.querySelector('input[name="notify-level"]:checked')?.value || 'all';
      const choice = mute.value;
      const mutedUntil = choice === 'keep' ? current.muted_until : choice ? Date.now() + Number(choice) : null;
      submit.disabled = true;
      try {
        await save(gid, level, mutedUntil);
        dlg.close();
        toast(`Notifications for “${groupTitle(group)}”: ${describe(state.groups.get(gid) || group)}.`);
      } catch (err) {
        error.textContent = err.message;
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', { id: 'notify-title' }, `Notifications for “${groupTitle(group)}”`),
  h('fieldset', { class: 'radios' }, h('legend', null, 'Notify me about'), radios),
  h('label', { class: 'field', for: 'notify-mute' }, h('span', null, 'Mute'), mute),
  deviceRow(),
  error,
  h('div', { class: 'dialog-actions' },
    h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Cancel'),
    submit));
  dlg.append(form);
  dlg.addEventListener('close', () => {
    dlg.remove();
    document.querySelector('.conv-head .notify-btn')?.focus();
  });
  document.body.append(dlg);
  dlg.showModal();
  form.querySelector('input[name="notify-level"]:checked')?.focus();
}

function headButton(group) {
  const n = notifyOf(group);
  const quiet = n.muted_until || n.level === 'none';
  return iconButton(quiet ? 'bellOff' : 'bell', `Notifications for this group: ${describe(group)}`,
    () => openGroupNotifications(group.id), { class: 'notify-btn', 'aria-haspopup': 'dialog' });
}

export function init(ctx) {
  invalidate = ctx.invalidate;
  on('convHead', headButton);
}
