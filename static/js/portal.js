// Small enhancements; every page works without this file.
(function () {
  "use strict";
  // With htmx loaded, choices apply at once: the "Apply" buttons hide.
  if (window.htmx) {
    document.documentElement.classList.add("js");
  }

  // After htmx swaps a page of results in, move focus to its summary so that keyboard and
  // screen-reader users hear what changed (only when the swap came from a pagination link).
  document.addEventListener("htmx:afterSettle", function (event) {
    var source = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!source || !source.closest || !source.closest(".pagination")) {
      return;
    }
    var target = document.getElementById("results-summary") || document.getElementById("files-heading");
    if (target) {
      if (!target.hasAttribute("tabindex")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus({ preventScroll: true });
    }
  });
})();
