/* Drafts: what a patient writes in a long text box is not lost when saving fails.
 *
 * A form opts in with data-draft="<name>" (a name unique to that form, e.g.
 * "diary-new"). As the patient fills it in, every field they can fill (text, numbers,
 * scales, ticks, lists, day and time; never a password, a hidden field such as the CSRF
 * token, or a file) is kept in this tab's sessionStorage (never localStorage: it ends
 * with the tab, and devices are shared), with an opaque mark of whose it is (body's
 * data-draft-owner). When the page loads again the form gets back, with a short
 * notice: a field that came empty (a text box, a scale or list of choices with nothing
 * chosen, a group of ticks with none ticked, a list on its blank choice) what the
 * patient put in it, always; a field that came with a value (a saved country, a day) the patient's
 * choice only when they sent the form and it did not save (signed out, refused), see
 * `setUp`.
 *
 * The draft goes once it is saved: an htmx form when its request succeeds; a plain form
 * when the next page carries the painapp_draft_saved cookie (painapp/drafts.py), which
 * the form's name sent as draft_form makes the server set. Logging out (a form with
 * data-drafts-clear) forgets every draft, and the practice player's unsaved answers
 * (static/js/player.js). Without JavaScript, the forms work as before.
 */
(function () {
  "use strict";

  var PREFIX = "painapp:draft:";
  // Everything the app keeps in a tab (drafts, the practice player's unsaved answers)
  // starts with this; logging out forgets all of it.
  var APP_PREFIX = "painapp:";
  var SAVED_COOKIE = "painapp_draft_saved";

  function storage() {
    try { return window.sessionStorage; } catch (e) { return null; }
  }

  function forget(store, name) {
    forgetPrefix(store, PREFIX + (name ? name + ":" : ""));
  }

  function forgetPrefix(store, prefix) {
    for (var i = store.length - 1; i >= 0; i--) {
      var key = store.key(i);
      if (key && key.indexOf(prefix) === 0) { store.removeItem(key); }
    }
  }

  function read(store, key) {
    try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
  }

  // What a draft keeps: every field the patient fills in (text, numbers, choices,
  // ticks, lists, days and times), never a password, a hidden field (the CSRF token,
  // a one-time token, a version) or a file.
  var SKIP_TYPES = ["password", "hidden", "file", "submit", "button", "reset", "image"];
  var TEXT_TYPES = ["text", "search", "tel", "email", "url"];

  function kept(field) {
    if (!field.name || field.name === "draft_form" || field.name === "csrfmiddlewaretoken") { return false; }
    if (field.tagName === "TEXTAREA" || field.tagName === "SELECT") { return true; }
    return field.tagName === "INPUT" && SKIP_TYPES.indexOf(field.type) < 0;
  }

  function isText(field) {
    return field.tagName === "TEXTAREA" || TEXT_TYPES.indexOf(field.type) >= 0;
  }

  // The form's fields by name (radios and ticks of one question together).
  function groups(form) {
    var byName = {};
    var names = [];
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!kept(field)) { return; }
      if (!byName[field.name]) { byName[field.name] = []; names.push(field.name); }
      byName[field.name].push(field);
    });
    return names.map(function (name) { return { name: name, fields: byName[name] }; });
  }

  // A field's value now (served: as the page came, before the patient touched it). A
  // group of ticks or a list with several choices: the chosen values, in order.
  function valueOf(group, served) {
    var first = group.fields[0];
    if (first.type === "radio" || first.type === "checkbox") {
      var on = group.fields.filter(function (f) { return served ? f.defaultChecked : f.checked; })
        .map(function (f) { return f.value; });
      return first.type === "radio" ? (on[0] || "") : on;
    }
    if (first.tagName === "SELECT") {
      var chosen = Array.prototype.filter.call(first.options, function (o) {
        return served ? o.defaultSelected : o.selected;
      }).map(function (o) { return o.value; });
      if (first.multiple) { return chosen; }
      if (served && !chosen.length && first.options.length) { return first.options[0].value; }
      return chosen[0] || "";
    }
    return served ? first.defaultValue : first.value;
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  // Nothing in it: no text, no choice, none of its ticks (a list on its blank choice).
  // A lone tick box is a yes or no, and unticked is the answer no (keep it private,
  // say), never nothing.
  function empty(group, value) {
    if (group.fields[0].type === "checkbox" && group.fields.length === 1) { return false; }
    return Array.isArray(value) ? value.length === 0 : !String(value).trim();
  }

  function put(group, value) {
    var first = group.fields[0];
    var values = Array.isArray(value) ? value : [value];
    if (first.type === "radio" || first.type === "checkbox") {
      group.fields.forEach(function (f) { f.checked = values.indexOf(f.value) >= 0; });
    } else if (first.tagName === "SELECT") {
      Array.prototype.forEach.call(first.options, function (o) { o.selected = values.indexOf(o.value) >= 0; });
    } else {
      first.value = values[0];
    }
    group.fields.forEach(function (f) {
      for (var fold = f.closest("details"); fold; fold = fold.parentElement.closest("details")) {
        fold.open = true; // never hide what came back
      }
    });
    // Whatever listens (the character count, a scale's number) hears of it.
    first.dispatchEvent(new Event("input", { bubbles: true }));
    first.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // The whole form as the patient left it: one entry in this tab's storage, with the
  // owner's mark, kept while anything in it is theirs (text typed, or a choice changed
  // from how the page came).
  function snapshot(form) {
    var values = {};
    var theirs = false;
    groups(form).forEach(function (group) {
      var value = valueOf(group, false);
      values[group.name] = value;
      if (isText(group.fields[0]) ? String(value).trim() !== "" : !same(value, valueOf(group, true))) {
        theirs = true;
      }
    });
    return theirs ? values : null;
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
    var key = PREFIX + name + ":form";
    var draft = read(store, key);
    if (draft && draft.owner !== owner) { store.removeItem(key); draft = null; }
    var restored = false;
    // A field the page came with a value in (a saved country, a day) gets the draft's
    // choice back only when the draft was sent and the save did not go through. Such a
    // field always has a value, and on page load every field is still as the page
    // brought it, so "still as served" cannot tell the saved choice from an empty one:
    // a country changed and left unsaved would silently replace the saved one, and the
    // next save would store it. So the submit listener below marks the draft `sent`;
    // a save that went through forgets the draft (the painapp_draft_saved cookie,
    // painapp/drafts.py, or htmx's answer), so a draft still marked `sent` here is one
    // whose save failed: the patient was signed out (the sign-in page, then back here),
    // or it was refused. The mark is used once: leave again without sending, and the
    // next visit shows the saved choices. A field that is empty (`empty`: a text box, a
    // scale with no number chosen, a group of ticks with none ticked, a list on its
    // blank choice) is filled always, sent or not: there is nothing saved in it to
    // replace.
    var sent = !!(draft && draft.sent);
    if (restore && draft && draft.fields) {
      groups(form).forEach(function (group) {
        if (!Object.prototype.hasOwnProperty.call(draft.fields, group.name)) { return; }
        var value = draft.fields[group.name];
        var now = valueOf(group, false);
        var text = isText(group.fields[0]);
        // A choice with a value: only after a send, and only if untouched since the page came.
        var free = empty(group, now) || (!text && sent && same(now, valueOf(group, true)));
        // Nothing comes back as nothing, but a choice the patient emptied and sent.
        if (free && !same(value, now) && !(empty(group, value) && (text || !sent))) {
          put(group, value);
          restored = true;
        }
      });
    }
    if (sent) {
      try {
        store.setItem(key, JSON.stringify({ owner: owner, fields: draft.fields }));
      } catch (e) { /* storage blocked: nothing to keep */ }
    }
    function keep() {
      try {
        var values = snapshot(form);
        // A mark of a send that did not save stays until the draft next comes back.
        var sentBefore = !!(read(store, key) || {}).sent;
        if (values) { store.setItem(key, JSON.stringify({ owner: owner, fields: values, sent: sentBefore })); }
        else { store.removeItem(key); }
      } catch (e) { /* storage full or blocked: the form still has it all */ }
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
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
    var form = event.target;
    if (!store || !form.hasAttribute) { return; }
    if (form.hasAttribute("data-drafts-clear")) { forgetPrefix(store, APP_PREFIX); return; }
    if (!form.hasAttribute("data-draft")) { return; }
    // Sent: if the next page does not say it was saved, its choices come back (setUp).
    var key = PREFIX + form.getAttribute("data-draft") + ":form";
    var draft = read(store, key);
    if (draft && draft.fields) {
      draft.sent = true;
      try { store.setItem(key, JSON.stringify(draft)); } catch (e) { /* blocked */ }
    }
  });
})();
