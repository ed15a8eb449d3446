// SPDX-License-Identifier: MIT
// Notification settings (the bell in the sidebar's header): notifications on this device,
// the in-app sound (this device only, off by default), and quiet hours (per user, on the
// server: PUT /me/quiet-hours {start, end, tz, allow_mentions} or null; GET /me carries
// `quiet_hours`). The time zone defaults to this device's.

import { request } from './api.js';
import { h, iconButton } from './dom.js';
import { on } from './hooks.js';
import { setSound, soundOn } from './notice.js';
import { toast } from './panels.js';
import { disableNotifications, enableNotifications, notificationStatus } from './push.js';
import { state } from './state.js';

function deviceTimeZone() {
  try { return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'; } catch { return 'UTC'; }
}

function timeZones() {
  try { return Intl.supportedValuesOf('timeZone'); } catch { return [deviceTimeZone()]; }
}

function deviceSection() {
  const status = notificationStatus();
  const text = {
    granted: 'On for this device.',
    denied: 'Blocked for this site: allow notifications in this browser’s site settings.',
    unsupported: 'This browser cannot show notifications.',
    'home-screen': 'On iPhone and iPad, add peerchat to your Home Screen first (Share → Add to Home Screen).',
    default: 'Off for this device.',
  }[status];
  const section = h('fieldset', { class: 'settings-group' }, h('legend', null, 'This device'),
    h('p', { class: 'muted small', id: 'device-status' }, text));
  const redraw = () => section.replaceWith(deviceSection());
  if (status === 'default' || status === 'home-screen') {
    section.append(h('button', { type: 'button', class: 'btn btn-small', onclick: async () => { await enableNotifications(); redraw(); } },
      'Turn on notifications'));
  } else if (status === 'granted') {
    section.append(h('button', { type: 'button', class: 'btn btn-small', onclick: async () => { await disableNotifications(); toast('This device will get no more push notifications until you turn them on again.'); } },
      'Stop push notifications here'));
  }
  const sound = h('input', { type: 'checkbox', id: 'notice-sound', checked: soundOn() });
  sound.addEventListener('change', () => setSound(sound.checked));
  section.append(h('label', { class: 'check', for: 'notice-sound' }, sound,
    'Play a sound for new messages while peerchat is open'));
  return section;
}

export function openSettings() {
  const q = state.me?.quiet_hours || null;
  const enabled = h('input', { type: 'checkbox', id: 'quiet-on', checked: !!q });
  const start = h('input', { type: 'time', id: 'quiet-start', value: q?.start || '22:00', required: true });
  const end = h('input', { type: 'time', id: 'quiet-end', value: q?.end || '07:00', required: true });
  const tz = h('input', { id: 'quiet-tz', list: 'quiet-tz-list', value: q?.tz || deviceTimeZone(), autocomplete: 'off', required: true });
  const tzList = h('datalist', { id: 'quiet-tz-list' }, timeZones().map((z) => h('option', { value: z })));
  const allow = h('input', { type: 'checkbox', id: 'quiet-mentions', checked: q ? !!q.allow_mentions : true });
  const details = h('div', { class: 'stack quiet-details' },
    h('div', { class: 'row' },
      h('label', { class: 'field field-small', for: 'quiet-start' }, h('span', null, 'From'), start),
      h('label', { class: 'field field-small', for: 'quiet-end' }, h('span', null, 'Until'), end)),
    h('label', { class: 'field', for: 'quiet-tz' }, h('span', null, 'Time zone'), tz, tzList),
    h('label', { class: 'check', for: 'quiet-mentions' }, allow, 'Mentions of me still notify'));
  const sync = () => { details.hidden = !enabled.checked; };
  enabled.addEventListener('change', sync);
  sync();
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': 'settings-title' });
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      if (enabled.checked && !timeZones().includes(tz.value.trim()) && tz.value.trim() !== 'UTC') {
        error.textContent = 'Pick a time zone from the list, e.g. Europe/Berlin.';
        return;
      }
      const body = enabled.checked
        ? { start: start.value, end: end.value, tz: tz.value.trim(), allow_mentions: allow.checked }
        : null;
      submit.disabled = true;
      try {
        await request('PUT', '/me/quiet-hours', body);
        if (state.me) state.me.quiet_hours = body;
        dlg.close();
        toast(body ? `Quiet hours: ${body.start}–${body.end} (${body.tz}).` : 'Quiet hours are off.');
      } catch (err) {
        error.textContent = err.message;
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', { id: 'settings-title' }, 'Notification settings'),
  deviceSection(),
  h('fieldset', { class: 'settings-group' }, h('legend', null, 'Quiet hours'),
    h('p', { class: 'muted small' }, 'Nothing buzzes during quiet hours, on any device.'),
    h('label', { class: 'check', for: 'quiet-on' }, enabled, 'Quiet hours every day'),
    details),
  error,
  h('div', { class: 'dialog-actions' },
    h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Cancel'),
    submit));
  dlg.append(form);
  dlg.addEventListener('close', () => { dlg.remove(); document.querySelector('.settings-btn')?.focus(); });
  document.body.append(dlg);
  dlg.showModal();
  form.querySelector('button, input')?.focus();
}

export function init() {
  on('sidebarTools', () => iconButton('bell', 'Notification settings', openSettings,
    { class: 'settings-btn', 'aria-haspopup': 'dialog' }));
}
