/* "Insert picture" beside a section's or answer's text box (issue 15, part 4).
 *
 * Without JavaScript the link opens the picture library in a new tab, where the Markdown
 * can be copied. With it, the link becomes a button that opens the library in a dialog:
 * search by description, or upload a new picture with its description; the picture's
 * Markdown goes into the text box where the cursor was. An upload refused (no
 * description, a file that is not a photo) says why and keeps the chosen file.
 * A static file, so the Content Security Policy needs no inline script.
 */
"use strict";

(function () {
  let dialog = null;
  let target = null; // { box, start, end }: where the picture goes
  let searchTimer = null;

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => node.setAttribute(name, value));
    if (text) node.textContent = text;
    return node;
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function buildDialog() {
    // Outside the edit form: a form may not hold another, and nothing here is saved with it.
    const box = element("dialog", { class: "picture-chooser", "aria-labelledby": "chooser-title" });
    box.append(element("h2", { id: "chooser-title" }, "Insert a picture"));

    const search = element("div", { class: "chooser-search", role: "search" });
    search.append(
      element("label", { for: "chooser-query" }, "Find a picture by what it shows"),
      element("input", { id: "chooser-query", type: "search", autocomplete: "off" })
    );
    const results = element("div", { class: "chooser-results", "aria-live": "polite" });

    const upload = element("fieldset", { class: "chooser-upload" });
    upload.append(
      element("legend", {}, "Or upload a new picture"),
      element("label", { for: "chooser-file" }, "Picture file (JPEG, PNG or WebP)"),
      element("input", { id: "chooser-file", type: "file", accept: "image/jpeg,image/png,image/webp" }),
      element("label", { for: "chooser-alt" }, "Describe what it shows, for people who cannot see it (required)"),
      element("input", { id: "chooser-alt", type: "text", maxlength: "250" }),
      element("p", { class: "chooser-errors", role: "alert" }),
      element("button", { type: "button", class: "chooser-upload-button" }, "Upload and insert")
    );
    const close = element("button", { type: "button", class: "chooser-close" }, "Cancel");
    box.append(search, results, upload, close);
    document.body.append(box);

    const query = box.querySelector("#chooser-query");
    query.addEventListener("input", () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(() => load(box.dataset.chooseUrl, query.value), 250);
    });
    query.addEventListener("keydown", (event) => {
      if (event.key === "Enter") event.preventDefault();
    });
    results.addEventListener("click", (event) => {
      const pick = event.target.closest(".chooser-pick");
      if (pick) insert(pick.dataset.markdown);
    });
    box.querySelector(".chooser-upload-button").addEventListener("click", () => send(box));
    close.addEventListener("click", () => box.close());
    box.addEventListener("close", () => {
      if (target) target.box.focus();
    });
    return box;
  }

  function load(url, query) {
    const results = dialog.querySelector(".chooser-results");
    results.setAttribute("aria-busy", "true");
    fetch(`${url}?q=${encodeURIComponent(query || "")}`, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        // Our own admin's HTML, escaped by Django's templates.
        results.innerHTML = html;
      })
      .catch(() => {
        results.textContent = "The picture library could not be opened. Please try again.";
      })
      .finally(() => results.removeAttribute("aria-busy"));
  }

  function showErrors(messages) {
    const errors = dialog.querySelector(".chooser-errors");
    errors.textContent = messages.join(" ");
  }

  function send(box) {
    const file = box.querySelector("#chooser-file");
    const alt = box.querySelector("#chooser-alt");
    if (!file.files.length) {
      showErrors(["Choose a picture file first."]);
      file.focus();
      return;
    }
    if (!alt.value.trim()) {
      // The file stays chosen: only the description is missing.
      showErrors(["Please describe what the picture shows. The file you chose is kept."]);
      alt.focus();
      return;
    }
    const data = new FormData();
    data.append("upload", file.files[0]);
    data.append("alt_text", alt.value.trim());
    showErrors([]);
    const button = box.querySelector(".chooser-upload-button");
    button.disabled = true;
    fetch(box.dataset.uploadUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken() },
    })
      .then((response) => response.json().then((body) => ({ ok: response.ok, body })))
      .then(({ ok, body }) => {
        if (ok) {
          file.value = "";
          alt.value = "";
          insert(body.markdown);
        } else {
          showErrors(Object.values(body.errors || {}).flat());
        }
      })
      .catch(() => showErrors(["The picture could not be sent. Please try again."]))
      .finally(() => {
        button.disabled = false;
      });
  }

  function insert(markdown) {
    if (!target) return;
    const { box, start, end } = target;
    const before = box.value.slice(0, start);
    const after = box.value.slice(end);
    // A picture on a line of its own, so it shows as a picture and not inside a sentence.
    const lead = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    const tail = after === "" || after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
    box.setRangeText(lead + markdown + tail, start, end, "end");
    // Whatever follows the text as it is typed (preview, checks, unsaved warning) hears it.
    box.dispatchEvent(new Event("input", { bubbles: true }));
    dialog.close();
  }

  function open(link) {
    // The text box just before the button (ids of a newly added row are renumbered).
    const box = link.closest(".picture-tools").previousElementSibling;
    if (!box || box.tagName !== "TEXTAREA") return;
    target = { box, start: box.selectionStart, end: box.selectionEnd };
    dialog = dialog || buildDialog();
    dialog.dataset.chooseUrl = link.dataset.chooseUrl;
    dialog.dataset.uploadUrl = link.dataset.uploadUrl;
    showErrors([]);
    dialog.showModal();
    load(link.dataset.chooseUrl, dialog.querySelector("#chooser-query").value);
  }

  function upgrade(root) {
    root.querySelectorAll("a.insert-picture").forEach((link) => {
      if (link.closest(".empty-form")) return; // upgraded once Django copies it
      const button = element("button", { type: "button", class: "insert-picture-button" }, "Insert picture");
      Object.assign(button.dataset, link.dataset);
      button.addEventListener("click", () => open(button));
      link.replaceWith(button);
    });
  }

  document.addEventListener("DOMContentLoaded", () => upgrade(document));
  // A section or question added on the page: Django announces it with this event.
  document.addEventListener("formset:added", (event) => upgrade(event.target));
})();
