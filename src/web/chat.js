// SPDX-License-Identifier: MIT
// The main screen: group list (sidebar), conversation, composer. Rendered from `state`,
// with keyed, incremental updates of the message list so scrolling, focus and an open
// edit box survive incoming events.

import { clear, h, icon, iconButton } from './dom.js';
import {
  actions, canModerate, displayName, groupTitle, isOnline, REACTIONS, sortedGroups, state, timeline,
} from './state.js';
import { avatarKey, groupAvatar, userAvatar } from './people.js';
import {
  dayKey, formatDay, formatFull, formatShort, formatTime, mentionsUser, plural,
  richText, snippetNodes,
} from './format.js';
import { newGroupDialog, renderInfo } from './panels.js';
import { collect, emit } from './hooks.js';
import { renderAttachments } from './attachment-view.js';
import { canCreateGroups } from './state.js';

let els = null;                 // the skeleton's elements while mounted
const nodeCache = new Map();    // key → {node, sig} for message-list items
let renderedGroup = null;
const drafts = new Map();       // group id → unsent composer text
let flash = { seq: null, until: 0 }; // the message just jumped to, highlighted for a moment

export function isAtBottom() {
  if (!els) return false;
  const sc = els.scroller;
  return sc.scrollHeight - sc.scrollTop - sc.clientHeight < 48;
}

export function unmount() {
  els = null;
  nodeCache.clear();
  renderedGroup = null;
}

export function mount(root) {
  if (els && root.contains(els.layout)) return;
  clear(root);
  nodeCache.clear();
  renderedGroup = null;
  els = {};
  const sidebar = buildSidebar();
  const conv = buildConversation();
  els.info = h('section', { class: 'info-panel', id: 'info-panel', 'aria-label': 'Group details' });
  els.info.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && !e.defaultPrevented) { e.preventDefault(); els.info.querySelector('.info-close')?.click(); }
  });
  // The whole app is the main landmark, its three panes labelled regions in it: on a phone the
  // list or the conversation is hidden, and whichever is shown must still be inside <main>.
  els.layout = h('main', { class: 'layout' }, sidebar, conv, els.info);
  root.append(els.layout);
}

export function update(parts) {
  if (!els) return;
  if (parts.has('layout')) renderLayout();
  if (parts.has('conv')) renderConvHead();
  if (parts.has('groups')) renderSidebarList();
  if (parts.has('conn')) { renderConn(); if (!parts.has('layout')) renderMe(); }
  if (parts.has('messages') || parts.has('pending')) renderMessages();
  if (parts.has('typing')) renderTyping();
  if (parts.has('composer')) renderComposer();
  if (parts.has('info') || parts.has('layout')) renderInfoPanel();
}

// ---------------------------------------------------------------------------------------
// Sidebar

function buildSidebar() {
  els.meBox = h('div', { class: 'me' });
  els.newGroupBtn = iconButton('plus', 'New group', () => newGroupDialog(), { class: 'new-group-btn' });

  const input = h('input', {
    type: 'search', class: 'search-input', id: 'search-input', placeholder: 'Search messages',
    'aria-label': 'Search messages', autocomplete: 'off', enterkeyhint: 'search',
  });
  const scope = h('input', { type: 'checkbox', id: 'search-scope' });
  els.searchInput = input;
  els.searchScope = scope;
  els.searchScopeLabel = h('label', { class: 'search-scope', for: 'search-scope' }, scope, 'Only this group');
  let debounce = null;
  const run = () => {
    clearTimeout(debounce);
    const gid = scope.checked ? state.route.groupId : null;
    actions.search(input.value, gid || null);
  };
  input.addEventListener('input', () => {
    clearTimeout(debounce);
    els.searchScopeLabel.hidden = !state.route.groupId || !input.value.trim();
    if (!input.value.trim()) { actions.clearSearch(); return; }
    debounce = setTimeout(run, 350);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && input.value) { e.preventDefault(); input.value = ''; actions.clearSearch(); }
  });
  scope.addEventListener('change', () => { if (input.value.trim()) run(); });
  const form = h('form', { class: 'search', role: 'search', onsubmit: (e) => { e.preventDefault(); run(); } },
    h('span', { class: 'search-icon' }, icon('search', 16)), input);

  els.conn = h('div', { class: 'conn-banner', role: 'status', 'aria-live': 'polite' });
  els.list = h('nav', { class: 'group-list', 'aria-label': 'Your groups' });
  return h('section', { class: 'sidebar', 'aria-label': 'Groups' },
    h('header', { class: 'sidebar-head' },
      h('h1', { class: 'brand-title' }, h('a', { class: 'brand', href: '/', 'data-nav': true, 'aria-label': 'peerchat home' },
        h('img', { src: '/icon.svg', alt: '', class: 'brand-logo', width: 28, height: 28 }),
        h('span', { class: 'brand-name' }, 'peerchat'))),
      h('div', { class: 'sidebar-tools' }, collect('sidebarTools'), els.newGroupBtn)),
    form, els.searchScopeLabel, els.conn, collect('sidebarBanner'), els.list,
    h('footer', { class: 'sidebar-foot' }, els.meBox));
}

