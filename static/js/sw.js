// Sachet's service worker (scope /), served at /sw.js by sachet/pwa.py after a line that sets self.SACHET_WORKER:
// {version, shell, offline, queueScript, hashedStatic}.
//
// What it keeps, and only that (an allow-list: no other path is ever touched, so the staff admin, whose path is
// private, never passes through here):
//   - the app shell (styles, scripts, icons, the offline page), kept at install, one cache per version;
//   - pages of cases opened (/case/<ref>), their sighting forms (/found/<ref>) and posters (/poster/<ref>), and
//     the home page: network first, the kept copy when there is no connection;
//   - the photos those pages show (/media/..., Cloudinary images): kept once fetched (their names never change),
//     and only when one of those pages asks for them (never for the admin or a found child's appeal);
//   - scripts and styles (/static/, /jsi18n/): kept once fetched.
// Never kept: anything but a GET, an answer that is not a plain 200 from this site, or one that says
// Cache-Control: private or no-store (the server says so for every answer to a signed-in staff user, and for a
// page showing a one-time message). A case page that answers 404 or 410 (rejected, erased) is dropped with its
// poster, form and photos; a photo a case page no longer shows (a found child's) is dropped when the page is.
//
// A sighting sent while the connection fails is kept in IndexedDB (sightings_queue.js) and sent again by
// Background Sync, or by the next page opened online. Push notifications (area alerts) are shown here too.
//
// Updates: a new version (any change to this file or to the shell) installs, takes over at once (skipWaiting) and
// deletes the old shell cache; open pages keep working and the next page opened uses it. Files of the old shell
// that kept pages may still name are moved to the long-lived static cache (hashed names in production), so a page
// kept offline still has its styles.
"use strict";

var CONFIG = self.SACHET_WORKER;
var PREFIX = "sachet-";
var SHELL_CACHE = PREFIX + "shell-" + CONFIG.version;
var STATIC_CACHE = PREFIX + "static";
var PAGES_CACHE = PREFIX + "pages";
var MEDIA_CACHE = PREFIX + "media";
var LIMITS = {};
LIMITS[STATIC_CACHE] = 150;
LIMITS[PAGES_CACHE] = 80;
LIMITS[MEDIA_CACHE] = 120;
var MEDIA_HEADER = "X-Sachet-Media";  // on a kept case page: the photos it showed
var REF = "MC[0-9]{8}[0-9A-F]{8}";
var CASE_PAGE = new RegExp("^/case/(" + REF + ")/?$");
var KEPT_PAGES = [/^\/$/, CASE_PAGE, new RegExp("^/found/" + REF + "/?$"), new RegExp("^/poster/" + REF + "/?$"),
                  /^\/offline$/];
var SIGHTING_FORM = new RegExp("^/found/(" + REF + ")/?$");
var CLOUDINARY_IMAGE = /^https:\/\/res\.cloudinary\.com\/[^/]+\/image\/upload\//;
var ROOT = new URL("./", self.registration.scope).pathname === "/";

importScripts(CONFIG.queueScript);

