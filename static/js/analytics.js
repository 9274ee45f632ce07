// Staff analytics page: charts of the latest snapshot and the map of risk zones with sightings.
// Data comes from the json_script element "analytics-data"; nothing here runs inline (the page has no inline code).
(function () {
  "use strict";
  // Words from the JavaScript catalogue the page loads first (English without it).
  var gettext = window.gettext || function (text) { return text; };
  var pgettext = window.pgettext || function (context, text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  };
  var source = document.getElementById("analytics-data");
  if (!source) { return; }
  var data = JSON.parse(source.textContent);
  var BLUE = "#2f6fb0";
  var MIN_ZONE_PX = 7;
  var EARTH_METRES = 40075016.686;  // equator length: metres per 256-pixel tile at zoom 0

  function scoreColour(score) {
    // Green at the lowest score a zone can have, red at the highest.
    var scale = data.scoreScale;
    var t = Math.min(1, Math.max(0, (score - scale.low) / Math.max(1, scale.high - scale.low)));
    return "hsl(" + Math.round(120 * (1 - t)) + ", 75%, 40%)";
  }

  function popup(lines) {
    // Text nodes only: names and places are typed by the public.
    var box = document.createElement("div");
    lines.forEach(function (line, i) {
      var el = document.createElement(i === 0 ? "strong" : "div");
      el.textContent = line;
      box.appendChild(el);
    });
    return box;
  }

  function drawMap() {
    var el = document.getElementById("risk-map");
    if (!el || !window.L) { return; }
    var iconUrl = el.dataset.iconUrl || "";
    L.Icon.Default.imagePath = iconUrl.slice(0, iconUrl.lastIndexOf("/") + 1);
    var map = L.map(el, { preferCanvas: true });
    L.tileLayer(el.dataset.tiles, { maxZoom: 19, attribution: "&copy; OpenStreetMap contributors" }).addTo(map);
    // One canvas for everything (a second pane's canvas would swallow the clicks meant for the zones below it).
    // Zones are drawn to scale, but never smaller than a dot that can be seen and clicked at country zoom.
    // Zones come highest score first: add them in reverse, so the highest-risk zones are drawn on top.
    var zones = data.zones.slice().reverse().map(function (z) {
      var colour = scoreColour(z.score);
      var marker = L.circleMarker([z.lat, z.lng],
        { radius: MIN_ZONE_PX, color: colour, fillColor: colour, fillOpacity: 0.35, weight: 2 });
      marker.bindPopup(popup([
        z.name,
        interpolate(gettext("Risk score %(score)s"), { score: z.score.toFixed(1) }, true),
        interpolate(ngettext("%(cases)s case, %(missing)s still missing", "%(cases)s cases, %(missing)s still missing",
                             z.cases), { cases: z.cases, missing: z.missing }, true),
        interpolate(gettext("%(recent)s last seen in the past 30 days"), { recent: z.recent }, true),
        interpolate(gettext("Radius %(radius)s km"), { radius: z.radiusKm.toFixed(1) }, true)
      ])).addTo(map);
      marker.radiusMetres = Math.max(z.radiusKm * 1000, 150);
      return marker;
    });
    function sizeZones() {
      var zoom = map.getZoom();
      zones.forEach(function (marker) {
        var metresPerPixel = EARTH_METRES * Math.cos(marker.getLatLng().lat * Math.PI / 180) / Math.pow(2, zoom + 8);
        marker.setRadius(Math.max(MIN_ZONE_PX, marker.radiusMetres / metresPerPixel));
      });
    }
    var bounds = zones.map(function (marker) { return marker.getLatLng(); });
    data.sightings.forEach(function (s) {  // added after the zones, so drawn above them
      L.circleMarker([s.lat, s.lng], { radius: 4, color: "#1d3f66", fillColor: BLUE, fillOpacity: 0.9, weight: 1 })
        .addTo(map).bindPopup(popup([
          interpolate(gettext("Sighting %(when)s"), { when: s.seen }, true), s.place,
          interpolate(gettext("Case %(reference)s"), { reference: s.case }, true)
        ]));
      if (!zones.length) { bounds.push([s.lat, s.lng]); }
    });
    map.on("zoomend", sizeZones);
    if (bounds.length === 1) {
      map.setView(bounds[0], 13);
    } else if (bounds.length) {
      map.fitBounds(bounds, { padding: [20, 20] });
    } else {
      map.setView([22.5, 79], 5);  // India
    }
    sizeZones();
    el.dataset.ready = "true";
  }

  function chart(id, type, labels, values, extra, dataset) {
    var canvas = document.getElementById(id);
    if (!canvas || !window.Chart) { return; }
    var options = {
      responsive: true, maintainAspectRatio: false, animation: false,
      plugins: { legend: { display: type === "doughnut" } },
    };
    if (type !== "doughnut") {
      options.scales = { y: { beginAtZero: true, ticks: { precision: 0 } } };
    }
    Object.assign(options, extra || {});
    new Chart(canvas, {
      type: type,
      data: {
        labels: labels,
        datasets: [Object.assign({
          data: values, borderColor: BLUE, fill: false, pointRadius: 0,
          backgroundColor: type === "doughnut" ? ["#2f6fb0", "#c2410c", "#6b7280", "#15803d"] : BLUE,
        }, dataset || {})],
      },
      options: options,
    });
  }

  function drawCharts() {
    var ages = data.ageGroups;
    chart("chart-ages", "bar", Object.keys(ages), Object.values(ages));
    chart("chart-genders", "doughnut", Object.keys(data.genders), Object.values(data.genders));
    chart("chart-hours", "bar", data.hours.map(function (_, h) { return (h < 10 ? "0" : "") + h; }), data.hours);
    chart("chart-places", "bar", Object.keys(data.placeKinds), Object.values(data.placeKinds), {
      indexAxis: "y", scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
    });
    var groups = Object.keys(data.recovery.byAgeGroup);
    var rates = [data.recovery.overall].concat(groups.map(function (g) { return data.recovery.byAgeGroup[g]; }));
    chart("chart-recovery", "bar", [pgettext("all age groups", "All")].concat(groups), rates.map(function (r) {
      return r === null ? null : Math.round(r * 1000) / 10;
    }), {
      scales: { y: { beginAtZero: true, max: 100, ticks: { callback: function (v) { return v + "%"; } } } },
    });
    drawOverTime(data.casesOverTime || {});
  }

  // Cases per day (or per week): dates in the page's language ("10 मार्च"), with Western digits as Sachet writes
  // numbers everywhere, and a handful of ticks whatever the span (7 days, 30 days, a year of weeks).
  var MAX_TICKS = 8;
  var DAY_STEPS = [1, 2, 7, 14, 30, 61];  // days between labelled ticks
  var MONTH_STEPS = [1, 2, 3, 6, 12];  // months between labelled ticks, for weekly series

  function drawOverTime(series) {
    var points = series.points || [];
    var weekly = series.period === "week";
    var days = points.map(function (p) {
      var part = p[0].split("-");
      return new Date(Date.UTC(+part[0], +part[1] - 1, +part[2]));
    });
    var lang = document.documentElement.lang || "en";
    var locale = (lang.indexOf("-") < 0 ? lang + "-IN" : lang) + "-u-nu-latn";  // Indian English: "10 Mar"
    var manyYears = days.length > 1 && days[0].getUTCFullYear() !== days[days.length - 1].getUTCFullYear();
    var tickFormat = new Intl.DateTimeFormat(locale, weekly ? { month: "short", year: "numeric", timeZone: "UTC" }
      : { day: "numeric", month: "short", year: manyYears ? "2-digit" : undefined, timeZone: "UTC" });
    var fullFormat = new Intl.DateTimeFormat(locale, { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
    var ticks = weekly ? monthTicks(days, tickFormat) : dayTicks(days, tickFormat);
    chart("chart-over-time", "line", days.map(function (d) { return fullFormat.format(d); }),
      points.map(function (p) { return p[1]; }), {
        scales: {
          x: { ticks: { autoSkip: false, maxRotation: 0, callback: function (value, index) { return ticks[index]; } } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: function (items) {
            var label = items.length ? items[0].label : "";
            return weekly ? interpolate(gettext("Week of %(date)s"), { date: label }, true) : label;
          } } },
        },
      }, { pointRadius: points.length <= 60 ? 3 : 0 });
  }

  function pick(steps, count) {
    for (var i = 0; i < steps.length; i++) {
      if (count / steps[i] <= MAX_TICKS) { return steps[i]; }
    }
    return Math.ceil(count / MAX_TICKS);
  }

  function dayTicks(days, format) {
    // Every step-th day, counted back from the last, so the latest day is always labelled.
    var step = pick(DAY_STEPS, days.length);
    return days.map(function (d, i) { return (days.length - 1 - i) % step === 0 ? format.format(d) : null; });
  }

  function monthTicks(weeks, format) {
    // The first week of every step-th month.
    var firsts = [];
    weeks.forEach(function (d, i) {
      if (i === 0 || d.getUTCMonth() !== weeks[i - 1].getUTCMonth()) { firsts.push(i); }
    });
    var step = pick(MONTH_STEPS, firsts.length);
    var shown = {};
    firsts.forEach(function (index, n) { if ((firsts.length - 1 - n) % step === 0) { shown[index] = true; } });
    return weeks.map(function (d, i) { return shown[i] ? format.format(d) : null; });
  }

  function start() {
    drawMap();
    drawCharts();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
