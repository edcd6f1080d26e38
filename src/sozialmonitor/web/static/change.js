/* Change page: bar chart of the change per unit (the table holds the same figures). */
(function () {
  "use strict";
  var el = document.getElementById("change-data");
  if (!el) { return; }
  var d = JSON.parse(el.textContent);
  SMCharts.change(document.getElementById("chart-change"), d.rows, d.title, d.i18n);
})();
