// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Move focus to an error summary so screen-reader users hear what went wrong.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
  // The skip link: move focus to main (some browsers scroll there but leave focus).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".skip-link");
    var main = document.getElementById("main");
    if (link && main) { main.focus(); }
  });
  // Buttons that ask for confirmation before a destructive action.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  // The header's "More" menu (a native <details>, which works without this): Escape
  // closes it and puts focus back on "More"; a tap or click elsewhere closes it, and so
  // does Tab moving on past its last link (so the panel never hides what has focus).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = document.querySelector("details[data-more][open]");
    if (!open) { return; }
    open.open = false;
    var summary = open.querySelector("summary");
    if (summary && open.contains(document.activeElement)) { summary.focus(); }
  });
  function closeMoreOutside(event) {
    var open = document.querySelector("details[data-more][open]");
    if (open && !open.contains(event.target)) { open.open = false; }
  }
  document.addEventListener("click", closeMoreOutside);
  document.addEventListener("focusin", closeMoreOutside);
})();
