// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  function leave(target) {
    // replace() keeps this site out of the back button's history.
    window.location.replace(target);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-quick-exit]");
    if (!link) { return; }
    event.preventDefault();
    // Ask the server to end the session first, but never wait on it.
    try { navigator.sendBeacon(link.getAttribute("href")); } catch (e) { /* ignore */ }
    leave(link.getAttribute("data-quick-exit"));
  });
  // After a refused form, start where the problems are listed (without
  // JavaScript the summary is the first thing in the form anyway).
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && event.shiftKey) {
      var link = document.querySelector("[data-quick-exit]");
      if (link) { link.click(); }
    }
  });
})();
