// SPDX-License-Identifier: MIT
// Service worker: keeps the app shell so peerchat opens without a network, and never
// touches the API. Network first, so a server upgrade is picked up on the next load; the
// cache is only the fallback. Chat data is never cached here: it stays on the server.

const CACHE = 'peerchat-shell-v1';
const SHELL = [
  '/', '/index.html', '/style.css', '/app.js', '/api.js', '/ws.js', '/state.js', '/outbox.js', '/epoch.js',
  '/dom.js', '/format.js', '/chat.js', '/panels.js', '/auth.js', '/manifest.webmanifest',
  '/icon.svg', '/icon-192.png', '/icon-512.png',
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
