// The export page's "Select all" box (portal/spreadsheets/admin_forms.py). import-export's template wires it
// with an inline onchange= attribute, which the Content Security Policy does not run; the same
// handler (onSelectToggleChange, from import-export's script) is bound here. Each box gets an id,
// so that its label, in the same <div>, toggles it too.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("input.select-toggle").forEach((toggle, index) => {
    toggle.removeAttribute("onchange");
    toggle.id = `select-all-toggle-${index}`;
    const label = toggle.parentElement.querySelector("label");
    if (label) label.htmlFor = toggle.id;
    toggle.addEventListener("change", onSelectToggleChange);
  });
});
