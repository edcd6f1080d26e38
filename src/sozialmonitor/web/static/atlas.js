/* Atlas: choropleth (Leaflet, no base map tiles), linked ranking and time series (Vega-Lite), table.
   Every figure comes from /api/v1/atlas; the table is rendered by the server (/atlas/tabelle). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("atlas-data").textContent);
  var i18n = JSON.parse(document.getElementById("atlas-i18n").textContent);
  var form = document.getElementById("atlas-form");
  var mapEl = document.getElementById("map");
  var unitSelect = document.getElementById("f-unit");
  var yearInput = document.getElementById("f-year");
  var yearOut = document.getElementById("f-year-out");
  var map = null, layer = null, geometryLevel = null, selected = null, pending = 0;
  document.body.classList.add("js");

  function byKey() {
    var out = {};
    data.units.forEach(function (u) { out[u.key] = u; });
    return out;
  }

  function statusText(u) {
    var s = i18n["st_" + u.status] || u.status;
    if (u.reason_text) { return s + " – " + u.reason_text; }
    return u.flag_small ? s + " (" + i18n.flag_small + ")" : s;
  }

  function tooltipText(u) {
    if (!u) { return ""; }
    return u.name + ": " + u.value_text + (u.status !== "ok" || u.flag_small ? " (" + statusText(u) + ")" : "");
  }

  function styleFor(feature) {
    var u = byKey()[feature.properties.key];
    var sel = selected === feature.properties.key;
    return {fillColor: u ? u.color : "#d9d9d9", fillOpacity: 0.9, color: sel ? "#000" : "#555", weight: sel ? 3 : 0.8};
  }

  function decorate(lyr) {
    var el = lyr.getElement && lyr.getElement();
    var u = byKey()[lyr.feature.properties.key];
    lyr.setTooltipContent(tooltipText(u) || lyr.feature.properties.name);
    if (!el) { return; }
    el.setAttribute("tabindex", "0");
    el.setAttribute("role", "button");
    el.setAttribute("aria-label", tooltipText(u) || lyr.feature.properties.name);
    el.setAttribute("data-key", lyr.feature.properties.key);
  }

  function drawMap(geo) {
    if (!window.L) { return; }
    if (!map) {
      map = L.map(mapEl, {attributionControl: false, zoomSnap: 0.25, keyboard: true});
      mapEl.removeAttribute("tabindex");  // units are the focus targets; the zoom buttons stay reachable
    }
    if (layer) { map.removeLayer(layer); }
    layer = L.geoJSON(geo, {
      style: styleFor,
      onEachFeature: function (feature, lyr) {
        lyr.bindTooltip(feature.properties.name, {sticky: false, direction: "top"});
        lyr.on("click", function () { select(feature.properties.key); });
        lyr.on("add", function () {
          decorate(lyr);
          var el = lyr.getElement();
          el.addEventListener("focus", function () { lyr.openTooltip(lyr.getBounds().getCenter()); el.classList.add("focus"); });
          el.addEventListener("blur", function () { lyr.closeTooltip(); el.classList.remove("focus"); });
          el.addEventListener("keydown", function (ev) {
            if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); select(feature.properties.key); }
          });
        });
      }
    }).addTo(map);
    map.fitBounds(layer.getBounds(), {padding: [4, 4]});
    geometryLevel = data.level.key;
  }

  function restyle() {
    if (!layer) { return; }
    layer.eachLayer(function (lyr) { lyr.setStyle(styleFor(lyr.feature)); decorate(lyr); });
  }

  function loadGeometry() {
    if (geometryLevel === data.level.key) { restyle(); return Promise.resolve(); }
    return fetch("/api/v1/geometry/" + encodeURIComponent(data.level.key))
      .then(function (r) { return r.json(); })
      .then(drawMap);
  }

  function legend() {
    var ul = document.getElementById("legend");
    ul.textContent = "";
    data.legend.forEach(function (l) {
      var li = document.createElement("li");
      var sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = l.color;
      li.appendChild(sw);
      li.appendChild(document.createTextNode(l.label + " (" + l.count + ")"));
      ul.appendChild(li);
    });
  }

  function params() {
    var p = new URLSearchParams(new FormData(form));
    p.set("lang", i18n.lang);
    return p;
  }

  function timeseries() {
    if (!selected) { return; }
    var p = new URLSearchParams({indicator: data.indicator.key, level: data.level.key, unit: selected, lang: i18n.lang});
    fetch("/api/v1/timeseries?" + p.toString()).then(function (r) { return r.ok ? r.json() : null; }).then(function (ts) {
      if (ts) { SMCharts.timeseries(document.getElementById("chart-ts"), ts, i18n); }
    });
  }

  function select(key) {
    selected = key;
    if (unitSelect.value !== key) { unitSelect.value = key; }
    restyle();
    timeseries();
  }

  function fillUnits() {
    var keep = selected;
    unitSelect.textContent = "";
    data.units.slice().sort(function (a, b) { return a.name.localeCompare(b.name, "de"); }).forEach(function (u) {
      var o = document.createElement("option");
      o.value = u.key;
      o.textContent = u.name;
      unitSelect.appendChild(o);
    });
    var top = data.units.filter(function (u) { return u.rank === 1; })[0];
    selected = keep && byKey()[keep] ? keep : (top ? top.key : (data.units[0] || {}).key);
    unitSelect.value = selected;
  }

  function refreshPage() {
    document.getElementById("atlas-title").textContent = data.indicator.name;
    var s = document.getElementById("atlas-summary");
    s.textContent = "";
    s.appendChild(document.createTextNode(data.level.name + ", " + data.year + " – " + i18n.city_value + " " + data.city.name + ": "));
    var strong = document.createElement("strong");
    strong.textContent = data.city.value_text;
    s.appendChild(strong);
    yearInput.min = data.years[0];
    yearInput.max = data.years[data.years.length - 1];
    yearInput.value = data.year;
    yearInput.setAttribute("aria-valuetext", String(data.year));
    yearOut.textContent = data.year;
    document.querySelectorAll("a.dl").forEach(function (a) {
      var p = new URLSearchParams({indicator: data.indicator.key, level: data.level.key, year: data.year, format: a.dataset.format, lang: i18n.lang});
      a.href = "/api/v1/download?" + p.toString();
    });
    legend();
    fillUnits();
    SMCharts.ranking(document.getElementById("chart-ranking"), data, i18n);
    timeseries();
  }

  function update(changedLevelOrIndicator) {
    var p = params();
    if (changedLevelOrIndicator) { p.delete("year"); }
    var mine = ++pending;
    document.body.setAttribute("aria-busy", "true");
    return fetch("/api/v1/atlas?" + p.toString())
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r); })
      .then(function (d) {
        if (mine !== pending) { return; }
        data = d;
        p.set("year", d.year);
        history.replaceState(null, "", "/atlas?" + p.toString());
        refreshPage();
        return Promise.all([
          loadGeometry(),
          fetch("/atlas/tabelle?" + p.toString()).then(function (r) { return r.text(); }).then(function (html) {
            document.getElementById("atlas-table").innerHTML = html;
          })
        ]);
      })
      .catch(function () { form.submit(); })
      .then(function () { if (mine === pending) { document.body.removeAttribute("aria-busy"); document.body.classList.add("atlas-ready"); } });
  }

  form.addEventListener("submit", function (ev) { ev.preventDefault(); update(false); });
  form.addEventListener("change", function (ev) {
    var id = ev.target.id;
    update(id === "f-indicator" || id === "f-level");
  });
  yearInput.addEventListener("input", function () {
    yearOut.textContent = yearInput.value;
    yearInput.setAttribute("aria-valuetext", yearInput.value);
  });
  unitSelect.addEventListener("change", function () { select(unitSelect.value); });

  fillUnits();
  SMCharts.ranking(document.getElementById("chart-ranking"), data, i18n);
  timeseries();
  loadGeometry().then(function () { document.body.classList.add("atlas-ready"); });
})();
