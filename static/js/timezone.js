// The time-zone picker (painapp.accounts.forms.TimezoneInput): where the page asks for
// it (data-tz-browser="fill"), put this device's own zone in the box, if it is one of
// the list. Without JavaScript the box keeps the zone the server filled in.
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
    var known = Array.prototype.some.call(list.options, function (o) { return o.value === zone; });
    // Not over what the person has typed already (the script runs once the page is in).
    if (known && input.value === input.defaultValue) input.value = zone;
  });
})();
