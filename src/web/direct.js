// SPDX-License-Identifier: MIT
// Direct conversations (contract "People and accounts": POST /direct, `kind:"direct"`,
// PUT/DELETE /users/{id}/block). "Message" beside a member of a group starts one, or opens
// the one that exists; the sidebar lists them under "Direct messages", named after the other
// person (state.js groupTitle); their details panel shows that person with Block / Unblock
// instead of a group's settings, members and invites; a send the server refuses (403: the
// other person blocked you) is said plainly above the composer.

import { request } from './api.js';
import { clear, h, iconButton } from './dom.js';
import { on } from './hooks.js';
import { confirmDialog, toast } from './panels.js';
import { noteMember, userAvatar } from './people.js';
import { actions, directPeer, groupTitle, state } from './state.js';

let invalidate = () => {};
let blocks = new Set();       // user ids the signed-in user blocked (GET /me/blocks, then kept up to date here)
const refused = new Map();     // group id → the server's message for a send it refused
const peerLoads = new Set();   // group ids whose member list is being fetched
let refusal = null;            // the note above the composer

/** Starts a direct conversation with `userId`, or opens the one that exists, and shows it. */
export async function startDirect(userId) {
  const conversation = await request('POST', '/direct', { user_id: userId });
  actions.adoptGroup(conversation);
}

function messageButton(member, group) {
  if (group.kind === 'direct' || member.user_id === state.me?.id || member.deleted) return null;
  const button = iconButton('chat', `Message ${member.display_name}`, async () => {
    button.disabled = true;
    try { await startDirect(member.user_id); } catch (err) { toast(err.message, 'error'); } finally { button.disabled = false; }
  }, { class: 'message-btn', size: 18 });
  return button;
}

/** Whether the signed-in user blocked `peer`. */
function isBlocked(peer) { return blocks.has(peer.user_id); }

async function loadBlocks() {
  try {
    const res = await request('GET', '/me/blocks');
    blocks = new Set((res?.blocks || []).map((b) => b.user_id));
    invalidate('info');
  } catch { /* the panel offers Block; the server's answer is what counts */ }
}

async function setBlocked(group, peer, block) {
  const name = groupTitle(group);
  if (block) {
    const ok = await confirmDialog({
      title: `Block ${name}?`,
      message: `${name} will not be able to send you messages in this conversation or start a new one. They are not told; you can unblock them later.`,
      confirmLabel: 'Block', danger: true,
    });
    if (!ok) return;
  }
  try {
    await request(block ? 'PUT' : 'DELETE', `/users/${encodeURIComponent(peer.user_id)}/block`);
    if (block) blocks.add(peer.user_id); else blocks.delete(peer.user_id);
    toast(block ? `You blocked ${name}.` : `You unblocked ${name}.`);
    invalidate('info');
    queueMicrotask(() => document.querySelector('.block-btn')?.focus());
  } catch (err) {
    toast(err.message, 'error');
  }
}

/** The details panel of a direct conversation (panels.js hands it over for `kind:"direct"`). */
export function renderDirectInfo(container, gid, close) {
  const group = state.groups.get(gid);
  const peer = directPeer(group);
  const name = groupTitle(group);
  const blocked = peer ? isBlocked(peer) : false;
  // Rebuilt only when something shown changed, so the focus stays where it was.
  const sig = JSON.stringify([gid, name, peer?.user_id, peer?.username, peer?.about, peer?.avatar, blocked]);
  if (container.dataset.group === `direct-${gid}` && container.dataset.sig === sig) return;
  container.dataset.group = `direct-${gid}`;
  container.dataset.sig = sig;
  const person = h('section', { class: 'info-section direct-person', 'aria-label': `About ${name}` },
    peer ? userAvatar(peer.user_id, name, 'lg') : null,
    h('h3', { class: 'info-title' }, name),
    peer?.username ? h('p', { class: 'muted small' }, `@${peer.username}`) : null,
    peer?.about ? h('p', { class: 'person-about' }, peer.about) : null,
    h('p', { class: 'muted small' }, 'A direct conversation: only the two of you can read it.'));
  const block = peer && !peer.deleted ? h('section', { class: 'info-section' },
    h('button', {
      type: 'button', class: ['btn', 'btn-block', 'block-btn', !blocked && 'btn-danger-outline'],
      onclick: () => setBlocked(group, peer, !blocked),
    }, blocked ? `Unblock ${name}` : `Block ${name}`),
    h('p', { class: 'muted small' }, blocked
      ? `You blocked ${name}: they cannot send you messages here.`
      : `Blocking stops ${name} from sending you messages here.`)) : null;
  clear(container).append(
    h('div', { class: 'info-head' },
      h('h2', { tabindex: '-1' }, 'Conversation details'),
      iconButton('close', 'Close conversation details', close, { class: 'info-close' })),
    h('div', { class: 'info-scroll' }, person, block));
}

/** Direct conversations whose other person is not known yet: their member list names them. */
function learnPeers() {
  for (const g of state.groups.values()) {
    if (g.kind !== 'direct' || directPeer(g) || peerLoads.has(g.id)) continue;
    peerLoads.add(g.id);
    request('GET', `/groups/${encodeURIComponent(g.id)}`).then((full) => {
      const other = (full?.members || []).find((m) => m.user_id !== state.me?.id);
      if (!other) return;
      g.peer = other;
      noteMember(other);
      invalidate('groups', 'conv');
    }).catch(() => { /* shown by the server's name meanwhile; the next ready retries */ })
      .finally(() => peerLoads.delete(g.id));
  }
}

function renderRefusal() {
  if (!refusal) return;
  const message = refused.get(state.route.groupId);
  refusal.hidden = !message;
  refusal.textContent = message ? `Not sent: ${message}` : '';
}

function clearRefusal(gid) { if (refused.delete(gid)) renderRefusal(); }

function onFrame(f) {
  if (f.type === 'ready' || (f.type === 'event' && f.kind === 'member_joined')) queueMicrotask(learnPeers);
  if (f.type === 'ack' && f.group_id) clearRefusal(f.group_id);
  // A send refused with 403 (blocked) comes back as an error frame naming the message.
  if (f.type === 'error' && f.code === 'forbidden' && f.ref) {
    const item = state.outbox.get(f.ref);
    const group = item && state.groups.get(item.group_id);
    if (group?.kind === 'direct') {
      refused.set(group.id, f.message || 'You cannot send messages in this conversation.');
      renderRefusal();
    }
  }
}

export function init(ctx) {
  invalidate = ctx.invalidate;
  refusal = h('p', { class: 'composer-refused form-error', role: 'alert', hidden: true });
  on('memberControls', messageButton);
  on('composerTray', () => refusal);
  on('frame', onFrame);
  on('session', () => { queueMicrotask(learnPeers); loadBlocks(); });
  on('route', renderRefusal);
  on('sent', clearRefusal);
  on('retry', (item) => clearRefusal(item.group_id));
}
