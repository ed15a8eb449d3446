// SPDX-License-Identifier: MIT
// Secondary surfaces: the group details panel (settings, members, invites), dialogs, toasts.

import { clear, h, icon, iconButton } from './dom.js';
import { collect as collectSlot } from './hooks.js';
import { actions, canModerate, isOnline, state } from './state.js';
import { userAvatar } from './people.js';
import { renderDirectInfo } from './direct.js';
import { collect } from './hooks.js';
import { formatFull, formatRelativeFuture } from './format.js';

// ---------------------------------------------------------------------------------------
// Toasts

export function toast(message, kind = 'info') {
  const box = document.getElementById('toasts');
  if (!box) return;
  const el = h('div', { class: `toast toast-${kind}`, role: kind === 'error' ? 'alert' : 'status' },
    h('span', null, message),
    iconButton('close', 'Dismiss', () => el.remove(), { size: 16 }));
  box.append(el);
  while (box.children.length > 3) box.firstChild.remove();
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 5000);
}

// ---------------------------------------------------------------------------------------
// Dialogs (<dialog>, so focus is trapped and Escape closes, without window.confirm)

let dialogSeq = 0;

export function confirmDialog({ title, message, confirmLabel = 'OK', danger = false }) {
  return new Promise((resolve) => {
    const id = `dlg-${++dialogSeq}`;
    const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': id },
      h('form', { method: 'dialog' },
        h('h2', { id }, title),
        message ? h('p', null, message) : null,
        h('div', { class: 'dialog-actions' },
          h('button', { value: 'cancel', class: 'btn' }, 'Cancel'),
          h('button', { value: 'ok', class: danger ? 'btn btn-danger' : 'btn btn-primary' }, confirmLabel))));
    dlg.addEventListener('close', () => { resolve(dlg.returnValue === 'ok'); dlg.remove(); });
    document.body.append(dlg);
    dlg.showModal();
    dlg.querySelector('button[value="ok"]').focus();
  });
}

export function newGroupDialog() {
  const id = `dlg-${++dialogSeq}`;
  const name = h('input', { id: `${id}-name`, name: 'name', required: true, maxlength: 80, autocomplete: 'off' });
  const topic = h('input', { id: `${id}-topic`, name: 'topic', maxlength: 500, autocomplete: 'off' });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create group');
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': id });
  const form = h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      submit.disabled = true;
      try {
        await actions.createGroup(name.value.trim(), topic.value.trim());
        dlg.close();
      } catch (err) {
        error.textContent = err.message;
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', { id }, 'New group'),
  h('label', { class: 'field', for: name.id }, h('span', null, 'Name'), name),
  h('label', { class: 'field', for: topic.id }, h('span', null, 'Topic ', h('span', { class: 'muted' }, '(optional)')), topic),
  error,
  h('div', { class: 'dialog-actions' },
    h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Cancel'),
    submit));
  dlg.append(form);
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  name.focus();
}

// ---------------------------------------------------------------------------------------
// Clipboard

export async function copyText(text, inputForFallback) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      toast('Link copied to the clipboard.');
      return true;
    }
  } catch { /* fall through to the old way */ }
  // Without a secure context (plain http on a LAN) the async API is missing.
  const input = inputForFallback || h('textarea', { class: 'offscreen', 'aria-hidden': 'true' });
  if (!inputForFallback) { input.value = text; document.body.append(input); }
  input.focus();
  input.select();
  let ok = false;
  try { ok = document.execCommand('copy'); } catch { ok = false; }
  if (!inputForFallback) input.remove();
  toast(ok ? 'Link copied to the clipboard.' : 'Select the link and copy it (Ctrl+C).', ok ? 'info' : 'error');
  return ok;
}

// ---------------------------------------------------------------------------------------
// Group details panel

let info = null; // {gid, role, els, invites, invitesError, created}

const EXPIRY_CHOICES = [
  [3600, '1 hour'], [86400, '1 day'], [604800, '7 days'], [2592000, '30 days'],
];