function renderLayout() {
  const gid = state.route.groupId;
  els.layout.classList.toggle('has-group', !!gid);
  els.layout.classList.toggle('info-open', !!(gid && state.ui.infoOpen));
  els.newGroupBtn.hidden = !canCreateGroups();
  els.searchScopeLabel.hidden = !gid || !els.searchInput.value.trim();
  renderMe();
  if (renderedGroup !== gid) switchGroup(gid);
}

function renderMe() {
  clear(els.meBox).append(
    h('span', { class: 'avatar-wrap' }, userAvatar(state.me.id, state.me.display_name, 'md'),
      h('span', { class: ['presence-dot', state.conn === 'online' && 'online'] })),
    h('span', { class: 'me-names' },
      h('span', { class: 'me-name' }, state.me.display_name),
      h('span', { class: 'me-username muted' }, `@${state.me.username || ''}`)),
    ...collect('meTools'),
    iconButton('logout', 'Sign out', () => actions.logout(), { class: 'logout-btn' }),
  );
}

function previewText(g) {
  const p = g.preview;
  if (!p) return g.topic || 'No messages yet';
  if (p.deleted) return 'Message deleted';
  const who = p.mine ? 'You' : p.sender_id ? displayName(p.sender_id, p.name) : p.name;
  const text = String(p.body ?? '').replace(/\s+/gu, ' ') || (p.files ? 'sent an attachment' : '');
  return `${who}: ${text}`;
}

function renderSidebarList() {
  const s = state.ui.search;
  if (s) { renderSearchResults(s); return; }
  const groups = sortedGroups();
  if (!groups.length) {
    clear(els.list).append(h('div', { class: 'empty-list' },
      h('p', null, 'You are not in any group yet.'),
      h('p', { class: 'muted' }, canCreateGroups() ? 'Create one, then invite people with a link.'
        : 'Ask someone for an invite link.')));
    return;
  }
  const item = (g) => {
    const active = g.id === state.route.groupId;
    const unread = g.unread || 0;
    return h('li', null, h('a', {
      href: `/g/${g.id}`, 'data-nav': true,
      class: ['group-item', active && 'active', unread && 'has-unread'],
      'aria-current': active ? 'page' : false, dataset: { groupId: g.id },
    },
    groupAvatar(g, 'md'),
    h('span', { class: 'group-item-main' },
      h('span', { class: 'group-item-top' },
        h('span', { class: 'group-name' }, groupTitle(g)),
        g.preview?.ts ? h('time', { class: 'group-time' }, formatShort(g.preview.ts)) : null),
      h('span', { class: 'group-item-bottom' },
        h('span', { class: 'group-preview' }, previewText(g)),
        unread ? h('span', { class: 'badge', 'aria-label': unread > 99 ? 'More than 99 unread messages' : plural(unread, 'unread message') },
          unread > 99 ? '99+' : String(unread)) : null))));
  };
  // Direct conversations get their own heading below the groups (direct.js starts them).
  const direct = groups.filter((g) => g.kind === 'direct');
  const rest = groups.filter((g) => g.kind !== 'direct');
  clear(els.list).append(rest.length ? h('ul', { class: 'groups' }, rest.map(item)) : null);
  if (direct.length) {
    els.list.append(h('h2', { class: 'list-heading', id: 'direct-heading' }, 'Direct messages'),
      h('ul', { class: 'groups direct-list', 'aria-labelledby': 'direct-heading' }, direct.map(item)));
  }
}

function renderSearchResults(s) {
  const head = h('div', { class: 'search-head' },
    h('span', null, s.loading ? 'Searching…' : `${plural(s.results.length, 'result')} for “${s.q}”`),
    h('button', { type: 'button', class: 'btn-link', onclick: () => { els.searchInput.value = ''; actions.clearSearch(); } }, 'Clear'));
  const body = [];
  if (s.error) body.push(h('p', { class: 'form-error', role: 'alert' }, s.error));
  else if (!s.loading && !s.results.length) body.push(h('p', { class: 'muted empty-list' }, 'No messages found.'));
  const items = s.results.map((r) => {
    const g = state.groups.get(r.group_id);
    const who = r.sender?.display_name || r.display_name;
    return h('li', null, h('button', {
      type: 'button', class: 'search-result', onclick: () => actions.jumpTo(r.group_id, r.seq),
    },
    h('span', { class: 'search-result-top' },
      h('span', { class: 'search-group' }, g ? groupTitle(g) : `Group ${r.group_id}`),
      r.ts ? h('time', { class: 'group-time' }, formatShort(r.ts)) : null),
    who ? h('span', { class: 'search-sender' }, who) : null,
    h('span', { class: 'search-snippet' }, snippetNodes(r.snippet ?? r.body ?? ''))));
  });
  clear(els.list).append(head, ...body, h('ul', { class: 'results', 'aria-label': 'Search results' }, items));
}

