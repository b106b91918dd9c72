// Refreshes an issue's progress block every 5 seconds while the issue is live (scheduled or sending),
// with a checkbox to stop it (WCAG 2.2.2). The page works without it: reload to see new numbers.
// The status chip is inside the block, so it changes with the counts; when it changes, a line says
// the buttons (outside the block) were for the status before, with a link that reloads them.
(function () {
  var box = document.querySelector('[data-progress-url]');
  var toggle = document.getElementById('auto-refresh');
  if (!box || !toggle || !window.fetch || box.getAttribute('data-live') !== 'true') return;
  toggle.closest('.auto-refresh').hidden = false;
  var timer = null;
  // The status at page load: the buttons above the block are for it.
  var loaded = box.getAttribute('data-status');
  var changed = document.getElementById('status-changed');
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
            if (changed && next.getAttribute('data-status') !== loaded) changed.hidden = false;
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
