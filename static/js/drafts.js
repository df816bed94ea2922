/* Drafts: what a patient writes in a long text box is not lost when saving fails.
 *
 * A form opts in with data-draft="<name>" (a name unique to that form, e.g.
 * "diary-new"). As the patient types, each of its text boxes is kept in this tab's
 * sessionStorage (never localStorage: it ends with the tab, and devices are shared),
 * with an opaque mark of whose it is (body's data-draft-owner). When the page loads again
 * (after signing in again, say) an empty box gets its draft back, with a short notice.
 *
 * The draft goes once it is saved: an htmx form when its request succeeds; a plain form
 * when the next page carries the painapp_draft_saved cookie (painapp/drafts.py), which
 * the form's name sent as draft_form makes the server set. Logging out (a form with
 * data-drafts-clear) forgets every draft. Without JavaScript, the forms work as before.
 */
(function () {
  "use strict";

  var PREFIX = "painapp:draft:";
  var SAVED_COOKIE = "painapp_draft_saved";

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function forget(store, name) {
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX + (name ? name + ":" : "")) === 0) { store.removeItem(key); }
    }
  }

  function read(store, key) {
    try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
  }

  function setUp(form, store, owner, restore) {
    if (form.draftReady) { return; }
    form.draftReady = true;
    var name = form.getAttribute("data-draft");
    if (!form.querySelector("input[name=draft_form]")) {
      var marker = document.createElement("input");
      marker.type = "hidden";
      marker.name = "draft_form";
      marker.value = name;
      form.appendChild(marker);
    }
    var restored = false;
    form.querySelectorAll("textarea[name]").forEach(function (box) {
      var key = PREFIX + name + ":" + box.name;
      var kept = read(store, key);
      if (kept && kept.owner !== owner) { store.removeItem(key); kept = null; }
      if (restore && kept && kept.text && !box.value.trim()) {
        box.value = kept.text;
        for (var fold = box.closest("details"); fold; fold = fold.parentElement.closest("details")) {
          fold.open = true; // never hide what came back
        }
        box.dispatchEvent(new Event("input", { bubbles: true })); // e.g. the character count
        restored = true;
      }
      box.addEventListener("input", function () {
        try {
          if (box.value.trim()) {
            store.setItem(key, JSON.stringify({ owner: owner, text: box.value }));
          } else {
            store.removeItem(key);
          }
        } catch (e) { /* storage full or blocked: the box still has the text */ }
      });
    });
    var note = document.getElementById("draft-kept");
    if (restored && note && form.parentNode) {
      form.parentNode.insertBefore(note.content.firstElementChild.cloneNode(true), form);
    }
  }

  function setUpAll(root, restore) {
    var store = storage();
    var owner = document.body.getAttribute("data-draft-owner");
    if (!store || !owner || !root.querySelectorAll) { return; }
    var forms = root.matches && root.matches("form[data-draft]") ? [root] : [];
    root.querySelectorAll("form[data-draft]").forEach(function (form) { forms.push(form); });
    forms.forEach(function (form) { setUp(form, store, owner, restore); });
  }

  // Once, as the page loads: drafts of a form just saved go, the others come back.
  var started = false;
  function start() {
    var store = storage();
    if (started || !store) { return; }
    started = true;
    var saved = document.cookie.match(new RegExp("(?:^|;\\s*)" + SAVED_COOKIE + "=([a-z0-9_-]+)"));
    if (saved) {
      forget(store, saved[1]);
      document.cookie = SAVED_COOKIE + "=; max-age=0; path=/; samesite=lax";
    }
    setUpAll(document.body, true);
  }
  document.addEventListener("DOMContentLoaded", start);
  // Parts htmx swaps in (the conversation after a message is sent) bring new forms,
  // kept from now on but never given an old draft (it may be the message just sent).
  document.addEventListener("htmx:load", function (event) {
    if (started) { setUpAll(event.detail.elt, false); } else { start(); }
  });
  // Before the swap, while the form is still in the page (events on it reach here).
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-draft]");
    var store = storage();
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (form && store && status >= 200 && status < 400) { forget(store, form.getAttribute("data-draft")); }
  });
  document.addEventListener("submit", function (event) {
    var store = storage();
    if (store && event.target.hasAttribute && event.target.hasAttribute("data-drafts-clear")) {
      forget(store, "");
    }
  });
})();
