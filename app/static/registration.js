// Progressive enhancement for the registration and change forms; everything works without it.
(function () {
  "use strict";

  // Show only the stage choices of the chosen condition; hidden groups are disabled so they are not sent.
  function filterStages(form) {
    var groups = form.querySelectorAll("[data-stage-for]");
    var conditions = form.querySelectorAll("input[name=condition]");
    if (!groups.length || !conditions.length) {
      return;
    }
    var intro = form.querySelector("[data-stage-intro]");
    function update() {
      var chosen = form.querySelector("input[name=condition]:checked");
      groups.forEach(function (group) {
        var show = chosen !== null && group.getAttribute("data-stage-for") === chosen.value;
        group.hidden = !show;
        group.querySelectorAll("input").forEach(function (input) { input.disabled = !show; });
      });
      if (intro) {
        intro.hidden = chosen === null;
      }
    }
    conditions.forEach(function (input) { input.addEventListener("change", update); });
    update();
  }

  // Ask "which condition" of the person it is about: the registrant, or the one they care for.
  function followRole(form) {
    var wordings = form.querySelectorAll("[data-for-role]");
    var roles = form.querySelectorAll("input[name=role]");
    function update() {
      var chosen = form.querySelector("input[name=role]:checked");
      var role = chosen === null ? "" : chosen.value;
      wordings.forEach(function (wording) { wording.hidden = wording.getAttribute("data-for-role") !== role; });
    }
    if (wordings.length && roles.length) {
      roles.forEach(function (input) { input.addEventListener("change", update); });
      update();
    }
  }

  // Pre-select the device's time zone on a fresh form; the person can still change it.
  function guessTimezone(form) {
    var select = form.querySelector("select[data-guess-timezone]");
    var zone;
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (error) {
      return;
    }
    if (!select || !zone) {
      return;
    }
    var known = Array.prototype.some.call(select.options, function (option) { return option.value === zone; });
    if (!known) {
      select.add(new Option(zone.replace(/_/g, " "), zone), 0);
    }
    select.value = zone;
  }

  // Move focus to the error summary so screen readers announce it and keyboards start from it.
  function focusErrors() {
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form").forEach(function (form) {
      filterStages(form);
      followRole(form);
      guessTimezone(form);
    });
    focusErrors();
  });
})();
