// sw.js — keeps the page usable offline once it has been loaded: on install
// it stores the page, its code, its fonts and every shipped lesson; while
// online the network answers first (a rebuilt folder is seen at once) and
// refreshes the stored copy, offline the stored copy answers.
const CACHE = 'portsim';
const FILES = ['./', 'index.html', 'app.js', 'style.css', 'portsim.js', 'portsim.wasm',
  'fonts/DejaVuSans.ttf', 'fonts/DejaVuSans-Bold.ttf', 'fonts/DejaVuSansMono.ttf', 'lessons/index.json'];

self.addEventListener('install', (e) => e.waitUntil((async () => {
  const cache = await caches.open(CACHE);
  await cache.addAll(FILES);
  const lessons = await (await cache.match('lessons/index.json')).json();
  await cache.addAll(lessons.map((n) => 'lessons/' + n));
  await self.skipWaiting();
})()));

self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (e) => {
  const req = e.request;
  if (req.method !== 'GET' || new URL(req.url).origin !== location.origin) return;
  e.respondWith((async () => {
    try {
      const res = await fetch(req);
      if (res.ok) {
        const copy = res.clone();
        e.waitUntil(caches.open(CACHE).then((c) => c.put(req, copy)));
      }
      return res;
    } catch (err) {
      // ?size=... and #fragments name the same page: match it without them.
      const hit = await caches.match(req, { ignoreSearch: req.mode === 'navigate' });
      if (hit) return hit;
      throw err;
    }
  })());
});
