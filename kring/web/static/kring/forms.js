// Kring's forms: after a failed submit the error summary at the top of the form takes the focus, so it is on the
// screen and read out; a link in it puts the focus in its field (a plain jump would only scroll there).
(function () {
  "use strict";

  function focusSummary(scope) {
    const summary = scope.querySelector(".error-summary");
    if (!summary) return;
    summary.focus({ preventScroll: true });
    summary.scrollIntoView({ block: "start" });
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest(".error-summary a[data-field]");
    if (!link) return;
    const target = document.getElementById(link.dataset.field);
    if (!target) return;
    event.preventDefault();
    // A group of radio buttons or check boxes carries the id on its wrapper: focus its first choice.
    const field = target.matches("input, select, textarea, button") ? target : target.querySelector("input, select, textarea");
    const label = document.querySelector(`label[for="${CSS.escape(target.id)}"]`) || target;
    label.scrollIntoView({ block: "center" });
    (field || target).focus({ preventScroll: true });
  });

  document.addEventListener("DOMContentLoaded", () => focusSummary(document));
  // A form drawn again into part of the page (htmx, e.g. the network map's panel).
  document.addEventListener("htmx:afterSettle", (event) => focusSummary(event.target));
})();
