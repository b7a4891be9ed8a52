/* Light or dark: the browser's preference (prefers-color-scheme) unless the user chose one with
   the navbar's ◐ button; the choice is kept per user in localStorage ("fp-theme:<username>").
   The theme is one attribute on <html>: Bootstrap reads data-bs-theme, AG Grid its
   data-ag-theme-mode, and app.css gives Plotly's charts their dark look from the same one. */
(function () {
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function key() {
    var button = document.getElementById("theme-toggle");
    var user = button ? button.getAttribute("data-user") : "";
    return "fp-theme:" + (user || "");
  }

  function stored() {
    try { return window.localStorage.getItem(key()); } catch (e) { return null; }
  }

  function wanted() {
    var choice = stored();
    if (choice === "dark" || choice === "light") { return choice; }
    return media && media.matches ? "dark" : "light";
  }

  function apply(theme) {
    var root = document.documentElement;
    if (root.getAttribute("data-bs-theme") !== theme) {
      root.setAttribute("data-bs-theme", theme);
    }
    if (document.body && document.body.getAttribute("data-ag-theme-mode") !== theme) {
      document.body.setAttribute("data-ag-theme-mode", theme);
    }
  }

  window.fpTheme = {current: wanted, apply: apply};
  apply(wanted());
  if (media && media.addEventListener) {
    media.addEventListener("change", function () { apply(wanted()); });
  }
  document.addEventListener("DOMContentLoaded", function () { apply(wanted()); });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#theme-toggle");
    if (!button) { return; }
    var next = wanted() === "dark" ? "light" : "dark";
    try { window.localStorage.setItem(key(), next); } catch (e) { /* private mode: this page only */ }
    apply(next);
  });
  /* the navbar (and its user) is drawn by Dash after this script runs: once it is there, the
     user's own choice applies */
  var watch = new MutationObserver(function () {
    if (document.getElementById("theme-toggle")) { apply(wanted()); watch.disconnect(); }
  });
  watch.observe(document.documentElement, {childList: true, subtree: true});
})();
