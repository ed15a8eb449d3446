// SPDX-License-Identifier: MIT
// The web client's controller: session, routing, the event stream, and every action the
// views can ask for. Views (chat.js, panels.js, auth.js) only read `state` and call `actions`.

import { api, ApiError, hasSession, onUnauthorized, setSession } from './api.js';
import { Gateway } from './ws.js';
import { noteEpoch, onEpochChange } from './epoch.js';
import { actions, groupTitle, PAGE, state, timeline } from './state.js';
import { codePoints, uuid } from './format.js';
import * as chat from './chat.js';
import { confirmDialog, toast } from './panels.js';
import { renderBlocked, renderInvite, renderLogin, renderSetup } from './auth.js';
import { emit } from './hooks.js';
import * as push from './push.js';
import * as iosHint from './ios-hint.js';
import * as notice from './notice.js';
import * as focus from './focus.js';
import * as readSync from './read-sync.js';
import * as seenBy from './seen-by.js';
import * as groupNotify from './group-notify.js';
import * as notifySettings from './notify-settings.js';
import * as adminPeople from './admin-people.js';
import * as deleteAccount from './delete-account.js';
import * as groupExport from './group-export.js';
import * as mentionComplete from './mention-complete.js';
import * as composerKeys from './composer-keys.js';
import * as mentionsView from './mentions-view.js';
import * as attach from './attach.js';
import * as outboxFiles from './outbox-files.js';
import * as voiceNote from './voice-note.js';
import * as people from './people.js';
import * as account from './account.js';
import * as direct from './direct.js';
import * as quiz from './quiz.js';
import * as questions from './questions.js';
import * as library from './library.js';
import * as kudos from './kudos.js';
import * as polls from './polls.js';
import { renderAccountLink } from './account-link.js';

const CACHE_KEY = 'peerchat.cache';
const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 6000;
const SEND_VERIFY_MS = 8000;
const MAX_BODY = 8000;

const root = document.getElementById('app');

// ---------------------------------------------------------------------------------------
// Rendering is batched: changes mark parts dirty, one microtask later the views update.

const dirty = new Set();
let flushQueued = false;

export function invalidate(...parts) {
  for (const p of parts) dirty.add(p);
  if (flushQueued) return;
  flushQueued = true;
  queueMicrotask(() => {
    flushQueued = false;
    if (state.route.name !== 'main' || !state.me) { dirty.clear(); return; }
    const parts = new Set(dirty);
    dirty.clear();
    chat.update(parts);
    updateTitle();
  });
}

function updateTitle() {
  let unread = 0;
  for (const g of state.groups.values()) unread += g.unread || 0;
  const g = state.route.groupId ? state.groups.get(state.route.groupId) : null;
  const base = g ? `${groupTitle(g)} · peerchat` : 'peerchat';
  document.title = unread ? `(${unread}) ${base}` : base;
  if (navigator.setAppBadge) {
    (unread ? navigator.setAppBadge(unread) : navigator.clearAppBadge()).catch(() => {});
  }
}

// ---------------------------------------------------------------------------------------
// The WebSocket

let connId = 0;
let sendCheckTimer = null;

const gateway = new Gateway({
  getResume: () => {
    const resume = {};
    for (const id of state.groups.keys()) resume[String(id)] = state.lastSeq.get(id) ?? 0;
    return resume;
  },
  onFrame: (f) => onFrame(f),
  onState: (s) => {
    state.conn = s;
    if (s !== 'online') for (const m of state.outbox.items) m._conn = 0;
    invalidate('conn', 'pending', 'conv', 'info');
  },
  onUnauthorized: () => sessionEnded(),
});

function onFrame(f) {
  switch (f.type) {
    case 'ready': onReady(f); break;
    case 'event': applyEvent(f, true); break;
    case 'ack': onAck(f); break;
    case 'typing': onTyping(f); break;
    case 'presence': onPresence(f.user_id, !!f.online); break;
    case 'presence_batch': onPresenceBatch(f.changes); break;
    case 'error': onWsError(f); break;
    default: break;
  }
  emit('frame', f);
}

function onReady(f) {
  if (noteEpoch(f.epoch)) return; // the database was restored: the page reloads
  connId += 1;
  if (f.user && state.me && f.user.id === state.me.id) Object.assign(state.me, f.user);
  if (Array.isArray(f.groups)) {
    const ids = new Set(f.groups.map((g) => g.id));
    for (const id of [...state.groups.keys()]) {
      if (!ids.has(id)) removeGroupLocal(id, 'You are no longer a member of “%s”.');
    }
    let fresh = false;
    for (const g of f.groups) {
      const known = state.groups.get(g.id);
      if (known) {
        if (g.name) known.name = g.name;
        if (g.topic !== undefined) known.topic = g.topic;
        if (g.role) known.role = g.role;
        // The counters in `ready` are the server's as of now; replayed events up to
        // readySeq are already counted in them, later ones are counted as they come.
        if (typeof g.unread === 'number') known.unread = g.unread;
        if (typeof g.last_read_seq === 'number') known.last_read_seq = g.last_read_seq;
        if (typeof g.last_seq === 'number') known.readySeq = g.last_seq;
      } else {
        state.groups.set(g.id, { unread: 0, last_read_seq: 0, ...g, readySeq: g.last_seq ?? 0 });
        state.lastSeq.set(g.id, g.last_seq ?? 0);
        fresh = true;
      }
    }
    if (fresh) refreshGroups();
  }
  if (Array.isArray(f.online)) onOnlineList(f.online);
  flushOutbox();
  // What the socket missed is replayed, but anything fetched over HTTP while offline is redone.
  const gid = state.route.groupId;
  if (gid && state.groups.has(gid)) {
    const tl = timeline(gid);
    if (!tl.loaded || tl.error) loadLatest(gid);
    loadMembers(gid);
  }
  for (const g of state.groups.values()) if (!g.preview) { loadPreviews(); break; }
  saveCache();
  invalidate('groups', 'conn', 'pending', 'conv');
  queueMicrotask(() => actions.seenBottom());
}

