// Polls a running release job and reloads the page when it has finished (without JavaScript: the link).
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box) return;
  var id = box.getAttribute("data-job");
  var step = document.getElementById("job-step");
  function poll() {
    fetch("/verwaltung/freigabe/auftrag/" + id, { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (job) {
        if (job.state === "running") {
          if (step) step.textContent = job.step;
          window.setTimeout(poll, 1500);
        } else {
          window.location.replace("/verwaltung/freigabe?job=" + id);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 1000);
})();
