// SPDX-License-Identifier: MIT
// Export a group's history (owners and admins, in the group's details panel): plain download
// links to GET /api/v1/groups/{id}/export?format=json|html; the session cookie authenticates
// them and the server streams the file, so nothing is held in the page.

import { h, icon } from './dom.js';
import { on } from './hooks.js';
import { canModerate } from './state.js';

export function exportUrl(groupId, format) {
  return `/api/v1/groups/${encodeURIComponent(groupId)}/export?format=${format}`;
}

function section(group) {
  if (!group || group.kind === 'direct' || !canModerate(group)) return null;
  const link = (format, label, what) => h('a', {
    class: 'btn btn-small', href: exportUrl(group.id, format), download: '',
    'aria-label': `Export history as ${label} (${what})`,
  }, icon('down', 16), label);
  return h('section', { class: 'info-section', 'aria-labelledby': 'info-export-h' },
    h('h3', { id: 'info-export-h' }, 'Export history'),
    h('p', { class: 'muted small' }, 'Download every message of this group: HTML to read in a browser, JSON for programs.'),
    h('div', { class: 'row' }, link('html', 'HTML', 'one readable page'), link('json', 'JSON', 'for programs')));
}

export function init() {
  on('infoSections', section);
}