/** Applies one event. `live` events come in order from the socket and move the resume point. */
function applyEvent(ev, live) {
  const gid = ev.group_id;
  const seq = ev.seq;
  if (!gid || !seq) return;
  let applied = state.applied.get(gid);
  if (!applied) { applied = new Set(); state.applied.set(gid, applied); }
  if (live && seq > (state.lastSeq.get(gid) ?? 0)) state.lastSeq.set(gid, seq);
  if (applied.has(seq)) return;
  applied.add(seq);

  const group = state.groups.get(gid);
  if (!group) {
    // Most likely we were just added (an invite accepted in another tab, a direct conversation): learn the group.
    if ((ev.kind === 'member_joined' && ev.user_id === state.me?.id) || ev.kind === 'message') refreshGroups();
    return;
  }
  group.last_seq = Math.max(group.last_seq || 0, seq);
  const tl = state.timelines.get(gid);
  if (tl && (tl.loading || tl.loadingOlder || tl.loadingNewer) && ev.kind !== 'message') {
    tl.deferred = tl.deferred || [];
    tl.deferred.push(ev);
  }

  switch (ev.kind) {
    case 'message': onMessageEvent(group, ev); break;
    case 'message_edited':
    case 'message_deleted':
    case 'reaction_added':
    case 'reaction_removed':
      if (tl && applyToMessage(tl, ev)) invalidate('messages');
      if (ev.kind === 'message_deleted' && group.preview?.seq === ev.target_seq) {
        group.preview.deleted = true;
        invalidate('groups');
      }
      break;
    case 'member_joined':
      state.users.set(ev.user_id, { ...state.users.get(ev.user_id) });
      scheduleMembersReload(gid);
      break;
    case 'member_left':
    case 'member_removed':
      if (ev.user_id === state.me?.id) {
        removeGroupLocal(gid, ev.kind === 'member_removed'
          ? 'You were removed from “%s”.' : null);
        return;
      }
      state.members.get(gid)?.delete(ev.user_id);
      invalidate('info', 'conv');
      break;
    case 'role_changed': {
      const m = state.members.get(gid)?.get(ev.user_id);
      if (m && ev.role) m.role = ev.role;
      if (ev.user_id === state.me?.id && ev.role) group.role = ev.role;
      invalidate('info', 'conv', 'messages');
      break;
    }
    case 'group_updated':
      if (typeof ev.name === 'string') group.name = ev.name;
      if (ev.topic !== undefined) group.topic = ev.topic;
      invalidate('groups', 'conv', 'info');
      saveCache();
      break;
    default: break;
  }
}

/**
 * A message's reactions: emoji → [user_id…]. The keys come from other people, so the map has
 * no prototype: a key such as "constructor" or "__proto__" is data, never Object's own.
 */
function reactionMap(from) {
  const map = Object.create(null);
  for (const [emoji, users] of Object.entries(from || {})) if (Array.isArray(users)) map[emoji] = [...users];
  return map;
}

function onMessageEvent(group, ev) {
  const gid = group.id;
  const msg = {
    seq: ev.seq, id: ev.id, ts: ev.ts, sender: ev.sender || {}, body: ev.body,
    client_msg_id: ev.client_msg_id, reply_to: ev.reply_to ?? null,
    edited: !!ev.edited, deleted: !!ev.deleted, reactions: reactionMap(), _v: 0,
    mentions: Array.isArray(ev.mentions) ? ev.mentions : [],
    attachments: Array.isArray(ev.attachments) ? ev.attachments : [],
    question: ev.question,
  };
  const senderId = msg.sender.user_id;
  people.noteSender(msg.sender);
  const tl = timeline(gid);
  if (!tl.hasNewer && !tl.bySeq.has(msg.seq)) {
    tl.bySeq.set(msg.seq, msg);
    // A group nobody is looking at keeps only its recent past in memory.
    if (gid !== state.route.groupId && tl.bySeq.size > 300) {
      const keep = tl.sorted().slice(-200);
      tl.bySeq = new Map(keep.map((m) => [m.seq, m]));
      tl.hasOlder = true;
    }
  }
  const mine = senderId === state.me?.id;
  if (mine && msg.client_msg_id && state.outbox.remove(msg.client_msg_id)) invalidate('pending');
  group.preview = { seq: msg.seq, name: msg.sender.display_name, sender_id: senderId, body: msg.body, deleted: msg.deleted, ts: msg.ts, mine,
    files: msg.attachments.length };
  group.activity = Math.max(group.activity || 0, msg.ts || 0);
  state.typing.get(gid)?.delete(senderId);
  if (!mine) {
    if (isViewing(gid)) scheduleRead(gid);
    else if (msg.seq > (group.readySeq || 0) && msg.seq > (group.last_read_seq || 0)) group.unread = (group.unread || 0) + 1;
  } else if (msg.seq > (group.last_read_seq || 0) && isViewing(gid)) {
    scheduleRead(gid);
  }
  invalidate('groups', 'typing');
  if (gid === state.route.groupId) invalidate('messages');
}

