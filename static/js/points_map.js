// A Leaflet map of a case's last-seen place (red) and its sightings (blue), shared by the public case page and
// the staff admin. Labels are set as text, never HTML: places are typed by the public.
window.sachetPointsMap = function (el, points, tiles) {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var map = L.map(el, { zoomControl: false });
  L.control.zoom({ zoomInTitle: gettext("Zoom in"), zoomOutTitle: gettext("Zoom out") }).addTo(map);
  // Sharp tiles on high-density screens (detectRetina). Without a connection a tile that is not kept shows as the plain background tile instead of a broken image.
  L.tileLayer(tiles || "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
    { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors", detectRetina: true,
      errorTileUrl: document.body.dataset.tileOffline || "" }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var style = p.kind === "last_seen" ? { color: "#b00020", radius: 10 } : { color: "#0b5cad", radius: 7 };
    var label = document.createElement("span");
    label.textContent = p.label;
    L.circleMarker([p.lat, p.lng], style).addTo(map).bindPopup(label);
    bounds.push([p.lat, p.lng]);
  });
  if (bounds.length === 1) { map.setView(bounds[0], 14); } else { map.fitBounds(bounds, { padding: [30, 30] }); }
  el.dataset.ready = "true";
  return map;
};
