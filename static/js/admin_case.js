// Case page in the staff admin: map of the last-seen place and sightings.
(function () {
  "use strict";
  var el = document.querySelector(".sachet-map");
  var config = document.getElementById("sachet-map-config");
  if (!el || !window.L || !config) { return; }
  L.Icon.Default.imagePath = config.dataset.icons;
  window.sachetPointsMap(el, JSON.parse(el.dataset.points), config.dataset.tiles);
})();