function renderConn() {
  const c = state.conn;
  els.conn.className = `conn-banner conn-${c}`;
  clear(els.conn);
  if (c === 'online') return;
  if (c === 'connecting') els.conn.append(h('span', { class: 'dot' }), 'Connecting…');
  else els.conn.append(h('span', { class: 'dot' }), 'Offline — reconnecting. Messages you send will go out when the connection is back.');
}

// ---------------------------------------------------------------------------------------
// Conversation

function buildConversation() {
  els.head = h('header', { class: 'conv-head' });
  els.historyStatus = h('div', { class: 'history-status' });
  els.msgList = h('div', { class: 'msg-list' });
  els.pendingList = h('div', { class: 'pending-list' });
  els.scroller = h('div', {
    class: 'messages', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions',
    'aria-label': 'Messages', tabindex: '0',
  }, els.historyStatus, els.msgList, els.pendingList);
  els.jumpBtn = h('button', { type: 'button', class: 'jump-latest', hidden: true, onclick: () => actions.jumpToPresent(state.route.groupId) },
    icon('down', 16), 'Jump to latest');
  els.typing = h('div', { class: 'typing', 'aria-live': 'polite' });
  els.composer = buildComposer();
  els.empty = h('div', { class: 'conv-empty' });
  els.convMain = h('div', { class: 'conv-main' }, els.head,
    h('div', { class: 'conv-body' }, els.scroller, els.jumpBtn), els.typing, els.composer);

  let scrollQueued = false;
  els.scroller.addEventListener('scroll', () => {
    if (scrollQueued) return;
    scrollQueued = true;
    requestAnimationFrame(() => { scrollQueued = false; onScroll(); });
  }, { passive: true });
  // Phones have no hover: a tap on a message shows its actions.
  els.scroller.addEventListener('click', (e) => {
    if (!matchMedia('(hover: none)').matches) return;
    if (e.target.closest('button, a, textarea, input')) return;
    const msg = e.target.closest('.msg[data-seq]');
    for (const el of els.scroller.querySelectorAll('.msg.show-actions')) if (el !== msg) el.classList.remove('show-actions');
    msg?.classList.toggle('show-actions');
  });
  return h('section', { class: 'conversation', 'aria-labelledby': 'conv-title' },
    h('h1', { class: 'sr-only phone-title' }, 'peerchat'), els.convMain, els.empty);
}

function onScroll() {
  if (!els) return;
  const gid = state.route.groupId;
  if (!gid) return;
  const sc = els.scroller;
  const tl = timeline(gid);
  if (sc.scrollTop < 400) actions.loadOlder(gid);
  const fromBottom = sc.scrollHeight - sc.scrollTop - sc.clientHeight;
  if (fromBottom < 400 && tl.hasNewer) actions.loadNewer(gid);
  els.jumpBtn.hidden = !(tl.hasNewer || fromBottom > 600);
  if (isAtBottom()) actions.seenBottom();
}

function switchGroup(gid) {
  if (renderedGroup && els.input) drafts.set(renderedGroup, els.input.value);
  renderedGroup = gid;
  nodeCache.clear();
  clear(els.msgList);
  clear(els.pendingList);
  state.ui.pickerSeq = null;
  const group = gid ? state.groups.get(gid) : null;
  els.convMain.hidden = !group;
  els.empty.hidden = !!group;
  clear(els.empty);
  if (!group) {
    els.empty.append(h('div', { class: 'conv-empty-inner' },
      h('img', { src: '/icon.svg', alt: '', width: 72, height: 72, class: 'empty-logo' }),
      gid ? h('h2', null, 'Group not found') : h('h2', null, 'Welcome to peerchat'),
      h('p', { class: 'muted' }, gid ? 'It does not exist, or you are not a member of it.'
        : state.groups.size ? 'Pick a group on the left to start chatting.' : 'Once you are in a group, it shows up here.')));
  }
  if (els.input) {
    els.input.value = drafts.get(gid) || '';
    autosize(els.input);
    els.input.setAttribute('aria-label', group ? `Message ${groupTitle(group)}` : 'Message');
    els.input.placeholder = group ? `Message ${groupTitle(group)}` : 'Message';
    // On a desktop, opening a group puts the cursor in the composer; on a phone that would
    // pop the keyboard up over the conversation, so it is left to a tap.
    if (group && matchMedia('(min-width: 701px) and (hover: hover)').matches) {
      queueMicrotask(() => els?.input.focus({ preventScroll: true }));
    }
  }
}

