// Location picker on the report and sighting forms.
// - The place typed in the form is looked up on our server (/api/geocode, debounced) and shown on the map with how
//   precise the answer is. That answer never goes into the form: the server geocodes the text itself.
// - Tapping the map or "use my location" fills the hidden latitude/longitude, kept as given; /api/reverse then
//   names the nearest place and says when the point is outside India. The browser never calls Nominatim.
// Words come from the JavaScript catalogue (/jsi18n/<language>.js) the page loads first; without it, English.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  };
  var box = document.querySelector("[data-location-picker]");
  if (!box) { return; }
  var lat = box.querySelector("input[name=latitude]");
  var lng = box.querySelector("input[name=longitude]");
  var status = box.querySelector("[data-location-status]");
  var answer = box.querySelector("[data-place-answer]");
  var warning = box.querySelector("[data-location-warning]");
  var mapEl = box.querySelector("[data-picker-map]");
  var placeInput = box.dataset.placeInput ? document.getElementById(box.dataset.placeInput) : null;
  var map = null, marker = null, preview = null;
  var PRECISION = {
    exact: { label: gettext("exact address"), zoom: 16 },
    locality: { label: gettext("area"), zoom: 14 },
    city: { label: gettext("city only: the exact area was not found"), zoom: 11 }
  };

  function getJSON(url, params) {
    var query = Object.keys(params).map(function (k) {
      return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]);
    }).join("&");
    return fetch(url + "?" + query, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.json().then(function (body) { body.status = response.status; return body; });
      });
  }

  function hasPin() { return Boolean(lat.value && lng.value); }

  // --- the place typed in the form, shown on the map --------------------------------------------------------
  var lookupTimer = null, lookupSeq = 0;

  var shown = null;  // the typed place's answer now on the map

  function describe(place) {
    var how = PRECISION[place.precision] || PRECISION.city;
    answer.textContent = interpolate(gettext("On the map: %(place)s (%(precision)s)."),
      { place: place.display_name, precision: how.label }, true) + " " +
      (hasPin() ? gettext("Your marked spot is kept.") : gettext("Tap the map to mark the exact spot if you know it."));
    answer.dataset.precision = place.precision;
    return how;
  }

  function showPreview(place) {
    shown = place;
    var how = describe(place);
    if (!map) { return; }
    var point = [place.latitude, place.longitude];
    if (preview) { preview.setLatLng(point); } else {
      preview = L.circleMarker(point, { color: "#0b5cad", radius: 9, dashArray: "4 4" }).addTo(map);
    }
    if (!hasPin()) { map.setView(point, how.zoom); }
  }

  function clearPreview(text) {
    shown = null;
    answer.textContent = text || "";
    delete answer.dataset.precision;
    if (preview && map) { map.removeLayer(preview); }
    preview = null;
  }

  function lookUpPlace() {
    var text = placeInput.value.trim();
    var seq = ++lookupSeq;
    if (text.length < 3) { clearPreview(""); return; }
    answer.textContent = interpolate(gettext("Looking for %(place)s…"), { place: text }, true);
    getJSON(box.dataset.geocodeUrl, { q: text }).then(function (body) {
      if (seq !== lookupSeq) { return; }  // a later keystroke has its own look-up
      if (body.status === 200 && body.found) { showPreview(body); }
      else if (body.status === 200) {
        clearPreview(
          gettext("We could not find this place on the map. You can tap the map to mark it, or just send the form."));
      } else if (body.status === 400) { clearPreview(""); }
      else { clearPreview(body.error || gettext("The map look-up is unavailable right now.")); }
    }).catch(function () {
      if (seq === lookupSeq) { clearPreview(gettext("The map look-up is unavailable right now.")); }
    });
  }

  if (placeInput) {
    placeInput.addEventListener("input", function () {
      clearTimeout(lookupTimer);
      lookupTimer = setTimeout(lookUpPlace, 600);
    });
    if (placeInput.value.trim()) { lookUpPlace(); }
  }

  // --- the spot the person marks ------------------------------------------------------------------------------
  var reverseSeq = 0;
  // How the point was given ("marked" on the map or "mine" from the phone), with and without a nearby place's name.
  var POINT_TEXT = {
    marked: [gettext("Marked at %(lat)s, %(lng)s."), gettext("Marked at %(lat)s, %(lng)s (near %(place)s).")],
    mine: [gettext("Your location: %(lat)s, %(lng)s."), gettext("Your location: %(lat)s, %(lng)s (near %(place)s).")]
  };

  function describePoint(how, place) {
    return interpolate(POINT_TEXT[how][place ? 1 : 0], { lat: lat.value, lng: lng.value, place: place }, true);
  }

  function nameThePoint(la, ln, how) {
    var seq = ++reverseSeq;
    getJSON(box.dataset.reverseUrl, { lat: la.toFixed(6), lng: ln.toFixed(6) }).then(function (body) {
      if (seq !== reverseSeq || body.status !== 200) { return; }
      status.textContent = describePoint(how, body.found ? body.display_name : "");
      warning.hidden = body.in_india !== false;
      warning.textContent = body.in_india === false ? gettext(
        "This point is outside India. If that is not where the child was, tap the map at the right place.") : "";
    }).catch(function () { /* the coordinates are kept; only the name is missing */ });
  }

  function setPoint(la, ln, how) {
    lat.value = la.toFixed(6);
    lng.value = ln.toFixed(6);
    status.textContent = describePoint(how, "");
    if (map) {
      if (marker) { marker.setLatLng([la, ln]); } else { marker = L.marker([la, ln]).addTo(map); }
      map.setView([la, ln], Math.max(map.getZoom(), 14));
    }
    if (shown) { describe(shown); }
    nameThePoint(la, ln, how);
  }

  function drawMap(L) {
    var start = hasPin() ? [parseFloat(lat.value), parseFloat(lng.value)] : [21.0, 78.0];
    map = L.map(mapEl, { zoomControl: false }).setView(start, hasPin() ? 14 : 4);
    L.control.zoom({ zoomInTitle: gettext("Zoom in"), zoomOutTitle: gettext("Zoom out") }).addTo(map);
    L.tileLayer(document.body.dataset.tiles || "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
      { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors", detectRetina: true,
        errorTileUrl: document.body.dataset.tileOffline || "" }).addTo(map);
    if (hasPin()) { marker = L.marker(start).addTo(map); }
    map.on("click", function (e) { setPoint(e.latlng.lat, e.latlng.lng, "marked"); });
    if (shown) { showPreview(shown); }
  }

  if (mapEl && window.sachetLeaflet) {
    window.sachetLeaflet(mapEl, { afterInteraction: true }).then(drawMap).catch(function () { /* the form works without the map */ });
  }

  var button = box.querySelector("[data-use-location]");
  if (button && !navigator.geolocation) { button.hidden = true; }
  else if (button) {
    button.addEventListener("click", function () {
      status.textContent = gettext("Finding your location…");
      navigator.geolocation.getCurrentPosition(function (pos) {
        setPoint(pos.coords.latitude, pos.coords.longitude, "mine");
      }, function () {
        status.textContent = gettext("Your location is not available. Tap the map or type the place instead.");
      }, { enableHighAccuracy: true, timeout: 15000 });
    });
  }
})();
