// Somatic-tracking player: one step at a time, a timer, read aloud, and a save that
// survives a bad connection. Progressive enhancement: without this file the page is
// one ordinary form that posts and works the same.
(function () {
  "use strict";

  var STASH_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;
  // The words come from the page (data-msg-* on the player form, in the patient's
  // language); the English here is only a fallback.
  var FAIL_MESSAGE = "We couldn't save just now. Your answers are still here. Try again.";
  var FAIL_HINT = "If it keeps happening, keep this tab open and reload the page later. Your answers will come back.";

  function say(element, name, fallback) {
    var form = element && element.closest ? element.closest("[data-player]") : null;
    var words = form ? form.getAttribute("data-msg-" + name) : null;
    return words || fallback;
  }

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  function reducedMotion() {
    return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  }

  function canSpeak() {
    return "speechSynthesis" in window && typeof window.SpeechSynthesisUtterance === "function";
  }

  function mmss(seconds) {
    var s = Math.max(0, Math.ceil(seconds));
    var m = Math.floor(s / 60);
    var r = s % 60;
    return (m < 10 ? "0" : "") + m + ":" + (r < 10 ? "0" : "") + r;
  }

  function csrfToken(form) {
    var cookie = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (cookie) { return decodeURIComponent(cookie[1]); }
    try {
      var headers = JSON.parse(document.body.getAttribute("data-hx-headers") || "{}");
      if (headers["X-CSRFToken"]) { return headers["X-CSRFToken"]; }
    } catch (e) { /* fall through to the form's own token */ }
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // ------------------------------------------------------------ tab stash
  // Only after a failed save: the answers are kept in this tab's sessionStorage (as
  // drafts.js keeps drafts: never localStorage, which outlives the tab on a shared
  // device), keyed by the session's client token, so a reload brings them back and a
  // retry stays one row. Logging out clears them with every draft (drafts.js).
  var storage = {
    get: function (key) {
      try { return JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
    },
    set: function (key, value) {
      try { window.sessionStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
    },
    remove: function (key) {
      try { window.sessionStorage.removeItem(key); } catch (e) { /* nothing to clear */ }
    },
    keys: function (prefix) {
      var found = [];
      try {
        for (var i = 0; i < window.sessionStorage.length; i++) {
          var key = window.sessionStorage.key(i);
          if (key && key.indexOf(prefix) === 0) { found.push(key); }
        }
      } catch (e) { /* storage blocked: nothing stashed */ }
      return found;
    }
  };

  // Before answers were kept per tab they were kept in localStorage, for up to 7 days:
  // any left on this device go now, unread.
  function forgetOldDeviceStash() {
    try {
      for (var i = window.localStorage.length - 1; i >= 0; i--) {
        var key = window.localStorage.key(i);
        if (key && key.indexOf("painapp:practice:") === 0) { window.localStorage.removeItem(key); }
      }
    } catch (e) { /* storage blocked: nothing kept */ }
  }

  function newestStash(prefix) {
    var best = null;
    storage.keys(prefix).forEach(function (key) {
      var item = storage.get(key);
      if (!item || !item.savedAt || Date.now() - item.savedAt > STASH_MAX_AGE_MS) {
        storage.remove(key);  // old answers should not linger on a shared device
        return;
      }
      if (!best || item.savedAt > best.item.savedAt) { best = { key: key, item: item }; }
    });
    return best;
  }

  function serialize(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken") { fields.push([name, String(value)]); }
    });
    return fields;
  }

  function restore(form, fields) {
    fields.forEach(function (pair) {
      var name = pair[0];
      var value = pair[1];
      all(form, "[name]").forEach(function (input) {
        if (input.name !== name) { return; }
        if (input.type === "radio" || input.type === "checkbox") {
          if (input.value === value) { input.checked = true; }
        } else {
          input.value = value;
        }
      });
    });
  }

  // ------------------------------------------------------------ timer
  function Timer(root) {
    this.root = root;
    this.total = parseInt(root.getAttribute("data-seconds"), 10) || 60;
    this.remaining = this.total;
    this.state = "idle";
    this.display = root.querySelector("[data-timer-time]");
    this.button = root.querySelector("[data-timer-toggle]");
    this.note = root.querySelector("[data-timer-note]");
    this.interval = null;
    this.render();
    var self = this;
    this.button.addEventListener("click", function () { self.toggle(); });
  }

  Timer.prototype.render = function () {
    this.display.textContent = mmss(this.remaining);
    this.button.textContent = say(this.root, "timer-" + this.state, {
      idle: "Start timer", running: "Pause timer", paused: "Resume timer", done: "Start again"
    }[this.state]);
  };

  Timer.prototype.toggle = function () {
    if (this.state === "running") { this.pause(); } else { this.start(); }
  };

  Timer.prototype.start = function () {
    if (this.state === "done" || this.state === "idle") { this.remaining = this.total; }
    this.state = "running";
    this.note.textContent = "";
    // Counting against the clock, not by ticks, so a slow tab cannot stretch a minute.
    this.endsAt = Date.now() + this.remaining * 1000;
    var self = this;
    clearInterval(this.interval);
    this.interval = setInterval(function () { self.tick(); }, 250);
    this.render();
  };

  Timer.prototype.tick = function () {
    this.remaining = (this.endsAt - Date.now()) / 1000;
    if (this.remaining <= 0) {
      // Time is up: say so gently and wait. The patient moves on when they are ready.
      clearInterval(this.interval);
      this.remaining = 0;
      this.state = "done";
      this.note.textContent = say(this.root, "time-up", "Time is up. Go on when you are ready.");
    }
    this.render();
  };

  Timer.prototype.pause = function () {
    if (this.state !== "running") { return; }
    clearInterval(this.interval);
    this.remaining = Math.max(0, (this.endsAt - Date.now()) / 1000);
    this.state = "paused";
    this.note.textContent = say(this.root, "paused", "Paused");
    this.render();
  };

  Timer.prototype.stop = function () {
    clearInterval(this.interval);
  };

  // ------------------------------------------------------------ read aloud
  function Reader(panel) {
    this.panel = panel;
    this.controls = panel.querySelector("[data-speak-controls]");
    this.start = panel.querySelector("[data-speak]");
    this.stopButton = panel.querySelector("[data-speak-stop]");
    this.note = panel.querySelector("[data-speak-note]");
    this.speaking = false;
    if (!this.controls || !canSpeak()) { return; }
    this.controls.hidden = false;
    var self = this;
    hasVoices();  // asking once starts loading them in browsers that load them late
    this.start.addEventListener("click", function () { self.speak(); });
    this.stopButton.addEventListener("click", function () { self.stop(); });
  }

  function hasVoices() {
    var synth = window.speechSynthesis;
    if (typeof synth.getVoices !== "function") { return true; }  // cannot tell: try
    try { return synth.getVoices().length > 0; } catch (e) { return true; }
  }

  // A device with no voice installed cannot read aloud: say so, calmly, instead of
  // the button quietly going back to how it was.
  Reader.prototype.unavailable = function () {
    if (!this.note) { return; }
    this.note.textContent = say(this.panel, "speak-none",
      "Reading aloud isn't available on this device. The words are right here on the screen, to read at your own pace.");
  };

  Reader.prototype.speak = function () {
    var self = this;
    var synth = window.speechSynthesis;
    if (hasVoices()) { this.read(); return; }
    // Some browsers list their voices a moment after the page loads: wait for them
    // briefly before saying there are none.
    var waited = false;
    function decide() {
      if (waited) { return; }
      waited = true;
      if (synth.removeEventListener) { synth.removeEventListener("voiceschanged", decide); }
      if (hasVoices()) { self.read(); } else { self.unavailable(); }
    }
    if (synth.addEventListener) { synth.addEventListener("voiceschanged", decide); }
    setTimeout(decide, 1000);
  };

  Reader.prototype.read = function () {
    var synth = window.speechSynthesis;
    if (this.note) { this.note.textContent = ""; }
    var heading = this.panel.querySelector("[data-panel-heading]");
    var text = this.panel.querySelector("[data-speak-text]");
    var words = (heading ? heading.textContent + ". " : "") + (text ? text.textContent : "");
    // The voice of the words read, not of the page: a step of an English program in a
    // Spanish interface is marked lang="en" (programs_tags.content_lang).
    var source = text || heading;
    var marked = source && source.closest ? source.closest("[lang]") : null;
    var lang = (marked && marked.lang) || document.documentElement.lang || "en";
    // One utterance per sentence: some browsers cut a long utterance off after ~15 s.
    var sentences = words.match(/[^.!?]+[.!?]*/g) || [words];
    var self = this;
    synth.cancel();
    this.speaking = true;
    this.start.hidden = true;
    this.stopButton.hidden = false;
    this.stopButton.focus();
    sentences.forEach(function (sentence, i) {
      var utterance = new window.SpeechSynthesisUtterance(sentence.trim());
      utterance.lang = lang;
      utterance.rate = 0.9;
      if (i === sentences.length - 1) { utterance.onend = function () { self.finished(); }; }
      utterance.onerror = function (event) {
        // Stopping (ours or another page's) is not a failure; anything else is.
        var stopped = event && (event.error === "interrupted" || event.error === "canceled");
        if (self.speaking && !stopped) { self.unavailable(); }
        self.finished();
      };
      synth.speak(utterance);
    });
  };

  Reader.prototype.stop = function () {
    if (!this.speaking) { return; }
    window.speechSynthesis.cancel();
    this.finished();
  };

  Reader.prototype.finished = function () {
    if (!this.speaking) { return; }
    this.speaking = false;
    var hadFocus = document.activeElement === this.stopButton;
    this.start.hidden = false;
    if (hadFocus) { this.start.focus(); }
    this.stopButton.hidden = true;
  };

  // ------------------------------------------------------------ the player
  function enhance(form, options) {
    options = options || {};
    var container = form.parentNode;
    var panels = all(form, "[data-panel]");
    var last = panels.length - 1;
    var steps = all(form, "[data-step]").length;
    var count = form.querySelector("[data-player-count]");
    var progress = form.querySelector("[data-player-progress]");
    var back = form.querySelector("[data-back]");
    var next = form.querySelector("[data-next]");
    var save = form.querySelector("[data-save]");
    var saveError = form.querySelector("[data-save-error]");
    var tokenInput = form.querySelector("[data-client-token]");
    var durationInput = form.querySelector("[data-duration]");
    var prefix = form.getAttribute("data-stash-prefix") || "painapp:practice:";
    forgetOldDeviceStash();
    var originalToken = tokenInput.value;
    var current = 0;
    var saving = false;
    var timers = [];
    var readers = [];

    form.classList.add("player--js");
    form.querySelector("[data-player-status]").hidden = false;
    all(form, "[data-step-tools]").forEach(function (tools) {
      tools.hidden = false;
      var timer = tools.querySelector("[data-timer]");  // none on a step with "timer: false"
      if (timer) { timers.push(new Timer(timer)); }
    });
    panels.forEach(function (panel) {
      if (panel.querySelector("[data-speak-controls]")) { readers.push(new Reader(panel)); }
    });

    // Active seconds: time this page was in front of the patient, sent with the save.
    var active = parseInt(durationInput.value, 10) || 0;
    var clock = setInterval(function () {
      if (!document.hidden) { active += 1; }
    }, 1000);

    function quietAll() {
      timers.forEach(function (t) { t.pause(); });
      readers.forEach(function (r) { r.stop(); });
      // A step's recording stops when the patient moves to another step.
      all(form, "audio").forEach(function (audio) { audio.pause(); });
    }

    function show(index, moveFocus) {
      if (index !== current) { quietAll(); }
      current = Math.max(0, Math.min(index, last));
      panels.forEach(function (panel, i) { panel.hidden = i !== current; });
      back.hidden = current === 0;
      next.hidden = current === last;
      save.hidden = current !== last;
      var step = panels[current].getAttribute("data-step");
      count.textContent = step
        ? say(form, "step", "Step %(step)s of %(steps)s").replace("%(step)s", step).replace("%(steps)s", steps)
        : say(form, "getting-ready", "Getting ready");
      if (progress) { progress.value = step ? parseInt(step, 10) : 0; }
      if (moveFocus) {
        var heading = panels[current].querySelector("[data-panel-heading]");
        form.scrollIntoView({ block: "start", behavior: reducedMotion() ? "auto" : "smooth" });
        if (heading) { heading.focus({ preventScroll: true }); }
      }
    }

    function panelOf(element) {
      for (var i = 0; i < panels.length; i++) {
        if (panels[i].contains(element)) { return i; }
      }
      return -1;
    }

    // A rating left empty is caught here, on its own step, with the server's own words,
    // rather than after the last step. The server still checks everything.
    function setRatingError(fieldset, message) {
      var hintId = fieldset.getAttribute("data-hint-id");
      var errorId = fieldset.getAttribute("data-error-id");
      var error = document.getElementById(errorId);
      if (message) {
        if (!error) {
          error = document.createElement("p");
          error.className = "error";
          error.id = errorId;
          fieldset.insertBefore(error, fieldset.querySelector(".rating__scale"));
        }
        error.textContent = message;
        fieldset.classList.add("rating--error");
        fieldset.setAttribute("aria-describedby", hintId + " " + errorId);
      } else {
        if (error) { error.parentNode.removeChild(error); }
        fieldset.classList.remove("rating--error");
        fieldset.setAttribute("aria-describedby", hintId);
      }
    }

    function ratingsMissing(panel) {
      var missing = all(panel, "[data-rating]").filter(function (fieldset) {
        return !fieldset.querySelector("input[type=radio]:checked");
      });
      missing.forEach(function (fieldset) {
        setRatingError(fieldset, fieldset.getAttribute("data-message"));
      });
      if (missing.length) { missing[0].querySelector("input[type=radio]").focus(); }
      return missing.length > 0;
    }

    form.addEventListener("change", function (event) {
      var fieldset = event.target.closest && event.target.closest("[data-rating]");
      if (fieldset && event.target.checked) { setRatingError(fieldset, ""); }
    });

    back.addEventListener("click", function () { show(current - 1, true); });
    next.addEventListener("click", function () {
      if (!ratingsMissing(panels[current])) { show(current + 1, true); }
    });

    // Enter on a rating or a word would submit the whole form half done; Space and the
    // arrow keys already choose, so Enter does nothing there.
    form.addEventListener("keydown", function (event) {
      var t = event.target;
      if (event.key === "Enter" && t.tagName === "INPUT" && (t.type === "radio" || t.type === "checkbox")) {
        event.preventDefault();
      }
    });

    // Links in the error summary open the step that holds the field.
    form.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
      if (!link) { return; }
      var target = document.getElementById(link.getAttribute("href").slice(1));
      var index = target ? panelOf(target) : -1;
      if (index < 0) { return; }
      event.preventDefault();
      show(index, false);
      target.focus();
    });

    function stashKey() { return prefix + tokenInput.value; }

    function failed() {
      storage.set(stashKey(), { savedAt: Date.now(), fields: serialize(form) });
      saveError.textContent = "";
      var message = document.createElement("p");
      message.className = "save-error__message";
      message.textContent = say(form, "fail", FAIL_MESSAGE);
      var hint = document.createElement("p");
      hint.className = "hint";
      hint.textContent = say(form, "fail-hint", FAIL_HINT);
      var retry = document.createElement("button");
      retry.type = "button";
      retry.className = "button";
      retry.setAttribute("data-retry", "");
      retry.textContent = say(form, "retry", "Retry");
      retry.addEventListener("click", function () { submit(); });
      saveError.appendChild(message);
      saveError.appendChild(hint);
      saveError.appendChild(retry);
      retry.focus();
    }

    function teardown() {
      quietAll();
      timers.forEach(function (t) { t.stop(); });
      clearInterval(clock);
    }

    function replaceWith(html) {
      teardown();
      container.innerHTML = html;
    }

    function submit() {
      if (saving) { return; }
      saving = true;
      durationInput.value = String(active);
      save.setAttribute("aria-disabled", "true");
      save.textContent = say(form, "saving", "Saving…");
      var retry = saveError.querySelector("[data-retry]");
      if (retry) { retry.setAttribute("aria-disabled", "true"); retry.textContent = say(form, "trying-again", "Trying again…"); }
      var key = stashKey();
      window.fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        redirect: "manual",  // a login redirect is a failure to save, not a page to show
        headers: { "X-CSRFToken": csrfToken(form), "HX-Request": "true", "Accept": "text/html" }
      }).then(function (response) {
        if (response.ok) {
          return response.text().then(function (html) {
            storage.remove(key);
            replaceWith(html);
            // Crisis help in the saved part (words that may mean risk in the note) is
            // the news; else "Saved to your log".
            var heading = container.querySelector("#crisis-help-h") ||
              container.querySelector("[data-saved-heading]");
            if (heading && !heading.hasAttribute("tabindex")) { heading.setAttribute("tabindex", "-1"); }
            container.scrollIntoView({ block: "start", behavior: reducedMotion() ? "auto" : "smooth" });
            if (heading) { heading.focus({ preventScroll: true }); }
          });
        }
        if (response.status === 422) {
          return response.text().then(function (html) {
            storage.remove(key);
            replaceWith(html);
            var fresh = container.querySelector("[data-player]");
            if (fresh) { enhance(fresh, { showErrors: true }); }
          });
        }
        throw new Error("save failed: " + response.status);
      }).catch(function () {
        saving = false;
        save.removeAttribute("aria-disabled");
        save.textContent = say(form, "save", "Save to my log");
        failed();
      });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      // Only the last step saves; an Enter anywhere earlier just moves on.
      if (current !== last) {
        if (!ratingsMissing(panels[current])) { show(current + 1, true); }
        return;
      }
      for (var i = 0; i < panels.length; i++) {
        if (all(panels[i], "[data-rating]").some(function (f) {
          return !f.querySelector("input[type=radio]:checked");
        })) {
          show(i, false);
          ratingsMissing(panels[i]);
          return;
        }
      }
      submit();
    });

    // Where to start: the first field with an error, answers kept from a failed
    // save, or the beginning.
    var restoredNotice = form.querySelector("[data-restored]");
    var start = 0;
    if (form.hasAttribute("data-bound")) {
      var firstError = form.querySelector("[data-panel] .error");
      start = firstError ? panelOf(firstError) : last;
    } else {
      var stashed = newestStash(prefix);
      if (stashed && stashed.item.fields) {
        restore(form, stashed.item.fields);
        active = parseInt(durationInput.value, 10) || active;
        restoredNotice.hidden = false;
        start = last;
        form.querySelector("[data-discard]").addEventListener("click", function () {
          storage.remove(stashed.key);
          form.reset();
          tokenInput.value = originalToken;
          durationInput.value = "0";
          active = 0;
          restoredNotice.hidden = true;
          show(0, true);
        });
      }
    }
    show(start, false);
    if (!restoredNotice.hidden) {
      // Say straight away that these answers are from before and not saved yet.
      restoredNotice.scrollIntoView({ block: "start", behavior: "auto" });
      restoredNotice.focus({ preventScroll: true });
    }
    if (options.showErrors) {
      var summary = form.querySelector("[data-error-summary]");
      if (summary) {
        form.scrollIntoView({ block: "start", behavior: "auto" });
        summary.focus({ preventScroll: true });
      }
    }
  }

  function init() {
    var form = document.querySelector("[data-player]");
    if (!form || !window.fetch || !window.FormData) { return; }
    // The player places the patient itself (at kept answers, at an error); a reload
    // must not scroll them back to wherever the last step happened to end.
    if ("scrollRestoration" in window.history) { window.history.scrollRestoration = "manual"; }
    enhance(form);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
