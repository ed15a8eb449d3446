// SPDX-License-Identifier: MIT
// Delete my account (a section of the account screen; account.js collects 'accountSections'):
// what happens is said first, the password is asked for, and the person chooses whether
// their messages stay (shown as from "Deleted user") or are erased.
// DELETE /me {password} (?erase=true erases the messages) → 204; the session ends with it.

import { request } from './api.js';
import { h } from './dom.js';
import { on } from './hooks.js';
import { toast } from './panels.js';
import { actions, state } from './state.js';

export function openDeleteAccount(opener) {
  const password = h('input', { id: 'delete-me-password', type: 'password', required: true, autocomplete: 'current-password' });
  const erase = h('input', { type: 'checkbox', id: 'delete-me-erase' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-danger' }, 'Delete my account');
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': 'delete-me-title', 'aria-describedby': 'delete-me-text' });
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      submit.disabled = true;
      try {
        await request('DELETE', `/me?erase=${erase.checked ? 'true' : 'false'}`, { password: password.value }, { auth: false });
        dlg.close();
        await actions.forgetSession();
        actions.navigate('/login', { replace: true });
        toast('Your account was deleted.');
      } catch (err) {
        error.textContent = err.status === 401 || err.status === 403 ? 'That password is not right.' : err.message;
        password.focus();
        password.select();
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', { id: 'delete-me-title' }, 'Delete your account?'),
  h('div', { id: 'delete-me-text', class: 'stack small' },
    h('p', null, `@${state.me?.username || ''} is signed out on every device and can never sign in again; you leave all your groups. This cannot be undone.`),
    h('p', null, 'Your messages stay, shown as from “Deleted user”, unless you erase them below.')),
  h('label', { class: 'check', for: 'delete-me-erase' }, erase, 'Also erase all my messages for everyone'),
  h('label', { class: 'field', for: 'delete-me-password' }, h('span', null, 'Your password'), password),
  error,
  h('div', { class: 'dialog-actions' },
    h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Cancel'),
    submit));
  dlg.append(form);
  dlg.addEventListener('close', () => { dlg.remove(); if (opener?.isConnected) opener.focus(); });
  document.body.append(dlg);
  dlg.showModal();
  password.focus();
}

/** The account screen's last section: a button that opens the dialog above. */
export function section() {
  const button = h('button', { type: 'button', class: 'btn btn-danger-outline', 'aria-haspopup': 'dialog' }, 'Delete my account…');
  button.addEventListener('click', () => openDeleteAccount(button));
  return h('section', { class: 'account-section', 'aria-labelledby': 'delete-me-h' },
    h('h3', { id: 'delete-me-h' }, 'Delete account'),
    h('p', { class: 'muted small' }, 'Remove your account from this server for good.'),
    h('div', null, button));
}

export function init() {
  on('accountSections', section);
}
