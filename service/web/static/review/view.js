/* The view (queue, sort and the filters) lives in the query string, to reload,
 * bookmark and share; anything the page does not offer falls back to the default. */

import { $, optionValues } from "./dom.js";
import { filtered, offerReasonCodes } from "./filters.js";
import { showQueue } from "./queue.js";
import { QUEUE_LABELS, VIEW_DEFAULTS, state } from "./state.js";

// Spam signals' codes (TOO_FAST, ...) are open-ended and offered only once a comment shows one,
// so a code from the URL is also taken if it has the shape of one.
const REASON_CODE = /^[A-Z][A-Z0-9_]{0,59}$/;

export function readView() {
  const params = new URLSearchParams(location.search);
  const wanted = (name) => params.get(name) || VIEW_DEFAULTS[name];
  const queue = wanted("queue");
  showQueue(Object.hasOwn(QUEUE_LABELS, queue) ? queue : VIEW_DEFAULTS.queue);
  const sort = wanted("sort");
  state.sort = optionValues($("#sort")).includes(sort) ? sort : VIEW_DEFAULTS.sort;
  const label = wanted("label");
  state.label = optionValues($("#filter-label")).includes(label) ? label : VIEW_DEFAULTS.label;
  const reason = wanted("reason");
  if (REASON_CODE.test(reason)) offerReasonCodes([reason]);
  state.reason = optionValues($("#filter-reason")).includes(reason) ? reason
    : VIEW_DEFAULTS.reason;
  $("#sort").value = state.sort;
  $("#filter-label").value = state.label;
  $("#filter-reason").value = state.reason;
  state.author = wanted("author").slice(0, 245);
  state.q = wanted("q").slice(0, 100);
  state.discarded = wanted("discarded") ? "1" : "";
  $("#filter-author").value = state.author;
  $("#filter-q").value = state.q;
  $("#filter-discarded").checked = Boolean(state.discarded);
  $("#filter-clear").hidden = !filtered();
  writeView();  // a URL with values dropped above now says what is shown
}

export function writeView() {
  // replaceState: no reload, and Back leaves the page rather than stepping through filters.
  const params = new URLSearchParams();
  for (const [name, fallback] of Object.entries(VIEW_DEFAULTS)) {
    if (state[name] !== fallback) params.set(name, state[name]);
  }
  const query = params.toString();
  history.replaceState(history.state, "",
                       `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
}
