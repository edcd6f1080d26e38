/* Vega-Lite charts of the sozialmonitor pages (ranking, time series, change). Libraries served locally. */
(function () {
  "use strict";
  var GERMAN = {decimal: ",", thousands: ".", grouping: [3], currency: ["", " €"]};
  function locale(lang) {
    if (lang === "de" && window.vega && vega.formatLocale) { vega.formatLocale(GERMAN); }
    else if (window.vega && vega.resetDefaultLocale) { vega.resetDefaultLocale(); }
  }
  function embed(el, spec) {
    if (!window.vegaEmbed || !el) { return Promise.resolve(null); }
    spec.$schema = "https://vega.github.io/schema/vega-lite/v5.json";
    spec.config = Object.assign({font: "system-ui, sans-serif", axis: {labelFontSize: 11, titleFontSize: 12}}, spec.config || {});
    return vegaEmbed(el, spec, {actions: false, renderer: "svg", defaultStyle: false}).then(function (res) {
      var svg = el.querySelector("svg");
      if (svg) { svg.setAttribute("aria-hidden", "true"); svg.setAttribute("focusable", "false"); }
      return res;
    });
  }
  function fmtSpec(decimals) { return decimals > 0 ? ",." + decimals + "f" : ",.0f"; }

  window.SMCharts = {
    locale: locale,
    ranking: function (el, data, i18n) {
      locale(i18n.lang);
      var rows = data.units.filter(function (u) { return u.rank !== null; });
      rows.sort(function (a, b) { return a.rank - b.rank; });
      var ind = data.indicator;
      return embed(el, {
        width: "container", height: Math.max(120, rows.length * 11),
        data: {values: rows},
        layer: [
          {mark: {type: "bar"},
           encoding: {
             y: {field: "name", type: "nominal", sort: null, title: null, axis: {labelFontSize: 9, labelLimit: 140}},
             x: {field: "value", type: "quantitative", title: ind.name + " (" + ind.unit + ")", axis: {format: fmtSpec(ind.decimals)}},
             color: {field: "color", type: "nominal", scale: null},
             tooltip: [{field: "name", title: i18n.unit}, {field: "value_text", title: i18n.value}]
           }},
          {mark: {type: "rule", color: "#000", strokeDash: [4, 3]},
           data: {values: [{city: data.city.value}]},
           encoding: {x: {field: "city", type: "quantitative"}}}
        ]
      });
    },
    timeseries: function (el, ts, i18n) {
      locale(i18n.lang);
      var rows = [];
      ts.series.forEach(function (p) { if (p.value !== null) { rows.push({year: p.year, value: p.value, who: ts.unit.name}); } });
      ts.city_series.forEach(function (p) { if (p.value !== null) { rows.push({year: p.year, value: p.value, who: ts.city.name + " (" + i18n.city + ")"}); } });
      return embed(el, {
        width: "container", height: 180,
        data: {values: rows},
        mark: {type: "line", point: true},
        encoding: {
          x: {field: "year", type: "ordinal", title: i18n.year},
          y: {field: "value", type: "quantitative", title: ts.indicator.unit, axis: {format: fmtSpec(ts.indicator.decimals)}},
          color: {field: "who", type: "nominal", title: null, scale: {range: ["#b2182b", "#2166ac"]}, legend: {orient: "bottom"}},
          strokeDash: {field: "who", type: "nominal", legend: null},
          tooltip: [{field: "who", title: i18n.unit}, {field: "year", title: i18n.year}, {field: "value", title: i18n.value, format: fmtSpec(ts.indicator.decimals)}]
        }
      });
    },
    change: function (el, rows, title, i18n) {
      locale(i18n.lang);
      var vals = rows.filter(function (r) { return r.change_abs !== null; });
      return embed(el, {
        width: "container", height: Math.max(120, vals.length * 11),
        data: {values: vals},
        mark: "bar",
        encoding: {
          y: {field: "name", type: "nominal", sort: "-x", title: null, axis: {labelFontSize: 9, labelLimit: 140}},
          x: {field: "change_abs", type: "quantitative", title: title},
          color: {condition: {test: "datum.change_abs > 0", value: "#b2182b"}, value: "#2166ac"},
          tooltip: [{field: "name", title: i18n.unit}, {field: "change_text", title: title}]
        }
      });
    }
  };
})();