export function renderInfo(container, gid, close) {
  const group = state.groups.get(gid);
  if (!group) return;
  if (group.kind === 'direct') { info = null; renderDirectInfo(container, gid, close); return; }
  const mod = canModerate(group);
  if (!info || info.gid !== gid || container.dataset.group !== String(gid) || info.container !== container) {
    info = { gid, container, role: null, invites: null, invitesError: null, created: null, els: {} };
    container.dataset.group = String(gid);
    buildInfo(container, close);
    if (mod) loadInvites();
  }
  if (info.role !== group.role) {
    const becameMod = mod && !canModerate({ role: info.role });
    info.role = group.role;
    renderAbout(group);
    clear(info.els.extra).append(...collectSlot('infoSections', group)); // e.g. group-export.js
    if (becameMod) loadInvites();
  } else if (!mod) {
    renderAbout(group);
  } else {
    // Keep a half-typed name or topic; only refresh the fields when they are not focused.
    const e = info.els;
    if (e.nameInput && document.activeElement !== e.nameInput && document.activeElement !== e.topicInput && !e.dirty) {
      e.nameInput.value = group.name;
      e.topicInput.value = group.topic || '';
    }
  }
  renderMembers(group);
  renderInvites(group);
}

function buildInfo(container, close) {
  const e = info.els;
  // Not labelled by its heading: for members that is the group's name, the conversation's label too.
  e.about = h('section', { class: 'info-section', 'aria-label': 'About the group' });
  e.members = h('section', { class: 'info-section', 'aria-labelledby': 'info-members-h' });
  e.invites = h('section', { class: 'info-section', 'aria-labelledby': 'info-invites-h' });
  const leave = h('section', { class: 'info-section' },
    h('button', { type: 'button', class: 'btn btn-danger-outline btn-block', onclick: leaveGroup }, 'Leave group'));
  clear(container).append(
    h('div', { class: 'info-head' },
      h('h2', { tabindex: '-1' }, 'Group details'),
      iconButton('close', 'Close group details', close, { class: 'info-close' })),
    h('div', { class: 'info-scroll' }, e.about, e.members, e.invites, e.extra = h('div', { class: 'info-extra' }), leave));
}