/** Edits, deletions and reactions; idempotent, so replaying them after a page load is harmless. */
function applyToMessage(tl, ev) {
  const msg = tl.bySeq.get(ev.target_seq);
  if (!msg) return false;
  switch (ev.kind) {
    case 'message_edited':
      if (msg.deleted || ev.deleted) return false;
      msg.body = ev.body;
      msg.edited = true;
      break;
    case 'message_deleted':
      msg.deleted = true;
      msg.body = undefined;
      msg.reactions = reactionMap();
      if (state.ui.editingSeq === msg.seq) state.ui.editingSeq = null;
      break;
    case 'reaction_added': {
      const list = Object.hasOwn(msg.reactions, ev.emoji) ? msg.reactions[ev.emoji] : [];
      if (!list.includes(ev.user_id)) msg.reactions[ev.emoji] = [...list, ev.user_id];
      break;
    }
    case 'reaction_removed': {
      const list = (Object.hasOwn(msg.reactions, ev.emoji) ? msg.reactions[ev.emoji] : []).filter((u) => u !== ev.user_id);
      if (list.length) msg.reactions[ev.emoji] = list;
      else delete msg.reactions[ev.emoji];
      break;
    }
    default: return false;
  }
  msg._v = (msg._v || 0) + 1;
  return true;
}

/** Applies an event that came back as an HTTP answer (if it is one); the socket copy is then skipped. */
function applyHttpEvent(res) {
  if (res && typeof res === 'object' && res.kind && res.seq && res.group_id) applyEvent(res, false);
}

function onAck(f) {
  const item = state.outbox.get(f.client_msg_id);
  if (!item) return;
  state.outbox.remove(f.client_msg_id);
  const tl = timeline(item.group_id);
  if (f.seq && !tl.hasNewer && !tl.bySeq.has(f.seq)) {
    // The message event is on its way; show the committed message right away meanwhile.
    tl.bySeq.set(f.seq, {
      seq: f.seq, ts: f.ts || Date.now(), body: item.body, client_msg_id: item.client_msg_id,
      sender: { user_id: state.me.id, display_name: state.me.display_name },
      reply_to: item.reply_to ?? null, reactions: reactionMap(), _v: 0, attachments: item.attachments || [],
      question: item.question ? { state: 'open' } : undefined,
    });
  }
  invalidate('pending', 'messages');
}

function onWsError(f) {
  const item = f.ref ? state.outbox.get(f.ref) : null;
  if (item) {
    if (f.code === 'rate_limited') {
      item._conn = 0;
      setTimeout(flushOutbox, Math.max(500, f.retry_after_ms || 1000));
    } else {
      state.outbox.update(item.client_msg_id, { status: 'failed', error: f.message || f.code });
    }
    invalidate('pending');
    return;
  }
  if (f.code === 'unauthorized') { sessionEnded(); return; }
  // An error we cannot tie to a frame may still be about a message in flight: ask over HTTP,
  // which answers each message on its own (the client_msg_id makes that safe to repeat).
  const inflight = state.outbox.items.filter((m) => m._conn === connId && m.status === 'pending');
  if (inflight.length && f.code !== 'rate_limited') inflight.forEach(sendOverHttp);
  console.warn('peerchat: server error frame', f.code, f.message);
}

function onTyping(f) {
  if (!f.group_id || f.user_id === state.me?.id) return;
  let m = state.typing.get(f.group_id);
  if (!m) { m = new Map(); state.typing.set(f.group_id, m); }
  m.set(f.user_id, Date.now() + TYPING_SHOWN_MS);
  invalidate('typing');
  setTimeout(() => invalidate('typing'), TYPING_SHOWN_MS + 50);
}

function onPresence(userId, online) {
  setPresence(userId, online);
  invalidate('info', 'conv');
}

function setPresence(userId, online) {
  state.presence.set(userId, online);
  for (const members of state.members.values()) {
    const m = members.get(userId);
    if (m) m.online = online;
  }
}

// ---------------------------------------------------------------------------------------
// Sending, and the outbox of messages not yet acknowledged

function flushOutbox() {
  if (!gateway.ready) return;
  let sent = false;
  for (const item of state.outbox.items) {
    if (item.status !== 'pending' || item._conn === connId) continue;
    if (!state.groups.has(item.group_id)) continue;
    if (item.attachments?.some((a) => !a.id)) continue; // outbox-files.js uploads them first
    // `ref` comes back on an error frame about this one, so the failure finds its message.
    const frame = {
      type: 'send', group_id: item.group_id, client_msg_id: item.client_msg_id, body: item.body,
      ref: item.client_msg_id,
    };
    if (item.reply_to) frame.reply_to = item.reply_to;
    if (item.attachments?.length) frame.attachments = item.attachments.map((a) => a.id);
    if (item.question) frame.question = true;
    if (gateway.send(frame)) { item._conn = connId; item._sentAt = Date.now(); sent = true; }
  }
  if (sent) {
    clearTimeout(sendCheckTimer);
    sendCheckTimer = setTimeout(checkInflight, SEND_VERIFY_MS);
  }
}

// An ack that never comes (lost frame, server hiccup) must not leave a message hanging.
function checkInflight() {
  const now = Date.now();
  for (const item of state.outbox.items) {
    if (item.status === 'pending' && item._conn === connId && now - item._sentAt >= SEND_VERIFY_MS - 100) {
      sendOverHttp(item);
    }
  }
}

async function sendOverHttp(item) {
  if (item._http || item.attachments?.some((a) => !a.id)) return;
  item._http = true;
  try {
    const ev = await api.postMessage(item.group_id, item.body, item.client_msg_id, item.reply_to,
      item.attachments?.map((a) => a.id), item.question);
    if (ev?.kind === 'message') applyEvent(ev, false);
    if (ev?.seq) onAck({ client_msg_id: item.client_msg_id, group_id: item.group_id, seq: ev.seq, ts: ev.ts });
    else state.outbox.remove(item.client_msg_id);
  } catch (e) {
    if (e instanceof ApiError && !e.offline && e.status !== 401) {
      if (e.code === 'rate_limited') setTimeout(() => sendOverHttp(item), Math.max(500, e.retry_after_ms || 1000));
      else state.outbox.update(item.client_msg_id, { status: 'failed', error: e.message });
    }
  } finally {
    item._http = false;
    invalidate('pending', 'messages');
  }
}

