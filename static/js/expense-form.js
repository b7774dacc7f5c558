/* Progressive enhancement: show the distance for a mileage category, the amount, VAT and
   receipt for the others. Without this script every field shows and the server decides. */
(function () {
  var form = document.querySelector("[data-expense-form]");
  if (!form) { return; }
  var mileage = (form.getAttribute("data-mileage-categories") || "").split(",");
  var category = form.querySelector("[name=category]");
  function update() {
    var isMileage = mileage.indexOf(category.value) !== -1;
    form.querySelectorAll("[data-when]").forEach(function (block) {
      var kind = block.getAttribute("data-when");
      var shown = kind === "mileage" ? isMileage : (kind === "receipt" ? !isMileage : true);
      block.hidden = !shown;
    });
  }
  category.addEventListener("change", update);
  update();
})();
