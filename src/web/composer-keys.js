// SPDX-License-Identifier: MIT
// Enter in the composer: on a touch device (no hover, coarse pointer: phones and tablets) it
// starts a new line, as the on-screen keyboard suggests, and the send button sends. With a
// mouse and keyboard, Enter sends and Shift+Enter starts a new line.

import { on } from './hooks.js';

const touch = matchMedia('(hover: none) and (pointer: coarse)');

export function enterSends() { return !touch.matches; }

function label() {
  const input = document.getElementById('composer-input');
  if (!input) return;
  input.setAttribute('enterkeyhint', enterSends() ? 'send' : 'enter');
  const hint = input.closest('form')?.querySelector('.composer-hint');
  if (hint) hint.textContent = enterSends() ? 'Enter to send · Shift+Enter for a new line' : 'Tap the send button to send';
  input.closest('form')?.querySelector('.send-btn')?.setAttribute('title', enterSends() ? 'Send (Enter)' : 'Send');
}

// Capture phase on the document: runs before the composer's own Enter-to-send handler and,
// on a touch device, keeps it from seeing the key, so the text area adds the line itself.
function onKeydown(e) {
  if (e.key !== 'Enter' || e.target?.id !== 'composer-input' || enterSends()) return;
  if (e.shiftKey || e.ctrlKey || e.metaKey || e.altKey || e.isComposing) return;
  e.stopImmediatePropagation();
}

export function init() {
  document.addEventListener('keydown', onKeydown, true);
  touch.addEventListener?.('change', label);
  on('route', label);
}
