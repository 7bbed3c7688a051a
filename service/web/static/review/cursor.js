/* The current card (the keyboard's target) and the selection (what bulk actions act on). */

import { $, $$ } from "./dom.js";
import { state } from "./state.js";

export function currentCard() { return $("#items > .item.current"); }

export function setCurrent(card, focus = true) {
  if (!card) return;
  $$("#items > .item.current").forEach((other) => other.classList.remove("current"));
  card.classList.add("current");
  if (focus) {
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }
}

export function move(step) {
  const cards = $$("#items > .item");
  if (cards.length === 0) return;
  const index = cards.indexOf(currentCard());
  const next = cards[Math.min(cards.length - 1, Math.max(0, index + step))];
  setCurrent(next);
}

export function toggleSelect(card) {
  if (!card) return;
  const id = Number(card.dataset.id);
  if (state.selected.has(id)) state.selected.delete(id);
  else state.selected.add(id);
  $(".select", card).checked = state.selected.has(id);
  updateSelection();
}

export function updateSelection() {
  for (const id of state.selected) if (!state.items.has(id)) state.selected.delete(id);
  const count = state.selected.size;
  $("#selected-count").textContent = `${count} selected`;
  $$("[data-bulk]").forEach((button) => { button.disabled = count === 0; });
  const all = $("#select-all");
  all.checked = count > 0 && count === state.items.size;
  all.indeterminate = count > 0 && count < state.items.size;
  $$("#items > .item").forEach((card) => {
    card.classList.toggle("selected", state.selected.has(Number(card.dataset.id)));
  });
}
