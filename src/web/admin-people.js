// SPDX-License-Identifier: MIT
// The server admin's People screen (the people button beside your name, admins only): every
// account on the server, searched as you type; add a person with a password or a one-time
// setup link; per person disable/enable, make/unmake server admin, make a password reset
// link, delete (keeping their messages as "Deleted user", or erasing them).
// API (contract "People and accounts"): GET/POST /admin/users, PATCH /admin/users/{id}
// {disabled?,is_admin?}, POST /admin/users/{id}/reset-link → {url,expires_at},
// DELETE /admin/users/{id}?erase=true|false.

import { request } from './api.js';
import { h, icon, iconButton } from './dom.js';
import { formatFull, formatRelativeFuture, formatShort } from './format.js';
import { on } from './hooks.js';
import { confirmDialog, copyText, toast } from './panels.js';
import { state } from './state.js';

const SEARCH_DELAY_MS = 300;
const PAGE = 100;
const enc = encodeURIComponent;
let invalidate = () => {};

const adminApi = {
  list: (q, cursor) => {
    const p = new URLSearchParams({ limit: String(PAGE) });
    if (q) p.set('q', q);
    if (cursor) p.set('cursor', cursor);
    return request('GET', `/admin/users?${p}`);
  },
  create: (body) => request('POST', '/admin/users', body),
  update: (id, patch) => request('PATCH', `/admin/users/${enc(id)}`, patch),
  resetLink: (id) => request('POST', `/admin/users/${enc(id)}/reset-link`),
  remove: (id, erase) => request('DELETE', `/admin/users/${enc(id)}?erase=${erase ? 'true' : 'false'}`),
};

function lastSeen(u) {
  if (!u.last_seen_at) return 'Never signed in';
  return `Last seen ${formatShort(u.last_seen_at)}`;
}

/** A one-time link with its Copy button and what the person needs to know about it. */
function linkBox(label, url, note) {
  const id = `link-${Math.random().toString(36).slice(2)}`;
  const input = h('input', { id, class: 'invite-url', readonly: true, value: url });
  return h('div', { class: 'people-link' },
    h('label', { class: 'small people-link-label', for: id }, label),
    h('div', { class: 'copy-row' }, input,
      h('button', { type: 'button', class: 'btn', onclick: () => copyText(url, input) }, icon('copy', 16), 'Copy')),
    h('p', { class: 'muted small' }, note));
}

/** Asks how to delete someone: keep their messages (as "Deleted user") or erase them. Resolves null when cancelled. */
export function deleteChoiceDialog(u) {
  return new Promise((resolve) => {
    const keep = h('input', { type: 'radio', name: 'erase', value: 'keep', id: 'delete-keep', checked: true });
    const erase = h('input', { type: 'radio', name: 'erase', value: 'erase', id: 'delete-erase' });
    const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': 'delete-user-title', 'aria-describedby': 'delete-user-text' },
      h('form', { method: 'dialog' },
        h('h2', { id: 'delete-user-title' }, `Delete ${u.display_name}?`),
        h('p', { id: 'delete-user-text' }, `@${u.username} is signed out on every device and can never sign in again. This cannot be undone.`),
        h('fieldset', { class: 'radios' }, h('legend', null, 'Their messages'),
          h('label', { class: 'radio', for: 'delete-keep' }, keep, 'Keep them, shown as from “Deleted user”'),
          h('label', { class: 'radio', for: 'delete-erase' }, erase, 'Erase them for everyone')),
        h('div', { class: 'dialog-actions' },
          h('button', { value: 'cancel', class: 'btn' }, 'Cancel'),
          h('button', { value: 'ok', class: 'btn btn-danger' }, 'Delete'))));
    dlg.addEventListener('close', () => {
      resolve(dlg.returnValue === 'ok' ? { erase: erase.checked } : null);
      dlg.remove();
    });
    document.body.append(dlg);
    dlg.showModal();
    keep.focus();
  });
}

