// Pre-fills a time-zone field from the browser (Intl) when the server could only guess. The page
// works without it: the field then keeps the server's default, and the reader can change it.
(function () {
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone) return;
  var fields = document.querySelectorAll('select[data-browser-time-zone]');
  for (var i = 0; i < fields.length; i++) {
    var select = fields[i];
    for (var j = 0; j < select.options.length; j++) {
      if (select.options[j].value === zone) {
        select.value = zone;
        break;
      }
    }
  }
})();
