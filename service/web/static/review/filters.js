/* The filters (label, reason, author, text, discarded spam) and the sentence that says what is
 * shown. */

import { $, el, optionValues } from "./dom.js";
import { loadQueue } from "./queue.js";
import { QUEUE_LABELS, state } from "./state.js";
import { writeView } from "./view.js";

export function filtered() {
  return Boolean(state.label || state.reason || state.author || state.q || state.discarded);
}

export function shownText() {
  const count = state.items.size;
  const queue = QUEUE_LABELS[state.queue].toLowerCase();
  const filter = [state.label && `label ${state.label.replaceAll("_", " ")}`,
                  state.reason && `reason ${state.reason}`,
                  state.author && `author ${state.author}`,
                  state.q && `text “${state.q}”`].filter(Boolean).join(" and ");
  return `Showing ${count}${state.cursor ? " or more" : ""} ${queue} comment${count === 1 ? "" : "s"}`
    + (filter ? ` with ${filter}` : "")
    + (state.discarded && state.queue === "spam" ? ", discarded ones too." : ".");
}

export function chooseFilter() {
  state.label = $("#filter-label").value;
  state.reason = $("#filter-reason").value;
  state.author = $("#filter-author").value.trim();
  const q = $("#filter-q").value.trim();
  state.q = q.length >= 2 ? q : "";  // the API searches for two characters or more
  state.discarded = $("#filter-discarded").checked ? "1" : "";
  $("#filter-clear").hidden = !filtered();
  writeView();
  loadQueue(false, true);
}

export function clearFilter() {
  $("#filter-label").value = "";
  $("#filter-reason").value = "";
  $("#filter-author").value = "";
  $("#filter-q").value = "";
  $("#filter-discarded").checked = false;
  chooseFilter();
  $("#filter-label").focus();  // the button just pressed is hidden now
}

export function offerReasons(items) {
  // The page comes with the pipeline's own codes; spam signals' codes join as comments show them.
  offerReasonCodes(items.flatMap((item) => item.reasons || []));
}

export function offerReasonCodes(codes) {
  const select = $("#filter-reason");
  const offered = new Set(optionValues(select).filter(Boolean));
  const seen = codes.filter((code) =>
    !code.startsWith("TOXIC:") && code.length <= 60 && !offered.has(code));
  if (seen.length === 0) return;
  const all = [...new Set([...offered, ...seen])].sort();
  select.replaceChildren(select.options[0],
    ...all.map((code) => el("option", { value: code, text: code })));
  select.value = state.reason;
}
