/* The check-in form, one question per screen on a phone.
 *
 * Progressive enhancement: without this file the page is one form with every
 * question and two submit buttons, and it works. On a narrow screen this shows one
 * question at a time with Back / Next and "Question 3 of 12" (announced politely),
 * and moves focus to each new question. On every screen the draft is saved quietly as
 * soon as an answer is picked (a typed answer a moment after the typing stops), and
 * once more if the page is left with a change not yet sent, so "Your answers so far
 * are saved" is true for the last question too (the server answers such a save with
 * 204). Saves go one at a time, in order, so an older one never overwrites a newer.
 * On every screen, a safety answer (PHQ-9 item 9 above 0, a yes to new symptoms)
 * opens its help panel at once and saves the draft (the server raises the alert).
 * Each save carries the version of the draft it builds on (the hidden edited_from,
 * painapp.edit_version), updated from each save's answer; a save the server refuses
 * because the draft was changed in another tab (409 with X-Changed-Elsewhere) is not
 * kept, and the saved-note says so (what the patient picked here stays in the form).
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-checkin-form]");
  if (!form) return;

  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-ci-question]"));
  var sections = Array.prototype.slice.call(form.querySelectorAll("[data-ci-section]"));
  var status = form.querySelector("[data-ci-status]");
  var count = form.querySelector("[data-ci-count]");
  var bar = form.querySelector("[data-ci-progress]");
  var nav = form.querySelector("[data-ci-nav]");
  var back = form.querySelector("[data-ci-back]");
  var next = form.querySelector("[data-ci-next]");
  var submit = form.querySelector("[data-ci-submit]");
  var saved = form.querySelector("[data-ci-saved]");
  var version = form.querySelector("[data-ci-version]");
  var narrow = window.matchMedia("(max-width: 47.99rem)");
  var total = questions.length;
  if (!total) return;

  function answered(question) {
    var inputs = question.querySelectorAll("input, select");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if ((el.type === "radio" && el.checked) || (el.type !== "radio" && el.value.trim())) {
        return true;
      }
    }
    return false;
  }

  // Start where there is something to do: the first question with an error,
  // else the first one not answered yet (after a saved draft), else (all answered
  // in the draft) the last one, with its Submit button.
  function startIndex() {
    for (var i = 0; i < total; i++) {
      if (questions[i].hasAttribute("data-ci-has-error")) return i;
    }
    for (var j = 0; j < total; j++) {
      if (!answered(questions[j])) return j;
    }
    return total - 1;
  }

  var index = startIndex();
  var stepping = false;

  function show(moveFocus) {
    stepping = narrow.matches;
    form.classList.toggle("ci-form--steps", stepping);
    if (!stepping) {
      questions.forEach(function (q) { q.hidden = false; });
      sections.forEach(function (s) { s.hidden = false; });
      status.hidden = true;
      nav.hidden = true;
      submit.hidden = false;
      return;
    }
    var current = questions[index];
    questions.forEach(function (q, i) { q.hidden = i !== index; });
    sections.forEach(function (s) { s.hidden = !s.contains(current); });
    status.hidden = false;
    nav.hidden = false;
    back.hidden = index === 0;
    next.hidden = index === total - 1;
    submit.hidden = index !== total - 1;
    count.textContent = msg("count").replace("{n}", index + 1).replace("{total}", total);
    bar.max = total;
    bar.value = index + 1;
    if (moveFocus) {
      var heading = current.querySelector("[data-ci-heading]");
      if (heading) heading.focus();
    }
  }

  // The words come from the page (data-msg-* on the form), in the patient's language.
  function msg(name) {
    return form.getAttribute("data-msg-" + name) || "";
  }

  // One save at a time, in order: a change made while one is on its way is sent right
  // after it (an older draft never lands after a newer one). "saved" is shown only
  // when nothing has changed since the answers that were sent.
  var sending = false;
  var again = false;
  var againPanel = null;
  var unsaved = false;
  var typing = null;

  function saveDraft(panel, now) {
    if (sending && !now) {
      again = true;
      if (panel) againPanel = panel;
      return;
    }
    sending = true;
    unsaved = false;
    var data = new FormData(form);
    data.set("action", "save");
    var note = panel && panel.querySelector("[data-safety-saved]");
    function done() {
      sending = false;
      if (again) {
        var next = againPanel;
        again = false;
        againPanel = null;
        saveDraft(next);
      }
    }
    // form.action would be the buttons named "action": read the attribute.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
      // Sent even if the patient closes the page at once (a safety answer must arrive).
      keepalive: true,
    }).then(function (response) {
      var newer = response.ok && response.headers.get("X-Edited-From");
      if (newer !== null && newer !== false && version) version.value = newer;
      var changed = response.status === 409 && response.headers.get("X-Changed-Elsewhere");
      if (!response.ok) unsaved = true;
      if (changed) saved.textContent = msg("changed");
      else if (!unsaved && !again) saved.textContent = msg("saved");
      else if (!response.ok) saved.textContent = msg("not-saved");
      if (note) note.textContent = response.ok ? msg("told") : changed ? msg("changed") : msg("failed");
      done();
    }).catch(function () {
      // Offline for a moment: the answers are still in the form, and Submit sends them.
      unsaved = true;
      saved.textContent = msg("not-saved");
      if (note) note.textContent = msg("failed");
      done();
    });
  }

  // An answer picked (a choice, a category) is saved at once; typed words once the
  // typing pauses. A safety answer above 0 also reports on its panel.
  form.addEventListener("input", function (event) {
    if (!event.target.closest || !event.target.closest("[data-ci-question]")) return;
    unsaved = true;
    saved.textContent = "";  // never "saved" over an answer that is not sent yet
    if (event.target.type === "radio" || event.target.tagName === "SELECT") return;
    clearTimeout(typing);
    typing = setTimeout(function () { saveDraft(); }, 800);
  });
  form.addEventListener("change", function (event) {
    var input = event.target;
    if (!input.closest || !input.closest("[data-ci-question]")) return;
    var group = input.type === "radio" && input.closest("[data-safety]");
    var panel = group && parseInt(input.value, 10) > 0 ?
      document.getElementById(group.getAttribute("aria-controls")) : null;
    clearTimeout(typing);
    saveDraft(panel);
  });
  // Leaving (another page, the phone's home screen, closing the tab) with a change not
  // sent yet: send it now; keepalive lets it finish after the page is gone.
  function flush() {
    if (!unsaved) return;
    clearTimeout(typing);
    saveDraft(null, true);
  }
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });

  // A required question left blank: Next stays on it and says so beside it (the
  // note is a polite live region, and the question's group points to it), then
  // focus goes to its first answer, so the patient can answer straight away.
  // Optional questions (PHQ-9's difficulty item) let Next pass.
  function complete(question) {
    var kind = question.getAttribute("data-ci-required");
    if (!kind) return true;
    if (kind === "scale") return answered(question);
    var fields = question.querySelectorAll("input:not([type=hidden]), select");
    for (var i = 0; i < fields.length; i++) {
      if (!fields[i].value.trim()) return false;
    }
    return true;
  }

  function describe(question, on) {
    var note = question.querySelector("[data-ci-missing]");
    var group = question.querySelector("fieldset");
    if (!note || !group) return;
    var ids = (group.getAttribute("aria-describedby") || "").split(/\s+/).filter(function (id) {
      return id && id !== note.id;
    });
    if (on) ids.push(note.id);
    if (ids.length) group.setAttribute("aria-describedby", ids.join(" "));
    else group.removeAttribute("aria-describedby");
    question.classList.toggle("ci-q--missing", on);
    note.textContent = on ? msg("required-" + question.getAttribute("data-ci-required")) : "";
  }

  function holdOn(question) {
    describe(question, true);
    // The first field still blank (a cause's words or category), else the first choice.
    var fields = question.querySelectorAll("input:not([type=hidden]), select");
    var first = fields[0];
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].type !== "radio" && !fields[i].value.trim()) { first = fields[i]; break; }
    }
    if (first) first.focus();
  }

  // The note goes as soon as the question is answered.
  form.addEventListener("input", clearNote);
  form.addEventListener("change", clearNote);
  function clearNote(event) {
    var question = event.target.closest && event.target.closest("[data-ci-question]");
    if (question && question.classList.contains("ci-q--missing") && complete(question)) {
      describe(question, false);
    }
  }

  function go(step) {
    var target = index + step;
    if (target < 0 || target >= total) return;
    if (step > 0 && !complete(questions[index])) {
      holdOn(questions[index]);
      return;
    }
    if (unsaved) saveDraft();
    index = target;
    show(true);
  }

  // A safety answer acts the moment it is picked: its panel (crisis resources, or
  // where to get care for new symptoms) opens under the question, a screen reader
  // hears that it did (focus stays on the answer, so nothing jumps), and the draft is
  // saved at once (the change handler above), so the clinic is told even if the page
  // is closed now.
  var live = form.querySelector("[data-safety-live]");
  form.addEventListener("change", function (event) {
    var input = event.target;
    var group = input.closest && input.closest("[data-safety]");
    if (!group || input.type !== "radio") return;
    var panel = document.getElementById(group.getAttribute("aria-controls"));
    if (!panel) return;
    var positive = parseInt(input.value, 10) > 0;
    panel.hidden = !positive;
    if (!positive) return;
    var heading = panel.querySelector("h2, h3");
    if (live) {
      live.textContent = (heading ? heading.textContent + ". " : "") +
        msg("help-below");
    }
  });

  back.addEventListener("click", function () { go(-1); });
  next.addEventListener("click", function () { go(1); });

  // Enter in a field would submit the whole form from the middle: on a phone it
  // means "Next" until the last question.
  form.addEventListener("keydown", function (event) {
    if (!stepping || event.key !== "Enter") return;
    var el = event.target;
    if (el.tagName === "INPUT" && index < total - 1) {
      event.preventDefault();
      go(1);
    }
  });

  if (narrow.addEventListener) {
    narrow.addEventListener("change", function () { show(false); });
  }
  show(false);
  var errors = document.querySelector("[data-ci-errors]");
  if (errors) {
    // A link in the error summary leads to its question, even when it is hidden.
    errors.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var target = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!target || !stepping) return;
      for (var i = 0; i < total; i++) {
        if (questions[i].contains(target)) {
          event.preventDefault();
          index = i;
          show(false);
          target.focus();
          return;
        }
      }
    });
    errors.focus();
  }
}());
