/* "Is this right for me?" on a treatment page.
 *
 * Without this script the checklist is a plain list with its rule in words. With it,
 * each item gets a checkbox, and ticking any of them swaps the booking button for the
 * "talk to us first" route. The boxes belong to no form and have no name, and no
 * storage is used: what a patient ticks never leaves the page.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-checklist]");
  var booking = document.querySelector("[data-booking]");
  var talkFirst = document.querySelector("[data-talk-first]");
  if (!root || !booking || !talkFirst) return;
  var list = root.querySelector("[data-checklist-items]");
  var status = root.querySelector("[data-checklist-status]");

  // A fieldset and legend give the boxes one accessible group name.
  var fieldset = document.createElement("fieldset");
  var legend = document.createElement("legend");
  legend.textContent = "Tick any that apply to you now";
  list.replaceWith(fieldset);
  fieldset.append(legend, list);

  var boxes = Array.prototype.map.call(list.children, function (item, index) {
    var box = document.createElement("input");
    box.type = "checkbox";
    box.id = "checklist-" + (index + 1);
    // Not restored from the browser's form history on reload or back.
    box.autocomplete = "off";
    // The box inside its label: the whole row is the target, not just the small square.
    var label = document.createElement("label");
    label.htmlFor = box.id;
    label.append(box, document.createTextNode(item.textContent.trim()));
    item.replaceChildren(label);
    return box;
  });

  function ticked() {
    return boxes.filter(function (box) { return box.checked; }).length;
  }

  function show(announce) {
    var count = ticked();
    booking.hidden = count > 0;
    talkFirst.hidden = count === 0;
    if (!announce) return;
    // Said once by screen readers, so a swapped button is never a silent change.
    status.textContent = count
      ? "You ticked " + count + (count === 1 ? " item" : " items") +
        ". Please talk to us before you book."
      : "Nothing ticked. You can book below.";
  }

  fieldset.addEventListener("change", function () { show(true); });
  root.classList.add("is-interactive");
  show(false);
})();
