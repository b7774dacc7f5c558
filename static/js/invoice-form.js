/* Invoice, credit note and quote forms: add and remove lines, show the exemption reason for
   lines without VAT, offer only the chosen unit's clients, and show the totals the server
   computes while the member types. The page computes nothing itself. */
(function () {
  "use strict";

  var EXEMPT = ["E", "AE", "K", "G", "O"];
  var DELAY_MS = 350;

  function category(select) {
    return (select.value || "").split(":")[0];
  }

  function setupReason(line) {
    var vat = line.querySelector("[data-vat]");
    var field = line.querySelector("[data-reason-field]");
    var reason = line.querySelector("[data-exemption]");
    if (!vat || !field || !reason) return;
    var current = category(vat);
    var exempt = EXEMPT.indexOf(current) !== -1;
    field.hidden = !exempt;
    var firstMatch = null;
    Array.prototype.forEach.call(reason.options, function (option) {
      var optionCategory = option.getAttribute("data-category");
      if (!optionCategory) return;
      var fits = optionCategory === current;
      option.hidden = !fits;
      option.disabled = !fits;
      if (fits && firstMatch === null) firstMatch = option;
    });
    if (!exempt) {
      reason.value = "";
    } else {
      var selected = reason.options[reason.selectedIndex];
      if (!selected || selected.disabled || !selected.value) {
        reason.value = firstMatch ? firstMatch.value : "";
      }
    }
  }

  function setupRemoval(line) {
    var box = line.querySelector('input[type="checkbox"][name$="-DELETE"]');
    if (!box) return;
    line.classList.toggle("removed", box.checked);
  }

  function setupLine(line) {
    setupReason(line);
    setupRemoval(line);
  }

  function filterClients(form) {
    var unit = form.querySelector("select[data-unit]");
    var client = form.querySelector("select[data-client]");
    if (!unit || !client) return;
    var chosen = unit.value;
    Array.prototype.forEach.call(client.options, function (option) {
      var units = option.getAttribute("data-units");
      if (units === null) return;
      var fits = !chosen || units.split(" ").indexOf(chosen) !== -1;
      option.hidden = !fits;
      option.disabled = !fits;
    });
    var selected = client.options[client.selectedIndex];
    if (selected && selected.disabled) client.value = "";
  }

  function addLine(form) {
    var template = form.querySelector("#line-template");
    var list = form.querySelector("[data-lines]");
    var total = form.querySelector('input[name$="-TOTAL_FORMS"]');
    if (!template || !list || !total) return;
    var index = parseInt(total.value, 10) || 0;
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var line = holder.querySelector("[data-line]");
    list.appendChild(line);
    total.value = String(index + 1);
    setupLine(line);
    var first = line.querySelector("input, select, textarea");
    if (first) first.focus();
  }

  function liveTotals(form) {
    var url = form.getAttribute("data-totals-url");
    var target = form.querySelector("[data-live-totals]");
    if (!url || !target || !window.fetch) return function () {};
    var timer = null;
    var controller = null;
    function refresh() {
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) {
          // Sent to the login page (session over): keep what is shown.
          if (response.redirected) return null;
          return response.text();
        })
        .then(function (html) { if (html !== null) target.innerHTML = html; })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
        });
    }
    return function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(refresh, DELAY_MS);
    };
  }

  function setup(form) {
    var schedule = liveTotals(form);
    Array.prototype.forEach.call(form.querySelectorAll("[data-line]"), setupLine);
    filterClients(form);

    var add = form.querySelector("[data-add-line]");
    if (add) {
      add.hidden = false;
      add.addEventListener("click", function () {
        addLine(form);
        schedule();
      });
    }
    form.addEventListener("change", function (event) {
      var line = event.target.closest("[data-line]");
      if (line) setupLine(line);
      if (event.target.matches("select[data-unit]")) filterClients(form);
      schedule();
    });
    form.addEventListener("input", function (event) {
      if (event.target.matches("input[type=text], input:not([type]), textarea")) schedule();
    });
    if (hasTypedLines(form)) schedule();
  }

  function hasTypedLines(form) {
    var inputs = form.querySelectorAll('[data-lines] input[name$="-unit_price"]');
    return Array.prototype.some.call(inputs, function (input) { return input.value !== ""; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-document-form]"), setup);
  });
})();