function renderConvHead() {
  const gid = state.route.groupId;
  if (renderedGroup !== gid) switchGroup(gid);
  const group = gid ? state.groups.get(gid) : null;
  if (!group) { clear(els.head); if (gid && els.convMain.hidden === false) switchGroup(gid); return; }
  if (els.convMain.hidden) switchGroup(gid);
  const members = state.members.get(gid);
  let sub = '';
  if (members) {
    const online = [...members.values()].filter(isOnline).length;
    sub = `${plural(members.size, 'member')} · ${online} online`;
  }
  clear(els.head).append(
    iconButton('back', 'Back to groups', () => actions.navigate('/'), { class: 'back-btn' }),
    groupAvatar(group, 'md'),
    h('div', { class: 'conv-title' },
      h('h2', { id: 'conv-title' }, groupTitle(group)),
      h('p', { class: 'conv-sub' },
        group.topic ? h('span', { class: 'conv-topic' }, group.topic) : null,
        sub ? h('span', { class: 'conv-online' }, sub) : null)),
    ...collect('convHead', group),
    iconButton('users', group.kind === 'direct' ? 'Conversation details' : 'Group details and members', () => {
      state.ui.infoOpen = !state.ui.infoOpen;
      renderLayout();
      renderInfoPanel();
      if (state.ui.infoOpen) els.info.querySelector('h2, button, input')?.focus();
    }, { class: 'info-btn', 'aria-expanded': String(!!state.ui.infoOpen), 'aria-controls': 'info-panel' }),
  );
  if (els.input) {
    els.input.setAttribute('aria-label', `Message ${groupTitle(group)}`);
    els.input.placeholder = `Message ${groupTitle(group)}`;
  }
}

function renderInfoPanel() {
  const gid = state.route.groupId;
  const open = !!(gid && state.ui.infoOpen && state.groups.has(gid));
  els.info.hidden = !open;
  if (!open) { clear(els.info); els.info.dataset.group = ''; return; }
  renderInfo(els.info, gid, () => {
    state.ui.infoOpen = false;
    renderLayout();
    renderInfoPanel();
    renderConvHead();
    els.head.querySelector('.info-btn')?.focus();
  });
}

// ---------------------------------------------------------------------------------------
// Message list

function reconcile(container, desired) {
  const want = new Set(desired);
  let cur = container.firstChild;
  for (const node of desired) {
    while (cur && !want.has(cur)) { const next = cur.nextSibling; cur.remove(); cur = next; }
    if (cur === node) { cur = cur.nextSibling; continue; }
    container.insertBefore(node, cur);
  }
  while (cur) { const next = cur.nextSibling; cur.remove(); cur = next; }
}

function memberNames(gid) {
  const members = state.members.get(gid);
  const names = new Set();
  if (members) for (const m of members.values()) if (m.username) names.add(m.username.toLowerCase());
  if (state.me?.username) names.add(state.me.username.toLowerCase());
  return names;
}

function isMemberFn(gid) {
  const names = memberNames(gid);
  return (name) => names.has(name);
}