function renderAbout(group) {
  const e = info.els;
  clear(e.about);
  if (!canModerate(group)) {
    e.nameInput = null;
    e.about.append(
      h('h3', { id: 'info-about-h', class: 'info-title' }, group.name),
      h('p', { class: group.topic ? '' : 'muted' }, group.topic || 'No topic.'),
      h('p', { class: 'muted small' }, `Your role: ${group.role || 'member'}`));
    return;
  }
  const name = h('input', { id: 'info-name', maxlength: 80, required: true, autocomplete: 'off' });
  const topic = h('textarea', { id: 'info-topic', rows: 2, maxlength: 500 });
  name.value = group.name;
  topic.value = group.topic || '';
  const status = h('p', { class: 'form-status', role: 'status' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Save');
  e.nameInput = name;
  e.topicInput = topic;
  e.dirty = false;
  name.addEventListener('input', () => { e.dirty = true; });
  topic.addEventListener('input', () => { e.dirty = true; });
  e.about.append(
    h('h3', { id: 'info-about-h' }, 'About'),
    h('form', {
      class: 'stack',
      onsubmit: async (ev) => {
        ev.preventDefault();
        const patch = {};
        const g = state.groups.get(info.gid);
        if (name.value.trim() !== g.name) patch.name = name.value.trim();
        if (topic.value.trim() !== (g.topic || '')) patch.topic = topic.value.trim();
        if (!Object.keys(patch).length) { status.textContent = 'Nothing changed.'; return; }
        save.disabled = true;
        status.className = 'form-status';
        status.textContent = 'Saving…';
        try {
          await actions.updateGroup(info.gid, patch);
          e.dirty = false;
          status.textContent = 'Saved.';
        } catch (err) {
          status.className = 'form-status form-error';
          status.textContent = err.message;
        } finally {
          save.disabled = false;
        }
      },
    },
    h('label', { class: 'field', for: 'info-name' }, h('span', null, 'Name'), name),
    h('label', { class: 'field', for: 'info-topic' }, h('span', null, 'Topic'), topic),
    h('div', { class: 'row' }, save, status)));
}

function renderMembers(group) {
  const e = info.els;
  const members = state.members.get(group.id);
  const me = state.me;
  const list = members ? [...members.values()] : [];
  const rank = { owner: 0, admin: 1, member: 2 };
  list.sort((a, b) => (rank[a.role] ?? 3) - (rank[b.role] ?? 3) ||
    (b.online ? 1 : 0) - (a.online ? 1 : 0) || String(a.display_name).localeCompare(String(b.display_name)));
  const isOwner = group.role === 'owner';
  const mod = canModerate(group);
  const items = list.map((m) => {
    const self = m.user_id === me.id;
    const online = isOnline(m);
    const controls = [];
    if (isOwner && !self) {
      const sel = h('select', {
        class: 'role-select', 'aria-label': `Role of ${m.display_name}`,
        onchange: async () => {
          sel.disabled = true;
          try { await actions.setRole(group.id, m.user_id, sel.value); } catch (err) { toast(err.message, 'error'); sel.value = m.role; }
          sel.disabled = false;
        },
      }, ['owner', 'admin', 'member'].map((r) => h('option', { value: r, selected: r === m.role }, r)));
      controls.push(sel);
    } else {
      controls.push(h('span', { class: `role-badge role-${m.role}` }, m.role));
    }
    if (mod && !self && m.role !== 'owner' && (isOwner || m.role === 'member')) {
      controls.push(iconButton('close', `Remove ${m.display_name} from the group`, async () => {
        const ok = await confirmDialog({
          title: `Remove ${m.display_name}?`, message: 'They will lose access to this group at once.',
          confirmLabel: 'Remove', danger: true,
        });
        if (!ok) return;
        try { await actions.removeMember(group.id, m.user_id); } catch (err) { toast(err.message, 'error'); }
      }, { class: 'danger', size: 16 }));
    }
    return h('li', { class: 'member' },
      h('span', { class: 'avatar-wrap' }, userAvatar(m.user_id, m.display_name, 'sm'),
        h('span', { class: ['presence-dot', online && 'online'], 'aria-label': online ? 'online' : 'offline', role: 'img' })),
      h('span', { class: 'member-names' },
        h('span', { class: 'member-name' }, m.display_name, self ? h('span', { class: 'muted' }, ' (you)') : null),
        h('span', { class: 'member-username muted' }, `@${m.username}`)),
      h('span', { class: 'member-controls' }, collect('memberControls', m, group), controls));
  });
  const online = list.filter(isOnline).length;
  clear(e.members).append(
    h('h3', { id: 'info-members-h' }, 'Members', h('span', { class: 'muted count' },
      members ? ` ${list.length} · ${online} online` : '')),
    members ? h('ul', { class: 'members' }, items) : h('div', { class: 'spinner', 'aria-label': 'Loading members' }));
}

async function loadInvites() {
  const gid = info.gid;
  try {
    const list = await actions.invites(gid);
    if (info?.gid !== gid) return;
    info.invites = list;
    info.invitesError = null;
  } catch (err) {
    if (info?.gid !== gid) return;
    info.invitesError = err.message;
  }
  const group = state.groups.get(gid);
  if (group) renderInvites(group);
}

function inviteUrl(inv) {
  return inv.url || `${location.origin}/invite/${encodeURIComponent(inv.code)}`;
}

function renderInvites(group) {
  const e = info.els;
  if (!canModerate(group)) { clear(e.invites); e.invites.hidden = true; return; }
  e.invites.hidden = false;
  if (!e.inviteForm || !e.invites.contains(e.inviteForm)) {
    const maxUses = h('input', { id: 'invite-max', type: 'number', min: 1, max: 1000, value: 1, inputmode: 'numeric' });
    const expiry = h('select', { id: 'invite-expiry' },
      EXPIRY_CHOICES.map(([s, label]) => h('option', { value: s, selected: s === 604800 }, label)));
    const create = h('button', { type: 'submit', class: 'btn btn-primary' }, icon('link', 16), 'Create invite link');
    e.inviteError = h('p', { class: 'form-error', role: 'alert' });
    e.inviteForm = h('form', {
      class: 'invite-form',
      onsubmit: async (ev) => {
        ev.preventDefault();
        e.inviteError.textContent = '';
        const n = Math.round(Number(maxUses.value));
        if (!(n >= 1 && n <= 1000)) { e.inviteError.textContent = 'Uses must be between 1 and 1000.'; return; }
        create.disabled = true;
        try {
          const inv = await actions.createInvite(info.gid, n, Number(expiry.value));
          info.created = inv;
          info.invites = [inv, ...(info.invites || []).filter((i) => i.code !== inv.code)];
          renderInvites(state.groups.get(info.gid));
          e.createdInput?.focus();
          e.createdInput?.select();
        } catch (err) {
          e.inviteError.textContent = err.message;
        } finally {
          create.disabled = false;
        }
      },
    },
    h('div', { class: 'row' },
      h('label', { class: 'field field-small', for: 'invite-max' }, h('span', null, 'Max uses'), maxUses),
      h('label', { class: 'field field-small', for: 'invite-expiry' }, h('span', null, 'Expires after'), expiry)),
    create, e.inviteError);
    e.createdBox = h('div', { class: 'invite-created' });
    e.inviteList = h('div', { class: 'invite-list' });
    clear(e.invites).append(h('h3', { id: 'info-invites-h' }, 'Invite links'),
      h('p', { class: 'muted small' }, 'Anyone with a link can join until it expires or is used up.'),
      e.inviteForm, e.createdBox, e.inviteList);
  }
  clear(e.createdBox);
  e.createdInput = null;
  if (info.created) {
    const url = inviteUrl(info.created);
    const input = h('input', { class: 'invite-url', readonly: true, 'aria-label': 'New invite link', value: url });
    e.createdInput = input;
    e.createdBox.append(h('div', { class: 'copy-row' }, input,
      h('button', { type: 'button', class: 'btn', onclick: () => copyText(url, input) }, icon('copy', 16), 'Copy')));
  }
  clear(e.inviteList);
  if (info.invitesError) { e.inviteList.append(h('p', { class: 'form-error' }, info.invitesError)); return; }
  if (!info.invites) { e.inviteList.append(h('div', { class: 'spinner', 'aria-label': 'Loading invites' })); return; }
  const live = info.invites.filter((i) => !i.expires_at || i.expires_at > Date.now());
  if (!live.length) { e.inviteList.append(h('p', { class: 'muted small' }, 'No active invite links.')); return; }
  e.inviteList.append(h('ul', { class: 'invites' }, live.map((inv) => {
    const url = inviteUrl(inv);
    const short = `…${String(inv.code).slice(-6)}`;
    return h('li', { class: 'invite' },
      h('span', { class: 'invite-meta' },
        h('span', { class: 'invite-code', title: url }, short),
        h('span', { class: 'muted small' },
          `${inv.uses ?? 0}/${inv.max_uses ?? 1} used`,
          inv.expires_at ? ` · expires ${formatRelativeFuture(inv.expires_at)}` : ''),
        inv.expires_at ? h('span', { class: 'sr-only' }, ` (${formatFull(inv.expires_at)})`) : null),
      h('span', { class: 'invite-controls' },
        iconButton('copy', `Copy invite link ${short}`, () => copyText(url), { size: 16 }),
        h('button', {
          type: 'button', class: 'btn btn-small btn-danger-outline', 'aria-label': `Revoke invite link ${short}`,
          onclick: async () => {
            try {
              await actions.revokeInvite(info.gid, inv.code);
              info.invites = info.invites.filter((i) => i.code !== inv.code);
              if (info.created?.code === inv.code) info.created = null;
              renderInvites(state.groups.get(info.gid));
            } catch (err) { toast(err.message, 'error'); }
          },
        }, 'Revoke')));
  })));
}

async function leaveGroup() {
  const group = state.groups.get(info.gid);
  if (!group) return;
  let extra = '';
  if (group.role === 'owner') {
    const owners = [...(state.members.get(group.id)?.values() || [])].filter((m) => m.role === 'owner');
    if (owners.length <= 1) extra = ' You are its only owner: make someone else owner first, or the group will have none.';
  }
  const ok = await confirmDialog({
    title: `Leave “${group.name}”?`, message: `You will need a new invite to come back.${extra}`,
    confirmLabel: 'Leave', danger: true,
  });
  if (!ok) return;
  try { await actions.leaveGroup(group.id); } catch (err) { toast(err.message, 'error'); }
}

