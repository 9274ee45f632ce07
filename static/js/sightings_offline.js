// The sighting form and the case page: sightings written here without a connection, and what became of them.
//
// The form gets a submission key (a new one for each sighting) so that a sighting sent twice is stored once. With
// no connection, pressing "Send sighting" keeps it in this browser (sightings_queue.js) instead of failing, and the
// list below the form says "waiting to send", then "sent" once the connection is back (this page, any other page
// of the site, or the service worker's Background Sync sends it). Words from the JavaScript catalogue.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (all, name) { return values[name]; });
  };
  var queue = window.SachetSightings;
  var box = document.querySelector("[data-sighting-queue]");
  if (!queue || !window.indexedDB || !box) { return; }
  var reference = box.dataset.sightingQueue;
  var form = document.querySelector("form[data-sighting-form]");
  var list = box.querySelector("ul");
  var language = document.documentElement.lang || undefined;

  function time(ms) {
    return new Date(ms).toLocaleTimeString(language, { hour: "2-digit", minute: "2-digit" });
  }

  function item(record) {
    var li = document.createElement("li");
    li.dataset.status = record.status;
    var values = { place: record.fields.place || "", time: time(record.createdAt) };
    var text;
    if (record.status === "waiting") {
      text = interpolate(gettext("Waiting to send: your sighting at %(place)s (written at %(time)s). It is sent as soon as this phone is back online."), values, true);
      if (record.photoDropped) {
        text += " " + gettext("The photo was too large to keep without a connection: send it again later.");
      }
    } else if (record.status === "sent") {
      text = interpolate(gettext("Sent: the team has your sighting at %(place)s. Thank you."), values, true);
    } else if (record.status === "closed") {
      text = interpolate(gettext("Not sent: this appeal has ended, so your sighting at %(place)s is not needed. Thank you."), values, true);
    } else {
      text = interpolate(gettext("Not accepted: your sighting at %(place)s needs checking. Please fill in the form again."), values, true);
    }
    li.appendChild(document.createTextNode(text));
    if (record.status === "refused" && form) {
      var again = document.createElement("button");
      again.type = "button";
      again.className = "button button-secondary";
      again.textContent = gettext("Put it back in the form");
      again.addEventListener("click", function () { refill(record); });
      li.appendChild(document.createTextNode(" "));
      li.appendChild(again);
    }
    return li;
  }

  function show() {
    return queue.all(reference).then(function (records) {
      list.textContent = "";
      records.forEach(function (record) { list.appendChild(item(record)); });
      box.hidden = records.length === 0;
    });
  }

  function refill(record) {
    Object.keys(record.fields).forEach(function (name) {
      if (form.elements[name]) { form.elements[name].value = record.fields[name]; }
    });
    form.elements.submission_key.value = record.key;
    queue.remove(record.key).then(show);
    form.scrollIntoView();
  }

  function askForSync() {
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.ready.then(function (registration) {
        return registration.sync && registration.sync.register(queue.SYNC_TAG);
      }).catch(function () { /* sent by the next page opened online instead */ });
    }
  }

  if (form) {
    var key = form.elements.submission_key;
    if (!key.value) { key.value = queue.newKey(); }
    var status = form.querySelector("[data-offline-status]");
    form.addEventListener("submit", function (event) {
      if (navigator.onLine) { return; }  // sent as usual; if the network fails, the service worker keeps it
      event.preventDefault();
      if (!form.checkValidity()) {
        form.reportValidity();
        return;
      }
      var record = queue.fromFormData(new FormData(form), window.location.pathname);
      queue.add(record).then(function () {
        askForSync();
        form.reset();
        key.value = queue.newKey();
        status.textContent = gettext("No connection: your sighting is kept on this phone and will be sent when it is back online.");
        return show();
      }).then(function () { box.focus(); }).catch(function () {
        status.textContent = gettext("This browser could not keep the sighting. Please send it when you have a connection.");
      });
    });
  }

  if (window.BroadcastChannel) {
    new BroadcastChannel(queue.CHANNEL).onmessage = show;
  }
  window.addEventListener("online", function () { window.setTimeout(show, 0); });
  show();
})();