function renderMessages() {
  const gid = state.route.groupId;
  const group = gid ? state.groups.get(gid) : null;
  if (!group) return;
  if (renderedGroup !== gid) switchGroup(gid);
  const tl = timeline(gid);
  const sc = els.scroller;
  const wasAtBottom = isAtBottom();

  // Remember what is on screen, to keep it in place when older history is added above.
  let anchor = null;
  let anchorTop = 0;
  if (!wasAtBottom) {
    const top = sc.getBoundingClientRect().top;
    // Only messages make anchors: a day separator stays first when older days' messages
    // of the same day are added above it.
    for (const el of els.msgList.querySelectorAll('.msg[data-seq]')) {
      const r = el.getBoundingClientRect();
      if (r.bottom > top) { anchor = el; anchorTop = r.top; break; }
    }
  }
  const active = document.activeElement;
  const focusKey = active?.dataset?.fk;
  const focusSeq = active?.closest?.('[data-seq]')?.dataset.seq;

  renderHistoryStatus(gid, group, tl);

  const desired = [];
  if (tl.loaded) {
    const names = memberNames(gid);
    const isMember = (name) => names.has(name);
    // Mentions depend on who is a member: rebuild messages only when that set changes.
    const membersGen = [...names].sort().join(',');
    const msgs = tl.sorted();
    // Cards the capability modules place in the conversation (kudos, polls, quizzes), by seq.
    const cards = collect('timelineItems', gid).filter((c) => !tl.hasOlder || c.seq >= (msgs[0]?.seq ?? Infinity))
      .filter((c) => !tl.hasNewer || c.seq <= (msgs[msgs.length - 1]?.seq ?? -Infinity))
      .sort((a, b) => a.seq - b.seq);
    let nextCard = 0;
    let prev = null;
    let dividerPlaced = false;
    const placeCard = (c) => {
      const dk = dayKey(c.ts);
      if (!prev || dayKey(prev.ts) !== dk) desired.push(dayNode(dk, c.ts));
      desired.push(cached(`c${c.key}`, c.sig, c.build));
      prev = { ts: c.ts, card: true };  // the next message starts a new block
    };
    for (const m of msgs) {
      while (nextCard < cards.length && cards[nextCard].seq < m.seq) placeCard(cards[nextCard++]);
      const dk = dayKey(m.ts);
      let separated = false;
      if (!prev || dayKey(prev.ts) !== dk) { desired.push(dayNode(dk, m.ts)); separated = true; }
      const divSeq = state.ui.dividerSeq;
      if (divSeq !== null && divSeq !== undefined && !dividerPlaced && m.seq > divSeq && m.sender?.user_id !== state.me.id) {
        desired.push(cached('new', 'new', () => h('div', { class: 'new-divider', role: 'separator', 'aria-label': 'New messages' },
          h('span', null, 'New messages'))));
        dividerPlaced = true;
        separated = true;
      }
      const compact = !!prev && !prev.card && !separated && !m.reply_to && !prev.deleted &&
        prev.sender?.user_id === m.sender?.user_id && (m.ts - prev.ts) < 5 * 60 * 1000;
      desired.push(messageNode(gid, group, m, compact, isMember, membersGen));
      prev = m;
    }
    while (nextCard < cards.length) placeCard(cards[nextCard++]);
  }
  reconcile(els.msgList, desired);
  renderPending(gid);

  if (focusKey && focusSeq && !els.scroller.contains(document.activeElement)) {
    els.msgList.querySelector(`[data-seq="${CSS.escape(focusSeq)}"] [data-fk="${CSS.escape(focusKey)}"]`)?.focus({ preventScroll: true });
  }

  // Where to scroll.
  const jump = tl.loaded ? state.ui.jumpTo : null;
  if (tl.loaded) state.ui.jumpTo = null;
  if (typeof jump === 'number') {
    const node = document.getElementById(`msg-${jump}`);
    if (node) {
      node.scrollIntoView({ block: 'center' });
      node.classList.remove('flash');
      void node.offsetWidth; // restart the animation
      node.classList.add('flash');
      flash = { seq: jump, until: Date.now() + 2000 };
    }
  } else if (jump === 'initial') {
    const divider = els.msgList.querySelector('.new-divider');
    if (divider && divider.offsetTop < sc.scrollHeight - sc.clientHeight) divider.scrollIntoView({ block: 'start' });
    else sc.scrollTop = sc.scrollHeight;
  } else if (jump === 'bottom' || (wasAtBottom && !tl.hasNewer)) {
    sc.scrollTop = sc.scrollHeight;
  } else if (anchor && anchor.isConnected) {
    sc.scrollTop += anchor.getBoundingClientRect().top - anchorTop;
  }

  const fromBottom = sc.scrollHeight - sc.scrollTop - sc.clientHeight;
  els.jumpBtn.hidden = !(tl.hasNewer || fromBottom > 600);
  // Short history that does not fill the screen cannot be scrolled up to load more.
  if (tl.loaded && tl.hasOlder && !tl.loadingOlder && sc.scrollHeight <= sc.clientHeight + 100) actions.loadOlder(gid);
  emit('rendered', gid, els.msgList);
  if (isAtBottom()) actions.seenBottom();
}

function renderHistoryStatus(gid, group, tl) {
  const el = els.historyStatus;
  clear(el);
  if (tl.error && !tl.loaded) {
    el.append(h('p', { class: 'form-error', role: 'alert' }, tl.error),
      h('button', { type: 'button', class: 'btn', onclick: () => actions.navigate(`/g/${gid}`, { replace: true }) }, 'Try again'));
  } else if (!tl.loaded) {
    el.append(h('div', { class: 'spinner', 'aria-label': 'Loading messages' }));
  } else if (tl.loadingOlder) {
    el.append(h('div', { class: 'spinner', 'aria-label': 'Loading older messages' }));
  } else if (!tl.hasOlder) {
    el.append(h('div', { class: 'history-start' },
      groupAvatar(group, 'lg'),
      h('h3', null, groupTitle(group)),
      h('p', { class: 'muted' }, group.topic || (group.kind === 'direct'
        ? 'This is the very beginning of your direct conversation.' : 'This is the very beginning of the group.'))));
  }
}

function cached(key, sig, build) {
  const c = nodeCache.get(key);
  if (c && c.sig === sig) return c.node;
  const node = build();
  nodeCache.set(key, { node, sig });
  return node;
}

