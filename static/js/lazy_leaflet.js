// Leaflet (its styles and script) is loaded only when a map comes near the screen: most visitors of a case page
// never scroll down to its map, and a phone then spends nothing on it while the page loads.
// window.sachetLeaflet(element) resolves with Leaflet's `L` once the element is near the screen and Leaflet is ready;
// with {afterInteraction: true} (the maps of the forms, often on the first screen) only once the person has started
// using the page (a tap, a key, a scroll), so a phone first shows the form and lets it be filled in.
// Addresses from <body data-leaflet-css data-leaflet-js> (base.html: hashed static names in production).
(function () {
  "use strict";
  var loading = null;

  function loaded(element) {
    return new Promise(function (resolve, reject) {
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function load() {
    if (!loading) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = document.body.dataset.leafletCss;
      var script = document.createElement("script");
      script.src = document.body.dataset.leafletJs;
      loading = Promise.all([loaded(css), loaded(script)]).then(function () { return window.L; });
    }
    return loading;
  }

  function near(element) {
    return new Promise(function (resolve) {
      if (!("IntersectionObserver" in window)) { resolve(); return; }
      var observer = new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          observer.disconnect();
          resolve();
        }
      }, { rootMargin: "100px" });
      observer.observe(element);
    });
  }

  function interaction() {
    return new Promise(function (resolve) {
      var events = ["pointerdown", "keydown", "scroll", "focusin", "touchstart"];
      function go() {
        events.forEach(function (name) { window.removeEventListener(name, go, true); });
        resolve();
      }
      events.forEach(function (name) { window.addEventListener(name, go, { capture: true, passive: true }); });
    });
  }

  window.sachetLeaflet = function (element, options) {
    var ready = options && options.afterInteraction ? interaction() : Promise.resolve();
    return ready.then(function () { return near(element); }).then(load);
  };
})();
