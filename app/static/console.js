// Follows a match run's progress on the cohorts page, and reloads the page when the run has finished.
(function () {
  "use strict";
  var box = document.getElementById("match-progress");
  if (!box) { return; }
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  function poll() {
    fetch(box.dataset.progressUrl, { headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); })
      .then(function (run) {
        if (run.status === "done" || run.status === "failed") { window.location.reload(); return; }
        bar.max = run.total || 1;
        bar.value = run.done;
        text.textContent = (run.stage || "waiting for the worker") + (run.total ? " " + run.done + " of " + run.total + " registrants" : "");
        window.setTimeout(poll, 1000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 1000);
})();
