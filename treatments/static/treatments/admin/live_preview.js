/* The preview beside the form, on the treatment edit page. A static file: no inline script.
 *
 * On a wide screen the panel (live_editing.html) moves beside the form and shows the page as
 * patients will see it, from the copy on the page, saved or not. It follows the checks
 * (live_checks.js): each check posts the form with "_live_preview", the server keeps that
 * copy as this treatment's live preview and says which page to show and where; the frame
 * then loads it, at the part being edited (an answer on the questions page, at its
 * question). The preview is made by the public templates from the copy rendered and
 * cleaned as on save; it is an address of this site, which only the admin may frame.
 *
 * The panel shows the page from the editor's first change (or at a press of its button),
 * not on opening: opening the page to read it costs no request.
 *
 * On a narrow screen there is no panel: the Preview button opens the same preview in a new
 * tab, at the part being edited too (its address gets "?at=" and the box's name).
 */
"use strict";

(function () {
  const WIDE = window.matchMedia("(min-width: 1200px)");
  // The admin loads its scripts in <head>: the form is there once the page is parsed.
  function start() {
    const live = document.getElementById("live-editing");
    const panel = live && live.querySelector(".live-preview");
    const content = document.getElementById("content");
    if (!panel || !content) return;
    const form = live.closest("form");
    const frame = panel.querySelector("iframe");
    const toggle = panel.querySelector(".live-preview-toggle");
    const state = panel.querySelector(".live-preview-state");
    const showNow = panel.querySelector(".live-preview-now");
    // Preview sits at the top of the page and at the bottom: both open where the editor is.
    const previewButtons = Array.from(form.querySelectorAll(".preview-button"));
    const previewAction = previewButtons.length && previewButtons[0].getAttribute("formaction");

    let editing = "";
    let shown = 0;
    let stale = true;

    // Beside the form, not inside it: nothing in the panel is part of what is saved.
    content.append(panel);
    content.classList.add("has-live-preview");

    function open() {
      return WIDE.matches && toggle.getAttribute("aria-expanded") === "true";
    }

    function refresh() {
      document.dispatchEvent(new CustomEvent("live:refresh"));
    }

    function layout() {
      panel.hidden = !WIDE.matches;
      content.classList.toggle("live-preview-open", open());
      frame.hidden = !open() || !frame.getAttribute("src");
      // Shown before: bring it up to date with what changed while it was hidden.
      if (open() && stale && shown) refresh();
    }

    form.addEventListener("focusin", (event) => {
      const name = event.target.name;
      if (!name || name.startsWith("_") || name === editing) return;
      editing = name;
      previewButtons.forEach((button) => button.setAttribute("formaction", `${previewAction}?at=${encodeURIComponent(name)}`));
    });

    document.addEventListener("live:sending", (event) => {
      if (!open()) {
        stale = true;
        return;
      }
      event.detail.append("_live_preview", "1");
      event.detail.append("_preview_at", editing);
    });

    document.addEventListener("live:checked", (event) => {
      const preview = event.detail.preview;
      if (!preview || !open()) return;
      stale = false;
      shown += 1;
      state.textContent = "Updating the preview…";
      panel.dataset.loading = "1";
      showNow.hidden = true;
      // A new address each time, so the frame loads the new copy even at the same anchor.
      frame.src = `${preview.url}?v=${shown}${preview.anchor ? "#" + preview.anchor : ""}`;
      frame.hidden = false;
    });

    document.addEventListener("live:failed", () => {
      stale = true;
      delete panel.dataset.loading;
      state.textContent = "The preview could not be updated. It will try again as you type.";
    });

    // Links and forms in the preview that leave it (the site's other pages, booking) open in a
    // tab of their own: only the preview may be shown in this frame.
    function keepLinksOut(doc) {
      const inside = frame.src.split(/[?#]/)[0].replace(/faq\/$/, "");
      doc.querySelectorAll("a[href], form").forEach((element) => {
        const address = element.tagName === "A" ? element.href : element.action;
        if (address.startsWith(inside)) return;
        element.target = "_blank";
        if (element.tagName === "A") element.rel = "noopener";
      });
    }

    frame.addEventListener("load", () => {
      if (!frame.getAttribute("src")) return;
      delete panel.dataset.loading;
      keepLinksOut(frame.contentDocument);
      state.textContent = "Up to date: this is how patients will see the page. Nothing is saved until you press Save.";
      panel.dataset.shown = String(shown);
      panel.dispatchEvent(new CustomEvent("live:previewed", { bubbles: true }));
    });

    toggle.addEventListener("click", () => {
      const opening = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(opening));
      toggle.textContent = opening ? "Hide side panel" : "Show side panel";
      layout();
    });
    showNow.addEventListener("click", refresh);

    WIDE.addEventListener("change", layout);
    layout();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
