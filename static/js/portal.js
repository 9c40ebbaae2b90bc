// Small enhancements; every page works without this file.
(function () {
  "use strict";
  // With htmx loaded, choices apply at once: the "Apply" buttons hide.
  if (window.htmx) {
    document.documentElement.classList.add("js");
  }

  // The restage request form (tape/): a refusal (bad address 400, not on tape 409, too many
  // requests 429, mail server down 503) comes back as the form saying why: show it in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    var status = event.detail && event.detail.xhr && event.detail.xhr.status;
    if (target && target.id === "restage" && [400, 409, 429, 503].indexOf(status) !== -1) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  var searchForm = document.getElementById("dataset-search");
  if (searchForm && window.htmx) {
    // A query the server refuses (400) or cannot run (503) comes back as a page that says why:
    // show it, as a browser without JavaScript would.
    window.htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "400", swap: true, error: false },
      { code: "503", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
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

  // -- the search page ---------------------------------------------------------------------------

  if (!searchForm) {
    return;
  }
  var status = document.getElementById("search-status");
  var lastAnnounced = "";

  function summaryText() {
    var summary = document.getElementById("results-summary");
    return summary ? summary.textContent.replace(/\s+/g, " ").trim() : "";
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    // (With an outerHTML swap, the event's target is the replaced element: look the new one up.)
    var area = document.getElementById("search-area");
    var target = event.detail && event.detail.target;
    if (!area || !target || target.id !== "search-area") {
      return;
    }
    // A chip or "Clear all" may have changed the text: the box follows, unless it is being typed in.
    var q = document.getElementById("q");
    if (q && document.activeElement !== q && q.value !== area.dataset.q) {
      q.value = area.dataset.q || "";
    }
    if (q) {
      if (document.getElementById("q-error")) {
        q.setAttribute("aria-invalid", "true");
        q.setAttribute("aria-describedby", "q-hint q-error");
      } else {
        q.removeAttribute("aria-invalid");
        q.setAttribute("aria-describedby", "q-hint");
      }
    }
    // Say politely how many results there are now (the live region survives the swap).
    var text = summaryText();
    if (status && text && text !== lastAnnounced) {
      lastAnnounced = text;
      status.textContent = text;
    }
  });

  // Folded parts the visitor opened (the condition builder, "Show more" of a facet) stay open
  // when new results come in.
  var openDetails = [];
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "search-area") {
      return;
    }
    openDetails = [];
    target.querySelectorAll("details[id][open]").forEach(function (details) {
      openDetails.push(details.id);
    });
  });
  document.addEventListener("htmx:afterSwap", function () {
    openDetails.forEach(function (id) {
      var details = document.getElementById(id);
      if (details) {
        details.open = true;
      }
    });
    openDetails = [];
  });

  // htmx keeps a snapshot of the page for the back button just before it shows new results. The
  // search box is never swapped, so its markup still holds the text the page was loaded with:
  // give it the text of the results on show, so that "back" restores both together.
  document.addEventListener("htmx:beforeHistorySave", function () {
    var q = document.getElementById("q");
    var area = document.getElementById("search-area");
    if (q && area) {
      q.setAttribute("value", area.dataset.q || "");
    }
  });

  // Choosing a parameter key offers its usual unit as the unit field's placeholder.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!input || input.name !== "sm_key") {
      return;
    }
    var row = input.closest(".condition-row");
    var unit = row && row.querySelector('input[name="sm_unit"]');
    var list = document.getElementById("sm-keys");
    if (!unit || !list) {
      return;
    }
    for (var i = 0; i < list.options.length; i++) {
      var option = list.options[i];
      if (option.value === input.value && option.dataset.unit) {
        unit.placeholder = "e.g. " + option.dataset.unit;
        return;
      }
    }
  });

})();
