// Vigil console: live updates over Server-Sent Events and the local time zone link.
// Everything it inserts is HTML rendered (and escaped) by the server.
(function () {
  "use strict";

  function refresh(el) {
    var url = el.getAttribute("data-live");
    if (!url) return;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.status === 401) { window.location.reload(); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html === null || html === undefined) return;
        el.innerHTML = html;
        var status = document.getElementById("live-status");
        if (status) status.textContent = "Updated " + new Date().toLocaleTimeString();
      })
      .catch(function () {});
  }

  function live() {
    var rows = document.getElementById("incident-rows");
    var incident = document.getElementById("incident-live");
    if (!rows && !incident) return;
    if (!window.EventSource) {
      setInterval(function () { if (rows) refresh(rows); if (incident) refresh(incident); }, 5000);
      return;
    }
    var source = new EventSource("/ui/events");
    var pending = null;
    source.addEventListener("incident", function (e) {
      if (rows) {
        if (pending) clearTimeout(pending);
        pending = setTimeout(function () { pending = null; refresh(rows); }, 150);
      }
      if (incident && incident.getAttribute("data-incident") === e.data) refresh(incident);
    });
    source.addEventListener("open", function () {
      document.documentElement.setAttribute("data-live", "connected");
    });
    // ages in the list move even when nothing happens
    if (rows) setInterval(function () { refresh(rows); }, 60000);
    // a run's steps move without an incident event (only its start and end are events):
    // while one is unfinished, its page is read again every 3 seconds
    if (incident) {
      setInterval(function () {
        var open = incident.querySelector(
          "article.run[data-state='running'], article.run[data-state='waiting'], article.run[data-state='pending']");
        if (open) refresh(incident);
      }, 3000);
    }
  }

  function localZone() {
    var link = document.getElementById("tz-local");
    if (!link || !window.Intl) return;
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone) link.setAttribute("href", "/ui/oncall?tz=" + encodeURIComponent(zone));
  }

  document.addEventListener("DOMContentLoaded", function () {
    live();
    localZone();
  });
})();
