// The offline page: lists the case pages this browser keeps (the service worker's "sachet-pages" cache), each by
// the child's name read from its kept page, so they can be opened without a connection.
(function () {
  "use strict";
  var box = document.querySelector("[data-saved-cases]");
  if (!box || !window.caches) { return; }
  var list = box.querySelector("ul");
  var CASE_PAGE = /\/case\/(MC[0-9]{8}[0-9A-F]{8})\/?$/;
  caches.open("sachet-pages").then(function (cache) {
    return cache.keys().then(function (requests) {
      var pages = requests.filter(function (request) { return CASE_PAGE.test(new URL(request.url).pathname); });
      return Promise.all(pages.map(function (request) {
        return cache.match(request).then(function (response) { return response.text(); }).then(function (html) {
          var page = new DOMParser().parseFromString(html, "text/html");
          var heading = page.querySelector("h1");
          return { url: request.url, name: heading ? heading.textContent.trim() : CASE_PAGE.exec(request.url)[1] };
        });
      }));
    });
  }).then(function (pages) {
    pages.reverse().forEach(function (page) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = page.url;
      link.textContent = page.name;
      item.appendChild(link);
      list.appendChild(item);
    });
    box.hidden = pages.length === 0;
  }).catch(function () { /* nothing kept */ });
})();
