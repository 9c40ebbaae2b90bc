// Landing pages: copy buttons. Every page works without this file (the buttons stay hidden).
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  function setUp(root) {
    root.querySelectorAll("button.copy-button[data-copy-target]").forEach(function (button) {
      button.hidden = false;
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button.copy-button[data-copy-target]");
    if (!button) {
      return;
    }
    var source = document.getElementById(button.getAttribute("data-copy-target"));
    if (!source) {
      return;
    }
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.setAttribute("data-copied", "");
      var label = button.textContent;
      // The page says "Copied" in its own language (data-copied-label).
      button.textContent = button.getAttribute("data-copied-label") || "Copied";
      setTimeout(function () {
        button.removeAttribute("data-copied");
        button.textContent = label;
      }, 2000);
    });
  });
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.target); });

  // After a page of files or datasets is swapped in from its pagination, move focus to the new
  // list's heading, so that keyboard and screen-reader users hear what changed.
  document.addEventListener("htmx:afterSettle", function (event) {
    var source = event.detail && event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!source || !source.closest || !source.closest(".pagination")) {
      return;
    }
    var id = source.closest("section[id]") ? source.closest("section[id]").id : "";
    var section = (id && document.getElementById(id)) || event.detail.target;
    var heading = section && section.querySelector && section.querySelector("h2, h3, h4");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
  });
})();
