// SPDX-License-Identifier: MIT
// The page of a one-time account link an admin hands over: /reset/<code> (a forgotten
// password, 24 h) and /welcome/<code> (a new account made without a password; /setup/<code>
// is taken the same way). It greets the
// person, takes a new password (twice), and signs them in: POST /account/reset/{code}
// answers like POST /sessions and ends every older session. A used or expired link gets a
// plain explanation. /setup/<code> is also the server's first-run link (auth.js renderSetup):
// a code the account links do not know is handed to that page.

import { request } from './api.js';
import { h } from './dom.js';
import { busy, field, shell } from './auth.js';
import { formatFull, formatRelativeFuture } from './format.js';
import { actions } from './state.js';

const MIN_PASSWORD_BYTES = 10;

function invalidLink(root, purpose) {
  shell(root,
    h('h1', null, purpose === 'reset' ? 'This reset link does not work any more' : 'This setup link does not work any more'),
    h('p', { class: 'muted' },
      'It has been used already, it has expired, or it was not copied whole. Each link works once: a reset link for 24 hours.'),
    h('p', { class: 'muted' }, 'Ask your server’s admin for a new link.'),
    h('a', { href: '/login', 'data-nav': true, class: 'btn btn-primary btn-block' }, 'Go to sign in'));
}

/** GET /account/reset/{code}: who the link is for. null when the server does not say (still usable). */
async function lookUp(code) {
  try {
    return await request('GET', `/account/reset/${encodeURIComponent(code)}`, undefined, { auth: false });
  } catch (err) {
    if (err.status === 405) return null;
    throw err;
  }
}

/**
 * Renders /reset/<code>, /welcome/<code> or /setup/<code> (`route` is the first part);
 * `firstRun(root, code)` is the server's first-run setup page, for /setup/ codes it knows.
 */
export async function renderAccountLink(root, route, code, firstRun) {
  const purpose = route === 'reset' ? 'reset' : 'setup';
  const card = shell(root, h('div', { class: 'spinner', 'aria-label': 'Checking the link' }));
  let info;
  try {
    info = await lookUp(code);
  } catch (err) {
    if (!card.isConnected) return;
    if (err.status === 404 || err.status === 400) {
      if (route === 'setup') firstRun(root, code);
      else invalidLink(root, purpose);
      return;
    }
    shell(root,
      h('h1', null, 'Could not check the link'),
      h('p', { class: 'muted' }, err.message),
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => renderAccountLink(root, route, code, firstRun) }, 'Try again'));
    return;
  }
  if (!card.isConnected) return;
  const user = info?.user || info || {};
  const kind = info?.purpose || purpose;
  const name = user.display_name || user.username || '';

  const [passField, pass] = field('link-password', 'New password', {
    type: 'password', autocomplete: 'new-password', required: true, 'aria-describedby': 'link-password-hint',
  });
  const [confirmField, confirm] = field('link-password-confirm', 'Confirm the new password', {
    type: 'password', autocomplete: 'new-password', required: true,
  });
  passField.append(h('small', { id: 'link-password-hint', class: 'muted' }, 'At least 10 characters.'));
  // The username rides along for password managers, which file the new password under it.
  const username = user.username ? h('input', { type: 'text', autocomplete: 'username', value: user.username, hidden: true, readonly: true }) : null;
  for (const input of [pass, confirm]) input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
  const error = h('p', { class: 'form-error', role: 'alert' });
  const label = kind === 'reset' ? 'Set the new password and sign in' : 'Set the password and sign in';
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, label);
  const invalid = (input, message) => { error.textContent = message; input.setAttribute('aria-invalid', 'true'); input.focus(); };
  const form = h('form', {
    class: 'stack', 'aria-labelledby': 'link-title',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      if (new TextEncoder().encode(pass.value).length < MIN_PASSWORD_BYTES) { invalid(pass, 'The password must be at least 10 characters long.'); return; }
      if (pass.value !== confirm.value) { invalid(confirm, 'The two passwords do not match.'); return; }
      busy(submit, true, 'Signing in…');
      try {
        const res = await request('POST', `/account/reset/${encodeURIComponent(code)}`, { new_password: pass.value }, { auth: false });
        await actions.loggedIn(res, '/');
      } catch (err) {
        if (err.status === 404) { invalidLink(root, kind); return; }
        error.textContent = err.message;
        busy(submit, false, label);
      }
    },
  }, username, passField, confirmField, error, submit);

  const expires = info?.expires_at ? formatRelativeFuture(info.expires_at) : null;
  shell(root,
    h('p', { class: 'invite-kicker' }, kind === 'reset' ? 'Reset your password' : 'Welcome to peerchat'),
    h('h1', { id: 'link-title' }, name ? `Hello, ${name}` : 'Hello'),
    h('p', { class: 'muted' }, kind === 'reset'
      ? `Choose a new password${user.username ? ` for @${user.username}` : ''}. Every device signed in to your account will be signed out.`
      : `Your account${user.username ? ` @${user.username}` : ''} is ready: choose a password to start.`),
    expires && expires !== 'expired'
      ? h('p', { class: 'muted small' }, h('time', { title: formatFull(info.expires_at) }, `This link expires ${expires} and works once.`))
      : null,
    form);
  pass.focus();
}
