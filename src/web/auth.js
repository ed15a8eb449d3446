// SPDX-License-Identifier: MIT
// Screens before the chat: sign-in, joining through an invite link, and "server unreachable".

import { clear, h } from './dom.js';
import { api } from './api.js';
import { actions } from './state.js';
import { formatFull, formatRelativeFuture } from './format.js';

export function shell(root, ...content) {
  clear(root).append(h('main', { class: 'auth-page' },
    h('div', { class: 'auth-card' },
      h('div', { class: 'auth-brand' },
        h('img', { src: '/icon.svg', alt: '', width: 48, height: 48 }),
        h('span', null, 'peerchat')),
      ...content)));
  return root.querySelector('.auth-card');
}

export function field(id, label, attrs) {
  const input = h('input', { id, name: id, ...attrs });
  return [h('label', { class: 'field', for: id }, h('span', null, label), input), input];
}

export function busy(button, on, label) {
  button.disabled = on;
  if (label) button.textContent = label;
}

export function renderLogin(root, { next } = {}) {
  const [userField, user] = field('login-username', 'Username', {
    autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true,
  });
  const [passField, pass] = field('login-password', 'Password', {
    type: 'password', autocomplete: 'current-password', required: true,
  });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in');
  const form = h('form', {
    class: 'stack', 'aria-labelledby': 'login-title',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      busy(submit, true, 'Signing in…');
      try {
        const res = await api.login(user.value.trim().toLowerCase(), pass.value);
        await actions.loggedIn(res, next);
      } catch (err) {
        error.textContent = err.status === 401 ? 'Wrong username or password.' : err.message;
        busy(submit, false, 'Sign in');
        pass.select();
      }
    },
  }, userField, passField, error, submit);
  shell(root,
    h('h1', { id: 'login-title' }, 'Sign in'),
    h('p', { class: 'muted' }, 'Welcome back. New here? Ask a member of your group for an invite link.'),
    form);
  user.focus();
}

export function renderBlocked(root, title, message, retry) {
  const btn = h('button', { type: 'button', class: 'btn btn-primary', onclick: retry }, 'Try again');
  shell(root, h('h1', null, title), h('p', { class: 'muted' }, message), btn);
  const again = () => { window.removeEventListener('online', again); retry(); };
  window.addEventListener('online', again);
}

/** /invite/<code>: show whose invite it is, then join as the signed-in user or a new account. */
export async function renderInvite(root, code) {
  const card = shell(root, h('div', { class: 'spinner', 'aria-label': 'Loading invite' }));
  let invite;
  try {
    invite = await api.inviteInfo(code);
  } catch (err) {
    const invalid = err.code === 'invite_invalid' || err.status === 404;
    shell(root,
      h('h1', null, invalid ? 'This invite is not valid' : 'Could not load the invite'),
      h('p', { class: 'muted' }, invalid
        ? 'The link may have expired, been used up, or been revoked. Ask for a new one.'
        : err.message),
      invalid
        ? h('a', { href: '/', 'data-nav': true, class: 'btn btn-block' }, 'Go to peerchat')
        : h('button', { type: 'button', class: 'btn btn-primary', onclick: () => renderInvite(root, code) }, 'Try again'));
    return;
  }
  if (!card.isConnected) return;
  const me = await actions.currentUser();

  const intro = [
    h('p', { class: 'invite-kicker' }, `${invite.inviter?.display_name || 'Someone'} invited you to join`),
    h('h1', { class: 'invite-group', id: 'invite-title' }, invite.group_name),
    invite.expires_at
      ? h('p', { class: 'muted small' }, h('time', { title: formatFull(invite.expires_at) }, `Invite expires ${formatRelativeFuture(invite.expires_at)}`))
      : null,
  ];

  if (me) {
    const error = h('p', { class: 'form-error', role: 'alert' });
    const join = h('button', { type: 'button', class: 'btn btn-primary btn-block' }, `Join as ${me.display_name}`);
    join.addEventListener('click', async () => {
      error.textContent = '';
      busy(join, true, 'Joining…');
      try {
        const gid = await actions.acceptInvite(code);
        await actions.loggedIn(null, gid ? `/g/${gid}` : '/');
      } catch (err) {
        error.textContent = err.message;
        busy(join, false, `Join as ${me.display_name}`);
      }
    });
    const other = h('button', {
      type: 'button', class: 'btn-link',
      onclick: async () => {
        try { await api.logout(); } catch { /* sign out locally anyway */ }
        await actions.forgetSession();
        renderInvite(root, code);
      },
    }, 'Use a different account');
    shell(root, ...intro, error, join, h('p', { class: 'center small' }, other));
    join.focus();
    return;
  }

  // Not signed in: create an account (default) or sign in with an existing one.
  const panel = h('div', { class: 'invite-panel' });
  const tabNew = h('button', { type: 'button', role: 'tab', id: 'tab-new', 'aria-controls': 'invite-panel' }, 'Create account');
  const tabLogin = h('button', { type: 'button', role: 'tab', id: 'tab-login', 'aria-controls': 'invite-panel' }, 'I have an account');
  panel.id = 'invite-panel';
  panel.setAttribute('role', 'tabpanel');
  const select = (which) => {
    tabNew.setAttribute('aria-selected', String(which === 'new'));
    tabLogin.setAttribute('aria-selected', String(which === 'login'));
    tabNew.tabIndex = which === 'new' ? 0 : -1;
    tabLogin.tabIndex = which === 'login' ? 0 : -1;
    panel.setAttribute('aria-labelledby', which === 'new' ? 'tab-new' : 'tab-login');
    clear(panel).append(which === 'new' ? newAccountForm(code, invite) : existingAccountForm(code));
  };
  tabNew.addEventListener('click', () => select('new'));
  tabLogin.addEventListener('click', () => select('login'));
  const tabs = h('div', { class: 'tabs', role: 'tablist', 'aria-label': 'How to join' }, tabNew, tabLogin);
  tabs.addEventListener('keydown', (e) => {
    if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight') return;
    const toLogin = tabNew.getAttribute('aria-selected') === 'true';
    select(toLogin ? 'login' : 'new');
    (toLogin ? tabLogin : tabNew).focus();
  });
  shell(root, ...intro, tabs, panel);
  select('new');
  panel.querySelector('input')?.focus();
}