function dayNode(dk, ts) {
  const label = formatDay(ts);
  return cached(`d${dk}`, label, () => h('div', { class: 'day-sep', role: 'separator', 'aria-label': label },
    h('span', null, label)));
}

function messageNode(gid, group, m, compact, isMember, membersGen) {
  const quoted = m.reply_to ? actions.quoted(gid, m.reply_to) : null;
  const sig = [
    m._v, compact, state.ui.editingSeq === m.seq, state.ui.pickerSeq === m.seq,
    m.reply_to ? (quoted ? `${quoted._v ?? 0}:${!!quoted.deleted}:${!!quoted.missing}` : 'none') : '',
    membersGen, canModerate(group), displayName(m.sender?.user_id, m.sender?.display_name), avatarKey(m.sender?.user_id),
  ].join('|');
  return cached(`m${m.seq}`, sig, () => buildMessage(gid, group, m, compact, quoted, isMember));
}

function quoteParts(q) {
  if (!q) return { name: '', text: 'Loading…' };
  if (q.missing) return { name: '', text: 'Original message not found' };
  const name = displayName(q.sender?.user_id, q.sender?.display_name);
  if (q.deleted) return { name, text: 'Message deleted' };
  return { name, text: String(q.body ?? '').replace(/\s+/gu, ' ') };
}

function buildMessage(gid, group, m, compact, quoted, isMember) {
  const me = state.me;
  const senderId = m.sender?.user_id;
  const mine = senderId === me.id;
  const name = displayName(senderId, m.sender?.display_name);
  const mentionMe = !m.deleted && !mine && (m.mentions?.includes(me.id) || mentionsUser(m.body, me.username));
  const editing = state.ui.editingSeq === m.seq;
  const iso = new Date(m.ts).toISOString();
  const full = formatFull(m.ts);

  const gutter = compact
    ? h('time', { class: 'msg-gutter-time', datetime: iso, title: full }, formatTime(m.ts))
    : userAvatar(senderId, name);
  const main = h('div', { class: 'msg-main' });
  if (!compact) {
    main.append(h('div', { class: 'msg-head' },
      h('span', { class: 'msg-author' }, name),
      h('time', { class: 'msg-time', datetime: iso, title: full }, formatTime(m.ts))));
  }
  if (m.reply_to) {
    const q = quoteParts(quoted);
    main.append(h('button', {
      type: 'button', class: 'msg-quote', onclick: () => actions.jumpTo(gid, m.reply_to),
      // Named by its visible text (an aria-label that reworded it failed WCAG 2.5.3, label in name).
    }, icon('reply', 14), h('span', { class: 'sr-only' }, 'In reply to '),
    q.name ? h('span', { class: 'quote-author' }, q.name) : null, h('span', { class: 'sr-only' }, ': '),
    h('span', { class: 'quote-text' }, q.text), h('span', { class: 'sr-only' }, '. Show that message')));
  }
  if (editing) {
    main.append(editForm(gid, m));
  } else if (m.deleted) {
    main.append(h('p', { class: 'msg-body msg-deleted' }, 'This message was deleted'));
  } else {
    if (m.body || !m.attachments?.length) {
      main.append(h('div', { class: 'msg-body' },
        richText(m.body, { isMember, meUsername: me.username || '' }),
        m.edited ? h('span', { class: 'msg-edited', title: 'Edited' }, ' (edited)') : null));
    }
    const files = renderAttachments(m.attachments);
    if (files) main.append(files);
  }
  const reactions = reactionRow(gid, m);
  if (reactions) main.append(reactions);
  if (!m.deleted && !editing) main.append(...collect('messageParts', gid, group, m));

  const flashing = flash.seq === m.seq && Date.now() < flash.until;
  const el = h('article', {
    class: ['msg', compact && 'compact', mine && 'mine', mentionMe && 'mentions-me', m.deleted && 'deleted',
      editing && 'editing', flashing && 'flash'],
    id: `msg-${m.seq}`, dataset: { seq: m.seq }, 'aria-label': `${name}, ${full}`,
  }, h('div', { class: 'msg-gutter' }, gutter), main);
  if (!m.deleted && !editing) el.append(messageActions(gid, group, m, mine));
  return el;
}

function reactionRow(gid, m) {
  if (m.deleted) return null;
  const entries = Object.entries(m.reactions || {}).filter(([, users]) => users?.length);
  if (!entries.length) return null;
  entries.sort(([a], [b]) => {
    const ia = REACTIONS.indexOf(a); const ib = REACTIONS.indexOf(b);
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
  });
  return h('div', { class: 'reactions' }, entries.map(([emoji, users]) => {
    const mine = users.includes(state.me.id);
    const names = users.map((u) => displayName(u)).join(', ');
    return h('button', {
      type: 'button', class: ['reaction', mine && 'reaction-mine'], 'aria-pressed': String(mine),
      'aria-label': `${emoji} ${users.length}: ${names}. ${mine ? 'Remove your reaction' : 'Add your reaction'}`,
      title: names, dataset: { fk: `r-${emoji}`, emoji },
      onclick: () => actions.toggleReaction(gid, m.seq, emoji),
    }, h('span', { class: 'reaction-emoji' }, emoji), h('span', { class: 'reaction-count' }, String(users.length)));
  }));
}