function createForm(onCreated, announce) {
  const username = h('input', { id: 'new-user-username', required: true, maxlength: 32, autocomplete: 'off',
    autocapitalize: 'none', spellcheck: 'false', pattern: '[a-z0-9_.\\-]{3,32}', 'aria-describedby': 'new-user-username-hint' });
  const display = h('input', { id: 'new-user-display', required: true, maxlength: 64, autocomplete: 'off' });
  const admin = h('input', { type: 'checkbox', id: 'new-user-admin' });
  const viaLink = h('input', { type: 'radio', name: 'new-user-how', id: 'new-user-link', value: 'link', checked: true });
  const viaPassword = h('input', { type: 'radio', name: 'new-user-how', id: 'new-user-password-choice', value: 'password' });
  const password = h('input', { id: 'new-user-password', type: 'password', minlength: 10, maxlength: 1024, autocomplete: 'new-password' });
  const passwordField = h('label', { class: 'field', for: 'new-user-password' },
    h('span', null, 'Password ', h('span', { class: 'muted' }, '(at least 10 characters)')), password);
  const sync = () => {
    passwordField.hidden = !viaPassword.checked;
    password.required = viaPassword.checked;
  };
  viaLink.addEventListener('change', sync);
  viaPassword.addEventListener('change', sync);
  sync();
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create account');
  const result = h('div', { class: 'people-created' });
  const form = h('form', {
    class: 'people-create stack', 'aria-labelledby': 'people-create-h',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      result.replaceChildren();
      const body = { username: username.value.trim(), display_name: display.value.trim(), is_admin: admin.checked };
      if (viaPassword.checked) body.password = password.value;
      submit.disabled = true;
      try {
        const made = await adminApi.create(body);
        const name = made?.display_name || body.display_name;
        if (made?.setup_url) {
          const expires = made.setup_expires_at ? ` It expires ${formatRelativeFuture(made.setup_expires_at)} (${formatFull(made.setup_expires_at)}).` : '';
          result.append(linkBox(`Setup link for ${name}`, made.setup_url,
            `Give it to ${name} privately: it works once, to choose their password.${expires}`));
          result.querySelector('input')?.focus();
          result.querySelector('input')?.select();
        }
        username.value = '';
        display.value = '';
        password.value = '';
        admin.checked = false;
        await onCreated(); // the list, with them in it, then what happened (the status line is shared)
        if (!made?.setup_url) announce(`${name} can sign in now as @${made?.username || body.username}.`);
      } catch (err) {
        error.textContent = err.message;
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h3', { id: 'people-create-h' }, 'Add a person'),
  h('div', { class: 'row people-create-names' },
    h('div', { class: 'field field-small' }, h('label', { for: 'new-user-username' }, 'Username'), username,
      h('small', { id: 'new-user-username-hint', class: 'muted' }, '3–32 of a–z, 0–9, _ . -')),
    h('label', { class: 'field field-small', for: 'new-user-display' }, h('span', null, 'Display name'), display)),
  h('label', { class: 'check', for: 'new-user-admin' }, admin, 'Server admin (can manage people and create groups)'),
  h('fieldset', { class: 'radios' }, h('legend', null, 'First sign-in'),
    h('label', { class: 'radio', for: 'new-user-link' }, viaLink, 'Make a setup link: they choose their own password'),
    h('label', { class: 'radio', for: 'new-user-password-choice' }, viaPassword, 'Set a password now')),
  passwordField, error,
  h('div', { class: 'dialog-actions' }, submit),
  result);
  return form;
}

export function openPeople() {
  const me = state.me;
  const search = h('input', { type: 'search', id: 'people-search', autocomplete: 'off', placeholder: 'Name or username' });
  const status = h('p', { class: 'muted small', role: 'status', id: 'people-status' });
  const error = h('p', { class: 'form-error', role: 'alert', id: 'people-error' });
  const listEl = h('ul', { class: 'people-list', 'aria-labelledby': 'people-list-h' });
  const more = h('button', { type: 'button', class: 'btn btn-small', hidden: true }, 'Show more');
  const addBtn = h('button', { type: 'button', class: 'btn btn-primary btn-small', 'aria-expanded': 'false', 'aria-controls': 'people-create' },
    icon('plus', 16), 'Add a person');
  const announce = (text) => { status.textContent = text; };
  let query = '';
  let cursor = null;
  let token = 0;

  const load = async (append = false) => {
    const mine = ++token;
    error.textContent = '';
    if (!append) { cursor = null; status.textContent = 'Loading…'; }
    try {
      const res = await adminApi.list(query, append ? cursor : null);
      if (mine !== token) return;
      const users = res?.users || [];
      if (!append) listEl.replaceChildren();
      listEl.append(...users.map(row));
      cursor = res?.next_cursor || null;
      more.hidden = !cursor;
      const n = listEl.children.length;
      status.textContent = n ? `${n} ${n === 1 ? 'person' : 'people'}${query ? ` matching “${query}”` : ''}` : (query ? `Nobody matches “${query}”.` : 'Nobody yet.');
    } catch (err) {
      if (mine !== token) return;
      status.textContent = '';
      error.textContent = err.message;
    }
  };

  // One person's row; its buttons act on the server and redraw the row from the answer.
  function row(u) {
    const self = me && u.id === me.id;
    const outcome = h('div', { class: 'people-outcome' });
    // A refusal (e.g. 409 for the last admin) is said under the person it is about, as an alert.
    const act = async (label, fn) => {
      error.textContent = '';
      outcome.replaceChildren();
      try { return await fn(); } catch (err) {
        outcome.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, `${label}: ${err.message}`));
        return undefined;
      }
    };
    const redraw = (next) => { const fresh = row({ ...u, ...next }); li.replaceWith(fresh); return fresh; };
    const buttons = [];
    if (!self) {
      buttons.push(h('button', {
        type: 'button', class: 'btn btn-small', 'aria-label': `${u.disabled ? 'Enable' : 'Disable'} ${u.display_name}`,
        onclick: async () => {
          if (!u.disabled) {
            const ok = await confirmDialog({
              title: `Disable ${u.display_name}?`,
              message: 'They are signed out on all their devices at once and cannot sign in until you enable them again. Their messages stay.',
              confirmLabel: 'Disable', danger: true,
            });
            if (!ok) return;
          }
          const res = await act(u.disabled ? 'Enable' : 'Disable', () => adminApi.update(u.id, { disabled: !u.disabled }));
          if (res !== undefined) {
            const fresh = redraw(res || { disabled: !u.disabled });
            announce(`${u.display_name} is ${u.disabled ? 'enabled' : 'disabled'}.`);
            fresh.querySelector('.people-actions button')?.focus();
          }
        },
      }, u.disabled ? 'Enable' : 'Disable'));
    }
    buttons.push(h('button', {
      type: 'button', class: 'btn btn-small', 'aria-label': `${u.is_admin ? 'Remove admin from' : 'Make admin:'} ${u.display_name}`,
      onclick: async () => {
        const res = await act(u.is_admin ? 'Remove admin' : 'Make admin', () => adminApi.update(u.id, { is_admin: !u.is_admin }));
        if (res === undefined) return;
        redraw(res || { is_admin: !u.is_admin });
        announce(`${u.display_name} is ${u.is_admin ? 'no longer a server admin' : 'a server admin now'}.`);
        if (self && u.is_admin) {
          Object.assign(me, { is_admin: false, can_create_groups: false }, await request('GET', '/me').catch(() => ({})));
          invalidate('layout');
          toast('You are no longer a server admin.');
          dlg.close();
        }
      },
    }, u.is_admin ? 'Remove admin' : 'Make admin'));
    buttons.push(h('button', {
      type: 'button', class: 'btn btn-small', 'aria-label': `Reset link for ${u.display_name}`,
      onclick: async () => {
        const res = await act('Reset link', () => adminApi.resetLink(u.id));
        if (!res?.url) return;
        const when = res.expires_at ? `expires ${formatRelativeFuture(res.expires_at)} (${formatFull(res.expires_at)})` : 'expires in 24 hours';
        outcome.replaceChildren(linkBox(`Password reset link for ${u.display_name}`, res.url,
          `It works once and ${when}. Using it signs ${u.display_name} out everywhere else.`));
        outcome.querySelector('input')?.focus();
        outcome.querySelector('input')?.select();
      },
    }, 'Reset link'));
    if (!self) {
      buttons.push(h('button', {
        type: 'button', class: 'btn btn-small btn-danger-outline', 'aria-label': `Delete ${u.display_name}`,
        onclick: async () => {
          const choice = await deleteChoiceDialog(u);
          if (!choice) return;
          const res = await act('Delete', () => adminApi.remove(u.id, choice.erase));
          if (res === undefined) return;
          announce(`${u.display_name} was deleted${choice.erase ? ' and their messages erased' : ''}.`);
          li.remove();
          search.focus();
        },
      }, 'Delete'));
    }
    const li = h('li', { class: ['people-row', u.disabled && 'is-disabled'], dataset: { userId: u.id } },
      h('div', { class: 'people-who' },
        h('span', { class: 'people-name' }, u.display_name, self ? h('span', { class: 'muted' }, ' (you)') : null),
        h('span', { class: 'people-meta muted small' }, `@${u.username} · ${lastSeen(u)}`),
        h('span', { class: 'people-badges' },
          u.is_admin ? h('span', { class: 'role-badge role-owner' }, 'Admin') : null,
          u.disabled ? h('span', { class: 'role-badge people-disabled' }, 'Disabled') : null)),
      h('div', { class: 'people-actions' }, buttons),
      outcome);
    return li;
  }

  let debounce = null;
  search.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => { query = search.value.trim(); load(); }, SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', (e) => {
    // Escape in a filled search box clears it; in an empty one it closes the screen as usual.
    if (e.key === 'Escape' && search.value) { e.preventDefault(); search.value = ''; query = ''; load(); }
  });
  more.addEventListener('click', () => load(true));

  const create = createForm(() => load(), announce);
  create.id = 'people-create';
  create.hidden = true;
  addBtn.addEventListener('click', () => {
    create.hidden = !create.hidden;
    addBtn.setAttribute('aria-expanded', String(!create.hidden));
    if (!create.hidden) create.querySelector('input')?.focus();
  });

  const dlg = h('dialog', { class: 'dialog dialog-wide people-dialog', 'aria-labelledby': 'people-title' },
    h('div', { class: 'dialog-head' },
      h('h2', { id: 'people-title' }, 'People'),
      iconButton('close', 'Close people', () => dlg.close(), { size: 18 })),
    h('div', { class: 'people-scroll' },
      h('div', { class: 'people-tools' },
        h('label', { class: 'field people-search', for: 'people-search' }, h('span', null, 'Search people'), search),
        addBtn),
      create, error, status,
      h('h3', { id: 'people-list-h', class: 'sr-only' }, 'Everyone on this server'),
      listEl, more));
  dlg.addEventListener('close', () => { clearTimeout(debounce); dlg.remove(); document.querySelector('.people-btn')?.focus(); });
  document.body.append(dlg);
  dlg.showModal();
  search.focus();
  load();
}

export function init(ctx) {
  invalidate = ctx.invalidate;
  on('meTools', () => (state.me?.is_admin
    ? iconButton('users', 'People on this server', openPeople, { class: 'people-btn', 'aria-haspopup': 'dialog' })
    : null));
}