function newAccountForm(code, invite) {
  const [nameField, display] = field('join-display-name', 'Your name', {
    autocomplete: 'name', required: true, maxlength: 64,
  });
  const [userField, user] = field('join-username', 'Username', {
    autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true,
    pattern: '[a-z0-9_.\\-]{3,32}', maxlength: 32, 'aria-describedby': 'join-username-hint',
  });
  const [passField, pass] = field('join-password', 'Password', {
    type: 'password', autocomplete: 'new-password', required: true, minlength: 10,
    'aria-describedby': 'join-password-hint',
  });
  userField.append(h('small', { id: 'join-username-hint', class: 'muted' }, '3–32 characters: a–z, 0–9, _ . -'));
  passField.append(h('small', { id: 'join-password-hint', class: 'muted' }, 'At least 10 characters.'));
  // Suggest a username from the display name until the user types one.
  let userTouched = false;
  user.addEventListener('input', () => { userTouched = true; });
  display.addEventListener('input', () => {
    if (!userTouched) {
      user.value = display.value.toLowerCase().normalize('NFKD').replace(/[^a-z0-9_.-]+/gu, '').slice(0, 32);
    }
  });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, `Join ${invite.group_name}`);
  return h('form', {
    class: 'stack',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      busy(submit, true, 'Creating your account…');
      try {
        const res = await api.acceptInviteNewAccount(code, user.value.trim(), display.value.trim(), pass.value);
        const gid = res?.group?.id || res?.group_id || null;
        await actions.joinedWithNewAccount(res, gid, invite.group_name);
      } catch (err) {
        error.textContent = err.message;
        busy(submit, false, `Join ${invite.group_name}`);
      }
    },
  }, nameField, userField, passField, error, submit);
}

function existingAccountForm(code) {
  const [userField, user] = field('join-login-username', 'Username', {
    autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true,
  });
  const [passField, pass] = field('join-login-password', 'Password', {
    type: 'password', autocomplete: 'current-password', required: true,
  });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, 'Sign in and join');
  return h('form', {
    class: 'stack',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      busy(submit, true, 'Joining…');
      try {
        const res = await api.login(user.value.trim().toLowerCase(), pass.value);
        actions.setSession(true);
        const gid = await actions.acceptInvite(code);
        await actions.loggedIn(res, gid ? `/g/${gid}` : '/');
      } catch (err) {
        error.textContent = err.status === 401 ? 'Wrong username or password.' : err.message;
        busy(submit, false, 'Sign in and join');
      }
    },
  }, userField, passField, error, submit);
}