// --- push notifications (every registration, also the old one at /push/) -----------------------------------------
self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { title: "Sachet", body: "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "Sachet", {
    body: data.body || "",
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    requireInteraction: true,
    icon: CONFIG.shell.filter(function (url) { return /icon-192/.test(url); })[0],
    data: { url: data.url || "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});

// --- install and update ---------------------------------------------------------------------------------------------
self.addEventListener("install", function (event) {
  event.waitUntil((ROOT ? caches.open(SHELL_CACHE).then(function (cache) {
    return cache.addAll(CONFIG.shell.map(function (url) { return new Request(url, { cache: "reload" }); }));
  }) : Promise.resolve()).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil((ROOT ? retireOldShells() : Promise.resolve()).then(function () { return self.clients.claim(); }));
});

function retireOldShells() {
  return caches.keys().then(function (names) {
    var old = names.filter(function (name) { return name.indexOf(PREFIX + "shell-") === 0 && name !== SHELL_CACHE; });
    if (!CONFIG.hashedStatic) {
      // Unhashed names (development): what was kept under them may be stale.
      return Promise.all(old.concat([STATIC_CACHE]).map(function (name) { return caches.delete(name); }));
    }
    return Promise.all(old.map(function (name) {
      return moveStatic(name).then(function () { return caches.delete(name); });
    })).then(function () { return trim(STATIC_CACHE); });
  });
}

function moveStatic(name) {
  return Promise.all([caches.open(name), caches.open(STATIC_CACHE)]).then(function (both) {
    return both[0].keys().then(function (requests) {
      return Promise.all(requests.filter(function (request) {
        return new URL(request.url).pathname.indexOf("/static/") === 0;
      }).map(function (request) {
        return both[0].match(request).then(function (response) { return response && both[1].put(request, response); });
      }));
    });
  });
}

// --- requests -------------------------------------------------------------------------------------------------------
self.addEventListener("fetch", function (event) {
  if (!ROOT) { return; }
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    if (request.method === "GET" && CLOUDINARY_IMAGE.test(request.url)) {
      event.respondWith(photo(event));
    }
    return;
  }
  if (request.method === "POST" && request.mode === "navigate" && SIGHTING_FORM.test(url.pathname)) {
    event.respondWith(sendSighting(event));
  } else if (request.method !== "GET") {
    return;
  } else if (url.pathname.indexOf("/static/") === 0 || url.pathname.indexOf("/jsi18n/") === 0) {
    event.respondWith(keptFirst(request, STATIC_CACHE));
  } else if (url.pathname.indexOf("/media/") === 0) {
    event.respondWith(photo(event));
  } else if (KEPT_PAGES.some(function (pattern) { return pattern.test(url.pathname); }) &&
             (!url.search || SIGHTING_FORM.test(url.pathname))) {
    event.respondWith(networkFirst(event, url));
  } else if (request.mode === "navigate") {
    event.respondWith(fetch(request).catch(offlinePage));  // a search, another page of the list, a form: not kept
  }
});

function keepable(response) {
  if (!response) { return false; }
  if (response.type === "opaque") { return true; }  // a Cloudinary photo shown by an <img> (no CORS)
  if (response.status !== 200 || response.type !== "basic" || response.redirected) { return false; }
  var control = (response.headers.get("Cache-Control") || "").toLowerCase();
  return !/(^|[,\s])(no-store|private)([,\s=]|$)/.test(control);
}

// A photo is kept only when a page the worker keeps shows it (a case page, the home page): never one an admin page,
// an appeal for a found child or any other page asks for, even where its answer says nothing of caching (Cloudinary).
function photo(event) {
  return shownByKeptPage(event).then(function (kept) {
    return kept ? keptFirst(event.request, MEDIA_CACHE) : fetch(event.request);
  });
}

function shownByKeptPage(event) {
  if (!event.clientId) { return Promise.resolve(false); }
  return self.clients.get(event.clientId).then(function (client) {
    if (!client) { return false; }
    var path = new URL(client.url).pathname;
    return KEPT_PAGES.some(function (pattern) { return pattern.test(path); });
  });
}

function keptFirst(request, cacheName) {
  return caches.match(request, { ignoreVary: true }).then(function (kept) {
    if (kept) { return kept; }
    return fetch(request).then(function (response) {
      if (keepable(response)) {
        var copy = response.clone();
        caches.open(cacheName).then(function (cache) { return cache.put(request, copy); })
          .then(function () { return trim(cacheName); });
      }
      return response;
    });
  });
}

function networkFirst(event, url) {
  var request = event.request;
  var key = url.origin + url.pathname;  // "?queued=..." on a sighting form is the same page
  var isCase = CASE_PAGE.exec(url.pathname);
  return fetch(request).then(function (response) {
    if (isCase && (response.status === 404 || response.status === 410)) {
      event.waitUntil(forgetCase(isCase[1]));
    } else if (keepable(response)) {
      event.waitUntil(keepPage(key, response.clone(), isCase && isCase[1]));
    }
    return response;
  }).catch(function () {
    return caches.match(key, { ignoreVary: true }).then(function (kept) {
      return kept || (request.mode === "navigate" ? offlinePage() : Response.error());
    });
  });
}

function offlinePage() {
  return caches.match(CONFIG.offline, { ignoreVary: true }).then(function (page) {
    return page || new Response("Offline", { status: 503, headers: { "Content-Type": "text/plain" } });
  });
}

// A case page is kept with the photos it shows named in a header; its poster and sighting form are kept beside it.
function keepPage(key, response, reference) {
  if (!reference) {
    return caches.open(PAGES_CACHE).then(function (cache) { return cache.put(key, response); })
      .then(function () { return trim(PAGES_CACHE); });
  }
  return response.text().then(function (html) {
    var media = mediaIn(html);
    var headers = new Headers(response.headers);
    headers.set(MEDIA_HEADER, media.join(" "));
    return caches.open(PAGES_CACHE).then(function (cache) {
      return cache.match(key).then(function (before) {
        var gone = before ? (before.headers.get(MEDIA_HEADER) || "").split(" ").filter(function (url) {
          return url && media.indexOf(url) < 0;
        }) : [];
        return Promise.all([
          cache.put(key, new Response(html, { status: 200, statusText: "OK", headers: headers })),
          forgetMedia(gone),
          keepBeside(cache, reference)
        ]);
      });
    }).then(function () { return trim(PAGES_CACHE); });
  });
}

var BESIDE_FRESH_MS = 3600 * 1000;  // a poster kept less than an hour ago is not fetched again

function keepBeside(cache, reference) {
  var origin = self.location.origin;
  return Promise.all(["/poster/", "/found/"].map(function (path) {
    var url = origin + path + reference;
    return cache.match(url).then(function (kept) {
      var age = kept ? Date.now() - Date.parse(kept.headers.get("Date") || 0) : Infinity;
      if (path === "/poster/" && age < BESIDE_FRESH_MS) { return null; }
      return fetch(url, { credentials: "same-origin" }).then(function (response) {
        return keepable(response) ? cache.put(url, response) : cache.delete(url);
      });
    }).catch(function () { /* no connection: kept as before */ });
  }));
}

function forgetCase(reference) {
  var origin = self.location.origin;
  return caches.open(PAGES_CACHE).then(function (cache) {
    var page = origin + "/case/" + reference;
    return cache.match(page).then(function (before) {
      var media = before ? (before.headers.get(MEDIA_HEADER) || "").split(" ") : [];
      return Promise.all([cache.delete(page), cache.delete(origin + "/poster/" + reference),
                          cache.delete(origin + "/found/" + reference), forgetMedia(media)]);
    });
  });
}

function forgetMedia(urls) {
  urls = urls.filter(Boolean);
  if (!urls.length) { return Promise.resolve(); }
  return caches.open(MEDIA_CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) { return cache.delete(url, { ignoreVary: true }); }));
  });
}

