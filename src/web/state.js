// SPDX-License-Identifier: MIT
// The client's in-memory state, shared by the controller (app.js) and the views.
// Views read it and call `actions.*`; only the controller changes it.

import { Outbox } from './outbox.js';

export const REACTIONS = ['👍', '❤️', '😂', '🎉', '👀', '🙏'];
export const PAGE = 50;

export const state = {
  me: null,                 // {id, username, display_name, is_admin}
  groups: new Map(),        // id → {id, name, topic, role, last_seq, last_read_seq, unread, preview?, activity}
  lastSeq: new Map(),       // id → highest seq received from the event stream (resume point)
  applied: new Map(),       // id → Set of event seqs already applied (dedupe across WS and HTTP answers)
  timelines: new Map(),     // id → Timeline (messages loaded for a group)
  members: new Map(),       // id → Map user_id → {user_id, username, display_name, role, online}
  users: new Map(),         // user_id → {display_name, username?, avatar?, about?, deleted?, current?}
  presence: new Map(),      // user_id → bool
  typing: new Map(),        // group id → Map user_id → expiry ms
  quotes: new Map(),        // `${group}:${seq}` → message fetched only to show as a quoted reply
  outbox: new Outbox(),
  conn: 'offline',          // 'connecting' | 'online' | 'offline'
  route: { name: 'main' },  // {name:'main', groupId?} | {name:'login'} | {name:'invite', code} | {name:'setup', code}
  ui: {
    infoOpen: false,
    replyTo: null,          // seq of the message being replied to in the open group
    editingSeq: null,
    search: null,           // {q, scope, results, loading, error}
    jumpTo: null,           // seq to scroll to and flash after the next render
    dividerSeq: null,       // "new messages" line sits above the first message after this seq
  },
};

/** Controller functions the views call; filled in by app.js. */
export const actions = {};

/** Messages loaded for one group: a contiguous window of seqs. */
export class Timeline {
  constructor() {
    this.bySeq = new Map();   // seq → message {seq,id,ts,sender,body,client_msg_id,reply_to,edited,deleted,reactions,_v}
    this.loaded = false;      // the first page came back
    this.loading = false;
    this.error = null;
    this.hasOlder = true;     // more history before the oldest loaded message
    this.hasNewer = false;    // the window is detached from the present (after a jump to an old seq)
    this.loadingOlder = false;
    this.loadingNewer = false;
  }
  sorted() { return [...this.bySeq.values()].sort((a, b) => a.seq - b.seq); }
  oldest() { let m = Infinity; for (const s of this.bySeq.keys()) m = Math.min(m, s); return m === Infinity ? null : m; }
  newest() { let m = 0; for (const s of this.bySeq.keys()) m = Math.max(m, s); return m || null; }
}

export function timeline(groupId) {
  let t = state.timelines.get(groupId);
  if (!t) { t = new Timeline(); state.timelines.set(groupId, t); }
  return t;
}

export function currentGroup() {
  const id = state.route.groupId;
  return id ? state.groups.get(id) || null : null;
}

/** Whether a member is online; for ourselves, whether this tab is connected. */
export function isOnline(member) {
  if (state.me && member.user_id === state.me.id) return state.conn === 'online';
  return !!member.online;
}

export function canModerate(group) { return group && (group.role === 'owner' || group.role === 'admin'); }

export function displayName(userId, fallback) {
  if (state.me && userId === state.me.id) return state.me.display_name;
  const user = state.users.get(userId);
  if (user?.deleted) return 'Deleted user';
  return user?.display_name || fallback || `User ${userId}`;
}

/** The other person of a direct conversation (from its member list, or learnt by direct.js). */
export function directPeer(group) {
  const members = group ? state.members.get(group.id) : null;
  if (members) for (const m of members.values()) if (m.user_id !== state.me?.id) return m;
  return group?.peer || null;
}

/** What a conversation is called: a group's name; a direct one is named after the other person. */
export function groupTitle(group) {
  if (!group) return '';
  if (group.kind !== 'direct') return group.name;
  const peer = directPeer(group);
  return peer ? displayName(peer.user_id, peer.display_name) : (group.name || 'Direct message');
}

/** Groups by most recent activity; groups without any keep the server's order. */
export function sortedGroups() {
  const list = [...state.groups.values()];
  return list.map((g, i) => [g, i])
    .sort(([a, ia], [b, ib]) => (b.activity || 0) - (a.activity || 0) || ia - ib)
    .map(([g]) => g);
}

export function totalUnread() {
  let n = 0;
  for (const g of state.groups.values()) n += g.unread || 0;
  return n;
}

/** Whether the server lets the signed-in user create groups (`--group-creation`; older servers: admins only). */
export function canCreateGroups() {
  return typeof state.me?.can_create_groups === 'boolean' ? state.me.can_create_groups : !!state.me?.is_admin;
}