/** /setup/<code>: the one-time first-run link the server logs when it has no admin yet. */
export async function renderSetup(root, code) {
  const card = shell(root, h('div', { class: 'spinner', 'aria-label': 'Checking the setup link' }));
  let info;
  try {
    info = await api.setupInfo(code);
  } catch (err) {
    if (!card.isConnected) return;
    const invalid = err.status === 404 || err.code === 'not_found';
    if (invalid) { renderSetupInvalid(root); return; }
    shell(root,
      h('h1', null, 'Could not check the setup link'),
      h('p', { class: 'muted' }, err.message),
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => renderSetup(root, code) }, 'Try again'));
    return;
  }
  if (!card.isConnected) return;

  const [userField, user] = field('setup-username', 'Username', {
    autocomplete: 'username', autocapitalize: 'none', spellcheck: 'false', required: true,
    pattern: '[a-z0-9_.\\-]{3,32}', maxlength: 32, 'aria-describedby': 'setup-username-hint',
  });
  const [nameField, display] = field('setup-display-name', 'Display name', {
    autocomplete: 'name', maxlength: 64, 'aria-describedby': 'setup-display-name-hint',
  });
  const [passField, pass] = field('setup-password', 'Password', {
    type: 'password', autocomplete: 'new-password', required: true, minlength: 10,
    'aria-describedby': 'setup-password-hint',
  });
  const [confirmField, confirm] = field('setup-password-confirm', 'Confirm password', {
    type: 'password', autocomplete: 'new-password', required: true, minlength: 10,
  });
  userField.append(h('small', { id: 'setup-username-hint', class: 'muted' }, '3–32 characters: a–z, 0–9, _ . -'));
  nameField.append(h('small', { id: 'setup-display-name-hint', class: 'muted' }, 'What others see. Leave it empty to use the username.'));
  passField.append(h('small', { id: 'setup-password-hint', class: 'muted' }, 'At least 10 characters.'));
  confirm.addEventListener('input', () => confirm.removeAttribute('aria-invalid'));

  const error = h('p', { class: 'form-error', role: 'alert' });
  const label = 'Create admin account';
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block' }, label);
  const form = h('form', {
    class: 'stack', 'aria-labelledby': 'setup-title',
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      if (pass.value !== confirm.value) {
        error.textContent = 'The two passwords do not match.';
        confirm.setAttribute('aria-invalid', 'true');
        confirm.select();
        return;
      }
      busy(submit, true, 'Creating the admin account…');
      try {
        const res = await api.completeSetup(code, user.value.trim(), display.value.trim(), pass.value);
        await actions.loggedIn(res, '/');
      } catch (err) {
        if (err.status === 404) { renderSetupInvalid(root); return; }
        error.textContent = err.status === 409
          ? `${err.message || 'That username is taken.'} Choose another one.`
          : err.message;
        busy(submit, false, label);
      }
    },
  }, userField, nameField, passField, confirmField, error, submit);

  shell(root,
    h('p', { class: 'invite-kicker' }, 'Welcome to your new peerchat server'),
    h('h1', { id: 'setup-title' }, 'Create the admin account for this server'),
    h('p', { class: 'muted' },
      'This one-time link comes from the server’s log. The account you create here can make groups and invite people to them.'),
    h('p', { class: 'muted small' }, setupExpiry(info?.expires_at)),
    form);
  user.focus();
}

function setupExpiry(expiresAt) {
  const rel = expiresAt ? formatRelativeFuture(expiresAt) : 'expired';
  if (rel === 'expired') return 'This link works once, for one hour after the server started.';
  return h('time', { title: formatFull(expiresAt) }, `This link expires ${rel} and works once.`);
}

function renderSetupInvalid(root) {
  shell(root,
    h('h1', null, 'This setup link is not valid'),
    h('p', { class: 'muted' },
      'It may have been used already or have expired (a setup link works once, for one hour), or it was not copied whole. If the admin account exists, sign in with it.'),
    h('p', { class: 'muted small' },
      'No admin account yet? Restart the server: it logs a new setup link while it has no admin.'),
    h('a', { href: '/login', 'data-nav': true, class: 'btn btn-primary btn-block' }, 'Sign in'));
}
