// The service worker of Oversight (served as /sw.js): on a weak link the last figures stay.
//
// Network first, always: a page, a file or one of the figures below is fetched from the server
// and its good answer saved; when the network fails, the saved copy is given instead, with the
// header `x-oversight-saved-at` saying when it was saved (the page shows an offline mark with that
// time). Nothing else is saved: case lists, exports and writes always go to the server. The app
// deletes the saved copies at logout (cache name shared with app/src/browser.rs).

const CACHE = 'oversight-saved-v1';

// The figures worth keeping for the overview, the directives and the map.
const SAVED_API = [
  '/api/v1/me',
  '/api/v1/overview',
  '/api/v1/summary',
  '/api/v1/quality',
  '/api/v1/boundaries',
  '/api/v1/directives',
  '/api/v1/units/',
];
const SAVED_FILES = ['/pkg/', '/vendor/', '/fonts/', '/assets/'];

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

function worthSaving(request, url) {
  if (request.method !== 'GET' || url.origin !== self.location.origin) return false;
  if (request.mode === 'navigate') return url.pathname !== '/login';
  return SAVED_API.some((p) => url.pathname.startsWith(p))
    || SAVED_FILES.some((p) => url.pathname.startsWith(p));
}

async function saved(request) {
  const cache = await caches.open(CACHE);
  return cache.match(request);
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected && response.type === 'basic') {
      const copy = response.clone();
      const headers = new Headers(copy.headers);
      headers.set('x-oversight-saved-at', new Date().toISOString());
      // The body below is already decoded: it must not claim an encoding or a length.
      headers.delete('content-encoding');
      headers.delete('content-length');
      const body = await copy.blob();
      const cache = await caches.open(CACHE);
      await cache.put(request, new Response(body, {
        status: copy.status, statusText: copy.statusText, headers,
      }));
    }
    return response;
  } catch (err) {
    const copy = await saved(request);
    if (copy) return copy;
    throw err;
  }
}

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (!worthSaving(event.request, url)) return;
  event.respondWith(networkFirst(event.request));
});
