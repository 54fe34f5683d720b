// A background task's page (credentials/admin_views.py TaskView) reloads itself while the task runs, so its
// progress bar moves; a static file, because the pages allow no inline script (Content-Security-Policy).
(function () {
  "use strict";
  var task = document.getElementById("task");
  if (task && task.dataset.running === "1") {
    window.setTimeout(function () { window.location.reload(); }, 2000);
  }
})();
