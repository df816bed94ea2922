// Fear ladder: keep keyboard focus sensible after Move up / Move down swaps the list.
// htmx already puts focus back on the same button when it still exists (same id).
// When it does not (a rung moved to the top or bottom loses that button), focus the
// rung's other move button, or the rung itself. Without JavaScript the forms post
// normally and the page reloads at the moved rung.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSettle", function (event) {
    var box = document.getElementById("ladder");
    if (!box || event.target !== box && !box.contains(event.target)) { return; }
    var pk = box.getAttribute("data-moved");
    if (!pk) { return; }
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) { return; }
    var target = document.getElementById("move-up-" + pk) ||
      document.getElementById("move-down-" + pk) ||
      document.getElementById("rung-" + pk);
    if (target) { target.focus(); }
  });
})();
