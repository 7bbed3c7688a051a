/* The queue list: loading a page of cards, choosing the queue and the sort. */

import { call } from "./api.js";
import { cardFor, renderItem, showDecided } from "./card.js";
import { showParents } from "./context.js";
import { currentCard, followScroll, setCurrent, updateSelection } from "./cursor.js";
import { $, $$, announce, pageError } from "./dom.js";
import { filtered, offerReasons, shownText } from "./filters.js";
import { askNewest, setBaseline } from "./live.js";
import { QUEUE_LABELS, state } from "./state.js";
import { writeView } from "./view.js";

export async function loadQueue(append = false, announceCount = false, keepCurrent = false) {
  // "Load more" while a page is loading would fetch it twice, or add to a list being replaced.
  if (append && state.loading) return;
  const load = ++state.loads;
  // A reload keeps the moderator on the comment they were on (by id), if it is still here.
  const keptId = keepCurrent && currentCard() ? currentCard().dataset.id : null;
  state.loading = true;
  pageError("");
  const params = new URLSearchParams({ queue: state.queue, sort: state.sort, limit: "50",
                                       include_claimed: "true" });
  if (state.label) params.set("label", state.label);
  if (state.reason) params.set("reason", state.reason);
  if (state.author) params.set("author", state.author);
  if (state.q) params.set("q", state.q);
  if (state.discarded && state.queue === "spam") params.set("include_discarded", "true");
  if (append && state.cursor) params.set("cursor", state.cursor);
  const [result, newest] = await Promise.all([
    call("GET", `/v1/moderation/queue?${params}`), append ? null : askNewest()]);
  // Choosing another queue, filter or sort meanwhile: the older answer may arrive last.
  if (load !== state.loads) return;
  state.loading = false;
  if (!result.ok) {
    pageError(`The queue could not be loaded: ${result.message}`);
    return;
  }
  const list = $("#items");
  if (!append) {
    list.replaceChildren(...$$(":scope > .toast", list));  // open undo offers stay
    state.items.clear();
    state.selected.clear();
  }
  for (const item of result.body.items) {
    state.items.set(item.id, item);
    list.append(renderItem(item));
  }
  state.cursor = result.body.next_cursor;
  $("#more").hidden = !state.cursor;
  $("#empty").hidden = state.items.size > 0;
  $("#empty").textContent = filtered() ? "Nothing in this queue matches the filter."
    : "Nothing in this queue.";
  if (!append) setBaseline(newest, result.body.items);
  offerReasons(result.body.items);
  showDecisions(result.body.items);
  showParents(result.body.items);
  updateSelection();
  if (!append) {
    const kept = keptId && $(`#items > .item[data-id="${keptId}"]`);
    if (kept) setCurrent(kept, false);
    else if (list.firstElementChild) setCurrent(list.firstElementChild, false);
    followScroll();
  }
  if (announceCount) announce(shownText());
}

export function chooseQueue(queue) {
  showQueue(queue);
  writeView();
  announce("");
  loadQueue();
}

export function showQueue(queue) {
  state.queue = queue;
  $$(".queue").forEach((button) => {
    if (button.dataset.queue === queue) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  });
  $("#queue-title").textContent = QUEUE_LABELS[queue];
  $("#discarded-toggle").hidden = queue !== "spam";  // blatant spam kept out of the queue
  $("#queue-count").textContent = $(`[data-count="${queue}"]`).textContent;
}

export function chooseSort(sort) {
  state.sort = sort;
  writeView();
  loadQueue();
}

const DECIDED = new Set(["approved", "rejected", "spam", "deleted"]);

async function showDecisions(items) {
  const ids = items.filter((item) => DECIDED.has(item.status)).map((item) => item.id);
  if (ids.length === 0) return;
  const query = new URLSearchParams(ids.map((id) => ["ids", String(id)]));
  const result = await call("GET", `/v1/moderation/last-decisions?${query}`);
  if (!result.ok) return;
  for (const decision of result.body) showDecided(cardFor(decision.comment_id), decision);
}
