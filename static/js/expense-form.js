/* Progressive enhancement of the expense claim form. Without this script every field shows
   and the server decides.
   - a mileage category shows the distance; the others the amount, VAT and receipt;
   - a job is offered only for a 3en1 unit, and only that unit's jobs;
   - the receipt comes from the camera or from a file: choosing one empties the other, and
     the chosen file's name is shown. */
(function () {
  var form = document.querySelector("[data-expense-form]");
  if (!form) { return; }
  var mileage = (form.getAttribute("data-mileage-categories") || "").split(",");
  var category = form.querySelector("[name=category]");
  var unit = form.querySelector("select[name=unit]");
  var job = form.querySelector("select[name=job]");

  function updateCategory() {
    var isMileage = mileage.indexOf(category.value) !== -1;
    form.querySelectorAll("[data-when]").forEach(function (block) {
      var kind = block.getAttribute("data-when");
      var shown = kind === "mileage" ? isMileage : (kind === "receipt" ? !isMileage : true);
      block.hidden = !shown;
    });
  }

  function updateJobs() {
    if (!unit || !job) { return; }
    var chosen = unit.options[unit.selectedIndex];
    var isThreeInOne = chosen && chosen.getAttribute("data-tool") === "3en1";
    var offered = 0;
    Array.prototype.forEach.call(job.options, function (option) {
      var owner = option.getAttribute("data-unit");
      if (owner === null) { return; }
      var fits = isThreeInOne && owner === unit.value;
      option.hidden = !fits;
      option.disabled = !fits;
      if (fits) { offered += 1; }
    });
    var selected = job.options[job.selectedIndex];
    if (selected && selected.disabled) { job.value = ""; }
    var field = job.closest("[data-job-field]");
    if (field) { field.hidden = offered === 0; }
  }

  var inputs = form.querySelectorAll("[data-receipt-input]");
  var chosenText = form.querySelector("[data-receipt-chosen]");
  inputs.forEach(function (input) {
    input.addEventListener("change", function () {
      inputs.forEach(function (other) { if (other !== input) { other.value = ""; } });
      if (chosenText) {
        chosenText.textContent = input.files && input.files.length ? input.files[0].name : "";
      }
    });
  });

  category.addEventListener("change", updateCategory);
  if (unit) { unit.addEventListener("change", updateJobs); }
  updateCategory();
  updateJobs();
})();
