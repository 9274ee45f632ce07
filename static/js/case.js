// Case page: the map of the last-seen place and sightings, and the copy-link button.
(function () {
  "use strict";
  var data = document.getElementById("map-points");
  var mapEl = document.querySelector("[data-case-map]");
  if (data && mapEl && window.L) {
    var points = JSON.parse(data.textContent);
    var map = L.map(mapEl);
    L.tileLayer(document.body.dataset.tiles || "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
      { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
    var bounds = [];
    points.forEach(function (p) {
      var style = p.kind === "last_seen" ? { color: "#b00020", radius: 10 } : { color: "#0b5cad", radius: 7 };
      var label = document.createElement("span");
      label.textContent = p.label;  // text, never HTML: places are typed by the public
      L.circleMarker([p.lat, p.lng], style).addTo(map).bindPopup(label);
      bounds.push([p.lat, p.lng]);
    });
    if (bounds.length === 1) { map.setView(bounds[0], 14); } else { map.fitBounds(bounds, { padding: [30, 30] }); }
    mapEl.dataset.ready = "true";
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.querySelector(button.dataset.copy);
      input.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(input.value); } else { document.execCommand("copy"); }
      button.textContent = "Link copied";
    });
  });
})();