// Photos named in a page's src and srcset attributes (this site's /media/ and Cloudinary images).
function mediaIn(html) {
  var found = [];
  var attribute = /\s(?:src|srcset)="([^"]+)"/g;
  var match;
  while ((match = attribute.exec(html))) {
    match[1].replace(/&amp;/g, "&").split(",").forEach(function (candidate) {
      var url = candidate.trim().split(/\s+/)[0];
      if (!url) { return; }
      var absolute = new URL(url, self.location.origin).href;
      if ((absolute.indexOf(self.location.origin + "/media/") === 0 || CLOUDINARY_IMAGE.test(absolute)) &&
          found.indexOf(absolute) < 0) {
        found.push(absolute);
      }
    });
  }
  return found;
}

// Oldest entries first (Cache keys keep insertion order).
function trim(cacheName) {
  var limit = LIMITS[cacheName];
  return caches.open(cacheName).then(function (cache) {
    return cache.keys().then(function (keys) {
      return Promise.all(keys.slice(0, Math.max(0, keys.length - limit)).map(function (key) {
        return cache.delete(key);
      }));
    });
  });
}

// --- sightings sent without a connection ------------------------------------------------------------------------------
// The form was posted but the network failed: keep it, and show the form page, which says it is waiting to send.
function sendSighting(event) {
  var copy = event.request.clone();
  var url = new URL(event.request.url);
  return fetch(event.request).catch(function () {
    return copy.formData().then(function (data) {
      return self.SachetSightings.fromFormData(data, url.pathname);
    }).then(function (record) {
      return self.SachetSightings.add(record).then(function () {
        return self.registration.sync ? self.registration.sync.register(self.SachetSightings.SYNC_TAG)
          .catch(function () {}) : null;
      }).then(function () {
        return Response.redirect(url.origin + url.pathname + "?queued=" + record.key, 303);
      });
    });
  });
}

self.addEventListener("sync", function (event) {
  if (event.tag === self.SachetSightings.SYNC_TAG) {
    // Rejected while sightings are still waiting for a connection, so the browser tries again later.
    event.waitUntil(self.SachetSightings.sendAll().then(function (result) {
      if (result.waiting) { throw new Error("sightings still waiting"); }
    }));
  }
});

self.addEventListener("message", function (event) {
  if (event.data && event.data.type === "send-sightings") {
    event.waitUntil(self.SachetSightings.sendAll());
  }
});
