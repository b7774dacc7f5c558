/* Progressive enhancement of the receipts page: chosen or photographed files are sent at
   once (several in a row on a phone), and on a desktop several files can be dropped on the
   page. Without this script the inputs and the send button do the same. */
(function () {
  // Receipts still being read (in the background): look again in a few seconds.
  if (document.querySelector('[data-status="uploaded"]')) {
    window.setTimeout(function () { window.location.reload(); }, 4000);
  }
  var form = document.querySelector("[data-receipt-drop]");
  if (!form) { return; }
  var zone = form.querySelector("[data-drop-zone]");
  var inputs = form.querySelectorAll("input[type=file]");
  inputs.forEach(function (input) {
    input.addEventListener("change", function () {
      if (input.files.length) { form.submit(); }
    });
  });
  ["dragenter", "dragover"].forEach(function (name) {
    document.addEventListener(name, function (event) {
      event.preventDefault();
      zone.classList.add("over");
    });
  });
  document.addEventListener("dragleave", function () { zone.classList.remove("over"); });
  document.addEventListener("drop", function (event) {
    event.preventDefault();
    zone.classList.remove("over");
    if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
    var target = form.querySelector("#receipt-files");
    target.files = event.dataTransfer.files;
    inputs.forEach(function (input) { if (input !== target) { input.value = ""; } });
    form.submit();
  });
})();
