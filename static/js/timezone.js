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
  document.querySelectorAll('input[data-tz-browser="fill"]').forEach(function (input) {
    var list = document.getElementById(input.getAttribute("list"));
    if (!list) return;
    // Each suggestion is a label in the reader's language ("Europa / Londres"), with
    // its IANA name in data-zone and its old names in data-aliases (some browsers
    // still say Asia/Calcutta for Asia/Kolkata): the box gets the label, as if picked.
    var option = Array.prototype.find.call(list.options, function (o) {
      var aliases = (o.getAttribute("data-aliases") || "").split(" ");
      return o.getAttribute("data-zone") === zone || aliases.indexOf(zone) !== -1;
    });
    // Not over what the person has typed already (the script runs once the page is in).
    if (option && input.value === input.defaultValue) input.value = option.value;
  });
})();
