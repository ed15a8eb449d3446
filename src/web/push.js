// SPDX-License-Identifier: MIT
// Notifications on this device: permission, the Web Push subscription, and what the service
// worker asks of the page (open a group at a message after a notification click).
//
// Permission is asked at a moment that makes sense, never on load: after the first message
// this browser sends (a small card offers it; the browser's prompt comes from a click on it),
// or from a group's notification menu or the notification settings. The subscription is made
// with the server's VAPID key (GET /push/key) and posted to POST /push/subscriptions; it is
// posted again at every sign-in (the server deletes a session's subscriptions when it ends).

import { request } from './api.js';
import { h, iconButton } from './dom.js';
import { emit, on } from './hooks.js';
import { HOME_SCREEN_TEXT, needsHomeScreen } from './ios-hint.js';
import { toast } from './panels.js';
import { actions, state } from './state.js';

const OFFERED_KEY = 'peerchat.push_offered';  // the card after the first message was shown
const SW_READY_MS = 10000;

export function pushSupported() {
  return window.isSecureContext && 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window;
}

/** 'granted' | 'denied' | 'default' | 'unsupported' | 'home-screen' (iOS, not installed). */
export function notificationStatus() {
  if (needsHomeScreen()) return 'home-screen';
  if (!pushSupported()) return 'unsupported';
  return Notification.permission;
}

function base64urlToBytes(s) {
  const b64 = String(s).replace(/-/g, '+').replace(/_/g, '/');
  const bin = atob(b64 + '='.repeat((4 - (b64.length % 4)) % 4));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function sameBytes(a, b) {
  if (!a || !b) return false;
  const x = new Uint8Array(a);
  return x.length === b.length && x.every((v, i) => v === b[i]);
}

function registration() {
  return Promise.race([
    navigator.serviceWorker.ready,
    new Promise((_, reject) => setTimeout(() => reject(new Error('the service worker is not running')), SW_READY_MS)),
  ]);
}

/** A name for this device in the server's subscription list, e.g. "Chrome on Android". */
function deviceName() {
  const ua = navigator.userAgent || '';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox'
    : /Chrom(e|ium)\//.test(ua) ? 'Chrome' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad|iPod/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS'
    : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  return os ? `${browser} on ${os}` : browser;
}

/** Subscribes (or renews) this browser and tells the server; throws when it cannot. */
async function subscribe() {
  const reg = await registration();
  const { vapid_public_key: vapid } = await request('GET', '/push/key', undefined, { auth: false });
  const key = base64urlToBytes(vapid);
  let sub = await reg.pushManager.getSubscription();
  // Bound to another server key (a server restored elsewhere, a key replaced): useless now.
  if (sub && sub.options?.applicationServerKey && !sameBytes(sub.options.applicationServerKey, key)) {
    await sub.unsubscribe().catch(() => {});
    sub = null;
  }
  if (!sub) sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const { endpoint, keys } = sub.toJSON();
  await request('POST', '/push/subscriptions', { endpoint, keys, device: deviceName() });
}

/**
 * Turns notifications on for this device: asks for permission (call it from a click) and
 * subscribes. Says what went wrong in a toast; returns whether notifications are on.
 */
export async function enableNotifications() {
  const status = notificationStatus();
  if (status === 'home-screen') { toast(HOME_SCREEN_TEXT, 'info'); return false; }
  if (status === 'unsupported') { toast('This browser cannot show notifications from peerchat.', 'error'); return false; }
  let permission = Notification.permission;
  if (permission === 'default') permission = await Notification.requestPermission();
  emit('permission', permission);
  if (permission !== 'granted') {
    toast(permission === 'denied'
      ? 'Notifications are blocked for this site. Allow them in the browser’s site settings, then try again.'
      : 'Notifications stay off.', 'info');
    return false;
  }
  try {
    await subscribe();
    toast('Notifications are on for this device.');
    return true;
  } catch (err) {
    toast(`Notifications are allowed, but this browser could not subscribe to push messages: ${err.message}`, 'error');
    return false;
  }
}

/** Stops push messages to this browser (the server forgets the subscription at sign-out). */
export async function disableNotifications() {
  try {
    const reg = await registration();
    const sub = await reg.pushManager.getSubscription();
    await sub?.unsubscribe();
  } catch { /* nothing subscribed */ }
}

/** Closes the notifications of a group shown on this device (all, or those up to `seq`). */
export async function closeGroupNotifications(groupId, seq = Infinity) {
  if (!('serviceWorker' in navigator) || !navigator.serviceWorker.controller) return;
  try {
    const reg = await registration();
    for (const n of await reg.getNotifications({ tag: `group-${groupId}` })) {
      if (!(n.data?.seq > seq)) n.close();
    }
  } catch { /* no notifications here */ }
}

// After the first message this browser sends: a card offering notifications, once.
function offerAfterFirstMessage() {
  if (notificationStatus() !== 'default') return;
  try {
    if (localStorage.getItem(OFFERED_KEY)) return;
    localStorage.setItem(OFFERED_KEY, '1');
  } catch { return; }
  // In the composer's flow, above the text box: it covers nothing and stays until answered.
  const row = document.querySelector('.composer .composer-row');
  if (!row) return;
  const card = h('section', { class: 'push-offer', 'aria-labelledby': 'push-offer-title' },
    h('span', { id: 'push-offer-title' }, 'Get a notification when someone answers?'),
    h('button', {
      type: 'button', class: 'btn btn-small btn-primary',
      onclick: () => { card.remove(); enableNotifications(); },
    }, 'Turn on'),
    iconButton('close', 'Not now', () => card.remove(), { size: 16 }));
  row.before(card);
}

// The service worker asks the page to show a message (a notification was clicked).
function onWorkerMessage(e) {
  const d = e.data;
  if (!d || d.type !== 'open' || !d.group_id) return;
  const gid = Number(d.group_id);
  const seq = Number(d.seq) || null;
  if (!state.me) { actions.navigate(`/g/${gid}${seq ? `?at=${seq}` : ''}`); return; }
  if (seq) actions.jumpTo(gid, seq);
  else actions.navigate(`/g/${gid}`);
}

export function init() {
  on('sent', offerAfterFirstMessage);
  // Signed in where notifications are allowed: (re)subscribe, quietly.
  on('session', () => {
    if (notificationStatus() === 'granted') subscribe().catch(() => {});
  });
  on('signout', () => { disableNotifications(); });
  on('route', (gid) => { if (gid) closeGroupNotifications(gid); });
  if ('serviceWorker' in navigator) navigator.serviceWorker.addEventListener('message', onWorkerMessage);
}
