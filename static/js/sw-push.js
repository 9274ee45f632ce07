// Sachet's push service worker: shows an alert sent to a subscribed browser and opens its case page when tapped.
// Registered by static/js/subscribe.js at /sw-push.js with the scope /push/, so it handles no page requests.
// The payload is JSON from notifications/channels/webpush.py: {title, body, url, tag}.
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("push", function (event) {
  var data = {};
  try { data = event.data ? event.data.json() : {}; } catch (error) { data = { title: "Sachet", body: "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "Sachet", {
    body: data.body || "",
    tag: data.tag || undefined,
    renotify: Boolean(data.tag),
    requireInteraction: true,
    data: { url: data.url || "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var url = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(self.clients.openWindow(url));
});
