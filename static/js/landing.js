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
      button.textContent = "Copied";
      setTimeout(function () {
        button.removeAttribute("data-copied");
        button.textContent = label;
      }, 2000);
    });
  });
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSettle", function (event) { setUp(event.target); });
})();
