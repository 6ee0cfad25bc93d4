// The portal's one script (CSP: no inline script): a [data-print] button prints the page.
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.addEventListener("click", function () { window.print(); });
});