/**
 * Queues a message. `files` ({attachments:[{name,size,mime,id?}…], blobs:[Blob|null…]}) are its
 * attachments; without it, the composer's tray (attach.js) is taken along. A tray still
 * uploading answers false (attach.js tells the user why) and nothing is sent.
 */
actions.send = (gid, text, replyTo, files) => {
  const body = String(text).trim();
  if (codePoints(body) > MAX_BODY) {
    toast(`Messages can be at most ${MAX_BODY} characters long.`, 'error');
    return false;
  }
  if (files === undefined) files = actions.composerFiles?.(gid);
  if (files === false) return false;
  if (!body && !files?.attachments?.length) return false;
  const item = {
    client_msg_id: uuid(), group_id: gid, body, reply_to: replyTo || undefined,
    created: Date.now(), status: 'pending',
  };
  if (files?.attachments?.length) item.attachments = files.attachments;
  if (actions.composerQuestion?.(gid)) item.question = true;  // questions.js: "Ask as a question"
  state.outbox.add(item);
  if (item.attachments) emit('queued', item, files.blobs || []);
  state.ui.replyTo = null;
  state.ui.jumpTo = 'bottom';
  invalidate('pending', 'composer', 'messages');
  if (gateway.ready) flushOutbox();
  else gateway.reconnectNow();
  emit('sent', gid);
  return true;
};

actions.retrySend = (cmid) => {
  const item = state.outbox.get(cmid);
  if (!item) return;
  state.outbox.update(cmid, { status: 'pending', error: undefined });
  item._conn = 0;
  if (gateway.ready) sendOverHttp(item);
  emit('retry', item); // outbox-files.js retries a failed upload
  invalidate('pending');
};

actions.discardSend = (cmid) => { state.outbox.remove(cmid); emit('discarded', cmid); invalidate('pending'); };
actions.flushOutbox = () => flushOutbox();

let lastTypingSent = 0;
let lastTypingGroup = null;
actions.typing = (gid) => {
  const now = Date.now();
  if (gid === lastTypingGroup && now - lastTypingSent < TYPING_EVERY_MS) return;
  if (gateway.send({ type: 'typing', group_id: gid })) { lastTypingSent = now; lastTypingGroup = gid; }
};

// ---------------------------------------------------------------------------------------
// Read markers

const readTimers = new Map();

function isViewing(gid) {
  return state.route.name === 'main' && state.route.groupId === gid &&
    document.visibilityState === 'visible' && chat.isAtBottom() && !timeline(gid).hasNewer;
}

function scheduleRead(gid) {
  if (readTimers.has(gid)) return;
  readTimers.set(gid, setTimeout(() => { readTimers.delete(gid); markRead(gid); }, 300));
}

function markRead(gid) {
  const group = state.groups.get(gid);
  const tl = state.timelines.get(gid);
  if (!group || !tl?.loaded || tl.hasNewer) return;
  const seq = Math.max(tl.newest() || 0, group.last_seq || 0);
  if (!seq || (seq <= (group.last_read_seq || 0) && !group.unread)) return;
  group.last_read_seq = Math.max(group.last_read_seq || 0, seq);
  group.unread = 0;
  invalidate('groups');
  if (!gateway.send({ type: 'read', group_id: gid, seq })) api.markRead(gid, seq).catch(() => {});
}

/** Called by the view when the conversation is scrolled to the bottom. */
actions.seenBottom = () => {
  const gid = state.route.groupId;
  if (gid && isViewing(gid)) {
    const g = state.groups.get(gid);
    if (g && (g.unread || (g.last_seq || 0) > (g.last_read_seq || 0))) scheduleRead(gid);
  }
};

document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') {
    actions.seenBottom();
    gateway.reconnectNow();
  }
});
window.addEventListener('online', () => gateway.reconnectNow());

// ---------------------------------------------------------------------------------------
// History

function mergePage(tl, messages) {
  for (const m of messages) {
    if (!m || !m.seq) continue;
    people.noteSender(m.sender);
    if (tl.bySeq.has(m.seq)) continue; // what the event stream brought is as new or newer
    tl.bySeq.set(m.seq, {
      ...m, sender: m.sender || {}, reactions: reactionMap(m.reactions), reply_to: m.reply_to ?? null,
      edited: !!(m.edited || m.edited_at), deleted: !!m.deleted, _v: 0,
    });
  }
  // Edits and reactions that raced with the page are applied again on top of it.
  const deferred = tl.deferred || [];
  tl.deferred = null;
  for (const ev of deferred) applyToMessage(tl, ev);
}

function listOf(res, key) { return Array.isArray(res) ? res : (res?.[key] || []); }

async function loadLatest(gid) {
  const tl = timeline(gid);
  if (tl.loading) return;
  tl.loading = true;
  tl.error = null;
  invalidate('messages');
  try {
    const msgs = listOf(await api.messages(gid, { limit: PAGE }), 'messages');
    if (tl.hasNewer) { tl.bySeq.clear(); tl.hasNewer = false; }
    mergePage(tl, msgs);
    const oldest = Math.min(...msgs.map((m) => m.seq));
    tl.hasOlder = msgs.length >= PAGE && oldest > 1;
    tl.loaded = true;
    const newest = msgs[0];
    const group = state.groups.get(gid);
    if (group && newest && (!group.preview || group.preview.seq <= newest.seq)) {
      group.preview = previewOf(newest);
      group.activity = Math.max(group.activity || 0, newest.ts || 0);
    }
    if (state.route.groupId === gid && !state.ui.jumpTo) state.ui.jumpTo = 'initial';
  } catch (e) {
    tl.error = e.message;
  } finally {
    tl.loading = false;
    tl.deferred = null;
    invalidate('messages', 'groups');
  }
}

