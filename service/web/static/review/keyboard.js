/* Keyboard shortcuts: one key per action on the current card, Shift for the selection.
 * The key map is the #keys-dialog in moderate.html (`?` opens it); the README's table copies it. */

import { currentCard, move, setCurrent, targetOnScreen, toggleSelect } from "./cursor.js";
import { toggleAuthor, toggleConversation } from "./context.js";
import { decideOne, decideSelected, toggleClaim } from "./decisions.js";
import { $, $$, announce } from "./dom.js";
import { toggleHistory } from "./history.js";
import { chooseQueue, loadQueue } from "./queue.js";
import { undoLatest } from "./undo.js";

const ON_CARD = {
  x: toggleSelect, a: (card) => decideOne("approve", card), r: (card) => decideOne("reject", card),
  s: (card) => decideOne("spam", card), d: (card) => decideOne("delete", card),
  c: toggleClaim, h: toggleHistory, v: toggleConversation, p: toggleAuthor,
};
const ON_PAGE = {
  j: () => move(1), k: () => move(-1), u: () => loadQueue(false, false, true),
  A: () => decideSelected("approve"), R: () => decideSelected("reject"),
  S: () => decideSelected("spam"), D: () => decideSelected("delete"),
  "?": () => $("#keys-dialog").showModal(), z: undoLatest, g: () => $("#appeals-tab").click(),
};

function backToQueue() {
  // Escape from a filter, the sort or a button: the shortcuts work again at once.
  document.activeElement.blur();
  const card = currentCard();
  if (card) card.focus({ preventScroll: true });
}

export function onKey(event) {
  if ($("#app").hidden || $$("dialog[open]").length) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target instanceof Element ? event.target : document.body;
  if (event.key === "Escape" && target !== document.body && !target.closest(".item")) {
    event.preventDefault();
    backToQueue();
    return;
  }
  // Typing in a field must not trigger shortcuts (checkboxes are fine).
  if (target.matches("input:not([type=checkbox]), textarea, select")) return;
  const queueButton = $$(".queue")[Number(event.key) - 1];
  if (/^[1-9]$/.test(event.key) && queueButton) {
    event.preventDefault();
    chooseQueue(queueButton.dataset.queue);
    return;
  }
  if (ON_PAGE[event.key]) {
    event.preventDefault();
    ON_PAGE[event.key]();
    return;
  }
  const act = ON_CARD[event.key];
  if (!act) return;
  event.preventDefault();
  const card = targetOnScreen();
  if (!card) {
    announce("The comment you were on is off screen: press the key again to act on the one "
             + "now marked.");
    return;
  }
  setCurrent(card, false);
  act(card);
}
