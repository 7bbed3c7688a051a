/* Context around a card, read-only: the parent a reply answers, the conversation it belongs to
 * and its author's record on the site. */

import { call } from "./api.js";
import { cardFor, showInReply, showItemError } from "./card.js";
import { $, ago, el, parseTime } from "./dom.js";
import { standingSection } from "./standing.js";
import { state } from "./state.js";

const EXCERPT = 300;  // characters of each comment in the author panel
const MAX_INDENT = 6;

export async function showParents(items) {
  const ids = items.filter((item) => item.parent_id).map((item) => item.id);
  if (ids.length === 0) return;
  const query = new URLSearchParams(ids.map((id) => ["ids", String(id)]));
  const result = await call("GET", `/v1/moderation/parents?${query}`);
  if (!result.ok) return;
  for (const parent of result.body) {
    const item = state.items.get(parent.comment_id);
    if (!item) continue;
    item.in_reply = parent;  // kept when the card is drawn again
    showInReply(cardFor(parent.comment_id), item);
  }
}

async function togglePanel(card, action, draw, redraw = false) {
  if (!card) return;
  const id = Number(card.dataset.id);
  const panel = $(`[data-field="${action}-panel"]`, card);
  const button = $(`[data-action="${action}"]`, card);
  if (!panel.hidden && !redraw) {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    return;
  }
  const result = await call("GET", `/v1/moderation/comments/${id}/${action}`);
  if (!result.ok) return showItemError(id, result.message);
  panel.replaceChildren(...draw(result.body, id, () => togglePanel(card, action, draw, true)));
  panel.hidden = false;
  button.setAttribute("aria-expanded", "true");
  panel.scrollIntoView({ block: "nearest" });
}

export const toggleConversation = (card) => togglePanel(card, "conversation", drawConversation);
export const toggleAuthor = (card) => togglePanel(card, "author", drawAuthor);

function when(value) {
  const date = parseTime(value);
  return date ? el("time", { datetime: value, title: date.toLocaleString(), "data-since": value,
                             text: ago(date) }) : null;
}

function entryHead(entry) {
  return el("p", { class: "entry-head" }, el("b", { text: entry.author_name || "Anonymous" }), " ",
    el("span", { class: "badge status", "data-status": entry.status, text: entry.status }), " ",
    when(entry.created_at));
}

function inThreadOrder(thread) {
  // Depth first from each top comment, so that indentation shows who answers whom.
  const byId = new Map(thread.map((entry) => [entry.id, entry]));
  const replies = new Map();
  const tops = [];
  for (const entry of thread) {
    if (byId.has(entry.parent_id)) {
      replies.set(entry.parent_id, [...(replies.get(entry.parent_id) || []), entry]);
    } else tops.push(entry);
  }
  const ordered = [];
  const stack = tops.reverse().map((entry) => [entry, 0]);
  while (stack.length) {
    const [entry, depth] = stack.pop();
    ordered.push([entry, depth]);
    for (const reply of (replies.get(entry.id) || []).slice().reverse()) {
      stack.push([reply, depth + 1]);
    }
  }
  return ordered;
}

function drawConversation(conversation, id) {
  const list = el("ol", { class: "thread" }, ...inThreadOrder(conversation.thread).map(
    ([entry, depth]) => {
      const self = entry.id === id;
      return el("li", { class: self ? "entry this" : "entry", "data-id": entry.id,
                        "data-depth": Math.min(depth, MAX_INDENT),
                        "aria-current": self ? "true" : null },
        entryHead(entry), self ? el("span", { class: "this-label", text: "this comment" }) : null,
        el("p", { class: "entry-body", text: entry.body }));
    }));
  const article = conversation.thread.length ? conversation.thread[0].article_title : "";
  return [el("h4", { text: `Conversation on ${article || "the article"}` }), list,
          conversation.truncated ? el("p", { class: "muted", text: "Only the first 200 comments "
            + "of this thread are shown." }) : null].filter(Boolean);
}

function drawAuthor(author, id, redraw) {
  const counts = Object.entries(author.counts).filter(([, count]) => count > 0)
    .map(([status, count]) => `${count} ${status}`).join(" · ");
  const comments = author.comments.map((entry) => el("li", {
    class: entry.id === id ? "entry this" : "entry", "data-id": entry.id,
    "aria-current": entry.id === id ? "true" : null },
  entryHead(entry), el("span", { class: "muted", text: `on ${entry.article_title}` }),
  el("p", { class: "entry-body", text: excerpt(entry.body) })));
  const reports = author.reports.map((report) => el("li", { class: "report" },
    el("b", { text: report.reason }), report.note ? ` “${report.note}”` : "",
    ` on comment ${report.comment_id}`, report.resolved ? " (resolved)" : "", " ",
    when(report.created_at)));
  return [
    el("h4", {}, el("span", { text: author.name || "Anonymous" }), " ",
       el("span", { class: "muted", text: author.email || "no email" })),
    el("p", { class: "author-counts", text: `On this site: ${counts || "no comments"}; `
      + `${author.report_count} report${author.report_count === 1 ? "" : "s"} against them.` }),
    author.email ? null : el("p", { class: "muted", text: "No email given: only this comment "
      + "can be told to be theirs." }),
    ...standingSection(author, id, redraw),
    el("h5", { text: "Their latest comments" }),
    el("ol", { class: "author-comments" }, ...comments),
    el("h5", { text: "Reports against them" }),
    reports.length ? el("ul", { class: "reports" }, ...reports)
      : el("p", { class: "muted", text: "None." }),
  ].filter(Boolean);
}

function excerpt(text) {
  const chars = Array.from(text);
  return chars.length > EXCERPT ? `${chars.slice(0, EXCERPT).join("")}…` : text;
}
