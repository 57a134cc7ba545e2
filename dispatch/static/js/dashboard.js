/* Leaders' dashboard: the grids shaded by their open tickets (Leaflet, vendored).
   The counts per grid code come with the page (data-counts); the polygons from
   /geo/grids.geojson; the colour classes from the legend under the map, so the two agree. */
(function () {
  "use strict";
  var el = document.getElementById("dash-map");
  if (!el || typeof L === "undefined") { return; }

  var counts = JSON.parse(el.dataset.counts || "{}");
  var classes = Array.prototype.map.call(
    document.querySelectorAll("#map-legend [data-min]"),
    function (li) { return { min: Number(li.dataset.min), color: li.dataset.color }; }
  ).sort(function (a, b) { return b.min - a.min; });

  function colour(n) {
    for (var i = 0; i < classes.length; i++) {
      if (n >= classes[i].min) { return classes[i].color; }
    }
    return "#f1f3f6";
  }

  var map = L.map(el, { scrollWheelZoom: false, zoomSnap: 0.25,
                         attributionControl: !!el.dataset.tileUrl });
  if (el.dataset.tileUrl) {
    L.tileLayer(el.dataset.tileUrl, { maxZoom: 19 }).addTo(map);
  }
  map.setView([29.5768, 106.53], 16);

  fetch(el.dataset.geojson, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    })
    .then(function (collection) {
      var layer = L.geoJSON(collection, {
        style: function (feature) {
          var n = counts[feature.properties.code] || 0;
          return { color: "#5d6778", weight: 1, fillColor: colour(n),
                   fillOpacity: n ? 0.85 : 0.35 };
        },
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          var n = counts[p.code] || 0;
          var label = document.createElement("span");
          label.textContent = p.name_zh + " (" + p.code + "): " + n + " " + el.dataset.openLabel;
          shape.bindTooltip(label, { sticky: true });
        }
      }).addTo(map);
      var bounds = layer.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds, { padding: [8, 8] }); }
      el.dataset.loaded = String(collection.features.length);
    })
    .catch(function () {
      el.dataset.loaded = "error";
    });
})();
