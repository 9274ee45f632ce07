// Case page: the map of the last-seen place and sightings, and the copy-link button.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };  // the page's JavaScript catalogue
  var data = document.getElementById("map-points");
  var mapEl = document.querySelector("[data-case-map]");
  if (data && mapEl && window.sachetLeaflet) {
    window.sachetLeaflet(mapEl).then(function () {
      window.sachetPointsMap(mapEl, JSON.parse(data.textContent), document.body.dataset.tiles);
    }).catch(function () { /* no map without a connection: the places are listed on the page */ });
  }
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.querySelector(button.dataset.copy);
      input.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(input.value); } else { document.execCommand("copy"); }
      button.textContent = gettext("Link copied");
    });
  });
})();
