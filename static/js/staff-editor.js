// The publication editor, better with JavaScript: move rows up and down (their position numbers
// follow), and fill a creator row from a person used before. Without it, the position numbers
// and the "someone used before" list do the same through the server.
(function () {
  "use strict";

  function renumber(list) {
    var position = 1;
    list.querySelectorAll(":scope > li.row").forEach(function (row) {
      var order = row.querySelector('input[name$="-ORDER"]');
      if (order) {
        order.value = String(position);
      }
      position += 1;
    });
  }

  function show(root) {
    root.querySelectorAll(".js-only[hidden]").forEach(function (el) {
      el.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) {
      return;
    }
    var move = target.closest("[data-move]");
    if (move) {
      var row = move.closest("li.row");
      var list = row && row.parentElement;
      if (!row || !list) {
        return;
      }
      if (move.getAttribute("data-move") === "up" && row.previousElementSibling) {
        list.insertBefore(row, row.previousElementSibling);
      } else if (move.getAttribute("data-move") === "down" && row.nextElementSibling) {
        list.insertBefore(row.nextElementSibling, row);
      }
      renumber(list);
      move.focus();
      return;
    }
    var pick = target.closest("[data-person-row]");
    if (pick) {
      var creator = pick.closest("li.row");
      var values = JSON.parse(pick.getAttribute("data-person-row") || "{}");
      if (!creator) {
        return;
      }
      Object.keys(values).forEach(function (key) {
        var input = creator.querySelector('[name="' + creator.id + "-" + key + '"]');
        if (input) {
          input.value = values[key] === null ? "" : String(values[key]);
        }
      });
      var box = pick.closest("[aria-live]");
      if (box) {
        box.textContent = "";
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    show(document);
  });
  document.addEventListener("htmx:afterSettle", function () {
    show(document);
  });
})();
