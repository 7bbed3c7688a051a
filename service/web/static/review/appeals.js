/* The appeals queue: authors' appeals of decisions, each with the comment, the decision
 * appealed and who made it, the author's note, and Uphold / Overturn. A moderator cannot
 * decide the appeal of their own decision: the API refuses, and the card says why.
 * Authors' notes and comments are strangers' text: textContent only.
 */

import { call } from "./api.js";
import { $, $$, ago, announce, el, parseTime } from "./dom.js";

const OUTCOME_DONE = { upheld: "upheld", overturned: "overturned: the comment is published" };

export function initAppeals() {
  $("#appeals-tab").addEventListener("click", showAppeals);
  $("#appeals-reload").addEventListener("click", loadAppeals);
  // Choosing any other queue leaves the appeals view.
  $$(".queue").forEach((button) => button.addEventListener("click", hideAppeals));
  $("#appeals-items").addEventListener("click", (event) => {
    const button = event.target.closest("[data-outcome]");
    if (button) decide(button.closest(".appeal"), button.dataset.outcome);
  });
  if (!$("#app").hidden) refreshCount();
}

function showAppeals() {
  $("main.review").hidden = true;
  $("#appeals").hidden = false;
  $$(".queue").forEach((button) => button.removeAttribute("aria-current"));
  $("#appeals-tab").setAttribute("aria-current", "page");
  loadAppeals();
}

function hideAppeals() {
  $("#appeals").hidden = true;
  $("main.review").hidden = false;
  $("#appeals-tab").removeAttribute("aria-current");
  refreshCount();
}

async function refreshCount() {
  const result = await call("GET", "/v1/moderation/appeals?limit=1");
  if (result.ok) showCounts(result.body);
}

function showCounts(queue) {
  $("#appeals-count").textContent = String(queue.counts.open);
  $("#appeals-total").textContent = String(queue.counts.open);
  const oldest = queue.oldest_open_age_s;
  $("#appeals-oldest").textContent = oldest === null ? ""
    : `Oldest appeal: ${ago(new Date(Date.now() - oldest * 1000))}`;
}

async function loadAppeals() {
  const result = await call("GET", "/v1/moderation/appeals?status=open&limit=100");
  const list = $("#appeals-items");
  if (!result.ok) {
    $("#appeals-error").textContent = `The appeals could not be loaded: ${result.message}`;
    return;
  }
  $("#appeals-error").textContent = "";
  showCounts(result.body);
  list.replaceChildren(...result.body.items.map(appealCard));
  $("#appeals-empty").hidden = result.body.items.length > 0;
}

function appealCard(appeal) {
  const { comment, decision } = appeal;
  const decided = parseTime(decision.at);
  const by = decision.automated ? "the automated checks" : decision.by;
  return el("li", { class: "appeal", "data-id": appeal.id },
    el("article", { class: "item-card" },
      el("div", { class: "item-head" },
        el("h3", { class: "item-title" }, el("span", { text: comment.author_name || "Anonymous" }),
          el("span", { class: "on", text: " on " }),
          el("span", { text: comment.article.title || comment.article.id })),
        el("span", { class: "badge status", text: decision.status }),
        appeal.spam_flagged ? el("span", { class: "badge", text: "spam verdict" }) : null),
      el("p", { class: "body", text: comment.body }),
      el("dl", { class: "facts" },
        el("div", {}, el("dt", { text: "Decision" }), el("dd", { class: "appeal-decision",
          text: `${decision.status} by ${by}${decided ? `, ${ago(decided)}` : ""}`
                + (decision.reason ? ` (${decision.reason})` : "") })),
        el("div", {}, el("dt", { text: "Appeal" }), el("dd", { class: "appeal-note",
          text: appeal.note || "(no note)" })),
        el("div", {}, el("dt", { text: "Appealed" }),
          el("dd", { text: ago(parseTime(appeal.created_at)) }))),
      el("label", { class: "appeal-reason-label", for: `appeal-reason-${appeal.id}`,
                    text: "Your reasons (the author reads them)" }),
      el("textarea", { class: "appeal-reason", id: `appeal-reason-${appeal.id}`, rows: "2",
                       maxlength: "500" }),
      el("p", { class: "item-error error", role: "alert" }),
      el("div", { class: "actions" },
        el("button", { type: "button", class: "reject", "data-outcome": "upheld",
                       text: "Uphold" }),
        el("button", { type: "button", class: "approve", "data-outcome": "overturned",
                       text: "Overturn and publish" }))));
}

async function decide(card, outcome) {
  const id = card.dataset.id;
  const buttons = $$("button", card);
  buttons.forEach((button) => { button.disabled = true; });
  const reason = $(".appeal-reason", card).value.trim();
  const result = await call("POST", `/v1/moderation/appeals/${id}/decision`, { outcome, reason });
  buttons.forEach((button) => { button.disabled = false; });
  if (!result.ok) {
    $(".item-error", card).textContent = result.message;
    return;
  }
  card.remove();
  announce(`Appeal ${id} ${OUTCOME_DONE[outcome]}.`);
  $("#appeals-empty").hidden = $$("#appeals-items > .appeal").length > 0;
  refreshCount();
}
