/* The console's little glue, loaded in <head> (no inline script: CSP).
   - theme: applies the remembered light/dark choice before paint; the toggle cycles system → dark → light;
   - flash messages: dismiss buttons;
   - copy buttons: [data-copy] copies its value to the clipboard. */
(function () {
  "use strict";
  var KEY = "iamconsole-theme";
  var root = document.documentElement;
  function apply(theme) {
    if (theme === "dark" || theme === "light") root.setAttribute("data-theme", theme);
    else root.removeAttribute("data-theme");
  }
  try { apply(localStorage.getItem(KEY)); } catch (e) { /* storage disabled: follow the system */ }

  function label(button) {
    var theme = root.getAttribute("data-theme") || "system";
    button.textContent = "Theme: " + theme;
    button.setAttribute("aria-label", "Colour theme: " + theme + ". Change theme");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.getElementById("theme-toggle");
    if (toggle) {
      label(toggle);
      toggle.addEventListener("click", function () {
        var now = root.getAttribute("data-theme");
        var next = now === "dark" ? "light" : now === "light" ? null : "dark";
        apply(next);
        try {
          if (next) localStorage.setItem(KEY, next); else localStorage.removeItem(KEY);
        } catch (e) { /* not remembered */ }
        label(toggle);
      });
    }
  });

  document.addEventListener("change", function (event) {
    var all = event.target.closest("[data-select-all]");
    if (all) {
      var name = all.getAttribute("data-select-all");
      var table = all.closest("table");
      table.querySelectorAll('input[type="checkbox"][name="' + name + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    }
  });

  document.addEventListener("click", function (event) {
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      var flash = dismiss.closest(".flash");
      if (flash) flash.remove();
    }
    var copy = event.target.closest("[data-copy]");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        var old = copy.textContent;
        copy.textContent = "Copied";
        setTimeout(function () { copy.textContent = old; }, 1500);
      });
    }
  });
})();
