// Case page in the staff admin: map of the last-seen place and sightings.
(function () {
  "use strict";
  var el = document.querySelector(".sachet-map");
  var config = document.getElementById("sachet-map-config");
  if (!el || !window.L || !config) { return; }
  L.Icon.Default.imagePath = config.dataset.icons;
  var points = JSON.parse(el.dataset.points);
  var map = L.map(el);
  L.tileLayer(config.dataset.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var style = p.kind === "last_seen" ? { color: "#b00020", radius: 10 } : { color: "#0b5cad", radius: 7 };
    var label = document.createElement("span");
    label.textContent = p.label;  // text, never HTML: places are typed by the public
    L.circleMarker([p.lat, p.lng], style).addTo(map).bindTooltip(label);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length === 1) { map.setView(bounds[0], 14); } else { map.fitBounds(bounds, { padding: [30, 30] }); }
})();
