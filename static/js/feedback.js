/* "Is this page helpful?" answered in place.
 *
 * Without this script each form posts and a thank-you page follows. With it, the same
 * forms post in the background (asking for JSON), the page stays where it is, and after
 * "No" the optional comment box appears. Nothing is stored in the browser. A post that
 * cannot be sent falls back to the plain form, so an answer is never lost silently.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-feedback]");
  if (!root || !window.fetch || !window.FormData) return;
  var answer = root.querySelector("[data-feedback-answer]");
  var comment = root.querySelector("[data-feedback-comment]");
  var status = root.querySelector("[data-feedback-status]");

  function send(form, extra) {
    var data = new FormData(form);
    if (extra) data.append(extra.name, extra.value);
    return fetch(form.action, {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "omit",
    }).then(function (response) {
      return response.json();
    });
  }

  // Said by screen readers; with focus moved to it once the form it replaces is gone.
  function say(text, focus) {
    status.textContent = text;
    if (focus) {
      status.tabIndex = -1;
      status.focus();
    }
  }

  // The plain post, as without this script (form.submit() leaves out the button pressed).
  function plain(form, button) {
    if (button) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = button.name;
      input.value = button.value;
      form.append(input);
    }
    form.submit();
  }

  function busy(form, on) {
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (button) {
      button.disabled = on;
    });
  }

  answer.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.name) return;
    event.preventDefault();
    busy(answer, true);
    send(answer, button).then(function (result) {
      if (!result.ok) {
        busy(answer, false);
        say(result.message);
        return;
      }
      answer.hidden = true;
      if (button.value === "no" && result.token) {
        comment.querySelector("[name=token]").value = result.token;
        comment.hidden = false;
        say("Thank you. If you like, tell us what was missing or unclear.");
        comment.querySelector("textarea").focus();
      } else {
        say("Thank you for your feedback.", true);
      }
    }, function () {
      // No answer from the site: post the plain form instead.
      plain(answer, button);
    });
  });

  comment.addEventListener("submit", function (event) {
    event.preventDefault();
    busy(comment, true);
    send(comment).then(function (result) {
      busy(comment, false);
      if (!result.ok) {
        say(result.message);
        return;
      }
      comment.hidden = true;
      say("Thank you. We read every comment, but we cannot reply.", true);
    }, function () {
      plain(comment);
    });
  });
})();
