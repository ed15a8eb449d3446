// SPDX-License-Identifier: MIT
// The Mentions view (the @ in the sidebar's header): messages that mention you, newest first,
// from all your groups (GET /mentions, paged with its cursor); each opens its group at that
// message.

import { request } from './api.js';
import { h, iconButton } from './dom.js';
import { formatShort, richText } from './format.js';
import { on } from './hooks.js';
import { actions, displayName, groupTitle, state } from './state.js';

const PAGE = 30;

function item(m, dlg) {
  const g = state.groups.get(m.group_id);
  return h('li', null, h('button', {
    type: 'button', class: 'search-result mention-result',
    onclick: () => { dlg.close(); actions.jumpTo(m.group_id, m.seq); },
  },
  h('span', { class: 'search-result-top' },
    h('span', { class: 'search-group' }, g ? groupTitle(g) : `Group ${m.group_id}`),
    m.ts ? h('time', { class: 'group-time' }, formatShort(m.ts)) : null),
  h('span', { class: 'search-sender' }, m.sender?.user_id ? displayName(m.sender.user_id, m.sender.display_name) : ''),
  h('span', { class: 'search-snippet' }, m.deleted ? 'Message deleted'
    : richText(m.body, { isMember: () => false, meUsername: state.me?.username || '' }))));
}

export function openMentions() {
  const listEl = h('ul', { class: 'results mention-results', 'aria-labelledby': 'mentions-title' });
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  const more = h('button', { type: 'button', class: 'btn btn-small', hidden: true }, 'Show older');
  const dlg = h('dialog', { class: 'dialog dialog-wide', 'aria-labelledby': 'mentions-title' },
    h('div', { class: 'dialog-head' },
      h('h2', { id: 'mentions-title' }, 'Mentions of you'),
      iconButton('close', 'Close mentions', () => dlg.close(), { size: 18 })),
    h('div', { class: 'mentions-scroll' }, listEl, status, more));
  let cursor = null;
  const load = async () => {
    more.hidden = true;
    status.textContent = 'Loading…';
    try {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (cursor) q.set('cursor', cursor);
      const res = await request('GET', `/mentions?${q}`);
      const msgs = res?.messages || [];
      listEl.append(...msgs.map((m) => item(m, dlg)));
      cursor = res?.next_cursor || null;
      more.hidden = !cursor;
      status.textContent = listEl.children.length ? '' : 'Nobody has mentioned you yet.';
    } catch (err) {
      status.textContent = err.message;
    }
  };
  more.addEventListener('click', load);
  dlg.addEventListener('close', () => { dlg.remove(); document.querySelector('.mentions-btn')?.focus(); });
  document.body.append(dlg);
  dlg.showModal();
  load();
}

export function init() {
  on('sidebarTools', () => iconButton('at', 'Mentions of you', openMentions,
    { class: 'mentions-btn', 'aria-haspopup': 'dialog' }));
}
