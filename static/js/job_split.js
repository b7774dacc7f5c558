/* Job and work declaration forms: add a day or an expense without reloading, and show the
   split (or the cost) the server computes while the member types. The page computes nothing
   itself; without JavaScript the "add" buttons submit the form and the server adds a row. */
(function () {
  "use strict";

  var DELAY_MS = 400;

  function addRow(block) {
    var template = block.querySelector("template[data-row-template]");
    var list = block.querySelector("[data-row-list]");
    var prefix = block.getAttribute("data-rows");
    var total = block.querySelector('input[name="' + prefix + '-TOTAL_FORMS"]');
    if (!template || !list || !total) return;
    var index = parseInt(total.value, 10) || 0;
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.querySelector("[data-row]");
    list.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("input, select");
    if (first) first.focus();
  }

  function liveSplit(form) {
    var url = form.getAttribute("data-split-url");
    var target = form.querySelector("[data-live-split]");
    if (!url || !target || !window.fetch || !window.FormData) return function () {};
    var timer = null;
    var controller = null;
    function refresh() {
      if (controller) controller.abort();
      controller = window.AbortController ? new AbortController() : null;
      var data = new FormData(form);
      // Receipts are not needed for the split: never upload them while typing.
      Array.prototype.forEach.call(form.querySelectorAll('input[type="file"]'), function (input) {
        data.delete(input.name);
      });
      fetch(url, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" },
        signal: controller ? controller.signal : undefined
      })
        .then(function (response) { return response.redirected ? null : response.text(); })
        .then(function (html) { if (html !== null) target.innerHTML = html; })
        .catch(function (error) { if (error && error.name === "AbortError") return; });
    }
    return function schedule() {
      if (timer) clearTimeout(timer);
      timer = setTimeout(refresh, DELAY_MS);
    };
  }

  function setup(form) {
    var schedule = liveSplit(form);
    Array.prototype.forEach.call(form.querySelectorAll("[data-rows]"), function (block) {
      var button = block.querySelector("[data-add-row]");
      if (!button) return;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        addRow(block);
      });
    });
    // Lines added by invoice-form.js and rows added here both change the form.
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("click", function (event) {
      if (event.target.matches("[data-add-line]")) schedule();
    });
    if (hasFigures(form)) schedule();
  }

  // On load, ask for the split only when the form already holds an amount (a draft being
  // edited, a form sent back with errors): an empty form would only get "field required".
  function hasFigures(form) {
    var inputs = form.querySelectorAll('input[name$="-unit_price"], input[name="gross"]');
    return Array.prototype.some.call(inputs, function (input) { return input.value !== ""; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-job-form]"), setup);
  });
})();
