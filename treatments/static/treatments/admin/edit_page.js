/* The treatment edit page as a whole (issue 15, part 5). Each part works without it.
 *
 * 1. Order by number: typing a number in a question's or section's "Position" box moves
 *    it there at once (type 1 and press Tab: it is first) and renumbers the rest; without
 *    JavaScript the numbers are kept when the page is saved.
 * 2. "Close all" / "Open all" for the sections and the questions.
 * 3. Deleting a question from a page patients can see asks first.
 * 4. Leaving the page with changes not saved asks first.
 * A static file, so the Content Security Policy needs no inline script.
 */
"use strict";

// Loaded in the page's head (the admin's media): wait for the form.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("treatment_form");
  if (!form) return;
  let unsaved = false;

  // -- 1. Order by number ---------------------------------------------------------------

  function parts(group) {
    return Array.from(group.querySelectorAll(".inline-related:not(.empty-form)")).filter((part) =>
      part.querySelector("input[name$='-position']")
    );
  }

  function status(group) {
    let live = group.querySelector(".order-status");
    if (!live) {
      live = document.createElement("p");
      live.className = "order-status";
      live.setAttribute("aria-live", "polite");
      group.querySelector(".inline-heading").after(live);
    }
    return live;
  }

  function moveTo(group, part, wanted) {
    const list = parts(group);
    const to = Math.min(Math.max(wanted, 1), list.length) - 1;
    const others = list.filter((other) => other !== part);
    if (to < others.length) others[to].before(part);
    else others[others.length - 1].after(part);
    parts(group).forEach((each, index) => {
      each.querySelector("input[name$='-position']").value = index + 1;
    });
    const name = part.querySelector(".inline_label").textContent.trim();
    status(group).textContent = `Moved “${name}” to number ${to + 1} of ${list.length}.`;
    part.querySelector("input[name$='-position']").focus();
  }

  form.addEventListener("change", (event) => {
    const box = event.target;
    if (!box.matches(".ordered-inline input[name$='-position']")) return;
    const wanted = parseInt(box.value, 10);
    if (Number.isNaN(wanted)) return;
    moveTo(box.closest(".inline-group"), box.closest(".inline-related"), wanted);
  });

  // -- 2. Close all / Open all ----------------------------------------------------------

  function addToggle(group) {
    const heading = group.querySelector(".inline-heading");
    if (!heading || !group.querySelector(".inline-details")) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "toggle-parts";
    button.textContent = "Close all";
    button.addEventListener("click", () => {
      const open = button.textContent === "Open all";
      group.querySelectorAll(".inline-related:not(.empty-form) .inline-details").forEach((part) => {
        part.open = open;
      });
      button.textContent = open ? "Close all" : "Open all";
    });
    heading.append(" ", button);
  }
  document.querySelectorAll(".inline-group").forEach(addToggle);

  // -- 3. Deleting a question patients can see -------------------------------------------

  const live = document.querySelector(".top-actions[data-live='yes']") !== null;
  form.addEventListener("change", (event) => {
    const box = event.target;
    if (!live || !box.checked || !box.matches("input[name^='faqs-'][name$='-DELETE']")) return;
    const question = box.closest(".inline-related").querySelector(".inline_label").textContent.trim();
    const sure = window.confirm(
      `Patients can see “${question}” on the page now. Delete it? It goes from the page ` +
        "when your change is published."
    );
    if (!sure) box.checked = false;
  });

  // -- 4. Changes not saved -------------------------------------------------------------

  form.addEventListener("input", () => {
    unsaved = true;
  });
  form.addEventListener("change", () => {
    unsaved = true;
  });
  // Moving a part with the buttons or by dragging (editing.js) changes the order too.
  form.addEventListener("click", (event) => {
    if (event.target.closest(".order-button")) unsaved = true;
  });
  form.addEventListener("drop", () => {
    unsaved = true;
  });
  form.addEventListener("submit", (event) => {
    // Preview opens in a new tab and saves nothing: the changes are still unsaved here.
    const submitter = event.submitter;
    if (!submitter || submitter.getAttribute("formtarget") !== "_blank") unsaved = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (!unsaved) return;
    event.preventDefault();
    // Older browsers need a value here to ask; the words they show are their own.
    event.returnValue = "";
  });
});