actions.loadOlder = async (gid) => {
  const tl = timeline(gid);
  if (!tl.loaded || !tl.hasOlder || tl.loadingOlder || tl.loading) return;
  tl.loadingOlder = true;
  invalidate('messages');
  try {
    const before = tl.oldest();
    const msgs = listOf(await api.messages(gid, { before, limit: PAGE }), 'messages');
    mergePage(tl, msgs);
    tl.hasOlder = msgs.length >= PAGE && Math.min(...msgs.map((m) => m.seq)) > 1;
  } catch (e) {
    if (!e.offline) toast(e.message, 'error');
  } finally {
    tl.loadingOlder = false;
    invalidate('messages');
  }
};

// A window around an old message (from search or a quoted reply), detached from the present.
async function loadAround(gid, seq) {
  const tl = timeline(gid);
  tl.bySeq.clear();
  tl.loaded = false;
  tl.loading = true;
  tl.error = null;
  tl.hasNewer = true; // live messages wait until the window reaches the present again
  invalidate('messages');
  try {
    const before = seq + 26;
    const msgs = listOf(await api.messages(gid, { before, limit: PAGE }), 'messages');
    mergePage(tl, msgs);
    tl.hasOlder = msgs.length >= PAGE && Math.min(...msgs.map((m) => m.seq)) > 1;
    tl.upper = before - 1;
    const group = state.groups.get(gid);
    tl.hasNewer = tl.upper < (group?.last_seq || 0);
    tl.loaded = true;
    state.ui.jumpTo = seq;
  } catch (e) {
    tl.error = e.message;
  } finally {
    tl.loading = false;
    tl.deferred = null;
    invalidate('messages');
  }
}

actions.loadNewer = async (gid) => {
  const tl = timeline(gid);
  if (!tl.loaded || !tl.hasNewer || tl.loadingNewer) return;
  tl.loadingNewer = true;
  invalidate('messages');
  try {
    const before = (tl.upper || 0) + PAGE + 1;
    const msgs = listOf(await api.messages(gid, { before, limit: PAGE }), 'messages');
    mergePage(tl, msgs);
    tl.upper = before - 1;
    const group = state.groups.get(gid);
    // Decided in the same turn as the check, so no live message can slip between the two.
    if (tl.upper >= (group?.last_seq || 0)) tl.hasNewer = false;
  } catch (e) {
    if (!e.offline) toast(e.message, 'error');
  } finally {
    tl.loadingNewer = false;
    invalidate('messages');
  }
};

actions.jumpToPresent = (gid) => {
  const tl = timeline(gid);
  state.ui.jumpTo = 'bottom';
  if (tl.hasNewer) { tl.bySeq.clear(); tl.loaded = false; tl.hasNewer = false; loadLatest(gid); }
  invalidate('messages');
};

/** Shows message `seq` of group `gid`, loading history around it when needed. */
actions.jumpTo = (gid, seq) => {
  if (state.route.groupId !== gid) {
    navigate(`/g/${gid}`, { jumpSeq: seq });
    return;
  }
  const tl = timeline(gid);
  if (tl.bySeq.has(seq)) {
    state.ui.jumpTo = seq;
    invalidate('messages');
  } else {
    loadAround(gid, seq);
  }
};

/** The message a reply quotes, from the timeline or fetched on its own. */
actions.quoted = (gid, seq) => {
  const inTl = state.timelines.get(gid)?.bySeq.get(seq);
  if (inTl) return inTl;
  const key = `${gid}:${seq}`;
  if (state.quotes.has(key)) return state.quotes.get(key);
  state.quotes.set(key, null);
  api.messages(gid, { before: seq + 1, limit: 1 }).then((res) => {
    const m = listOf(res, 'messages')[0];
    state.quotes.set(key, m && m.seq === seq ? m : { seq, missing: true });
    invalidate('messages');
  }).catch(() => state.quotes.delete(key));
  return null;
};

function previewOf(m) {
  return {
    seq: m.seq, name: m.sender?.display_name, sender_id: m.sender?.user_id, body: m.body, deleted: !!m.deleted, ts: m.ts, files: m.attachments?.length || 0,
    mine: m.sender?.user_id === state.me?.id,
  };
}

// The group list shows each group's latest message; fetched a few at a time on start.
let previewsLoading = false;
async function loadPreviews() {
  if (previewsLoading) return;
  previewsLoading = true;
  try {
    const todo = [...state.groups.values()].filter((g) => !g.preview && (g.last_seq || 0) > 0).slice(0, 40);
    const worker = async () => {
      for (let g = todo.shift(); g; g = todo.shift()) {
        try {
          const m = listOf(await api.messages(g.id, { limit: 1 }), 'messages')[0];
          const group = state.groups.get(g.id);
          if (m && group && (!group.preview || group.preview.seq < m.seq)) {
            group.preview = previewOf(m);
            group.activity = Math.max(group.activity || 0, m.ts || 0);
          }
        } catch (e) {
          if (e.offline) return;
        }
      }
    };
    await Promise.all([worker(), worker(), worker()]);
    invalidate('groups');
  } finally {
    previewsLoading = false;
  }
}

// ---------------------------------------------------------------------------------------
// Groups and members

function setGroups(list, { authoritative = true } = {}) {
  const ids = new Set();
  for (const g of list) {
    if (!g || !g.id) continue;
    ids.add(g.id);
    const known = state.groups.get(g.id);
    if (known) {
      // Counters from the list are older than what the socket brought since; keep the newer.
      const { unread, last_read_seq, last_seq, ...rest } = g;
      Object.assign(known, rest);
      if ((last_seq ?? 0) >= (known.last_seq ?? 0) && !state.lastSeq.has(g.id)) {
        Object.assign(known, { unread, last_read_seq, last_seq });
      }
    } else {
      state.groups.set(g.id, { unread: 0, last_read_seq: 0, last_seq: 0, ...g, readySeq: g.last_seq ?? 0 });
    }
    if (!state.lastSeq.has(g.id)) state.lastSeq.set(g.id, g.last_seq ?? 0);
  }
  if (authoritative) {
    for (const id of [...state.groups.keys()]) if (!ids.has(id)) removeGroupLocal(id, null);
  }
}

