/* The review page: queues, items with scores and highlighted spans, decisions and claims.
 *
 * This entry module wires the page's controls to the modules in review/, one concern each:
 * api (the review API), session (sign in and out), queue (the list), card (one comment),
 * context (parent, conversation and author panels),
 * evidence (marks in the text), cursor (current card, selection), decisions, history,
 * filters, view (the URL), stats (counts), live (new arrivals, ticking times), keyboard and
 * appeals (the appeals queue).
 * Comment text, names and reasons are written strangers' text: they go on the page with
 * textContent only, never as HTML.
 */

import { initAppeals } from "./review/appeals.js";
import { toggleAuthor, toggleConversation } from "./review/context.js";
import { followScroll, setCurrent, updateSelection } from "./review/cursor.js";
import { decideOne, decideSelected, toggleClaim } from "./review/decisions.js";
import { $, $$ } from "./review/dom.js";
import { chooseFilter, clearFilter } from "./review/filters.js";
import { toggleHistory } from "./review/history.js";
import { togglePolicy } from "./review/policy.js";
import { onKey } from "./review/keyboard.js";
import { chooseQueue, chooseSort, loadQueue } from "./review/queue.js";
import { refreshLive, signIn, signOut, start } from "./review/session.js";
import { state } from "./review/state.js";
import { refreshStats } from "./review/stats.js";
import { readView } from "./review/view.js";

function onItemsClick(event) {
  const card = event.target.closest(".item");
  if (!card) return;
  if (event.target.matches(".select")) {
    const id = Number(card.dataset.id);
    if (event.target.checked) state.selected.add(id);
    else state.selected.delete(id);
    updateSelection();
    return;
  }
  const button = event.target.closest("[data-action]");
  setCurrent(card, !button && !event.target.closest("a"));
  if (!button) return;
  const action = button.dataset.action;
  if (action === "claim") toggleClaim(card);
  else if (action === "history") toggleHistory(card);
  else if (action === "conversation") toggleConversation(card);
  else if (action === "author") toggleAuthor(card);
  else decideOne(action, card);
}

function init() {
  $("#sign-in-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", () => signOut());
  $$(".queue").forEach((button) => {
    button.addEventListener("click", () => chooseQueue(button.dataset.queue));
  });
  $("#sort").addEventListener("change", (event) => chooseSort(event.target.value));
  $("#filter-label").addEventListener("change", chooseFilter);
  $("#filter-reason").addEventListener("change", chooseFilter);
  for (const id of ["#filter-author", "#filter-q", "#filter-discarded"]) {
    $(id).addEventListener("change", chooseFilter);
  }
  $("#filter-clear").addEventListener("click", clearFilter);
  $("#reload").addEventListener("click", () => { loadQueue(false, false, true); refreshStats(); });
  $("#more").addEventListener("click", () => loadQueue(true));
  $("#news-show").addEventListener("click", () => { loadQueue(false, false, true); refreshStats(); });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") refreshLive();
  });
  $("#select-all").addEventListener("change", (event) => {
    state.selected = new Set(event.target.checked ? state.items.keys() : []);
    $$("#items .select").forEach((box) => { box.checked = event.target.checked; });
    updateSelection();
  });
  $$("[data-bulk]").forEach((button) => {
    button.addEventListener("click", () => decideSelected(button.dataset.bulk));
  });
  $("#items").addEventListener("click", onItemsClick);
  document.addEventListener("keydown", onKey);
  let scrolling = false;
  window.addEventListener("scroll", () => {
    if (scrolling) return;
    scrolling = true;
    requestAnimationFrame(() => { scrolling = false; followScroll(); });
  }, { passive: true });
  $("#keys-open").addEventListener("click", () => $("#keys-dialog").showModal());
  $("#policy-open").addEventListener("click", togglePolicy);

  readView();
  if (state.token) start();
  else signOut();
  initAppeals();
}

init();
