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
})();
