// SPDX-License-Identifier: MIT
// Kudos (docs/community.md "Kudos"): give kudos to a member, from a message's action bar (for
// that message) or from the Kudos wall; each kudos is a card in the conversation at its seq;
// the Kudos wall (the 🏅 in the conversation header) shows this month's or all-time totals,
// optionally for one member, with the kudos themselves (GET /groups/{id}/kudos).

import { request } from './api.js';
import { h, iconButton } from './dom.js';
import { formatShort } from './format.js';
import { on } from './hooks.js';
import { actions, canModerate, displayName, state } from './state.js';
import { confirmDialog, toast } from './panels.js';

const NOTE_MAX = 280;
const LOADED = 200;       // kudos fetched when a group opens (cards among its messages)
const byGroup = new Map(); // group id → Map seq → {seq, ts, from_user_id, user_id, note, target_seq?}
let invalidate = () => {};
let dialogs = 0;

function kudosOf(gid) {
  let m = byGroup.get(gid);
  if (!m) { m = new Map(); byGroup.set(gid, m); }
  return m;
}

function remember(gid, k) {
  if (k.deleted) return;  // withdrawn: a replayed kudos event without its note
  kudosOf(gid).set(k.seq, {
    id: k.kudos_id ?? k.id, seq: k.seq, ts: k.ts, from_user_id: k.from_user_id, user_id: k.user_id, note: k.note, target_seq: k.target_seq,
    from_name: k.from_display_name, to_name: k.display_name,
  });
}

const nameOf = (id, fallback) => displayName(id, fallback) || fallback || 'Someone';

/** The start of this month in local time: the wall's "This month". */
export function monthStart(now = new Date()) { return new Date(now.getFullYear(), now.getMonth(), 1).getTime(); }

/** Withdraw (its giver) or Remove (an owner or admin of the group), after a confirmation. */
function removeButton(gid, k) {
  const mine = k.from_user_id === state.me?.id;
  if (!mine && !canModerate(state.groups.get(gid))) return null;
  const label = mine ? 'Withdraw' : 'Remove';
  return h('button', {
    type: 'button', class: 'kudos-link', 'aria-label': `${label} this kudos`,
    onclick: async () => {
      const ok = await confirmDialog({
        title: mine ? 'Withdraw your kudos?' : 'Remove this kudos?',
        message: 'It leaves the conversation and the Kudos wall, and its note is erased.',
        confirmLabel: label, danger: true,
      });
      if (!ok) return;
      try {
        await request('DELETE', `/groups/${gid}/kudos/${k.id}`);
        forget(gid, k.seq);
      } catch (err) { toast(err.message, 'error'); }
    },
  }, label);
}

function forget(gid, seq) {
  if (byGroup.get(gid)?.delete(seq)) invalidate('messages');
}

function card(gid, k) {
  const from = nameOf(k.from_user_id, k.from_name);
  const to = k.user_id === state.me?.id ? 'you' : nameOf(k.user_id, k.to_name);
  return h('article', { class: 'kudos-card', 'aria-label': `Kudos from ${from} to ${to}`, dataset: { seq: String(k.seq) } },
    h('span', { class: 'kudos-badge', 'aria-hidden': 'true' }, '🏅'),
    h('div', { class: 'kudos-main' },
      h('p', { class: 'kudos-title' }, h('strong', null, from), ' gave kudos to ', h('strong', null, to)),
      h('p', { class: 'kudos-note' }, k.note),
      h('p', { class: 'kudos-meta small muted' },
        h('time', { datetime: new Date(k.ts).toISOString() }, formatShort(k.ts)),
        k.target_seq ? h('button', {
          type: 'button', class: 'kudos-link', onclick: () => actions.jumpTo(gid, k.target_seq),
        }, 'for this message') : null,
        removeButton(gid, k))));
}

