/* The ticket page: its map, the dispatch form's department filter, a photo viewer.
   Everything works without this script; it only makes the page easier to use. */
(function () {
  "use strict";

  // --- map: the reported point and its grid (tiles only when a tile URL is configured) ---
  function initMap(el) {
    if (!window.L || !el) return;
    var data;
    try { data = JSON.parse(el.getAttribute("data-map")); } catch (e) { return; }
    var map = L.map(el, { scrollWheelZoom: false, attributionControl: !!data.tiles });
    if (data.tiles) {
      L.tileLayer(data.tiles, { maxZoom: 19 }).addTo(map);
    }
    var point = L.latLng(data.lat, data.lng);
    var bounds = L.latLngBounds([point, point]);
    var grid = null;
    if (data.grid) {
      grid = L.geoJSON(data.grid, {
        style: { color: "#1f5fbf", weight: 2, fillOpacity: 0.12 }
      });
      if (data.grid_name) grid.bindTooltip(data.grid_name);
      bounds.extend(grid.getBounds());
    }
    // the view first: Leaflet cannot draw vector layers on a map without one
    map.fitBounds(bounds.pad(0.35), { maxZoom: 18 });
    if (grid) grid.addTo(map);
    L.circleMarker(point, {
      radius: 9, color: "#fff", weight: 3, fillColor: "#b3261e", fillOpacity: 1
    }).addTo(map);
    if (data.grids_url) {
      // outside every grid: show the grids nearby so the dispatcher sees how far off it is
      fetch(data.grids_url, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (fc) {
          if (!fc) return;
          var layer = L.geoJSON(fc, {
            style: { color: "#5d6778", weight: 1, fillOpacity: 0.05 }
          }).addTo(map);
          map.fitBounds(layer.getBounds().extend(point).pad(0.1));
        })
        .catch(function () {});
    }
  }

  // --- dispatch form: lead departments are those serving the chosen board ---
  function initDispatch(form) {
    var board = form.querySelector("[data-board-select]");
    var lead = form.querySelector("[data-lead-select]");
    var helpers = form.querySelector("[data-helpers-select]");
    if (!board || !lead) return;

    function filterLeads() {
      var chosen = board.value;
      Array.prototype.forEach.call(lead.options, function (opt) {
        if (!opt.value) return;
        var serves = (opt.getAttribute("data-boards") || "").split(" ").indexOf(chosen) >= 0;
        var show = !chosen || serves;
        opt.hidden = !show;
        opt.disabled = !show;
      });
      if (lead.selectedOptions.length && lead.selectedOptions[0].disabled) lead.value = "";
      syncHelpers();
    }
    function syncHelpers() {
      if (!helpers) return;
      Array.prototype.forEach.call(helpers.options, function (opt) {
        var isLead = opt.value === lead.value;
        opt.disabled = isLead;
        if (isLead) opt.selected = false;
      });
    }
    board.addEventListener("change", filterLeads);
    lead.addEventListener("change", syncHelpers);
    filterLeads();
  }

  // --- photos: open the display copy in a viewer instead of leaving the page ---
  function initPhotos() {
    var viewer = document.getElementById("photo-viewer");
    if (!viewer || typeof viewer.showModal !== "function") return;
    var img = viewer.querySelector("img");
    document.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[data-photo]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      var thumb = link.querySelector("img");
      img.src = link.href;
      img.alt = thumb ? thumb.alt : "";
      viewer.showModal();
    });
    viewer.addEventListener("click", function (event) {
      if (event.target === viewer) viewer.close();
    });
  }

  // --- one submit per click: a slow phone network must not send an action twice ---
  function initSubmitGuard() {
    window.addEventListener("pageshow", function () {  // back from the next page: usable again
      document.querySelectorAll("form.action-form button[type=submit]").forEach(function (b) {
        b.disabled = false;
      });
    });
    document.querySelectorAll("form.action-form").forEach(function (form) {
      form.addEventListener("submit", function () {
        var button = form.querySelector("button[type=submit]");
        if (button) {
          window.setTimeout(function () { button.disabled = true; }, 0);
        }
      });
    });
  }

  // --- extension request: the new deadline, from the server's own rule, as the number changes ---
  function initExtensionPreview(input) {
    var out = document.getElementById(input.getAttribute("aria-describedby"));
    var url = input.getAttribute("data-preview-url");
    if (!out || !url || !window.fetch) return;
    var timer = null, asked = 0;
    function ask() {
      var value = input.value.trim();
      if (!value) return;
      var mine = ++asked;
      fetch(url + "?amount=" + encodeURIComponent(value), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (body) { if (mine === asked && body.text) out.textContent = body.text; })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 250);
    });
    ask();  // a form shown again after an error already holds a number
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-preview-url]").forEach(initExtensionPreview);
    initMap(document.getElementById("ticket-map"));
    document.querySelectorAll("form.dispatch-form").forEach(initDispatch);
    initPhotos();
    initSubmitGuard();
  });
})();
