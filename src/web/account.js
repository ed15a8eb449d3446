// SPDX-License-Identifier: MIT
// The account screen (the person button beside your name at the foot of the sidebar): your
// profile (display name, about line, avatar with a preview before saving), your password
// (the current one required; every other device is signed out), and your devices (each
// signed-in session with its browser, when it was last used, this one marked; sign out one,
// or all others). Contract "People and accounts": PATCH /me, PUT/DELETE /me/avatar,
// POST /me/password, GET /me/sessions, DELETE /me/sessions[/{id}].

import { request } from './api.js';
import { clear, h, iconButton } from './dom.js';
import { formatFull, formatShort } from './format.js';
import { collect, on } from './hooks.js';
import { toast } from './panels.js';
import { avatarChanged, noteMember, userAvatar } from './people.js';
import { state } from './state.js';

const MAX_NAME = 64;
const MAX_ABOUT = 140;
const MIN_PASSWORD_BYTES = 10;
const MAX_AVATAR_BYTES = 10 * 1024 * 1024;

let invalidate = () => {};

// ---------------------------------------------------------------------------------------
// Profile

/** PUT /me/avatar takes the image itself as the body (not JSON), so it is not request(). */
async function uploadAvatar(file) {
  let res;
  try {
    res = await fetch('/api/v1/me/avatar', {
      method: 'PUT', body: file, credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': file.type || 'application/octet-stream', Accept: 'application/json' },
    });
  } catch {
    throw new Error('Cannot reach the server. Check your connection.');
  }
  const text = await res.text().catch(() => '');
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!res.ok) throw new Error(data?.error?.message || `The picture was not accepted (${res.status}).`);
  return data;
}

/** The signed-in user changed: the sidebar, their messages and member lists show it. */
function applyMe(user) {
  if (!user || !state.me) return;
  if (user.avatar !== undefined && !!user.avatar !== !!state.me.avatar) avatarChanged(state.me.id);
  Object.assign(state.me, user);
  noteMember({ ...state.me, user_id: state.me.id });
  for (const members of state.members.values()) {
    const m = members.get(state.me.id);
    if (m) Object.assign(m, { display_name: state.me.display_name, avatar: state.me.avatar, about: state.me.about });
  }
  invalidate('conn', 'messages', 'info', 'pending');
}

