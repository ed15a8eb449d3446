// SPDX-License-Identifier: MIT
// Messages written but not yet acknowledged, kept in localStorage per user so they survive
// a reload or a closed tab and go out exactly once: each keeps the client_msg_id it was
// given when written, and the server answers a repeated id with the original message.

export class Outbox {
  constructor() {
    this.userId = null;
    this.items = []; // {client_msg_id, group_id, body, reply_to?, created, status, error?}
  }

  key() { return `peerchat.outbox.${this.userId}`; }

  load(userId) {
    this.userId = userId;
    this.items = [];
    try {
      const raw = localStorage.getItem(this.key());
      const list = raw ? JSON.parse(raw) : [];
      if (Array.isArray(list)) {
        // Whatever was in flight when the page went away is simply pending again.
        this.items = list.filter((m) => m && m.client_msg_id && m.group_id && typeof m.body === 'string')
          .map((m) => ({ ...m, status: m.status === 'failed' ? 'failed' : 'pending' }));
      }
    } catch { this.items = []; }
  }

  save() {
    if (this.userId === null) return;
    try {
      // attachments: [{name,size,mime,id?…}] — the files themselves wait in IndexedDB (blob-store.js).
      const keep = this.items.map(({ client_msg_id, group_id, body, reply_to, created, status, error, attachments, question }) =>
        ({ client_msg_id, group_id, body, reply_to, created, status, error, attachments, question }));
      if (keep.length) localStorage.setItem(this.key(), JSON.stringify(keep));
      else localStorage.removeItem(this.key());
    } catch { /* storage full or disabled: the item still lives in memory */ }
  }

  add(item) { this.items.push(item); this.save(); }

  get(clientMsgId) { return this.items.find((m) => m.client_msg_id === clientMsgId); }

  remove(clientMsgId) {
    const before = this.items.length;
    this.items = this.items.filter((m) => m.client_msg_id !== clientMsgId);
    if (this.items.length !== before) { this.save(); return true; }
    return false;
  }

  removeGroup(groupId) {
    this.items = this.items.filter((m) => m.group_id !== groupId);
    this.save();
  }

  forGroup(groupId) { return this.items.filter((m) => m.group_id === groupId); }

  update(clientMsgId, patch) {
    const m = this.get(clientMsgId);
    if (!m) return;
    Object.assign(m, patch);
    this.save();
  }

  clear() { this.items = []; this.save(); }
}
