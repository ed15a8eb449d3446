// SPDX-License-Identifier: MIT
// While the app is open and visible but another group is in front, a new message there shows
// a small notice (group, sender, text; a click opens it) and, if the person turned it on in
// the notification settings, a short beep. The group's level and mute apply, and quiet
// hours keep the beep silent. (When the app is hidden, the service worker's notification
// does this job.)

import { h, iconButton } from './dom.js';
import { on } from './hooks.js';
import { actions, displayName, groupTitle, state } from './state.js';

const SOUND_KEY = 'peerchat.notice_sound';
const SHOWN_MS = 6000;
const FRESH_MS = 60000; // older events are replays after a reconnect, not news

export function soundOn() {
  try { return localStorage.getItem(SOUND_KEY) === '1'; } catch { return false; }
}

export function setSound(on) {
  try {
    if (on) localStorage.setItem(SOUND_KEY, '1');
    else localStorage.removeItem(SOUND_KEY);
  } catch { /* the setting lasts for this page only */ }
  if (on) beep();
}

let audio = null;
/** A short two-tone beep made with WebAudio: no sound file to load. */
export function beep() {
  try {
    audio = audio || new AudioContext();
    if (audio.state === 'suspended') audio.resume().catch(() => {});
    const t = audio.currentTime;
    const gain = audio.createGain();
    gain.connect(audio.destination);
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.15, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.3);
    for (const [freq, at] of [[880, 0], [1320, 0.12]]) {
      const osc = audio.createOscillator();
      osc.frequency.value = freq;
      osc.connect(gain);
      osc.start(t + at);
      osc.stop(t + at + 0.15);
    }
  } catch { /* no audio here */ }
}

/** Whether a group's level and mute let a message through (as the server decides for pushes). */
export function levelAllows(group, ev) {
  const notify = group.notify || {};
  if (notify.muted_until && notify.muted_until > Date.now()) return false;
  const level = notify.level || 'all';
  if (level === 'none') return false;
  if (level === 'mentions') return mentionsMe(ev) || /\?\s*$/u.test(ev.body || '');
  return true;
}

export function mentionsMe(ev) {
  return Array.isArray(ev.mentions) && ev.mentions.includes(state.me?.id);
}

/** Minutes after midnight in a time zone, for the quiet hours check. */
function minutesIn(tz, now = new Date()) {
  try {
    const parts = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
      .formatToParts(now);
    const get = (t) => Number(parts.find((p) => p.type === t)?.value);
    return get('hour') * 60 + get('minute');
  } catch { return null; }
}

function toMinutes(hhmm) {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm || '');
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Whether it is quiet time for the signed-in user (and the message may not break it). */
export function isQuiet(ev) {
  const q = state.me?.quiet_hours;
  if (!q) return false;
  if (q.allow_mentions && mentionsMe(ev)) return false;
  const start = toMinutes(q.start);
  const end = toMinutes(q.end);
  const now = minutesIn(q.tz);
  if (start === null || end === null || now === null || start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

// Top right (top on a phone), over the message list: the bottom is the composer's.
function container() {
  let box = document.getElementById('notices');
  if (!box) {
    box = h('div', { id: 'notices', class: 'notices', 'aria-live': 'polite' });
    document.body.append(box);
  }
  return box;
}

function show(group, ev) {
  const box = container();
  const sender = displayName(ev.sender?.user_id, ev.sender?.display_name || 'Someone');
  const text = String(ev.body ?? '').replace(/\s+/gu, ' ');
  const el = h('div', { class: ['toast', 'notice', mentionsMe(ev) && 'notice-mention'], role: 'status' },
    h('button', {
      type: 'button', class: 'notice-open', title: 'Open this message',
      onclick: () => { el.remove(); actions.jumpTo(group.id, ev.seq); },
    },
    h('span', { class: 'sr-only' }, 'New message in '),
    h('span', { class: 'notice-group' }, groupTitle(group)),
    h('span', { class: 'notice-text' }, h('strong', null, `${sender}: `), text)),
    iconButton('close', 'Dismiss', () => el.remove(), { size: 16 }));
  box.append(el);
  while (box.children.length > 3) box.firstChild.remove();
  setTimeout(() => el.remove(), SHOWN_MS);
}

function onFrame(f) {
  if (f.type !== 'event' || f.kind !== 'message' || !state.me || state.route.name !== 'main') return;
  if (f.sender?.user_id === state.me.id || f.deleted) return;
  if (document.visibilityState !== 'visible' || state.route.groupId === f.group_id) return;
  if (f.ts && Date.now() - f.ts > FRESH_MS) return;
  const group = state.groups.get(f.group_id);
  if (!group || !levelAllows(group, f)) return;
  show(group, f);
  if (soundOn() && !isQuiet(f)) beep();
}

export function init() {
  on('frame', onFrame);
}
