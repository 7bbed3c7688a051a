/* The current card (the keyboard's target) and the selection (what bulk actions act on).
 *
 * The current card is always one the moderator can see: scrolling moves it to the first card
 * on screen, a reload keeps it by comment id, and an action asked for an off-screen card is
 * not carried out (the target moves on screen first).
 */

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

function viewTop() {
  // The sticky header covers the top of the viewport: a card under it is not seen.
  const header = $("#review-header");
  return header ? Math.max(0, header.getBoundingClientRect().bottom) : 0;
}

export function onScreen(card) {
  // Seen enough to read: a good part of it lies in the window below the sticky header.
  const box = card.getBoundingClientRect();
  const seen = Math.min(box.bottom, window.innerHeight) - Math.max(box.top, viewTop());
  return seen >= Math.min(box.height, 100);
}

export function firstOnScreen() { return $$("#items > .item").find(onScreen) || null; }

export function followScroll() {
  // Keep the keyboard's target among the cards in view, without moving the page.
  const current = currentCard();
  if (current && onScreen(current)) return;
  const seen = firstOnScreen();
  if (!seen) return;
  const hadFocus = current && document.activeElement === current;
  setCurrent(seen, false);
  if (hadFocus) seen.focus({ preventScroll: true });
}

export function targetOnScreen() {
  // The card an action applies to, or null when it is off screen (the target moves into view).
  const card = currentCard();
  if (card && onScreen(card)) return card;
  followScroll();
  return null;
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