let refreshing = null;
function refreshGroups() {
  if (refreshing) return refreshing;
  refreshing = (async () => {
    try {
      setGroups(listOf(await api.groups(), 'groups'), { authoritative: false });
      saveCache();
      invalidate('groups', 'conv');
      loadPreviews();
      // A group we have just learned of is not in this socket's resume set: reconnect so it is.
      if (gateway.ready) { gateway.stop(); gateway.start(); }
    } catch { /* next ready retries */ } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

function removeGroupLocal(gid, message) {
  const g = state.groups.get(gid);
  if (!g) return;
  state.groups.delete(gid);
  state.timelines.delete(gid);
  state.members.delete(gid);
  state.lastSeq.delete(gid);
  state.applied.delete(gid);
  state.outbox.removeGroup(gid);
  if (message) toast(message.replace('%s', g.name), 'info');
  if (state.route.groupId === gid) navigate('/', { replace: true });
  saveCache();
  invalidate('groups', 'conv', 'pending');
}

/** Several presence changes in one frame (the server coalesces them), in order. */
function onPresenceBatch(changes) {
  if (!Array.isArray(changes)) return;
  for (const c of changes) setPresence(c.user_id, !!c.online);
  invalidate('info', 'conv');
}

/** `ready`'s `online`: everyone sharing a group with us who is online now; all others are not
 * (presence frames missed while disconnected are not replayed). */
function onOnlineList(ids) {
  const online = new Set(ids);
  state.presence.clear();
  for (const id of online) state.presence.set(id, true);
  for (const members of state.members.values()) {
    for (const m of members.values()) {
      m.online = online.has(m.user_id);
      state.presence.set(m.user_id, m.online);
    }
  }
  invalidate('info', 'conv');
}

const memberReloads = new Map();
function scheduleMembersReload(gid) {
  if (memberReloads.has(gid)) return;
  memberReloads.set(gid, setTimeout(() => { memberReloads.delete(gid); if (state.members.has(gid)) loadMembers(gid); }, 250));
}

async function loadMembers(gid) {
  try {
    const g = await api.group(gid);
    const members = new Map();
    for (const m of g.members || []) {
      members.set(m.user_id, { ...m });
      people.noteMember(m);
      state.presence.set(m.user_id, !!m.online);
    }
    state.members.set(gid, members);
    const group = state.groups.get(gid);
    if (group) {
      if (g.name) group.name = g.name;
      if (g.topic !== undefined) group.topic = g.topic;
      const me = members.get(state.me?.id);
      if (me?.role) group.role = me.role;
      else if (g.role) group.role = g.role;
    }
    invalidate('info', 'conv', 'messages');
  } catch (e) {
    if (e.status === 404) removeGroupLocal(gid, null);
  }
}
actions.loadMembers = loadMembers;

actions.createGroup = async (name, topic) => {
  const g = await api.createGroup(name, topic);
  state.groups.set(g.id, { unread: 0, last_read_seq: 0, last_seq: 0, role: 'owner', ...g, activity: Date.now() });
  state.lastSeq.set(g.id, g.last_seq ?? 0);
  saveCache();
  // The new group must be in the socket's resume set to stream its events.
  if (gateway.ready) { gateway.stop(); }
  gateway.start();
  navigate(`/g/${g.id}`);
  return g;
};

actions.updateGroup = async (gid, patch) => {
  const res = await api.updateGroup(gid, patch);
  applyHttpEvent(res);
  const g = state.groups.get(gid);
  if (g) {
    if (patch.name !== undefined) g.name = patch.name;
    if (patch.topic !== undefined) g.topic = patch.topic;
  }
  invalidate('groups', 'conv', 'info');
};

actions.setRole = async (gid, userId, role) => {
  applyHttpEvent(await api.setRole(gid, userId, role));
  const m = state.members.get(gid)?.get(userId);
  if (m) m.role = role;
  if (userId === state.me.id) state.groups.get(gid).role = role;
  loadMembers(gid);
  invalidate('info', 'conv');
};

actions.removeMember = async (gid, userId) => {
  applyHttpEvent(await api.removeMember(gid, userId));
  state.members.get(gid)?.delete(userId);
  invalidate('info', 'conv');
};

actions.leaveGroup = async (gid) => {
  await api.removeMember(gid, state.me.id);
  removeGroupLocal(gid, null);
};

/** A conversation the server just made or found (POST /direct): known here, streamed, opened. */
actions.adoptGroup = (g) => {
  if (!state.groups.has(g.id)) {
    state.groups.set(g.id, { unread: 0, last_read_seq: 0, last_seq: 0, ...g, activity: Date.now(), readySeq: g.last_seq ?? 0 });
    state.lastSeq.set(g.id, g.last_seq ?? 0);
    saveCache();
    if (gateway.ready) gateway.stop(); // the socket's resume set must include it
    gateway.start();
  }
  navigate(`/g/${g.id}`);
};

actions.invites = async (gid) => listOf(await api.invites(gid), 'invites');
actions.createInvite = (gid, maxUses, expiresInS) => api.createInvite(gid, maxUses, expiresInS);
actions.revokeInvite = (gid, code) => api.revokeInvite(gid, code);

// ---------------------------------------------------------------------------------------
// Message actions

actions.editMessage = async (gid, seq, text) => {
  const body = String(text).trim();
  const msg = state.timelines.get(gid)?.bySeq.get(seq);
  state.ui.editingSeq = null;
  if (msg) msg._v++;
  invalidate('messages');
  if (!body || (msg && body === msg.body)) return;
  try {
    applyHttpEvent(await api.editMessage(gid, seq, body));
  } catch (e) {
    toast(e.message, 'error');
  }
};

actions.deleteMessage = async (gid, seq) => {
  const ok = await confirmDialog({
    title: 'Delete message?', message: 'It will be removed for everyone in the group.',
    confirmLabel: 'Delete', danger: true,
  });
  if (!ok) return;
  try {
    applyHttpEvent(await api.deleteMessage(gid, seq));
  } catch (e) {
    toast(e.message, 'error');
  }
};

actions.toggleReaction = async (gid, seq, emoji) => {
  const msg = state.timelines.get(gid)?.bySeq.get(seq);
  const list = msg?.reactions && Object.hasOwn(msg.reactions, emoji) ? msg.reactions[emoji] : [];
  const mine = Array.isArray(list) && list.includes(state.me.id);
  try {
    applyHttpEvent(await (mine ? api.removeReaction(gid, seq, emoji) : api.addReaction(gid, seq, emoji)));
  } catch (e) {
    toast(e.message, 'error');
  }
};

actions.search = async (q, groupId) => {
  const query = q.trim();
  if (!query) { state.ui.search = null; invalidate('groups'); return; }
  const token = {};
  state.ui.search = { q: query, groupId, loading: true, results: state.ui.search?.results || [], token };
  invalidate('groups');
  try {
    const res = listOf(await api.search(query, groupId), 'results');
    if (state.ui.search?.token !== token) return;
    state.ui.search = { q: query, groupId, loading: false, results: res, token };
  } catch (e) {
    if (state.ui.search?.token !== token) return;
    state.ui.search = { q: query, groupId, loading: false, results: [], error: e.message, token };
  }
  invalidate('groups');
};

actions.clearSearch = () => { state.ui.search = null; invalidate('groups'); };

// ---------------------------------------------------------------------------------------
// Session

// The server's database was restored from a backup: the groups, seqs and read markers cached
// here belong to another history. The outbox stays: those messages were never acknowledged,
// so the restored server has not got them, and they go out after the reload.
onEpochChange(() => {
  try { localStorage.removeItem(CACHE_KEY); } catch { /* ignore */ }
  gateway.stop();
  location.reload();
});

function saveCache() {
  if (!state.me) return;
  try {
    const groups = [...state.groups.values()].map(({ id, name, topic, role, last_seq, last_read_seq, unread }) =>
      ({ id, name, topic, role, last_seq, last_read_seq, unread }));
    localStorage.setItem(CACHE_KEY, JSON.stringify({ me: state.me, groups }));
  } catch { /* offline start simply shows less */ }
}

function readCache() {
  try { return JSON.parse(localStorage.getItem(CACHE_KEY) || 'null'); } catch { return null; }
}

/**
 * Loads the signed-in user, their groups, and opens the socket. Returns 'ok', 'anonymous'
 * (show the login) or 'offline' (server unreachable and nothing cached).
 */
async function startSession() {
  if (state.me) return 'ok';
  let me;
  let offline = false;
  try {
    me = await api.me();
  } catch (e) {
    if (!e.offline) {
      if (e.status === 401) setSession(false);
      return 'anonymous';
    }
    const cache = readCache();
    if (!cache?.me || !hasSession()) return 'offline';
    me = cache.me;
    offline = true;
  }
  state.me = me;
  state.users.set(me.id, { display_name: me.display_name, username: me.username });
  state.outbox.load(me.id);
  if (offline) {
    const cache = readCache();
    setGroups(cache?.groups || []);
  } else {
    try {
      setGroups(listOf(await api.groups(), 'groups'));
    } catch (e) {
      if (!e.offline) { state.me = null; return e.status === 401 ? 'anonymous' : 'offline'; }
      setGroups(readCache()?.groups || []);
    }
    saveCache();
    loadPreviews();
  }
  gateway.start();
  emit('session', me);
  return 'ok';
}
actions.startSession = startSession;

function resetState() {
  gateway.stop();
  state.me = null;
  state.groups.clear();
  state.lastSeq.clear();
  state.applied.clear();
  state.timelines.clear();
  state.members.clear();
  state.users.clear();
  state.presence.clear();
  state.typing.clear();
  state.quotes.clear();
  state.outbox = new (state.outbox.constructor)();
  state.ui = { infoOpen: false, replyTo: null, editingSeq: null, search: null, jumpTo: null, dividerSeq: null };
  chat.unmount();
}

/** The server says our session is gone (401 or socket close 4001). */
function sessionEnded() {
  if (!state.me) return;
  setSession(false);
  resetState();
  try { localStorage.removeItem(CACHE_KEY); } catch { /* ignore */ }
  toast('Your session has ended. Please sign in again.', 'info');
  const here = location.pathname;
  navigate(here.startsWith('/invite/') ? here : `/login?next=${encodeURIComponent(here)}`, { replace: true });
}
onUnauthorized(() => sessionEnded());

actions.loggedIn = async (res, next) => {
  if (res?.token) setSession(true);
  resetState();
  await navigate(next || '/', { replace: true });
};

actions.logout = async () => {
  const pending = state.outbox.items.length;
  if (pending) {
    const ok = await confirmDialog({
      title: 'Sign out?',
      message: `${pending} unsent message${pending === 1 ? '' : 's'} will be discarded.`,
      confirmLabel: 'Sign out', danger: true,
    });
    if (!ok) return;
  }
  emit('signout');
  try { await api.logout(); } catch { /* the session is forgotten here either way */ }
  state.outbox.clear();
  setSession(false);
  resetState();
  try { localStorage.removeItem(CACHE_KEY); } catch { /* ignore */ }
  navigate('/login', { replace: true });
};

actions.setSession = setSession;

actions.forgetSession = async () => {
  setSession(false);
  resetState();
  try { localStorage.removeItem(CACHE_KEY); } catch { /* ignore */ }
};

/** A new account made through an invite: the server set its session cookie; open the group. */
actions.joinedWithNewAccount = async (res, gid, groupName) => {
  if (res?.token) setSession(true);
  resetState();
  let target = gid;
  if (!target) {
    try {
      const groups = listOf(await api.groups(), 'groups');
      target = (groups.find((g) => g.name === groupName) || groups[0])?.id || null;
    } catch { target = null; }
  }
  await navigate(target ? `/g/${target}` : '/', { replace: true });
};

/** For the invite page: who is signed in, without redirecting anywhere. */
actions.currentUser = async () => {
  if (state.me) return state.me;
  try { return await api.me(); } catch { return null; }
};

actions.acceptInvite = async (code) => {
  const res = await api.acceptInviteAuthed(code);
  return res?.id || res?.group?.id || res?.group_id || null;
};

// ---------------------------------------------------------------------------------------
// Routing (History API): /, /g/<id>, /login, /invite/<code>, /setup/<code>

export async function navigate(path, { replace = false, jumpSeq = null } = {}) {
  if (path !== location.pathname + location.search) {
    if (replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
  }
  await route({ jumpSeq });
}
actions.navigate = navigate;

let routeToken = 0;
async function route({ jumpSeq = null } = {}) {
  const token = ++routeToken;
  const path = location.pathname;
  const params = new URLSearchParams(location.search);
  const invite = path.match(/^\/invite\/([^/]+)\/?$/);
  if (invite) {
    state.route = { name: 'invite', code: safeDecode(invite[1]) };
    chat.unmount();
    renderInvite(root, state.route.code);
    return;
  }
  const link = path.match(/^\/(setup|reset|welcome)\/([^/]+)\/?$/); // account-link.js (and the first-run setup)
  if (link) {
    state.route = { name: link[1], code: safeDecode(link[2]) };
    chat.unmount();
    renderAccountLink(root, link[1], state.route.code, renderSetup);
    return;
  }
  if (path === '/login') {
    state.route = { name: 'login' };
    const next = safeNext(params.get('next'));
    if (state.me || (hasSession() && await startSession() === 'ok')) {
      if (token === routeToken) navigate(next || '/', { replace: true });
      return;
    }
    chat.unmount();
    renderLogin(root, { next });
    return;
  }
  const g = path.match(/^\/g\/(\d+)\/?$/);
  const groupId = g ? Number(g[1]) : null;
  if (!state.me) {
    const result = await startSession();
    if (token !== routeToken) return;
    if (result === 'anonymous') {
      const next = path === '/' ? '' : `?next=${encodeURIComponent(path)}`;
      navigate(`/login${next}`, { replace: true });
      return;
    }
    if (result === 'offline') {
      chat.unmount();
      renderBlocked(root, 'Cannot reach the server', 'peerchat will keep trying. Check your connection.', () => navigate(path, { replace: true }));
      return;
    }
  }
  if (!g && path !== '/') history.replaceState(null, '', '/');
  // /g/<id>?at=<seq> (a notification's link) opens the group at that message.
  const at = g && Number(params.get('at')) > 0 ? Number(params.get('at')) : null;
  if (at) history.replaceState(null, '', path);
  openMain(groupId, jumpSeq || at);
}

/** A malformed %-escape in a pasted link is passed on as typed (the server then says it is unknown). */
function safeDecode(s) {
  try { return decodeURIComponent(s); } catch { return s; }
}

function safeNext(next) {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}

function openMain(groupId, jumpSeq) {
  const prev = state.route.name === 'main' ? state.route.groupId : undefined;
  state.route = { name: 'main', groupId };
  chat.mount(root);
  if (groupId !== prev) {
    state.ui.replyTo = null;
    state.ui.editingSeq = null;
    state.ui.infoOpen = state.ui.infoOpen && !!groupId;
    state.ui.jumpTo = null;
  }
  if (groupId && state.groups.has(groupId)) {
    const group = state.groups.get(groupId);
    if (groupId !== prev) state.ui.dividerSeq = group.unread > 0 ? group.last_read_seq || 0 : null;
    const tl = timeline(groupId);
    if (jumpSeq) loadAround(groupId, jumpSeq);
    else if (!tl.loaded || tl.hasNewer || tl.error) {
      if (tl.hasNewer) { tl.bySeq.clear(); tl.hasNewer = false; tl.loaded = false; }
      loadLatest(groupId);
    } else if (groupId !== prev) state.ui.jumpTo = 'initial';
    loadMembers(groupId);
  }
  invalidate('layout', 'groups', 'conv', 'messages', 'pending', 'typing', 'conn', 'composer', 'info');
  emit('route', groupId);
}

window.addEventListener('popstate', () => route());

// Internal links (<a data-nav href="/g/3">) route without reloading the page.
document.addEventListener('click', (e) => {
  const a = e.target.closest?.('a[data-nav]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute('href'));
});

if ('serviceWorker' in navigator && window.isSecureContext) {
  navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => { /* the app works without it */ });
}

// Notifications, mentions, read sync (docs/notifications.md): each its own module.
for (const m of [mentionComplete, composerKeys, push, iosHint, notice, focus, readSync, seenBy, groupNotify,
  notifySettings, mentionsView]) m.init({ gateway, invalidate });
// Administration: People, delete my account, export (docs/web-client.md "People (server admins)").
for (const m of [adminPeople, deleteAccount, groupExport]) m.init({ gateway, invalidate });
// Attachments and voice notes (docs/web-client.md "Attachments").
for (const m of [attach, outboxFiles, voiceNote]) m.init({ gateway, invalidate });
// People and accounts (docs/web-client.md "Your account", "Direct messages").
for (const m of [people, account, direct]) m.init({ gateway, invalidate });
// Community of practice (docs/community.md): questions, the library, kudos, polls, the live quiz.
for (const m of [questions, library, kudos, polls, quiz]) m.init({ gateway, invalidate });

route();
