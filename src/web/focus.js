// SPDX-License-Identifier: MIT
// Tells the server which group this connection shows in front (`focus` frame), so a phone
// in your hand does not buzz for the group you are reading. A focus lasts 60 s on the
// server: it is renewed every 30 s while the group stays in front and the page is visible,
// and cleared (group_id null) as soon as the page is hidden, so a desktop tab left open
// does not silence the phone for long.

import { on } from './hooks.js';
import { state } from './state.js';

const RENEW_MS = 30000;

let gateway = null;
let sent;            // what the server was last told on this connection (undefined: nothing)
let renewTimer = null;

function wanted() {
  if (document.visibilityState !== 'visible' || state.route.name !== 'main' || !state.me) return null;
  return state.route.groupId || null;
}

function send(groupId) {
  if (gateway?.send({ type: 'focus', group_id: groupId })) sent = groupId;
}

function update() {
  const gid = wanted();
  if (gid !== sent) send(gid);
  clearInterval(renewTimer);
  renewTimer = gid ? setInterval(() => { if (wanted() === gid) send(gid); }, RENEW_MS) : null;
}

export function init(ctx) {
  gateway = ctx.gateway;
  on('route', update);
  on('frame', (f) => { if (f.type === 'ready') { sent = undefined; update(); } });
  on('signout', () => { clearInterval(renewTimer); sent = undefined; });
  document.addEventListener('visibilitychange', update);
  window.addEventListener('pagehide', () => send(null));
}
