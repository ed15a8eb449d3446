// SPDX-License-Identifier: MIT
// Tiny DOM helpers: build elements from data without ever parsing HTML strings.
//
// Every piece of user text reaches the page through text nodes (h() turns strings into
// text nodes), never through innerHTML: a message body like `<img src=x onerror=…>` must
// show literally, and the strict CSP would block most of the damage anyway.

const SVG_NS = 'http://www.w3.org/2000/svg';

/**
 * h('button', {class: 'x', onclick: fn, 'aria-label': 'Send'}, 'text', otherNode)
 * Attribute values of `false`/`null`/`undefined` are skipped; `true` sets an empty attribute.
 * Keys starting with "on" attach listeners; `dataset` and `props` are applied as objects.
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) applyAttrs(el, attrs);
  append(el, children);
  return el;
}

function applyAttrs(el, attrs) {
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'props') {
      Object.assign(el, value);
    } else if (key === 'class') {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(' ') : value;
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
}

export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// Outline icons (24×24, stroke = currentColor), drawn as SVG path data.
const ICONS = {
  send: 'M4 12l16-8-6 16-2.5-6.5L4 12z M11.5 13.5L20 4',
  back: 'M15 5l-7 7 7 7',
  info: 'M12 8h.01 M11 12h1v5h1 M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z',
  search: 'M10.5 18a7.5 7.5 0 1 1 0-15 7.5 7.5 0 0 1 0 15z M16 16l5 5',
  plus: 'M12 5v14 M5 12h14',
  reply: 'M9 14L4 9l5-5 M4 9h10a6 6 0 0 1 6 6v5',
  edit: 'M4 20h4L19 9l-4-4L4 16v4z M13.5 6.5l4 4',
  trash: 'M4 7h16 M10 11v6 M14 11v6 M6 7l1 13h10l1-13 M9 7V4h6v3',
  smile: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M8.5 14.5s1.2 2 3.5 2 3.5-2 3.5-2 M9 9.5h.01 M15 9.5h.01',
  close: 'M6 6l12 12 M18 6L6 18',
  logout: 'M15 4h4v16h-4 M10 8l-4 4 4 4 M6 12h11',
  copy: 'M9 9h11v11H9z M5 15H4V4h11v1',
  clock: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M12 7v5l3 2',
  alert: 'M12 3l9.5 17h-19L12 3z M12 10v4 M12 17h.01',
  users: 'M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M2 21v-1a6 6 0 0 1 12 0v1 M16 3.5a4 4 0 0 1 0 7.5 M22 21v-1a6 6 0 0 0-4-5.6',
  link: 'M10 14a4.5 4.5 0 0 0 6.4 0l3-3a4.5 4.5 0 0 0-6.4-6.4l-1 1 M14 10a4.5 4.5 0 0 0-6.4 0l-3 3a4.5 4.5 0 0 0 6.4 6.4l1-1',
  down: 'M12 5v14 M6 13l6 6 6-6',
  retry: 'M4 12a8 8 0 1 0 2.3-5.7 M4 4v4h4',
  bell: 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4l2-2z M10 21h4',
  bellOff: 'M6 16V11a6 6 0 0 1 9-5.2 M18 11v5l2 2H8 M10 21h4 M3 3l18 18',
  at: 'M16 12a4 4 0 1 1-8 0 4 4 0 0 1 8 0z M16 12v1.5a2.5 2.5 0 0 0 5 0V12a9 9 0 1 0-3.5 7.1',
  file: 'M6 3h8l5 5v13H6z M14 3v5h5',
  clip: 'M21 11.5l-8.5 8.5a5 5 0 0 1-7-7L14 4.5a3.3 3.3 0 0 1 4.7 4.7l-8.5 8.5a1.7 1.7 0 0 1-2.4-2.4L15.5 7.6',
  mic: 'M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z M5 11a7 7 0 0 0 14 0 M12 18v3',
  stop: 'M7 7h10v10H7z',
  camera: 'M4 8h3l2-3h6l2 3h3v11H4z M12 16.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z',
  settings: 'M4 6h10 M18 6h2 M4 12h4 M12 12h8 M4 18h12 M20 18h0 M16 4v4 M10 10v4 M18 16v4',
  user: 'M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z M5 21v-1a7 7 0 0 1 14 0v1',
  chat: 'M4 5h16v11H10l-5 4v-4H4z M8 10h8 M8 13h5',
  // Questions and the library.
  check: 'M5 12.5l4.5 4.5L19 7.5',
  help: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M9.5 9.5a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6v.6 M12 17h.01',
  open: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z M12 8v5 M12 16h.01',
  book: 'M4 5a2 2 0 0 1 2-2h13v16H6a2 2 0 0 0-2 2V5z M4 19a2 2 0 0 1 2-2h13 M8 7h7',
  bookmark: 'M6 3h12v18l-6-4-6 4z',
};

export function icon(name, size = 20) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  const path = document.createElementNS(SVG_NS, 'path');
  path.setAttribute('d', ICONS[name] || ICONS.info);
  svg.append(path);
  return svg;
}

/** A button showing only an icon; the label is mandatory so screen readers can name it. */
export function iconButton(name, label, onclick, extra = {}) {
  const cls = ['icon-btn', extra.class].filter(Boolean).join(' ');
  return h('button', { type: 'button', ...extra, class: cls, 'aria-label': label, title: label, onclick },
    icon(name, extra.size || 20));
}
