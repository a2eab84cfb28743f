// citegrid: a matrix cell's quotes, opened in place.
//
// The page works without this script: its footnotes and lists of a cell's claims are in a
// <noscript> (#matrix-notes), which a browser without scripts shows as the page's own lists,
// and which a browser with scripts keeps as one text instead of thousands of elements. Here
// that text is parsed (once, on the first click, into an inert template) and a cell's
// footnotes, or its list of claims, are copied into one popover over the table.
(() => {
  "use strict";
  const store = document.getElementById("matrix-notes");
  if (!store) return;

  let notes = null;
  const parsed = () => {
    if (!notes) {
      const template = document.createElement("template");
      template.innerHTML = store.textContent;
      notes = template.content;
    }
    return notes;
  };

  // A browser that runs scripts but has no popovers: the footnotes go back into the page,
  // where the cells' links lead to them as they do without a script.
  if (!("showPopover" in HTMLElement.prototype)) {
    store.replaceWith(parsed().cloneNode(true));
    return;
  }

  const pop = document.createElement("div");
  pop.id = "matrix-pop";
  pop.className = "matrix-pop";
  pop.popover = "auto";
  pop.setAttribute("role", "dialog");
  pop.tabIndex = -1;
  document.body.append(pop);
  let opener = null;
  pop.addEventListener("toggle", (event) => {
    if (event.newState === "closed" && opener) opener.focus();
  });

  const closeButton = () => {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "matrix-pop__close";
    button.textContent = "Close";
    button.addEventListener("click", () => pop.hidePopover());
    return button;
  };

  // The footnotes whose "back" link returns to `cell` (a cell's, or a cell's list's, id).
  const footnotesOf = (cell) =>
    [...parsed().querySelectorAll(".footnotes__list > li")].filter(
      (li) => li.querySelector(`a[href="#${CSS.escape(cell)}"]`) !== null,
    );

  // What `hash` names, ready to show: a footnote with the others of its cell, or a cell's
  // list of claims.
  const content = (hash) => {
    let id;
    try {
      id = decodeURIComponent(hash.slice(1));
    } catch {
      return null; // a malformed escape in a hand-made link (#fn-%E0): nothing to open
    }
    const target = parsed().getElementById(id);
    if (!target) return null;
    if (id.startsWith("claims-")) {
      const group = target.cloneNode(true);
      group.removeAttribute("id");
      return { label: group.querySelector("h3").textContent, nodes: [group] };
    }
    const back = target.querySelector('a[href^="#"]:last-child');
    const cell = back ? back.getAttribute("href").slice(1) : "";
    const items = cell ? footnotesOf(cell) : [target];
    const list = document.createElement("ol");
    list.className = "footnotes__list";
    for (const li of items.length ? items : [target]) {
      const copy = li.cloneNode(true);
      copy.value = Number(copy.id.replace("fn-", ""));
      copy.removeAttribute("id");
      list.append(copy);
    }
    const named = target.querySelector("a:nth-last-of-type(2)");
    return { label: `Sources: ${named ? named.textContent : id}`, nodes: [list] };
  };

  const open = (hash, from) => {
    const found = content(hash);
    if (!found) return false;
    const title = document.createElement("h2");
    title.className = "matrix-pop__title";
    title.id = "matrix-pop-title";
    title.textContent = found.label;
    pop.replaceChildren(closeButton(), title, ...found.nodes);
    pop.setAttribute("aria-labelledby", title.id);
    opener = from;
    if (!pop.matches(":popover-open")) pop.showPopover();
    pop.focus();
    return true;
  };

  // Links to a footnote or to a cell's list of claims, in the table or in the popover.
  document.addEventListener("click", (event) => {
    const link = event.target.closest('a[href^="#fn-"], a[href^="#claims-"]');
    if (link && open(link.getAttribute("href"), opener && pop.contains(link) ? opener : link)) {
      event.preventDefault();
      return;
    }
    // A way back to a cell from the popover closes it, the focus going back to that cell.
    const back = event.target.closest('a[href^="#c"]');
    if (back && pop.contains(back)) {
      event.preventDefault();
      const cell = document.getElementById(back.getAttribute("href").slice(1));
      opener = cell ? cell.querySelector("a") || opener : opener;
      pop.hidePopover();
    }
  });

  // A shared link to a footnote (/matrix/#fn-3) opens it as a click would.
  if (/^#(fn|claims)-/.test(location.hash)) open(location.hash, null);

  // Printed, the page carries its footnotes after the table as it does without a script.
  const printed = () => {
    if (store.isConnected) store.replaceWith(parsed().cloneNode(true));
  };
  window.addEventListener("beforeprint", printed);
  matchMedia("print").addEventListener("change", (event) => event.matches && printed());
})();
