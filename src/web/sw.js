// SPDX-License-Identifier: MIT
// Service worker: keeps the app shell so peerchat opens without a network, and never
// touches the API. Network first, so a server upgrade is picked up on the next load; the
// cache is only the fallback. Chat data is never cached here: it stays on the server.

const CACHE = 'peerchat-shell-v6';
const SHELL = [
  '/', '/index.html', '/style.css', '/app.js', '/api.js', '/ws.js', '/state.js', '/outbox.js', '/epoch.js',
  '/dom.js', '/format.js', '/chat.js', '/panels.js', '/auth.js', '/manifest.webmanifest',
  '/icon.svg', '/icon-192.png', '/icon-512.png',
  '/hooks.js', '/push.js', '/ios-hint.js', '/notice.js', '/focus.js', '/read-sync.js', '/seen-by.js',
  '/group-notify.js', '/notify-settings.js', '/mention-complete.js', '/mentions-view.js', '/composer-keys.js',
  '/admin-people.js', '/delete-account.js', '/group-export.js', '/admin.css',
  '/notifications.css',
  '/attach.js', '/attachment-view.js', '/voice-note.js', '/outbox-files.js', '/blob-store.js', '/upload.js',
  '/attachments.css',
  '/people.js', '/account.js', '/account-link.js', '/direct.js', '/people.css',
  '/quiz.js', '/quiz-cards.js', '/quiz.css',
  '/questions.js', '/library.js', '/questions.css',
  '/kudos.js', '/polls.js', '/kudos-polls.css',
];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // One missing file must not stop the others from being cached.
    await Promise.all(SHELL.map((url) => cache.add(new Request(url, { cache: 'reload' })).catch(() => {})));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

function isServerPath(pathname) {
  return pathname.startsWith('/api/') || pathname === '/api' || pathname === '/healthz' || pathname === '/metrics';
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || isServerPath(url.pathname)) return; // straight to the network
  if (req.headers.get('upgrade')) return;

  if (req.mode === 'navigate') {
    // Every page of the app is index.html (client-side routes like /g/3 or /invite/…).
    event.respondWith((async () => {
      try {
        const res = await fetch(req);
        if (res.ok) {
          const cache = await caches.open(CACHE);
          cache.put('/index.html', res.clone()).catch(() => {});
        }
        return res;
      } catch {
        const cached = await caches.match('/index.html') || await caches.match('/');
        return cached || new Response('peerchat is offline.', { status: 503, headers: { 'Content-Type': 'text/plain' } });
      }
    })());
    return;
  }

  event.respondWith((async () => {
    try {
      const res = await fetch(req);
      if (res.ok && SHELL.includes(url.pathname)) {
        const cache = await caches.open(CACHE);
        cache.put(url.pathname, res.clone()).catch(() => {});
      }
      return res;
    } catch (err) {
      const cached = await caches.match(url.pathname);
      if (cached) return cached;
      throw err;
    }
  })());
});

// ---------------------------------------------------------------------------------------
// Notifications (docs/notifications.md). The payload is the contract's JSON:
// {type:"message", group_id, group_name, seq, sender:{user_id,display_name}, body, mention, truncated}
// or, with --push-content minimal, only {type, group_id, seq, mention}: the text is then
// fetched over the API with this browser's session cookie. {type:"message_deleted", group_id,
// seq} removes that message's notification. One notification per group (tag), re-alerting.

const FETCH_TIMEOUT_MS = 5000;
const groupTag = (groupId) => `group-${groupId}`;

self.addEventListener('push', (event) => {
  let payload = null;
  try { payload = event.data ? event.data.json() : null; } catch { payload = null; }
  event.waitUntil(handlePush(payload));
});

async function handlePush(p) {
  if (!p || !p.group_id) return;
  if (p.type === 'message_deleted') {
    await closeNotifications(p.group_id, p.seq);
    return;
  }
  if (p.type !== 'message') return;
  // Someone is looking at the app: it shows its own notice from the live event.
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  if (windows.some((c) => c.visibilityState === 'visible' && c.focused)) return;
  let title = p.group_name;
  let sender = p.sender?.display_name;
  let body = p.body;
  if (typeof body !== 'string' || !title) {
    const fetched = await fetchMessage(p.group_id, p.seq);
    if (fetched?.deleted) return; // gone before it could be shown
    title = title || fetched?.group_name;
    sender = sender || fetched?.sender;
    body = typeof body === 'string' ? body : fetched?.body;
  }
  let text = typeof body === 'string' && body ? body.replace(/\s+/gu, ' ') : 'New message';
  if (p.truncated && typeof body === 'string') text += '…';
  await self.registration.showNotification(title || 'peerchat', {
    body: sender && text !== 'New message' ? `${sender}: ${text}` : text,
    tag: groupTag(p.group_id),
    renotify: true,
    icon: '/icon-192.png',
    badge: '/icon-192.png',
    timestamp: Date.now(),
    data: { group_id: p.group_id, seq: p.seq, mention: !!p.mention },
  });
  await updateBadge();
}

async function apiGet(path) {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), FETCH_TIMEOUT_MS);
  try {
    const res = await fetch(`/api/v1${path}`, {
      credentials: 'include', cache: 'no-store', headers: { Accept: 'application/json' }, signal: ctl.signal,
    });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** The message (and its group's name) for a minimal payload; null when offline or refused. */
async function fetchMessage(groupId, seq) {
  const gid = encodeURIComponent(groupId);
  const [events, group] = await Promise.all([
    seq ? apiGet(`/groups/${gid}/events?after=${Number(seq) - 1}&limit=1`) : null,
    apiGet(`/groups/${gid}`),
  ]);
  const ev = events?.events?.find((e) => e.seq === seq);
  return {
    group_name: group?.name,
    sender: ev?.sender?.display_name,
    body: ev && !ev.deleted ? ev.body : undefined,
    deleted: !!ev?.deleted,
  };
}

async function closeNotifications(groupId, seq) {
  for (const n of await self.registration.getNotifications({ tag: groupTag(groupId) })) {
    if (seq === undefined || n.data?.seq === seq) n.close();
  }
  await updateBadge();
}

/** The app icon's badge: how many notifications are waiting (where the platform has badges). */
async function updateBadge() {
  if (!self.navigator.setAppBadge) return;
  const n = (await self.registration.getNotifications()).length;
  await (n ? self.navigator.setAppBadge(n) : self.navigator.clearAppBadge()).catch(() => {});
}

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(openFromNotification(event.notification.data || {}).then(updateBadge));
});

/**
 * Opens the group of a notification at its message: an open window is focused and told to
 * show it; without one, a new window opens at /g/<id>?at=<seq>.
 */
async function openFromNotification({ group_id: groupId, seq }) {
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true });
  const client = windows.find((c) => new URL(c.url).origin === self.location.origin);
  if (client) {
    try { await client.focus(); } catch { /* focus is only allowed from a click */ }
    client.postMessage({ type: 'open', group_id: groupId, seq });
    return client;
  }
  const url = groupId ? `/g/${encodeURIComponent(groupId)}${seq ? `?at=${encodeURIComponent(seq)}` : ''}` : '/';
  return self.clients.openWindow(url);
}
