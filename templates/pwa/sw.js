/* SmartCoop's service worker (smartcoop/pwa.py): the shell only, never a member's data. */
const CACHE = "smartcoop-shell-{{ version }}";
const SHELL = {{ shell|safe }};
const OFFLINE = {{ offline|safe }};

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (SHELL.includes(url.pathname)) {
    // A file of the shell: from the cache, else the network (never stored here).
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode === "navigate") {
    // Pages always come from the network and are never kept; offline, the offline page.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE)));
  }
});
