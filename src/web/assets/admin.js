// Refreshes an issue's progress block every 5 seconds while the issue is live (scheduled or sending),
// with a checkbox to stop it (WCAG 2.2.2). The page works without it: reload to see new numbers.
(function () {
  var box = document.querySelector('[data-progress-url]');
  var toggle = document.getElementById('auto-refresh');
  if (!box || !toggle || !window.fetch || box.getAttribute('data-live') !== 'true') return;
  toggle.closest('.auto-refresh').hidden = false;
  var timer = null;
  function schedule() {
    clearTimeout(timer);
    if (toggle.checked) timer = setTimeout(tick, 5000);
  }
  function tick() {
    if (document.visibilityState !== 'visible') return schedule();
    fetch(box.getAttribute('data-progress-url'), { credentials: 'same-origin', headers: { accept: 'text/html' } })
      .then(function (r) {
        return r.ok ? r.text() : null;
      })
      .then(function (html) {
        if (html) {
          var t = document.createElement('template');
          t.innerHTML = html;
          var next = t.content.firstElementChild;
          if (next && next.id === 'progress') {
            box.replaceWith(next);
            box = next;
          }
        }
        if (box.getAttribute('data-live') === 'true') schedule();
        else toggle.closest('.auto-refresh').hidden = true;
      })
      .catch(schedule);
  }
  toggle.addEventListener('change', schedule);
  schedule();
})();
