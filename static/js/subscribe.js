// The subscription form: shows the parts of the chosen way (phone number, Telegram, browser notifications), and for
// browser notifications asks the browser's permission only when the person presses Subscribe, then subscribes this
// browser to push (VAPID) and sends the subscription with the form. A browser that already gets alerts can stop them.
// Notifications are shown by the site's one service worker (/sw.js, scope /, registered by pwa.js on every page).
// Words come from the JavaScript catalogue (/jsi18n/<language>.js) the page loads first; without it, English.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var form = document.querySelector("[data-subscribe-form]");
  var pushSupported = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
  var stopUrl = form ? form.dataset.pushStopUrl : null;
  var workerUrl = form ? form.dataset.pushWorker : "/sw.js";
  var SCOPE = "/";

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  // --- a browser that already subscribed can stop -----------------------------------------------------------------
  var current = document.querySelector("[data-push-current]");
  if (current && pushSupported) {
    // Also a registration from before the worker moved to the root (/sw-push.js, scope /push/).
    navigator.serviceWorker.getRegistrations().then(function (registrations) {
      return Promise.all(registrations.map(function (registration) {
        return registration.pushManager.getSubscription();
      }));
    }).then(function (subscriptions) {
      var subscription = subscriptions.filter(Boolean)[0];
      if (!subscription) { return; }
      current.hidden = false;
      current.querySelector("[data-push-stop]").addEventListener("click", function () {
        var status = current.querySelector("[data-push-stop-status]");
        fetch(stopUrl || "/api/push/stop", {
          method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
          body: JSON.stringify({ endpoint: subscription.endpoint })
        }).then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return subscription.unsubscribe();
        }).then(function () {
          status.textContent = gettext("Stopped: this browser will get no more alerts.");
        }).catch(function () {
          status.textContent = gettext("That did not work. Please try again in a moment.");
        });
      });
    }).catch(function () { /* no worker yet: nothing to stop */ });
  }

  if (!form) { return; }

  // --- the parts of each way to be told ------------------------------------------------------------------------
  var radios = form.querySelectorAll("input[name=channel]");
  var parts = form.querySelectorAll("[data-channel-part]");
  var pushStatus = form.querySelector("[data-push-status]");

  function chosen() {
    var checked = form.querySelector("input[name=channel]:checked");
    return checked ? checked.value : "";
  }

  function showParts() {
    var channel = chosen();
    for (var i = 0; i < parts.length; i++) { parts[i].hidden = parts[i].dataset.channelPart !== channel; }
  }

  for (var i = 0; i < radios.length; i++) {
    radios[i].addEventListener("change", showParts);
    if (radios[i].value === "webpush" && !pushSupported) {
      radios[i].disabled = true;
      radios[i].parentNode.appendChild(document.createTextNode(" " + gettext("(not possible in this browser)")));
    }
  }
  showParts();

  function say(text) {
    pushStatus.hidden = !text;
    pushStatus.textContent = text;
  }

  // --- browser notifications: the permission is asked only now, when the person pressed Subscribe ---------------
  var subscribing = false;
  form.addEventListener("submit", function (event) {
    if (chosen() !== "webpush" || form.elements.push_endpoint.value) { return; }
    event.preventDefault();
    if (subscribing) { return; }
    subscribing = true;
    say(gettext("Asking your browser to allow notifications…"));
    Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        throw new Error("denied");
      }
      return navigator.serviceWorker.register(workerUrl, { scope: SCOPE });
    }).then(function (registration) {
      // Wait until it is active (it may be installing: this may be the first page that registered it).
      return new Promise(function (resolve) {
        (function check() {
          if (registration.active) { resolve(registration); } else { setTimeout(check, 50); }
        })();
      });
    }).then(function (registration) {
      return registration.pushManager.subscribe({
        userVisibleOnly: true, applicationServerKey: keyBytes(form.dataset.vapidKey)
      });
    }).then(function (subscription) {
      var data = subscription.toJSON();
      form.elements.push_endpoint.value = data.endpoint;
      form.elements.push_p256dh.value = data.keys.p256dh;
      form.elements.push_auth.value = data.keys.auth;
      say("");
      form.submit();
    }).catch(function (error) {
      subscribing = false;
      say(error && error.message === "denied"
        ? gettext("Notifications are blocked for this site. Allow them in your browser's settings, or choose another way.")
        : gettext("This browser could not turn on notifications. Please choose another way."));
    });
  });
})();
