/* The main menu on a narrow screen: folded behind the "Menu" button, opened and closed by it.
   Without this script the menu simply stays open; on a wide screen the CSS hides the button. */
(function () {
  var button = document.querySelector(".menu-toggle");
  var menu = button && document.getElementById(button.getAttribute("aria-controls"));
  if (!menu) { return; }
  button.hidden = false;
  menu.classList.add("collapsible");
  button.addEventListener("click", function () {
    var open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("open", open);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      button.setAttribute("aria-expanded", "false");
      menu.classList.remove("open");
      button.focus();
    }
  });
})();
