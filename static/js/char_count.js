/* The count under a long text box (templates/partials/char_count.html).
 *
 * Progressive enhancement: the boxes have no maxlength (the browser would cut pasted
 * text without a word), and the server refuses text over the limit and keeps it in
 * the box. With this file, a plain count shows under the box once the text nears the
 * limit ("120 characters left"), and says plainly when it is over ("Over the limit by
 * 35 characters — please shorten it"). The box points to the count while it shows
 * (aria-describedby); a screen reader hears it after a pause in typing, not on every
 * key.
 */
(function () {
  "use strict";

  var SHOW_FROM = 0.8; // of the limit
  var PAUSE_MS = 1000;

  function countFor(box) {
    if (!box.id) return null;
    return document.getElementById(box.id + "_count");
  }

  // Counted as the server counts: each character once (an emoji too), and each line
  // break twice, since the browser sends it as CR LF.
  function used(box) {
    return Array.from(box.value.replace(/\r?\n/g, "\r\n")).length;
  }

  function words(count, name, n) {
    var one = count.getAttribute("data-msg-" + name + "-one");
    if (n === 1 && one) return one;
    return count.getAttribute("data-msg-" + name).replace("{n}", String(n));
  }

  function describe(box, id, on) {
    var ids = (box.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (x) {
      return x && x !== id;
    });
    if (on) ids.push(id);
    if (ids.length) box.setAttribute("aria-describedby", ids.join(" "));
    else box.removeAttribute("aria-describedby");
  }

  function update(box, speak) {
    var count = countFor(box);
    if (!count || !count.hasAttribute("data-char-count")) return;
    var max = parseInt(count.getAttribute("data-char-max"), 10);
    if (!max) return;
    var left = max - used(box);
    var show = max - left >= max * SHOW_FROM;
    var text = !show ? "" : left < 0 ? words(count, "over", -left) : words(count, "left", left);
    count.textContent = text;
    count.hidden = !show;
    count.classList.toggle("char-count--over", left < 0);
    describe(box, count.id, show);
    var live = count.nextElementSibling;
    if (!speak || !live || !live.hasAttribute("data-char-count-live")) return;
    window.clearTimeout(box.charCountTimer);
    box.charCountTimer = window.setTimeout(function () {
      if (live.textContent !== text) live.textContent = text;
    }, PAUSE_MS);
  }

  function start(root) {
    var counts = root.querySelectorAll ? root.querySelectorAll("[data-char-count]") : [];
    Array.prototype.forEach.call(counts, function (count) {
      var box = document.getElementById(count.getAttribute("data-char-count"));
      // After the server refused the text, its message already says so: the count
      // waits for the next edit rather than say it twice.
      if (box && box.getAttribute("aria-invalid") !== "true") update(box, false);
    });
  }

  document.addEventListener("input", function (event) {
    if (event.target.tagName === "TEXTAREA") update(event.target, true);
  });
  // Boxes htmx swaps in (the messages conversation after sending).
  document.addEventListener("htmx:load", function (event) { start(event.target); });
  start(document);
}());