function items(gid) {
  const m = byGroup.get(gid);
  if (!m) return [];
  return [...m.values()].map((k) => ({
    seq: k.seq, ts: k.ts, key: `kudos-${gid}-${k.seq}`,
    sig: `${nameOf(k.from_user_id, k.from_name)}|${nameOf(k.user_id, k.to_name)}|${state.me?.id}|${state.groups.get(gid)?.role}`,
    build: () => card(gid, k),
  }));
}

async function load(gid) {
  try {
    const res = await request('GET', `/groups/${gid}/kudos?limit=${LOADED}`);
    for (const k of res?.kudos || []) remember(gid, k);
    invalidate('messages');
  } catch { /* the cards are extras: the conversation works without them */ }
}

/** The give-kudos dialog: to whom (preset from a message), a note, and the message it is for. */
export function giveKudos(gid, { userId = null, seq = null } = {}) {
  const id = `kudos-dlg-${++dialogs}`;
  const members = [...(state.members.get(gid)?.values() || [])].filter((m) => m.user_id !== state.me?.id);
  const who = h('select', { id: `${id}-who`, required: true },
    h('option', { value: '' }, 'Choose a member'),
    members.map((m) => h('option', { value: String(m.user_id), selected: m.user_id === userId }, nameOf(m.user_id, m.display_name))));
  if (userId) who.value = String(userId);
  const note = h('textarea', { id: `${id}-note`, required: true, maxlength: NOTE_MAX, rows: 3, placeholder: 'What are you thankful for?' });
  const count = h('small', { class: 'muted', id: `${id}-count`, 'aria-live': 'polite' }, `0/${NOTE_MAX}`);
  note.setAttribute('aria-describedby', count.id);
  note.addEventListener('input', () => { count.textContent = `${[...note.value].length}/${NOTE_MAX}`; });
  const error = h('p', { class: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Give kudos');
  const dlg = h('dialog', { class: 'dialog', 'aria-labelledby': id });
  dlg.append(h('form', {
    onsubmit: async (e) => {
      e.preventDefault();
      error.textContent = '';
      submit.disabled = true;
      try {
        const body = { user_id: Number(who.value), note: note.value.trim() };
        if (seq) body.seq = seq;
        const ev = await request('POST', `/groups/${gid}/kudos`, body);
        if (ev?.seq) { remember(gid, ev); invalidate('messages'); }
        dlg.close();
        toast(`Kudos sent to ${nameOf(body.user_id)}`);
      } catch (err) {
        error.textContent = err.message;
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('h2', { id }, seq ? 'Give kudos for this message' : 'Give kudos'),
  h('div', { class: 'field' }, h('label', { for: who.id }, 'To'), who),
  h('div', { class: 'field' }, h('label', { for: note.id }, 'Note'), note, count),
  error,
  h('div', { class: 'dialog-actions' },
    h('button', { type: 'button', class: 'btn', onclick: () => dlg.close() }, 'Cancel'),
    submit)));
  dlg.addEventListener('close', () => dlg.remove());
  document.body.append(dlg);
  dlg.showModal();
  (userId ? note : who).focus();
}

/** The Kudos wall: totals (most first) and the kudos, this month or all time, all or one member. */
export function openWall(gid) {
  const id = `kudos-wall-${++dialogs}`;
  let since = monthStart();
  let member = '';
  const members = [...(state.members.get(gid)?.values() || [])];
  const periodBtn = (label, value) => h('button', {
    type: 'button', class: 'btn btn-small kudos-period', 'aria-pressed': String(value === since),
    onclick: () => { since = value; for (const b of periods.children) b.setAttribute('aria-pressed', String(b === periodButtons[label])); load(); },
  }, label);
  const periodButtons = {};
  const periods = h('div', { class: 'kudos-periods', role: 'group', 'aria-label': 'Period' });
  for (const [label, value] of [['This month', since], ['All time', 0]]) {
    periodButtons[label] = periodBtn(label, value);
    periods.append(periodButtons[label]);
  }
  const who = h('select', { id: `${id}-member`, onchange: () => { member = who.value; load(); } },
    h('option', { value: '' }, 'Everyone'),
    members.map((m) => h('option', { value: String(m.user_id) }, nameOf(m.user_id, m.display_name))));
  const totals = h('ol', { class: 'kudos-totals', 'aria-label': 'Kudos received' });
  const list = h('ul', { class: 'kudos-list', 'aria-label': 'Kudos' });
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const dlg = h('dialog', { class: 'dialog dialog-wide kudos-wall', 'aria-labelledby': id },
    h('div', { class: 'dialog-head' },
      h('h2', { id }, 'Kudos wall'),
      iconButton('close', 'Close the kudos wall', () => dlg.close(), { size: 18 })),
    h('div', { class: 'kudos-filters' }, periods,
      h('div', { class: 'field kudos-member' }, h('label', { for: who.id }, 'Member'), who)),
    h('div', { class: 'kudos-wall-scroll' }, h('h3', { class: 'kudos-sub' }, 'Most kudos'), totals,
      h('h3', { class: 'kudos-sub' }, 'Kudos'), list, status),
    h('div', { class: 'dialog-actions' },
      h('button', { type: 'button', class: 'btn btn-primary', onclick: () => { dlg.close(); giveKudos(gid, { userId: member ? Number(member) : null }); } },
        'Give kudos')));
  let generation = 0;
  async function load() {
    const mine = ++generation;
    status.textContent = 'Loading…';
    try {
      const q = new URLSearchParams({ limit: '100' });
      if (since) q.set('since', String(since));
      if (member) q.set('user_id', member);
      const res = await request('GET', `/groups/${gid}/kudos?${q}`);
      if (mine !== generation) return;
      totals.replaceChildren(...(res?.totals || []).map((t) => h('li', { class: 'kudos-total' },
        h('span', { class: 'kudos-total-name' }, nameOf(t.user_id, t.display_name)),
        h('span', { class: 'kudos-total-count' }, `🏅 ${t.count}`))));
      list.replaceChildren(...(res?.kudos || []).map((k) => h('li', { class: 'kudos-item' },
        h('p', null, h('strong', null, nameOf(k.from_user_id, k.from_display_name)), ' → ',
          h('strong', null, nameOf(k.user_id, k.display_name))),
        h('p', { class: 'kudos-note' }, k.note),
        h('p', { class: 'small muted' }, formatShort(k.ts)))));
      status.textContent = list.children.length ? '' : (since ? 'No kudos this month yet.' : 'No kudos yet.');
    } catch (err) {
      if (mine === generation) status.textContent = err.message;
    }
  }
  dlg.addEventListener('close', () => { dlg.remove(); document.querySelector('.kudos-wall-btn')?.focus(); });
  document.body.append(dlg);
  dlg.showModal();
  load();
}

const emojiButton = (emoji, label, onclick, extra = {}) =>
  h('button', { type: 'button', ...extra, class: ['icon-btn', 'emoji-btn', extra.class].filter(Boolean).join(' '), 'aria-label': label, title: label, onclick },
    h('span', { 'aria-hidden': 'true' }, emoji));

export function init(ctx) {
  invalidate = ctx.invalidate;
  on('frame', (f) => {
    if (f.type !== 'event') return;
    if (f.kind === 'kudos_removed') forget(f.group_id, f.target_seq);
    if (f.kind !== 'kudos') return;
    remember(f.group_id, f);
    invalidate('messages');
  });
  on('route', (gid) => { if (gid) load(gid); });
  on('timelineItems', items);
  on('convHead', (group) => (group && group.kind !== 'direct'
    ? emojiButton('🏅', 'Kudos wall', () => openWall(group.id), { class: 'kudos-wall-btn', 'aria-haspopup': 'dialog' })
    : null));
  on('messageActions', (gid, group, m) => {
    const sender = m.sender?.user_id;
    if (!group || group.kind === 'direct' || !sender || sender === state.me?.id || m.deleted) return null;
    return emojiButton('🏅', `Give kudos to ${nameOf(sender, m.sender.display_name)} for this message`,
      () => giveKudos(gid, { userId: sender, seq: m.seq }), { dataset: { fk: 'a-kudos' } });
  });
}
