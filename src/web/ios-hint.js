// SPDX-License-Identifier: MIT
// iOS and iPadOS deliver Web Push only to a web app added to the Home Screen (16.4 and
// later), never to a tab. Opened in the browser there, the app says so once, with how to add
// it, until the person dismisses the hint.

import { h, iconButton } from './dom.js';
import { on } from './hooks.js';

const DISMISSED_KEY = 'peerchat.ios_hint_dismissed';

/** iPhone, iPod, or an iPad (which says "Macintosh" but has a touch screen). */
export function isIOS() {
  const ua = navigator.userAgent || '';
  return /iPad|iPhone|iPod/.test(ua) || (/Macintosh/.test(ua) && navigator.maxTouchPoints > 1);
}

export function isStandalone() {
  return navigator.standalone === true || matchMedia('(display-mode: standalone)').matches;
}

/** True where notifications cannot work until the app is added to the Home Screen. */
export function needsHomeScreen() { return isIOS() && !isStandalone(); }

export const HOME_SCREEN_TEXT = 'On iPhone and iPad, notifications need peerchat on your Home Screen ' +
  '(iOS 16.4 or later): tap the Share button, choose “Add to Home Screen”, then open peerchat from there.';

function dismissed() {
  try { return localStorage.getItem(DISMISSED_KEY) === '1'; } catch { return false; }
}

function banner() {
  if (!needsHomeScreen() || dismissed()) return null;
  const el = h('section', { class: 'ios-hint', 'aria-labelledby': 'ios-hint-title' },
    h('div', { class: 'ios-hint-text' },
      h('h2', { id: 'ios-hint-title' }, 'Get notifications on this device'),
      h('p', null, HOME_SCREEN_TEXT)),
    iconButton('close', 'Dismiss the Home Screen hint', () => {
      try { localStorage.setItem(DISMISSED_KEY, '1'); } catch { /* shown again next time */ }
      el.remove();
    }, { size: 16 }));
  return el;
}

export function init() {
  on('sidebarBanner', banner);
}
