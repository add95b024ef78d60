/* Admin editing helpers. A static file, so the Content Security Policy needs no inline script.
 *
 * 1. Sections and questions: "Move up" / "Move down" buttons and a drag handle on each,
 *    which renumber the "position" fields (the order patients see). Without JavaScript
 *    staff type the numbers instead.
 * 2. Image library: a "Copy" button beside the Markdown to paste.
 */
"use strict";

(function () {
  function items(group) {
    return Array.from(group.querySelectorAll(".inline-related")).filter(
      (item) => !item.classList.contains("empty-form") && item.querySelector("input[name$='-position']")
    );
  }

  function renumber(group) {
    items(group).forEach((item, index) => {
      item.querySelector("input[name$='-position']").value = index + 1;
    });
  }

  function move(group, item, step) {
    const list = items(group);
    const target = list[list.indexOf(item) + step];
    if (!target) return;
    target.insertAdjacentElement(step < 0 ? "beforebegin" : "afterend", item);
    renumber(group);
    item.querySelector(".order-controls button").focus();
  }

  function button(label, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "order-button";
    b.textContent = label;
    b.addEventListener("click", onClick);
    return b;
  }

  let dragged = null;

  function addControls(group, item) {
    const heading = item.querySelector("h3");
    if (!heading || heading.querySelector(".order-controls")) return;
    const bar = document.createElement("span");
    bar.className = "order-controls";
    const handle = document.createElement("span");
    handle.className = "drag-handle";
    handle.title = "Drag to move";
    handle.textContent = "⇅ Drag";
    // Only the handle starts a drag, so text in the boxes can still be selected.
    handle.addEventListener("mousedown", () => { item.draggable = true; });
    item.addEventListener("dragstart", (event) => {
      dragged = item;
      event.dataTransfer.effectAllowed = "move";
      item.classList.add("dragging");
    });
    item.addEventListener("dragend", () => {
      item.draggable = false;
      item.classList.remove("dragging");
      dragged = null;
    });
    item.addEventListener("dragover", (event) => {
      if (dragged && dragged !== item && items(group).includes(dragged)) event.preventDefault();
    });
    item.addEventListener("drop", (event) => {
      event.preventDefault();
      if (!dragged || dragged === item) return;
      const below = event.clientY > item.getBoundingClientRect().top + item.offsetHeight / 2;
      item.insertAdjacentElement(below ? "afterend" : "beforebegin", dragged);
      renumber(group);
    });
    bar.append(
      handle,
      button("Move up", () => move(group, item, -1)),
      button("Move down", () => move(group, item, 1))
    );
    heading.append(bar);
  }

  function setUpGroup(group) {
    items(group).forEach((item) => addControls(group, item));
  }

  function setUpSnippets() {
    document.querySelectorAll("input.markdown-snippet").forEach((input) => {
      if (input.nextElementSibling && input.nextElementSibling.classList.contains("copy-button")) return;
      const copy = button("Copy", () => {
        input.select();
        const done = () => { copy.textContent = "Copied"; };
        // Where the browser will not copy for us, the text is selected: Ctrl+C copies it.
        const fallback = () => {
          copy.textContent = document.execCommand("copy") ? "Copied" : "Selected: press Ctrl+C";
        };
        if (navigator.clipboard) {
          navigator.clipboard.writeText(input.value).then(done, fallback);
        } else {
          fallback();
        }
      });
      copy.className = "copy-button";
      input.insertAdjacentElement("afterend", copy);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll(".inline-group").forEach(setUpGroup);
    setUpSnippets();
  });
  // Django's inlines announce a newly added section or question with this event.
  document.addEventListener("formset:added", (event) => {
    const group = event.target.closest(".inline-group");
    if (group) {
      setUpGroup(group);
      renumber(group);
    }
  });
})();
