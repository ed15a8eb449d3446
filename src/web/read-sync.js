// SPDX-License-Identifier: MIT
// Read markers from the server's `read` frames:
//   {"type":"read","group_id","seq"}            you read up to seq on another device: the
//                                               unread count, the tab title, the app badge and
//                                               this device's notifications of that group follow;
//   {"type":"read","group_id","user_id","seq"}  another member read up to seq ("Seen by").

import { request } from './api.js';
import { on } from './hooks.js';
import { closeGroupNotifications } from './push.js';
import { state } from './state.js';

let invalidate = () => {};
const recounts = new Set();
let recountTimer = null;

function ownRead(gid, seq) {
  const group = state.groups.get(gid);
  if (!group || seq <= (group.last_read_seq || 0)) return;
  group.last_read_seq = seq;
  if (seq >= (group.last_seq || 0)) group.unread = 0;
  else scheduleRecount(gid);
  invalidate('groups');
  closeGroupNotifications(gid, seq);
}

// Read up to a message that is not the newest: the server knows how many are left.
function scheduleRecount(gid) {
  recounts.add(gid);
  if (recountTimer) return;
  recountTimer = setTimeout(async () => {
    recountTimer = null;
    const ids = new Set(recounts);
    recounts.clear();
    try {
      const res = await request('GET', '/groups');
      for (const g of res?.groups || []) {
        const known = state.groups.get(g.id);
        if (!ids.has(g.id) || !known || (g.last_seq ?? 0) < (known.last_seq ?? 0)) continue;
        if (typeof g.unread === 'number') known.unread = g.unread;
        known.last_read_seq = Math.max(known.last_read_seq || 0, g.last_read_seq || 0);
      }
      invalidate('groups');
    } catch { /* the next ready frame brings the counts */ }
  }, 200);
}

function memberRead(gid, userId, seq) {
  const member = state.members.get(gid)?.get(userId);
  if (!member || seq <= (member.last_read_seq || 0)) return;
  member.last_read_seq = seq;
  if (state.route.groupId === gid) invalidate('messages');
}

function onFrame(f) {
  if (f.type !== 'read' || !f.group_id || !f.seq || !state.me) return;
  if (f.user_id && f.user_id !== state.me.id) memberRead(f.group_id, f.user_id, f.seq);
  else ownRead(f.group_id, f.seq);
}

export function init(ctx) {
  invalidate = ctx.invalidate;
  on('frame', onFrame);
}
