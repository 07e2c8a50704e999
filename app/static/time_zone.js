// Tells the console, as a coordinator signs in, the time zone their browser is in: an account that has no
// zone yet takes it, so times are shown in their local time from the first page on.
(function () {
  "use strict";
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (error) { return; }
  document.querySelectorAll("input[name=browser_zone]").forEach(function (field) { field.value = zone; });
})();
