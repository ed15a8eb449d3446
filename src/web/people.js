// SPDX-License-Identifier: MIT
// People as they are now (contract "People and accounts"): names come from the member lists
// by user id (state.js displayName), so an edited display name shows on old messages too; a
// deleted account shows as "Deleted user"; a user carrying `avatar:true` shows their picture
// (GET /users/{id}/avatar?size=64) wherever the coloured initials were: beside messages, in
// member lists, in the mention list, in the sidebar.

import { h } from './dom.js';
import { on } from './hooks.js';
import { avatar } from './format.js';
import { directPeer, groupTitle, state } from './state.js';

export const DELETED_NAME = 'Deleted user';
const AVATAR_PX = 64;
const versions = new Map(); // user_id → when their picture changed as far as this page knows (cache-busting)
let invalidate = () => {};

export function avatarUrl(userId) {
  // The server's avatar_at names the picture's version (cached for good); a local stamp otherwise.
  const user = state.me && userId === state.me.id ? state.me : state.users.get(userId);
  const v = user?.avatar_at || versions.get(userId);
  return `/api/v1/users/${encodeURIComponent(userId)}/avatar?size=${AVATAR_PX}${v ? `&v=${v}` : ''}`;
}

export function hasAvatar(userId) {
  if (state.me && userId === state.me.id) return !!state.me.avatar;
  const u = state.users.get(userId);
  return !!u?.avatar && !u.deleted;
}

/** Part of a message's render signature, so a new or removed picture redraws it. */
export function avatarKey(userId) { return hasAvatar(userId) ? avatarUrl(userId) : ''; }

/** The picture of `userId` changed (uploaded or removed here, or announced by the server). */
export function avatarChanged(userId) { versions.set(userId, Date.now()); }

/** A person's avatar: their picture when they have one, else coloured initials; decorative either way. */
export function userAvatar(userId, name, size = 'md') {
  const el = avatar(userId, name, size);
  if (hasAvatar(userId)) {
    const img = h('img', { class: 'avatar-img', src: avatarUrl(userId), alt: '', decoding: 'async' });
    img.addEventListener('error', () => img.remove()); // the initials underneath stay
    el.append(img);
  }
  return el;
}

/** Only the picture (null without one): for tight places such as the mention list, where initials would be noise. */
export function avatarImage(userId, cls = 'avatar-thumb') {
  if (!hasAvatar(userId)) return null;
  const img = h('img', { class: cls, src: avatarUrl(userId), alt: '', decoding: 'async' });
  img.addEventListener('error', () => img.remove());
  return img;
}

/** A conversation's avatar: a group's initials, or the other person's picture in a direct one. */
export function groupAvatar(group, size = 'md') {
  if (group?.kind === 'direct') {
    const peer = directPeer(group);
    if (peer) return userAvatar(peer.user_id, groupTitle(group), size);
  }
  return avatar(group.id, groupTitle(group), size);
}

/**
 * A member from a member list (GET /groups/{id}): their current name, picture and profile.
 * Such a name is current, so older names carried by messages no longer replace it.
 */
export function noteMember(m) {
  if (!m?.user_id) return;
  const known = state.users.get(m.user_id);
  if (known?.avatar !== undefined && known.avatar !== !!m.avatar) avatarChanged(m.user_id);
  state.users.set(m.user_id, {
    ...known, display_name: m.deleted ? DELETED_NAME : m.display_name, username: m.username,
    avatar: !!m.avatar, avatar_at: m.avatar_at, about: m.about ?? known?.about, deleted: !!m.deleted, current: true,
  });
}

/** A message's sender: names it only while no member list said better; a deleted sender always wins. */
export function noteSender(sender) {
  const id = sender?.user_id;
  if (!id) return;
  const known = state.users.get(id);
  if (sender.deleted) state.users.set(id, { ...known, display_name: DELETED_NAME, deleted: true, avatar: false });
  else if (!known?.current) state.users.set(id, { ...known, display_name: sender.display_name });
}

/** A profile the server announces (a `user_updated` frame, or an event of that kind). */
function onUserUpdated(u) {
  const id = u?.id ?? u?.user_id;
  if (!id) return;
  if (state.me && id === state.me.id) {
    if (u.avatar !== undefined && !!u.avatar !== !!state.me.avatar) avatarChanged(id);
    Object.assign(state.me, { display_name: u.display_name ?? state.me.display_name, about: u.about ?? state.me.about,
      avatar: u.avatar ?? state.me.avatar });
  }
  noteMember({ ...state.users.get(id), ...u, user_id: id });
  for (const members of state.members.values()) {
    const m = members.get(id);
    if (m) Object.assign(m, { display_name: u.display_name ?? m.display_name, avatar: u.avatar ?? m.avatar, about: u.about ?? m.about });
  }
  invalidate('messages', 'info', 'conv', 'groups', 'conn');
}

export function init(ctx) {
  invalidate = ctx.invalidate;
  on('frame', (f) => {
    if (f.type === 'user_updated') onUserUpdated(f.user || f);
    else if (f.type === 'event' && f.kind === 'user_updated') onUserUpdated(f.user || f);
  });
}
