"use strict";
// ReDoc's start, read from the page's data attributes: the page has no inline script, so its
// Content-Security-Policy can refuse every inline script (api_docs/urls.py).
(function () {
  const container = document.getElementById("redoc-container");
  const settings = container.dataset.settings ? JSON.parse(container.dataset.settings) : {};
  Redoc.init(container.dataset.schemaUrl, settings, container);
})();
