// The time-zone picker (painapp.accounts.forms.TimezoneInput): where the page asks for
// it (data-tz-browser="fill"), put this device's own zone in the box, if it is one of
// the list, as its label. Without JavaScript the box keeps the zone the server filled in.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) return;
  // Each suggestion is a label in the reader's language ("Europa / Londres"), with
  // its IANA name in data-zone and its old names in data-aliases (some browsers
  // still say Asia/Calcutta for Asia/Kolkata): the box gets the label, as if picked.
  function deviceOption(input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return null;
    return Array.prototype.find.call(list.options, function (o) {
      var aliases = (o.getAttribute("data-aliases") || "").split(" ");
      return o.getAttribute("data-zone") === zone || aliases.indexOf(zone) !== -1;
    });
  }
  document.querySelectorAll('input[data-tz-browser="fill"]').forEach(function (input) {
    var option = deviceOption(input);
    // Not over what the person has typed already (the script runs once the page is in).
    if (option && input.value === input.defaultValue) input.value = option.value;
  });
  // A zone is already stored (data-tz-browser="suggest"): never replaced; where this
  // device says another one, offer it ("Your device is set to X. Use it?").
  document.querySelectorAll('input[data-tz-browser="suggest"]').forEach(function (input) {
    var option = deviceOption(input);
    var offer = document.querySelector('[data-tz-suggest-for="' + input.id + '"]');
    if (!option || !offer || option.value === input.defaultValue) return;
    offer.querySelector("[data-tz-name]").textContent = option.value;
    offer.hidden = false;
    offer.querySelector("[data-tz-use]").addEventListener("click", function () {
      input.value = option.value;
      offer.hidden = true;
      input.focus();
    });
  });
})();