function messageActions(gid, group, m, mine) {
  const pickerOpen = state.ui.pickerSeq === m.seq;
  const bar = h('div', { class: ['msg-actions', pickerOpen && 'open'], role: 'toolbar', 'aria-label': 'Message actions' },
    iconButton('smile', 'Add reaction', () => togglePicker(m.seq), {
      dataset: { fk: 'a-react' }, 'aria-expanded': String(pickerOpen), 'aria-haspopup': 'true', size: 18,
    }),
    iconButton('reply', 'Reply', () => startReply(m.seq), { dataset: { fk: 'a-reply' }, size: 18 }),
    mine ? iconButton('edit', 'Edit message', () => startEdit(m.seq), { dataset: { fk: 'a-edit' }, size: 18 }) : null,
    mine || canModerate(group)
      ? iconButton('trash', 'Delete message', () => actions.deleteMessage(gid, m.seq), { dataset: { fk: 'a-delete' }, size: 18, class: 'danger' })
      : null,
    ...collect('messageActions', gid, group, m));
  if (pickerOpen) {
    const picker = h('div', { class: 'reaction-picker', role: 'group', 'aria-label': 'Choose a reaction' },
      REACTIONS.map((e) => h('button', {
        type: 'button', class: 'picker-emoji', 'aria-label': `React with ${e}`, title: `React with ${e}`, dataset: { fk: `p-${e}` },
        onclick: () => { closePicker(); actions.toggleReaction(gid, m.seq, e); },
      }, e)));
    picker.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') { e.preventDefault(); closePicker(true); }
    });
    bar.append(picker);
    queueMicrotask(() => picker.querySelector('button')?.focus());
  }
  return bar;
}

function togglePicker(seq) {
  const prev = state.ui.pickerSeq;
  state.ui.pickerSeq = prev === seq ? null : seq;
  renderMessages();
}

function closePicker(focusButton = false) {
  const seq = state.ui.pickerSeq;
  if (seq === null || seq === undefined) return;
  state.ui.pickerSeq = null;
  renderMessages();
  if (focusButton) document.querySelector(`#msg-${seq} [data-fk="a-react"]`)?.focus();
}

document.addEventListener('pointerdown', (e) => {
  if (state.ui.pickerSeq !== null && state.ui.pickerSeq !== undefined && !e.target.closest?.('.msg-actions')) closePicker();
});

function startReply(seq) {
  state.ui.replyTo = seq;
  renderComposer();
  els.input?.focus();
}

function startEdit(seq) {
  state.ui.editingSeq = seq;
  state.ui.pickerSeq = null;
  renderMessages();
}

function editForm(gid, m) {
  const ta = h('textarea', { class: 'edit-input', 'aria-label': 'Edit message', rows: 1 });
  ta.value = m.body || '';
  const save = () => actions.editMessage(gid, m.seq, ta.value);
  const cancel = () => {
    state.ui.editingSeq = null;
    m._v++;
    renderMessages();
    document.querySelector(`#msg-${m.seq} [data-fk="a-edit"]`)?.focus();
  };
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); save(); }
    else if (e.key === 'Escape') { e.preventDefault(); cancel(); }
  });
  ta.addEventListener('input', () => autosize(ta));
  queueMicrotask(() => { autosize(ta); ta.focus(); ta.setSelectionRange(ta.value.length, ta.value.length); });
  return h('form', { class: 'edit-form', onsubmit: (e) => { e.preventDefault(); save(); } },
    ta,
    h('div', { class: 'edit-actions' },
      h('span', { class: 'muted hint' }, 'Enter to save · Esc to cancel'),
      h('button', { type: 'button', class: 'btn btn-small', onclick: cancel }, 'Cancel'),
      h('button', { type: 'submit', class: 'btn btn-small btn-primary' }, 'Save')));
}

