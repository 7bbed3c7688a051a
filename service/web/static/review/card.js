/* One card: the comment, why it is here, its author, its scores and its claim. */

import { $, $$, ago, el, parseTime, webLink } from "./dom.js";
import { highlighted, labelSentences, linkList, priorityText, termList } from "./evidence.js";
import { DONE, state } from "./state.js";

export function cardFor(id) { return $(`#items > .item[data-id="${id}"]`); }

export function renderItem(item) {
  const card = $("#item-template").content.firstElementChild.cloneNode(true);
  card.dataset.id = String(item.id);
  card.setAttribute("aria-label", `Comment ${item.id} by ${item.author.name || "anonymous"}`);
  const field = (name) => $(`[data-field="${name}"]`, card);

  field("author-name").textContent = item.author.name || "Anonymous";
  const article = item.article;
  field("article").replaceWith(article.permalink
    ? webLink(article.permalink, article.title || article.external_id)
    : el("span", { text: article.title || article.external_id }));
  field("status").textContent = item.discarded ? "spam · discarded" : item.status;
  field("status").dataset.status = item.status;
  field("body").replaceChildren(...highlighted(item.body, item.explanations || {},
                                               item.matched_terms || []));
  showInReply(card, item);

  field("reasons").replaceChildren(...(item.reasons || []).map(
    (reason) => el("li", { class: "reason", text: reason })));
  const author = [el("span", { text: item.author.email || "no email" })];
  if (item.author.url) author.push(" · ", webLink(item.author.url));
  if (item.author.ip) author.push(" · ", el("span", { text: `IP ${item.author.ip}` }));
  field("author").replaceChildren(...author);
  field("history").textContent = historyText(item.author_history || {}, item.author.email);
  field("flags").replaceChildren(...flagsText(item));
  const received = parseTime(item.created_at);
  field("received").textContent = received ? ago(received) : "";
  if (received) {
    field("received").title = received.toLocaleString();
    field("received").dataset.since = item.created_at;  // live.js keeps "n s ago" true
  }
  field("scores").replaceChildren(...scoreRows(item));
  const links = linkList(item.body);
  field("links").replaceChildren(...links);
  field("links").parentElement.parentElement.hidden = links.length === 0;  // the row, not <dd>
  field("language").textContent = item.language || "";
  field("language").parentElement.hidden = !item.language;
  const terms = termList(item.matched_terms || []);
  field("terms").replaceChildren(...terms);
  field("terms").parentElement.parentElement.hidden = terms.length === 0;
  field("priority").textContent = priorityText(item.priority_basis);
  field("priority").parentElement.hidden = !item.priority_basis;
  const sentences = labelSentences(item.explanations || {});
  field("sentences").replaceChildren(...sentences);
  field("sentences").parentElement.parentElement.hidden = sentences.length === 0;

  const select = $(".select", card);
  select.checked = state.selected.has(item.id);
  select.setAttribute("aria-label", `Select comment by ${item.author.name || "anonymous"}`);
  showClaim(card, item);
  return card;
}

export function showInReply(card, item) {
  // A reply's card says what it answers (context.js fetches the parents of a page at once).
  if (!card) return;
  const field = $('[data-field="in-reply"]', card);
  const parent = item.in_reply;
  field.hidden = !parent;
  if (!parent) return;
  field.replaceChildren("In reply to ", el("b", { text: parent.author_name || "Anonymous" }), ": ",
    el("q", { text: parent.excerpt + (parent.truncated ? "…" : "") }));
}

function historyText(history, email) {
  if (!email) return "No email given, so no history.";
  const parts = ["approved", "rejected", "spam", "held", "deleted"]
    .filter((status) => history[status]).map((status) => `${history[status]} ${status}`);
  const earlier = (history.approved || 0) + (history.rejected || 0) + (history.spam || 0);
  return earlier === 0 ? `First comment here (${parts.join(", ") || "no others"})` : parts.join(", ");
}

