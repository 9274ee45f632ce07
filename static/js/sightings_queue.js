// Sightings written without a connection, kept in this browser (IndexedDB) until they are sent: by the sighting
// form page (sightings_offline.js), by any page opened online (pwa.js), and by the service worker (sw.js: a form
// post that failed, Background Sync). Works in a page and in the worker alike (no DOM).
//
// Each sighting has a submission key (a UUID made here) that the server stores with it, unique per case: whoever
// sends it, however often (a lost answer, two senders at once), it is stored once. A sending is claimed in one
// IndexedDB transaction, so two senders in this browser rarely send the same sighting together (and the key makes
// it harmless when they do). Statuses: waiting -> sent | closed (the child was found: not needed) | refused (the
// server did not accept the form: the person is asked to send it again). Finished ones are kept a day, to be shown.
(function (scope) {
  "use strict";
  var DB_NAME = "sachet";
  var STORE = "sightings";
  var CHANNEL = "sachet-sightings";
  var CLAIM_MS = 60 * 1000;
  var KEEP_DONE_MS = 24 * 3600 * 1000;
  var PHOTO_MAX_BYTES = 5 * 1024 * 1024;  // a larger photo needs a connection (said on the form)
  var FIELDS = ["place", "latitude", "longitude", "seen_at", "description", "reporter_phone"];
  var FORM_PATH = /^\/found\/(MC[0-9]{8}[0-9A-F]{8})\/?$/;

  function newKey() {
    if (scope.crypto && scope.crypto.randomUUID) { return scope.crypto.randomUUID(); }
    var bytes = scope.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) { return (b + 0x100).toString(16).slice(1); }).join("");
    return hex.slice(0, 8) + "-" + hex.slice(8, 12) + "-" + hex.slice(12, 16) + "-" + hex.slice(16, 20) + "-" +
      hex.slice(20);
  }

  var opening = null;
  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = scope.indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = function () {
          request.result.createObjectStore(STORE, { keyPath: "key" }).createIndex("reference", "reference");
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { opening = null; reject(request.error); };
      });
    }
    return opening;
  }

  // fn(store) inside one transaction; resolves with what fn returned once the transaction has committed.
  function withStore(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result;
        tx.oncomplete = function () { resolve(result); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
        result = fn(tx.objectStore(STORE));
      });
    });
  }

  function all(reference) {
    return withStore("readonly", function (store) {
      var box = { items: [] };
      var request = reference ? store.index("reference").getAll(reference) : store.getAll();
      request.onsuccess = function () { box.items = request.result; };
      return box;
    }).then(function (box) {
      return box.items.sort(function (a, b) { return a.createdAt - b.createdAt; });
    });
  }

  function update(key, changes) {
    return withStore("readwrite", function (store) {
      var request = store.get(key);
      request.onsuccess = function () {
        if (request.result) { store.put(Object.assign(request.result, changes)); }
      };
    }).then(announce);
  }

  // Take a waiting sighting for sending, unless another sender took it less than a minute ago.
  function claim(key) {
    var now = Date.now();
    return withStore("readwrite", function (store) {
      var box = { record: null };
      var request = store.get(key);
      request.onsuccess = function () {
        var record = request.result;
        if (record && record.status === "waiting" && (!record.claimedAt || now - record.claimedAt > CLAIM_MS) &&
            (!record.notBefore || record.notBefore <= now)) {
          record.claimedAt = now;
          store.put(record);
          box.record = record;
        }
      };
      return box;
    }).then(function (box) { return box.record; });
  }

  function announce() {
    if (scope.BroadcastChannel) {
      var channel = new scope.BroadcastChannel(CHANNEL);
      channel.postMessage({ type: "changed" });
      channel.close();
    }
  }

  function add(record) {
    return withStore("readwrite", function (store) { store.put(record); }).then(announce).then(function () {
      return record;
    });
  }

  // A record from the form's fields (a FormData, as a page or the worker has it) and the form's path.
  function fromFormData(data, path) {
    var match = FORM_PATH.exec(path);
    var record = {
      key: data.get("submission_key") || newKey(), reference: match ? match[1] : "", action: path,
      csrf: data.get("csrfmiddlewaretoken") || "", fields: {}, photo: null, photoName: "", photoDropped: false,
      status: "waiting", createdAt: Date.now(), attempts: 0
    };
    FIELDS.forEach(function (name) { record.fields[name] = data.get(name) || ""; });
    var photo = data.get("photo");
    if (photo && typeof photo === "object" && photo.size) {
      if (photo.size <= PHOTO_MAX_BYTES) {
        record.photo = photo.slice(0, photo.size, photo.type);  // a Blob IndexedDB can keep
        record.photoName = photo.name || "photo.jpg";
      } else {
        record.photoDropped = true;
      }
    }
    return record;
  }

  function body(record, csrf) {
    var data = new FormData();
    Object.keys(record.fields).forEach(function (name) { data.append(name, record.fields[name]); });
    data.append("submission_key", record.key);
    data.append("csrfmiddlewaretoken", csrf);
    if (record.photo) { data.append("photo", record.photo, record.photoName); }
    return data;
  }

  function post(record, csrf) {
    return scope.fetch(record.action, {
      method: "POST", body: body(record, csrf), credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf }
    });
  }

  // The form page holds a fresh CSRF token (the one kept may be from before the browser's cookie changed).
  function freshToken(record) {
    return scope.fetch(record.action, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
      return response.text();
    }).then(function (html) {
      var match = /name="csrfmiddlewaretoken" value="([^"]+)"/.exec(html);
      return match ? match[1] : "";
    });
  }

  // Send one claimed sighting; resolves with its new status ("waiting" when it must wait for a connection).
  function send(record) {
    var attempts = (record.attempts || 0) + 1;
    return post(record, record.csrf).then(function (response) {
      if (response.status !== 403) { return response; }
      return freshToken(record).then(function (token) {
        record.csrf = token;
        return post(record, token);
      });
    }).then(function (response) {
      if (response.status === 200 || response.status === 201) {
        return finish(record, { status: "sent", sentAt: Date.now(), photo: null, csrf: "",
                                fields: { place: record.fields.place } });
      }
      if (response.status === 410) {
        return finish(record, { status: "closed", sentAt: Date.now(), photo: null, csrf: "",
                                fields: { place: record.fields.place } });
      }
      if (response.status === 400 || response.status === 403 || response.status === 413) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          return finish(record, { status: "refused", errors: answer.errors || {}, csrf: record.csrf });
        });
      }
      // 429 or a server error: try again later (after Retry-After when given).
      var wait = Number(response.headers.get("Retry-After")) || 60;
      return finish(record, { status: "waiting", notBefore: Date.now() + wait * 1000, claimedAt: 0 });
    }, function () {
      return finish(record, { status: "waiting", claimedAt: 0 }).then(function () { return "offline"; });
    }).then(function (status) {
      return update(record.key, { attempts: attempts }).then(function () { return status; });
    });
  }

  function finish(record, changes) {
    return update(record.key, changes).then(function () { return changes.status; });
  }

  // Send every waiting sighting (one at a time); resolves with {sent, waiting}.
  function sendAll() {
    var result = { sent: 0, waiting: 0 };
    return forget().then(function () { return all(); }).then(function (records) {
      var chain = Promise.resolve();
      records.filter(function (r) { return r.status === "waiting"; }).forEach(function (waiting) {
        chain = chain.then(function () { return claim(waiting.key); }).then(function (record) {
          if (!record) {
            result.waiting += 1;
            return null;
          }
          return send(record).then(function (status) {
            if (status === "sent" || status === "closed") { result.sent += 1; } else if (status !== "refused") {
              result.waiting += 1;
            }
          });
        });
      });
      return chain;
    }).then(function () { return result; });
  }

  // Sent, closed and refused sightings are shown for a day, then deleted.
  function forget() {
    var before = Date.now() - KEEP_DONE_MS;
    return withStore("readwrite", function (store) {
      var request = store.openCursor();
      request.onsuccess = function () {
        var cursor = request.result;
        if (!cursor) { return; }
        var record = cursor.value;
        if (record.status !== "waiting" && (record.sentAt || record.createdAt) < before) { cursor.delete(); }
        cursor.continue();
      };
    });
  }

  function remove(key) {
    return withStore("readwrite", function (store) { store.delete(key); }).then(announce);
  }

  scope.SachetSightings = {
    SYNC_TAG: "sachet-sightings", CHANNEL: CHANNEL, PHOTO_MAX_BYTES: PHOTO_MAX_BYTES,
    newKey: newKey, add: add, all: all, fromFormData: fromFormData, sendAll: sendAll, remove: remove
  };
})(self);
