/* Keyboard shortcuts: one key per action on the current card, Shift for the selection. */

import { currentCard, move, toggleSelect } from "./cursor.js";
import { decideOne, decideSelected, toggleClaim } from "./decisions.js";
import { $ } from "./dom.js";
import { toggleHistory } from "./history.js";
import { loadQueue } from "./queue.js";

export function onKey(event) {
  if ($("#app").hidden || $("#reason-dialog").open) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  // Typing in a field must not trigger shortcuts (checkboxes are fine).
  if (target.matches("input:not([type=checkbox]), textarea, select")) return;
  const card = currentCard();
  const actions = {
    j: () => move(1), k: () => move(-1), x: () => toggleSelect(card),
    a: () => decideOne("approve", card), r: () => decideOne("reject", card),
    s: () => decideOne("spam", card), d: () => decideOne("delete", card),
    c: () => toggleClaim(card), h: () => toggleHistory(card), u: () => loadQueue(),
    A: () => decideSelected("approve"), R: () => decideSelected("reject"),
    S: () => decideSelected("spam"), D: () => decideSelected("delete"),
  };
  const run = actions[event.key];
  if (!run) return;
  event.preventDefault();
  run();
}
