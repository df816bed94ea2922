// Small progressive enhancements. Every page works without this file.
(function () {
  "use strict";
  // Crisis help shown because of what the patient just wrote is the news, even on a
  // form sent back to fix (the errors come after it, in reading order); else move focus
  // to an error summary so screen-reader users hear what went wrong; else to the page's
  // message (base.html's data-flash, e.g. "Alert acknowledged" after a save's redirect),
  // so it is read out and Tab goes on from there. No message: focus stays put.
  document.addEventListener("DOMContentLoaded", function () {
    var help = document.getElementById("crisis-help-h");
    if (help) { help.setAttribute("tabindex", "-1"); help.focus(); return; }
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); return; }
    var flash = document.querySelector("[data-flash]");
    if (flash && flash.textContent.trim() && !document.querySelector("[autofocus]")) {
      flash.focus();
    }
  });
  // Folds (<details data-fold-narrow>, e.g. the caseload's filters): sent open, so all
  // works without this; on a phone they fold as the page loads unless something in
  // them is on (data-active), so what the page is for comes first.
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.matchMedia("(max-width: 47.99rem)").matches) { return; }
    document.querySelectorAll("details[data-fold-narrow]:not([data-active])").forEach(
      function (fold) { fold.open = false; });
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
  // The CSRF token of the cookie, not the one the page was served with: signing in
  // again (in another tab too) changes it, and a form left open would be refused.
  // Django's documented way for scripts (the cookie is not HttpOnly).
  function csrfCookie() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }
  document.addEventListener("htmx:configRequest", function (event) {
    var token = csrfCookie();
    if (!token) { return; }
    event.detail.headers["X-CSRFToken"] = token;
    if (event.detail.parameters.csrfmiddlewaretoken) {
      event.detail.parameters.csrfmiddlewaretoken = token;
    }
  });
  document.addEventListener("submit", function (event) {
    var field = event.target.querySelector && event.target.querySelector(
      "input[name=csrfmiddlewaretoken]");
    var token = csrfCookie();
    if (field && token) { field.value = token; }
  }, true);
  // An htmx request that failed (signed out, page out of date, server or network
  // trouble): nothing is swapped (base.html's responseHandling), so say so above the
  // form, in the server's words when it sent a notice (partials/htmx_notice.html), else
  // in general ones (base.html's #htmx-failed). The form keeps what was typed.
  function noticeFor(xhr) {
    var text = xhr && xhr.responseText;
    var sent = text && new DOMParser().parseFromString(text, "text/html")
      .querySelector("[data-htmx-notice]");
    if (sent) { return document.importNode(sent, true); }
    var general = document.getElementById("htmx-failed");
    return general ? general.content.firstElementChild.cloneNode(true) : null;
  }
  function formOf(event) {
    var elt = event.detail.elt;
    return elt && elt.closest ? (elt.closest("form") || elt) : null;
  }
  function dropNotice(form) {
    var before = form && form.previousElementSibling;
    if (before && before.hasAttribute("data-htmx-notice")) { before.remove(); }
  }
  function failed(event) {
    var form = formOf(event);
    var notice = noticeFor(event.detail.xhr);
    if (!form || !form.parentNode || !notice) { return; }
    dropNotice(form);
    form.parentNode.insertBefore(notice, form);
    notice.scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
  // An answer came (before it is swapped in, while the form is still in the page): an
  // earlier notice is out of date; a new failure puts its own.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    dropNotice(formOf(event));
  });
  // Messages (htmx swaps the conversation in after sending): focus goes where the news
  // is, since the button that had it is gone: the crisis help when it is shown, else
  // the error, else the empty box, ready for the next message.
  document.addEventListener("htmx:afterSwap", function (event) {
    var conversation = document.getElementById("conversation");
    var target = event.target;
    if (!conversation || !target || !(target === conversation ||
        target.contains(conversation) || conversation.contains(target))) { return; }
    var help = conversation.querySelector("[data-safety-panel]:not([hidden])");
    var next = (help && help.querySelector("h2, h3")) ||
      conversation.querySelector(".error-summary, .field--error textarea") ||
      conversation.querySelector("textarea");
    if (!next) { return; }
    if (!next.hasAttribute("tabindex") && next.tagName !== "TEXTAREA") {
      next.setAttribute("tabindex", "-1");
    }
    next.focus();
  });
  // Any other htmx swap: when focus was inside the part being replaced (the button that
  // was pressed is gone with it), it goes to the new part's news rather than being lost
  // to the page: an error, else the first answer to fix, else a status message, else the
  // part's heading, else the part itself. Only when nothing else placed it: htmx keeps
  // focus on an element with the same id, and a page's own script (messages above, the
  // fear ladder's exposure.js) may place it as the swap settles; this runs after those.
  var FOCUS_AFTER_SWAP = ["[data-safety-panel]:not([hidden]) h2", ".error-summary",
    "[aria-invalid=true]", "[role=status]", "h2, h3, h4"];
  var focusWasIn = null;
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    focusWasIn = target && target.contains(document.activeElement) ? target : null;
  });
  function focusLost() {
    var active = document.activeElement;
    return !active || active === document.body || !document.contains(active);
  }
  document.addEventListener("htmx:afterSettle", function (event) {
    var part = event.target;
    var was = focusWasIn;
    if (!was || !part || !(part === was || (was.id && part.id === was.id))) { return; }
    focusWasIn = null;
    window.setTimeout(function () {
      if (!focusLost() || !document.contains(part)) { return; }
      var next = null;
      for (var i = 0; i < FOCUS_AFTER_SWAP.length && !next; i++) {
        next = part.querySelector(FOCUS_AFTER_SWAP[i]);
      }
      next = next || part;
      if (!next.matches("a[href], button, input, select, textarea, [tabindex]")) {
        next.setAttribute("tabindex", "-1");
      }
      next.focus();
    }, 0);
  });
})();