function renderPending(gid) {
  const items = state.outbox.forGroup(gid);
  clear(els.pendingList);
  const me = state.me;
  for (const item of items) {
    const failed = item.status === 'failed';
    const status = failed
      ? h('div', { class: 'pending-status failed', role: 'alert' }, icon('alert', 14),
        h('span', null, `Not sent: ${item.error || 'error'}`),
        h('button', { type: 'button', class: 'btn-link', onclick: () => actions.retrySend(item.client_msg_id) }, 'Retry'),
        h('button', { type: 'button', class: 'btn-link', onclick: () => actions.discardSend(item.client_msg_id) }, 'Discard'))
      : h('div', { class: 'pending-status' }, icon('clock', 14),
        h('span', null, state.conn === 'online' ? 'Sending…' : 'Pending — will send when back online'));
    const q = item.reply_to ? quoteParts(actions.quoted(gid, item.reply_to)) : null;
    els.pendingList.append(h('article', {
      class: ['msg', 'mine', 'pending', failed && 'failed'], dataset: { cmid: item.client_msg_id },
      'aria-label': failed ? 'Message not sent' : 'Message pending',
    },
    h('div', { class: 'msg-gutter' }, userAvatar(me.id, me.display_name)),
    h('div', { class: 'msg-main' },
      h('div', { class: 'msg-head' }, h('span', { class: 'msg-author' }, me.display_name)),
      q ? h('div', { class: 'msg-quote' }, icon('reply', 14), h('span', { class: 'quote-author' }, q.name), h('span', { class: 'quote-text' }, q.text)) : null,
      item.body ? h('div', { class: 'msg-body' }, richText(item.body, { isMember: isMemberFn(gid), meUsername: me.username || '' })) : null,
      item.attachments?.length ? h('ul', { class: 'pending-files' }, item.attachments.map((a) => h('li', null, icon('clip', 14), a.name))) : null,
      typeof item._progress === 'number' ? h('progress', { class: 'att-progress', max: '1', value: String(item._progress), 'aria-label': 'Upload progress' }) : null,
      status)));
  }
}

function renderTyping() {
  const gid = state.route.groupId;
  const map = gid ? state.typing.get(gid) : null;
  const now = Date.now();
  const names = [];
  if (map) {
    for (const [uid, exp] of map) {
      if (exp > now) names.push(displayName(uid));
      else map.delete(uid);
    }
  }
  clear(els.typing);
  if (!names.length) return;
  let text;
  if (names.length === 1) text = `${names[0]} is typing…`;
  else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
  else text = 'Several people are typing…';
  els.typing.append(h('span', { class: 'typing-dots', 'aria-hidden': 'true' }, h('i'), h('i'), h('i')), h('span', null, text));
}

// ---------------------------------------------------------------------------------------
// Composer

function autosize(ta) {
  ta.style.height = 'auto';
  ta.style.height = `${Math.min(ta.scrollHeight, 200)}px`;
}

function buildComposer() {
  const ta = h('textarea', {
    class: 'composer-input', id: 'composer-input', rows: 1, placeholder: 'Message', 'aria-label': 'Message',
    enterkeyhint: 'send', autocomplete: 'off',
  });
  els.input = ta;
  els.replyBar = h('div', { class: 'reply-bar', hidden: true });
  const send = () => {
    const gid = state.route.groupId;
    if (!gid) return;
    if (actions.send(gid, ta.value, state.ui.replyTo)) {
      ta.value = '';
      drafts.delete(gid);
      autosize(ta);
    }
    ta.focus();
  };
  ta.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); send(); }
    else if (e.key === 'Escape' && state.ui.replyTo) { e.preventDefault(); state.ui.replyTo = null; renderComposer(); }
    else if (e.key === 'ArrowUp' && !ta.value) {
      const last = timeline(state.route.groupId).sorted().reverse()
        .find((m) => m.sender?.user_id === state.me.id && !m.deleted);
      if (last) { e.preventDefault(); startEdit(last.seq); }
    }
  });
  ta.addEventListener('input', () => {
    autosize(ta);
    const gid = state.route.groupId;
    if (gid && ta.value.trim()) actions.typing(gid);
  });
  // Slots: 'composerTray' (above the input: attach.js's files) and 'composerTools' (buttons
  // before the input: attach, camera, microphone).
  return h('form', { class: 'composer', 'aria-label': 'Write a message', onsubmit: (e) => { e.preventDefault(); send(); } },
    els.replyBar, collect('composerTray'),
    h('div', { class: 'composer-row' }, collect('composerTools'), ta,
      h('button', { type: 'submit', class: 'send-btn', 'aria-label': 'Send message', title: 'Send (Enter)' }, icon('send', 20))),
    h('p', { class: 'composer-hint muted' }, 'Enter to send · Shift+Enter for a new line'));
}

function renderComposer() {
  const gid = state.route.groupId;
  const seq = state.ui.replyTo;
  clear(els.replyBar);
  els.replyBar.hidden = !seq;
  if (!seq || !gid) return;
  const q = quoteParts(actions.quoted(gid, seq));
  els.replyBar.append(icon('reply', 16),
    h('span', { class: 'reply-label' }, 'Replying to ', h('strong', null, q.name || '…')),
    h('span', { class: 'reply-text' }, q.text),
    iconButton('close', 'Cancel reply', () => { state.ui.replyTo = null; renderComposer(); els.input.focus(); }, { size: 16 }));
}
