// Every page: registers the site's service worker (/sw.js, scope /), and sends the sightings this browser kept
// while it had no connection (sightings_queue.js), now and whenever the connection comes back.
(function () {
  "use strict";
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/sw.js").catch(function () { /* the site works without it */ });
  }
  var queue = window.SachetSightings;
  if (!queue || !window.indexedDB) { return; }
  function sendWaiting() {
    if (navigator.onLine) { queue.sendAll().catch(function () { /* tried again at the next chance */ }); }
  }
  window.addEventListener("online", sendWaiting);
  sendWaiting();
})();