function flagsText(item) {
  if (!item.flags || item.flags.length === 0) return ["none"];
  return item.flags.map((flag, index) => el("span", { class: "flag" },
    index ? "; " : "", el("b", { text: flag.reason }),
    flag.note ? ` “${flag.note}”` : "", flag.resolved ? " (resolved)" : ""));
}

function scoreRows(item) {
  const scores = Object.entries(item.scores || {}).sort((a, b) => b[1] - a[1]);
  if (item.spam_score !== null && item.spam_score !== undefined) {
    scores.push(["spam", item.spam_score]);
  }
  if (scores.length === 0) return [el("p", { class: "muted", text: "Not scored yet." })];
  const rows = scores.map(([label, score]) => {
    const explained = Boolean((item.explanations || {})[label]);
    return el("div", { class: explained ? "score explained" : "score" },
      el("span", { class: "score-label", text: label.replaceAll("_", " ") }),
      el("meter", { min: "0", max: "1", low: "0.5", high: "0.8", optimum: "0",
                    value: String(score), "aria-label": `${label} score` }),
      el("span", { class: "score-value", text: score.toFixed(2) }));
  });
  if (item.model && item.model.name) {
    rows.push(el("p", { class: "muted model",
                        text: `${item.model.name} ${item.model.version || ""}`.trim() }));
  }
  return rows;
}

// A decision that would leave the comment where it is is not offered.
const SAME = { approve: "approved", reject: "rejected", spam: "spam", delete: "deleted",
               dismiss: null };

export function claimedByOther(item) {
  const until = parseTime(item.claimed_until);
  return Boolean(item.claimed_by && item.claimed_by !== state.me && until && until > new Date());
}

export function claimText(item) {
  const until = parseTime(item.claimed_until);
  const time = until.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return `Claimed by ${item.claimed_by} until ${time}`;
}

export function offered(item, action) {
  // Not on someone else's claim; not the status it has; reports are dismissed where they are
  // open, and the comment keeps its status.
  if (claimedByOther(item)) return false;
  if (action === "dismiss") return Boolean(item.reported);
  return item.status !== SAME[action];
}

export function showClaim(card, item) {
  if (!card) return;
  const badge = $('[data-field="claim"]', card);
  const until = parseTime(item.claimed_until);
  const left = until ? until.getTime() - Date.now() : 0;
  const mine = item.claimed_by && item.claimed_by === state.me;
  const claimButton = $('[data-action="claim"]', card);
  if (item.claimed_by && left > 0) {
    const minutes = `${Math.ceil(left / 60000)} min left`;
    badge.textContent = mine ? `Claimed by you · ${minutes}` : `${claimText(item)} (${minutes})`;
    badge.title = `until ${until.toLocaleString()}`;
    badge.classList.toggle("mine", Boolean(mine));
    badge.hidden = false;
  } else {
    badge.hidden = true;
  }
  claimButton.firstChild.textContent = mine && left > 0 ? "Release " : "Claim ";
  claimButton.hidden = claimedByOther(item);
  for (const button of $$(".actions [data-action]", card)) {
    if (button.dataset.action in SAME) button.hidden = !offered(item, button.dataset.action);
  }
  // In Spam, approving is saying "not spam": the site's spam model learns from it.
  $('[data-action="approve"]', card).firstChild.textContent =
    item.status === "spam" ? "Not spam " : "Approve ";
}

export function showDecided(card, decision) {
  // Who decided the comment last, when and why, without opening its history.
  if (!card || !decision) return;
  const when = parseTime(decision.created_at);
  const field = $('[data-field="decided"]', card);
  field.textContent = `${DONE[decision.action] || decision.action} by ${decision.actor}`
    + (when ? ` ${ago(when)}` : "") + (decision.reason ? `: ${decision.reason}` : "");
  if (when) field.title = when.toLocaleString();
  field.parentElement.hidden = false;
}

export function showItemError(id, message) {
  const card = cardFor(id);
  if (!card) return;
  const box = $('[data-field="error"]', card);
  box.textContent = message;
  box.hidden = !message;
  card.classList.toggle("conflict", Boolean(message));
}
