/* Decisions on one card or on the selection, and claims; conflicts are shown on the card. */

import { call } from "./api.js";
import { cardFor, claimText, claimedByOther, offered, renderItem, showClaim, showItemError }
  from "./card.js";
import { setCurrent, updateSelection } from "./cursor.js";
import { $, announce, pageError, parseTime } from "./dom.js";
import { showWho } from "./session.js";
import { DONE, ME_KEY, state } from "./state.js";
import { refreshStats } from "./stats.js";
import { offerUndo } from "./undo.js";

function askReason(action, count) {
  // Reject and delete take a reason, for the audit trail and the author's appeal.
  const dialog = $("#reason-dialog");
  const verb = action === "reject" ? "Reject" : "Delete";
  $("#reason-title").textContent = count > 1 ? `${verb} ${count} comments` : `${verb} comment`;
  $("#reason-confirm").textContent = verb;
  $("#reason-note").value = "";
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "confirm") return resolve(null);
      const reason = [$("#reason-choice").value, $("#reason-note").value.trim()]
        .filter(Boolean).join(": ");
      resolve(reason || verb.toLowerCase());
    }, { once: true });
    dialog.showModal();
    $("#reason-choice").focus();
  });
}

function staysInQueue(status) {
  // Deciding or dismissing clears reader reports, so the item always leaves the reported queue.
  return state.queue !== "reported" && status === state.queue;
}

function settle(id, status, version) {
  const item = state.items.get(id);
  const card = cardFor(id);
  if (!item || !card) return;
  if (staysInQueue(status)) {
    Object.assign(item, { status, version, claimed_by: null, claimed_until: null });
    const fresh = renderItem(item);
    card.replaceWith(fresh);
    if (card.classList.contains("current")) setCurrent(fresh, false);
    return;
  }
  const wasCurrent = card.classList.contains("current");
  const cards = [...card.parentElement.children].filter((other) => other.matches(".item"));
  const at = cards.indexOf(card);
  const next = cards[at + 1] || cards[at - 1];
  card.remove();
  state.items.delete(id);
  state.selected.delete(id);
  if (wasCurrent && next) setCurrent(next);
  $("#empty").hidden = state.items.size > 0;
}

async function reloadItem(id, message) {
  // After a conflict, show the comment as it is now, with what went wrong.
  const result = await call("GET", `/v1/moderation/comments/${id}`);
  const card = cardFor(id);
  if (result.ok && card) {
    state.items.set(id, result.body);
    const fresh = renderItem(result.body);
    const wasCurrent = card.classList.contains("current");
    card.replaceWith(fresh);
    if (wasCurrent) setCurrent(fresh);
  }
  showItemError(id, message);
}

export async function decideOne(action, card) {
  if (!card) return;
  const id = Number(card.dataset.id);
  const item = state.items.get(id);
  // In Reported, `a` on a published comment has always meant "its reports are unfounded".
  if (action === "approve" && state.queue === "reported" && item.status === "approved") {
    action = "dismiss";
  }
  if (claimedByOther(item)) {
    return showItemError(id, `${claimText(item)}: no decisions until the claim ends or is released.`);
  }
  if (!offered(item, action)) return showItemError(id, `It is ${item.status} already.`);
  let reason = "";
  if (action === "reject" || action === "delete") {
    reason = await askReason(action, 1);
    if (reason === null) return setCurrent(card);
  }
  showItemError(id, "");
  const dismiss = action === "dismiss";
  const result = dismiss
    ? await call("POST", `/v1/moderation/comments/${id}/reports`,
                 { action: "dismiss", version: item.version })
    : await call("POST", `/v1/moderation/comments/${id}/decision`,
                 { action, reason, version: item.version });
  if (result.ok) {
    const text = `${DONE[action]}: comment ${id} by ${item.author.name || "anonymous"}.`;
    announce(text);
    offerUndo(card, text, [{ id, from: item.status, version: result.body.version,
                             reopen: dismiss }]);
    if (dismiss) item.reported = false;
    settle(id, result.body.status, result.body.version);
    refreshStats();
  } else if (result.status !== 401) {
    await reloadItem(id, `Not ${DONE[action].toLowerCase()}: ${result.message}`);
  }
}

export async function decideSelected(action) {
  const ids = [...state.selected];
  if (ids.length === 0) return;
  let reason = "";
  if (action === "reject" || action === "delete") {
    reason = await askReason(action, ids.length);
    if (reason === null) return;
  }
  const items = ids.map((id) => ({ id, version: state.items.get(id).version }));
  const result = await call("POST", "/v1/moderation/decisions", { action, reason, items });
  if (!result.ok) {
    if (result.status !== 401) pageError(`Nothing was decided: ${result.message}`);
    return;
  }
  const failed = result.body.results.filter((r) => !r.ok);
  const decided = result.body.results.filter((r) => r.ok);
  const first = decided.map((r) => cardFor(r.id)).find(Boolean);
  if (first) {
    offerUndo(first, `${DONE[action]}: ${decided.length} comment${decided.length === 1 ? "" : "s"}.`,
              decided.map((r) => ({ id: r.id, from: state.items.get(r.id).status,
                                    version: r.version })));
  }
  for (const r of result.body.results) {
    if (r.ok) settle(r.id, r.status, r.version);
  }
  for (const r of failed) await reloadItem(r.id, `Not ${DONE[action].toLowerCase()}: ${r.message}`);
  updateSelection();
  const done = result.body.results.length - failed.length;
  announce(`${DONE[action]}: ${done} comment${done === 1 ? "" : "s"}.`
    + (failed.length ? ` ${failed.length} could not be changed (shown below).` : ""));
  if (failed.length) pageError(`${failed.length} of ${ids.length} were not changed: see the marked comments.`);
  refreshStats();
}

export async function toggleClaim(card) {
  if (!card) return;
  const id = Number(card.dataset.id);
  const item = state.items.get(id);
  const releasing = item.claimed_by && item.claimed_by === state.me
    && parseTime(item.claimed_until) > new Date();
  const result = await call(releasing ? "DELETE" : "POST", `/v1/moderation/comments/${id}/claim`);
  if (!result.ok) {
    if (result.status !== 401) await reloadItem(id, `Not claimed: ${result.message}`);
    return;
  }
  if (!releasing) {
    state.me = result.body.claimed_by;
    sessionStorage.setItem(ME_KEY, state.me);
    showWho();
  }
  Object.assign(item, { claimed_by: result.body.claimed_by,
                        claimed_until: result.body.claimed_until });
  showItemError(id, "");
  showClaim(card, item);
  announce(releasing ? `Released comment ${id}.` : `You hold comment ${id} for now.`);
}
