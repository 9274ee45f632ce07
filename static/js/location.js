// Location picker on the report and sighting forms: tap the map or use the phone's position.
// The coordinates go into hidden fields and are kept as given (the server validates them).
(function () {
  "use strict";
  var box = document.querySelector("[data-location-picker]");
  if (!box) { return; }
  var lat = box.querySelector("input[name=latitude]");
  var lng = box.querySelector("input[name=longitude]");
  var status = box.querySelector("[data-location-status]");
  var mapEl = box.querySelector("[data-picker-map]");
  var map = null, marker = null;

  function setPoint(la, ln, how) {
    lat.value = la.toFixed(6);
    lng.value = ln.toFixed(6);
    status.textContent = how + " " + lat.value + ", " + lng.value + ".";
    if (map) {
      if (marker) { marker.setLatLng([la, ln]); } else { marker = L.marker([la, ln]).addTo(map); }
      map.setView([la, ln], Math.max(map.getZoom(), 14));
    }
  }

  if (window.L && mapEl) {
    var hasPoint = lat.value && lng.value;
    var start = hasPoint ? [parseFloat(lat.value), parseFloat(lng.value)] : [21.0, 78.0];
    map = L.map(mapEl).setView(start, hasPoint ? 14 : 4);
    L.tileLayer(document.body.dataset.tiles || "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
      { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
    if (hasPoint) { marker = L.marker(start).addTo(map); }
    map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, "Marked at"); });
  }

  var button = box.querySelector("[data-use-location]");
  if (button) {
    if (!navigator.geolocation) { button.hidden = true; return; }
    button.addEventListener("click", function () {
      status.textContent = "Finding your location…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        setPoint(pos.coords.latitude, pos.coords.longitude, "Your location:");
      }, function () {
        status.textContent = "Your location is not available. Tap the map or type the place instead.";
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }
})();
