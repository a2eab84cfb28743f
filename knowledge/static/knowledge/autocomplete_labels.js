// Names the admin's autocomplete pickers for screen readers. Select2 labels its combobox by
// the text of the current choice only, so an empty picker has no name at all; this adds the
// field's own <label> in front. A static file, so the admin's CSP (script-src 'self') allows it.
"use strict";
{
    function nameCombobox(select) {
        if (!select.id) {
            return;
        }
        const label = document.querySelector(`label[for="${select.id}"]`);
        const container = select.nextElementSibling;
        const combobox = container && container.querySelector("[role=combobox]");
        if (!label || !combobox) {
            return;
        }
        if (!label.id) {
            label.id = `${select.id}-label`;
        }
        // The combobox and the box that shows the choice (role=textbox) both need a name.
        for (const element of [combobox, ...container.querySelectorAll("[role=textbox]")]) {
            const current = (element.getAttribute("aria-labelledby") || "").split(" ");
            if (!current.includes(label.id)) {
                element.setAttribute("aria-labelledby", [label.id, ...current].join(" ").trim());
            }
        }
    }

    function nameAll(root) {
        root.querySelectorAll("select.admin-autocomplete").forEach(nameCombobox);
    }

    // Whenever Select2 draws a picker (on load, and for each citation row added), name it.
    new MutationObserver(() => nameAll(document)).observe(document.documentElement, {
        childList: true,
        subtree: true,
    });
    window.addEventListener("load", () => nameAll(document));
}
