/* Undo: each decision leaves a toast where its card was, with an Undo button for a few
 * seconds. Undoing is another decision through the review API (action back to the previous
 * status, reason "Undo"; a dismissal of reports reopens them), so the audit history shows both. */

import { call } from "./api.js";
import { $, el } from "./dom.js";
import { loadQueue } from "./queue.js";
import { refreshStats } from "./stats.js";

const UNDO_MS = 10_000;
// The decision that puts a comment back where it was; a pending one goes back to Held.
const BACK = { approved: "approve", rejected: "reject", spam: "spam", deleted: "delete",
               held: "hold", pending: "hold" };
const toasts = [];

export function offerUndo(anchor, text, decisions) {
  // decisions: [{ id, from, version }], from = the status before, version = the one after.
  const button = el("button", { type: "button", class: "undo", "aria-keyshortcuts": "z" },
                    "Undo ", el("kbd", { "aria-hidden": "true", text: "z" }));
  const message = el("span", { class: "toast-text", text });
  const toast = el("li", { class: "toast", role: "status" }, message, button);
  anchor.before(toast);
  const entry = { toast, button, message, decisions };
  toasts.push(entry);
  button.addEventListener("click", () => undo(entry));
  entry.timer = setTimeout(() => dismiss(entry), UNDO_MS);
  return toast;
}

function dismiss(entry) {
  clearTimeout(entry.timer);
  entry.toast.remove();
  const index = toasts.indexOf(entry);
  if (index >= 0) toasts.splice(index, 1);
}

export function undoLatest() {
  // z again undoes the decision before, while its toast shows: the toasts are a stack.
  const entry = toasts.findLast((toast) => !toast.button.disabled);
  if (entry) undo(entry);
}

async function undo(entry) {
  clearTimeout(entry.timer);
  entry.button.disabled = true;
  const groups = new Map();
  for (const decision of entry.decisions) {
    const action = decision.reopen ? "reopen" : BACK[decision.from];
    groups.set(action, [...(groups.get(action) || []), decision]);
  }
  const failures = [];
  for (const [action, decisions] of groups) {
    const result = action === "reopen"
      ? await call("POST", `/v1/moderation/comments/${decisions[0].id}/reports`,
                   { action, version: decisions[0].version })
      : decisions.length === 1
      ? await call("POST", `/v1/moderation/comments/${decisions[0].id}/decision`,
                   { action, reason: "Undo", version: decisions[0].version })
      : await call("POST", "/v1/moderation/decisions",
                   { action, reason: "Undo", items: decisions.map(({ id, version }) =>
                     ({ id, version })) });
    if (!result.ok) failures.push(result.message);
    else if (result.body.results) {
      failures.push(...result.body.results.filter((r) => !r.ok).map((r) => r.message));
    }
  }
  entry.button.remove();
  entry.message.textContent = failures.length ? `Not undone: ${failures.join(" ")}` : "Undone.";
  entry.toast.classList.toggle("failed", failures.length > 0);
  entry.timer = setTimeout(() => dismiss(entry), UNDO_MS / 2);
  await loadQueue(false, false, true);
  refreshStats();
  // The queue was drawn anew: the toast keeps its place at the top of the list.
  if (entry.toast.isConnected === false) $("#items").prepend(entry.toast);
}
