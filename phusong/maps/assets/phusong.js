/* phusong web map helpers (GPL-3.0-or-later). Builds Leaflet layers from the compact specs that
 * phusong/maps/web.py writes: features as [geometry, style index, title, [values]] and points as
 * [lon, lat, style index, title, [values]], with one popup table per feature (labels once per
 * layer). No network access, no other library than Leaflet and Leaflet.markercluster. */
var phusong = (function () {
  "use strict";
  var ESC = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;"};
  function esc(v) {
    return String(v).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  }
  function popupHtml(title, labels, values) {
    var rows = "";
    for (var i = 0; i < labels.length; i++) {
      var v = values ? values[i] : null;
      if (v === null || v === undefined || v === "") { continue; }
      rows += "<tr><th>" + esc(labels[i]) + "</th><td>" + esc(v) + "</td></tr>";
    }
    return "<div class=\"phusong-popup\"><div class=\"phusong-popup-title\">" + esc(title) +
      "</div>" + (rows ? "<table>" + rows + "</table>" : "") + "</div>";
  }
  function bind(layer, spec, title, values) {
    if (spec.popup !== false) {
      layer.bindPopup(function () { return popupHtml(title, spec.labels || [], values); },
                      {maxWidth: 420});
    }
    if (spec.tooltip) { layer.bindTooltip(esc(title), {sticky: true, direction: "top"}); }
  }
  function options(spec, s) {
    var o = {pane: spec.pane, className: spec.className, interactive: spec.interactive !== false};
    var st = spec.styles[s || 0];
    for (var k in st) { if (Object.prototype.hasOwnProperty.call(st, k)) { o[k] = st[k]; } }
    return o;
  }
  function group(spec) {
    if (spec.cluster) {
      var c = spec.cluster;
      return L.markerClusterGroup({
        chunkedLoading: true, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
        disableClusteringAtZoom: c.disableAt || 14, maxClusterRadius: c.radius || 50,
        iconCreateFunction: function (cluster) {
          var n = cluster.getChildCount();
          var size = n < 10 ? 26 : (n < 100 ? 32 : 40);
          return L.divIcon({
            html: "<div style=\"background:" + c.colour + "\"><span>" + n + "</span></div>",
            className: "phusong-cluster " + spec.className + "-cluster",
            iconSize: L.point(size, size)
          });
        }
      });
    }
    return L.featureGroup();
  }
  /* Lines and areas (Points among them become circle markers). */
  function geo(spec) {
    var layers = [];
    spec.features.forEach(function (f) {
      var o = options(spec, f[1]);
      o.pointToLayer = function (feature, ll) { return L.circleMarker(ll, o); };
      var layer = L.GeoJSON.geometryToLayer(f[0], o);
      bind(layer, spec, f[2], f[3]);
      layers.push(layer);
    });
    var g = group(spec);
    if (spec.cluster) { g.addLayers(layers); } else { layers.forEach(function (l) { g.addLayer(l); }); }
    return g;
  }
  /* Points as circle markers, clustered when spec.cluster is set. */
  function points(spec) {
    var layers = spec.points.map(function (p) {
      var o = options(spec, p[2]);
      if (o.radius === undefined) { o.radius = spec.radius; }
      var m = L.circleMarker([p[1], p[0]], o);
      bind(m, spec, p[3], p[4]);
      return m;
    });
    var g = group(spec);
    if (spec.cluster) { g.addLayers(layers); } else { layers.forEach(function (l) { g.addLayer(l); }); }
    return g;
  }
  /* Show only the legend section of the commune shading on the map. */
  function legend(map) {
    function show(name) {
      var sections = document.querySelectorAll("[data-phusong-shading]");
      for (var i = 0; i < sections.length; i++) {
        sections[i].style.display = sections[i].getAttribute("data-phusong-shading") === name ? "" : "none";
      }
    }
    map.on("baselayerchange", function (e) { show(e.name); });
    return show;
  }
  return {geo: geo, points: points, legend: legend, esc: esc};
})();