function profileSection() {
  const me = state.me;
  const name = h('input', { id: 'account-name', maxlength: MAX_NAME, required: true, autocomplete: 'name', value: me.display_name || '' });
  const about = h('input', {
    id: 'account-about', maxlength: MAX_ABOUT, autocomplete: 'off', value: me.about || '',
    placeholder: 'e.g. Implementer, Denver', 'aria-describedby': 'account-about-hint',
  });
  const file = h('input', { id: 'account-avatar', type: 'file', accept: 'image/png,image/jpeg,image/webp,image/gif', class: 'sr-only' });
  const preview = h('span', { class: 'avatar-preview' });
  const status = h('p', { class: 'form-status', role: 'status' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save profile');
  const remove = h('button', { type: 'button', class: 'btn btn-small btn-danger-outline' }, 'Remove picture');
  let chosen = null;       // a File to upload on save
  let removing = false;    // remove the current picture on save
  let previewUrl = null;

  const showPreview = () => {
    if (previewUrl) { URL.revokeObjectURL(previewUrl); previewUrl = null; }
    let el;
    if (chosen) {
      previewUrl = URL.createObjectURL(chosen);
      el = h('span', { class: 'avatar avatar-lg' }, h('img', { class: 'avatar-img', src: previewUrl, alt: 'Preview of your new picture' }));
    } else if (removing) {
      el = userAvatar(-1, me.display_name, 'lg');
    } else {
      el = userAvatar(me.id, me.display_name, 'lg');
    }
    clear(preview).append(el);
    remove.hidden = !(chosen || (!removing && me.avatar));
  };
  file.addEventListener('change', () => {
    const f = file.files?.[0];
    status.className = 'form-status';
    status.textContent = '';
    if (!f) return;
    if (!f.type.startsWith('image/')) { status.className = 'form-status form-error'; status.textContent = 'Choose an image (PNG, JPEG, WebP or GIF).'; return; }
    if (f.size > MAX_AVATAR_BYTES) { status.className = 'form-status form-error'; status.textContent = 'That picture is over 10 MB: choose a smaller one.'; return; }
    chosen = f;
    removing = false;
    status.textContent = 'Preview: save the profile to use this picture.';
    showPreview();
  });
  remove.addEventListener('click', () => {
    if (chosen) { chosen = null; file.value = ''; } else removing = true;
    status.className = 'form-status';
    status.textContent = removing ? 'Save the profile to remove your picture.' : '';
    showPreview();
  });
  showPreview();

  const form = h('form', {
    class: 'stack', 'aria-labelledby': 'account-profile-h',
    onsubmit: async (e) => {
      e.preventDefault();
      const patch = {};
      const newName = name.value.trim();
      if (!newName) { status.className = 'form-status form-error'; status.textContent = 'Your display name cannot be empty.'; name.focus(); return; }
      if (newName !== me.display_name) patch.display_name = newName;
      if (about.value.trim() !== (me.about || '')) patch.about = about.value.trim();
      if (!Object.keys(patch).length && !chosen && !removing) { status.className = 'form-status'; status.textContent = 'Nothing changed.'; return; }
      save.disabled = true;
      status.className = 'form-status';
      status.textContent = 'Saving…';
      try {
        if (Object.keys(patch).length) applyMe(await request('PATCH', '/me', patch) || patch);
        if (chosen) { applyMe({ ...(await uploadAvatar(chosen)), avatar: true }); if (!me.avatar_at) avatarChanged(me.id); }
        if (removing) { await request('DELETE', '/me/avatar'); applyMe({ avatar: false }); }
        chosen = null;
        removing = false;
        file.value = '';
        showPreview();
        status.textContent = 'Profile saved.';
      } catch (err) {
        status.className = 'form-status form-error';
        status.textContent = err.message;
      } finally {
        save.disabled = false;
      }
    },
  },
  h('div', { class: 'avatar-edit' }, preview,
    h('div', { class: 'avatar-edit-buttons' },
      h('label', { class: 'btn btn-small', for: 'account-avatar' }, 'Choose a picture…'), file, remove)),
  h('label', { class: 'field', for: 'account-name' }, h('span', null, 'Display name'), name),
  h('label', { class: 'field', for: 'account-about' }, h('span', null, 'About you ', h('span', { class: 'muted' }, '(optional)')), about,
    h('small', { id: 'account-about-hint', class: 'muted' }, 'One short line others see in your profile.')),
  h('div', { class: 'row' }, save, status));
  return h('section', { class: 'account-section' }, h('h3', { id: 'account-profile-h' }, 'Profile'), form);
}

// ---------------------------------------------------------------------------------------
// Password

function passwordSection(onChanged) {
  const field = (id, label, autocomplete) => {
    const input = h('input', { id, type: 'password', autocomplete, required: true });
    return [h('label', { class: 'field', for: id }, h('span', null, label), input), input];
  };
  const [currentField, current] = field('account-current-password', 'Current password', 'current-password');
  const [newField, next] = field('account-new-password', 'New password', 'new-password');
  const [confirmField, confirm] = field('account-confirm-password', 'Confirm the new password', 'new-password');
  next.setAttribute('aria-describedby', 'account-new-password-hint');
  newField.append(h('small', { id: 'account-new-password-hint', class: 'muted' }, 'At least 10 characters.'));
  const error = h('p', { class: 'form-error', role: 'alert' });
  const done = h('p', { class: 'form-status', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Change password');
  const invalid = (input, message) => {
    error.textContent = message;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
  };
  for (const input of [current, next, confirm]) input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
  const form = h('form', {
    class: 'stack', 'aria-labelledby': 'account-password-h',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      done.textContent = '';
      if (new TextEncoder().encode(next.value).length < MIN_PASSWORD_BYTES) { invalid(next, 'The new password must be at least 10 characters long.'); return; }
      if (next.value !== confirm.value) { invalid(confirm, 'The new password and its confirmation do not match.'); return; }
      if (next.value === current.value) { invalid(next, 'The new password is the same as the current one.'); return; }
      submit.disabled = true;
      try {
        // auth:false: a wrong current password must not look like an ended session here.
        await request('POST', '/me/password', { current_password: current.value, new_password: next.value }, { auth: false });
        form.reset();
        done.textContent = 'Password changed. Your other devices were signed out; this one stays signed in.';
        onChanged();
      } catch (err) {
        if (err.status === 401 || err.status === 403) invalid(current, 'The current password is not right.');
        else error.textContent = err.message;
      } finally {
        submit.disabled = false;
      }
    },
  }, currentField, newField, confirmField, error, h('div', { class: 'row' }, submit), done);
  return h('section', { class: 'account-section' }, h('h3', { id: 'account-password-h' }, 'Password'), form);
}

// ---------------------------------------------------------------------------------------
// Devices

/** "Firefox on Android" from a User-Agent header (the server may name it for us: `device`). */
export function deviceName(session) {
  if (session.device) return session.device;
  const ua = String(session.user_agent || '');
  if (!ua) return 'Unknown device';
  const browser = [[/Edg(e|A|iOS)?\//, 'Edge'], [/OPR\//, 'Opera'], [/Firefox\/|FxiOS\//, 'Firefox'], [/SamsungBrowser\//, 'Samsung Internet'],
    [/Chrome\/|CriOS\//, 'Chrome'], [/Safari\//, 'Safari'], [/curl\//, 'curl'], [/python/i, 'Python']].find(([re]) => re.test(ua))?.[1];
  const os = [[/iPhone/, 'iPhone'], [/iPad/, 'iPad'], [/Android/, 'Android'], [/Windows/, 'Windows'], [/Mac OS X|Macintosh/, 'macOS'],
    [/CrOS/, 'ChromeOS'], [/Linux/, 'Linux']].find(([re]) => re.test(ua))?.[1];
  if (browser && os) return `${browser} on ${os}`;
  return browser || os || ua.slice(0, 40);
}

function devicesSection() {
  const listEl = h('ul', { class: 'devices', 'aria-labelledby': 'account-devices-h' });
  const status = h('p', { class: 'form-status', role: 'status' }, 'Loading…');
  const others = h('button', { type: 'button', class: 'btn btn-danger-outline', hidden: true }, 'Sign out all other devices');
  const load = async () => {
    try {
      const sessions = (await request('GET', '/me/sessions'))?.sessions || [];
      sessions.sort((a, b) => Number(!!b.current) - Number(!!a.current) || (b.last_seen_at || 0) - (a.last_seen_at || 0));
      clear(listEl).append(...sessions.map((s) => deviceItem(s, load, status)));
      others.hidden = !sessions.some((s) => !s.current);
      if (status.textContent === 'Loading…') status.textContent = '';
    } catch (err) {
      status.textContent = err.message;
    }
  };
  others.addEventListener('click', async () => {
    others.disabled = true;
    try {
      await request('DELETE', '/me/sessions');
      status.textContent = 'Every other device was signed out.';
      await load();
    } catch (err) { status.textContent = err.message; } finally { others.disabled = false; }
  });
  load();
  const section = h('section', { class: 'account-section' },
    h('h3', { id: 'account-devices-h' }, 'Devices'),
    h('p', { class: 'muted small' }, 'Where your account is signed in. Sign out a device you do not recognise or no longer have.'),
    listEl, status, others);
  section.reload = load;
  return section;
}

function deviceItem(s, reload, status) {
  const name = deviceName(s);
  const seen = s.last_seen_at || s.created_at;
  const when = s.current ? 'Active now' : seen ? `Last active ${formatShort(seen)}` : '';
  const meta = h('span', { class: 'device-meta muted' }, when,
    s.created_at ? h('span', null, ` · signed in ${formatShort(s.created_at)}`) : null);
  if (seen) meta.title = formatFull(seen);
  const end = s.current ? h('span', { class: 'device-this' }, 'This device')
    : h('button', {
      type: 'button', class: 'btn btn-small', 'aria-label': `Sign out ${name}, ${when.toLowerCase()}`,
      onclick: async (e) => {
        e.currentTarget.disabled = true;
        try {
          await request('DELETE', `/me/sessions/${encodeURIComponent(s.id)}`);
          status.textContent = `${name} was signed out.`;
          await reload();
        } catch (err) { status.textContent = err.message; }
      },
    }, 'Sign out');
  return h('li', { class: ['device', s.current && 'device-current'], dataset: { session: s.id } },
    h('span', { class: 'device-names' }, h('span', { class: 'device-name' }, name), meta), end);
}

// ---------------------------------------------------------------------------------------
// The screen

export function openAccount() {
  const devices = devicesSection();
  const dlg = h('dialog', { class: 'dialog dialog-wide account-dialog', 'aria-labelledby': 'account-title' },
    h('div', { class: 'dialog-head' },
      h('h2', { id: 'account-title' }, 'Your account'),
      iconButton('close', 'Close your account', () => dlg.close(), { size: 18 })),
    h('p', { class: 'muted small' }, `Signed in as @${state.me?.username || ''}`),
    profileSection(), passwordSection(() => devices.reload()), devices, collect('accountSections'));
  dlg.addEventListener('close', () => { dlg.remove(); document.querySelector('.account-btn')?.focus(); });
  document.body.append(dlg);
  dlg.showModal();
  dlg.querySelector('#account-name')?.focus();
}

export function init(ctx) {
  invalidate = ctx.invalidate;
  on('meTools', () => iconButton('user', 'Your account', openAccount, { class: 'account-btn', 'aria-haspopup': 'dialog' }));
}
