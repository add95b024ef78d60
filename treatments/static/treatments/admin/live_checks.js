/* Checks as you type, on the treatment edit page. A static file: the CSP needs no inline script.
 *
 * A moment after the typing stops (DELAY), the whole form is posted to the admin's "live"
 * address (treatments/editorial/admin/live.py), which saves nothing and answers with the
 * checks for the copy on the page: the "What to fix" panel, each section's and answer's
 * reading figures and findings (and the line it shows when closed), and the Markdown
 * mistakes in each box, shown beside it in plain words. The same mistakes are refused
 * when the form is saved, so without script the editor learns of them on Save.
 *
 * One request at a time: typing while one is on its way sends one more when it is back.
 * Before each request the page hears "live:sending" (with the FormData, which
 * live_preview.js adds to), after it "live:checked" (with the answer).
 *
 * Nothing is sent until the editor changes something, and a save waits for a check (and
 * the preview it brings) still on its way: the save then never shares the database with
 * it, and the check cannot outlive the page.
 */
"use strict";

(function () {
  const DELAY = 600;
  const MARKDOWN_BOX = /^((?:sections|faqs)-\d+)-(?:body|answer)$/;

  // The admin loads its scripts in <head>: the form is there once the page is parsed.
  function start() {
    const live = document.getElementById("live-editing");
    const form = live && live.closest("form");
    if (!form) return;

    let timer = null;
    let busy = false;
    let again = false;
    // A save held back while a check is on its way: its button, or the form itself.
    let held = null;

    function quiet() {
      return !busy && !document.querySelector(".live-preview[data-loading]");
    }

    function release() {
      if (!held || !quiet()) return;
      const submitter = held === form ? undefined : held;
      held = null;
      form.requestSubmit(submitter);
    }

    function list(items) {
      const ul = document.createElement("ul");
      ul.className = "checks";
      items.forEach((text) => {
        const li = document.createElement("li");
        li.textContent = text;
        ul.append(li);
      });
      return ul;
    }

    // What a closed section or question says of its text: words and reading grade.
    function showSummary(prefix, summary) {
      const item = document.getElementById(prefix);
      const line = item && item.querySelector(":scope > details.inline-details > summary");
      if (line && summary) line.textContent = summary;
    }

    function showNotes(prefix, notes) {
      const item = document.getElementById(prefix);
      const cell = item && item.querySelector(".field-guidance .readonly");
      if (!cell) return;
      cell.replaceChildren(notes.length ? list(notes) : "No problems found.");
    }

    function problemsBox(textarea) {
      const id = textarea.id + "-problems";
      let box = document.getElementById(id);
      if (!box) {
        box = document.createElement("div");
        box.id = id;
        box.className = "markdown-problems";
        // Read out when mistakes appear or go, not on every keystroke.
        box.setAttribute("aria-live", "polite");
        textarea.insertAdjacentElement("afterend", box);
      }
      return box;
    }

    function showProblems(textarea, problems) {
      const box = problemsBox(textarea);
      const described = (textarea.getAttribute("aria-describedby") || "").split(" ").filter((id) => id && id !== box.id);
      if (problems.length) {
        const lead = document.createElement("p");
        lead.textContent = "Patients would see this text broken. It cannot be saved until this is fixed:";
        box.replaceChildren(lead, list(problems));
        described.push(box.id);
      } else {
        box.replaceChildren();
      }
      textarea.classList.toggle("has-markdown-problems", problems.length > 0);
      if (described.length) textarea.setAttribute("aria-describedby", described.join(" "));
      else textarea.removeAttribute("aria-describedby");
    }

    function show(answer) {
      const panel = form.querySelector(".field-checks .readonly");
      // Made by the server from escaped text (format_html), like the panel it replaces.
      if (panel) panel.innerHTML = answer.checks;
      Object.entries(answer.parts).forEach(([prefix, part]) => {
        showSummary(prefix, part.summary);
        showNotes(prefix, part.notes);
      });
      form.querySelectorAll("textarea").forEach((textarea) => {
        const match = MARKDOWN_BOX.exec(textarea.name);
        if (!match) return;
        const part = answer.parts[match[1]];
        showProblems(textarea, part ? part.problems : []);
      });
    }

    async function send() {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      const data = new FormData(form);
      document.dispatchEvent(new CustomEvent("live:sending", { detail: data }));
      try {
        const response = await fetch(live.dataset.url, {
          method: "POST",
          body: data,
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (!response.ok) throw new Error(`status ${response.status}`);
        const answer = await response.json();
        show(answer);
        document.dispatchEvent(new CustomEvent("live:checked", { detail: answer }));
      } catch (error) {
        // Signed out, or the site is unreachable: the checks catch up on the next save.
        document.dispatchEvent(new CustomEvent("live:failed", { detail: String(error) }));
      } finally {
        busy = false;
        if (again) {
          again = false;
          send();
        }
        // After every listener of "live:checked" has run: the preview may be loading now.
        queueMicrotask(release);
      }
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(send, DELAY);
    }

    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    form.addEventListener("submit", (event) => {
      // Leaving the box for Save fires "change": the save checks everything itself.
      clearTimeout(timer);
      again = false;
      const submitter = event.submitter;
      // Preview opens a tab of its own: it is never held (a browser would block the tab).
      if (quiet() || (submitter && submitter.formTarget)) return;
      event.preventDefault();
      held = submitter || form;
    });
    document.addEventListener("live:previewed", release);
    // Move up / Move down, Add another, Remove: the copy changes without typing.
    form.addEventListener("click", (event) => {
      if (event.target.closest("button[type=button], .add-row a, .inline-deletelink")) schedule();
    });
    document.addEventListener("formset:added", schedule);
    document.addEventListener("formset:removed", schedule);
    // Asked for by live_preview.js when the panel opens: check (and show) right away.
    document.addEventListener("live:refresh", () => {
      clearTimeout(timer);
      send();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
