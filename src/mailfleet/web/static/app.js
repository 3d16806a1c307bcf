// Small progressive enhancements; every page works without this script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  // Filters apply as soon as a select changes (search forms only, never a change form).
  for (const select of document.querySelectorAll("form.filters[method=get] select")) {
    select.addEventListener("change", () => select.form.requestSubmit());
  }
  // A confirmation button cannot be pressed twice.
  for (const form of document.querySelectorAll("form[method=post]")) {
    form.addEventListener("submit", () => {
      for (const button of form.querySelectorAll("button[type=submit]")) button.disabled = true;
    });
  }
});
