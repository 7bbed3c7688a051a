/* A card's audit trail, opened in place. */

import { call } from "./api.js";
import { showItemError } from "./card.js";
import { $, el, parseTime } from "./dom.js";

export async function toggleHistory(card) {
  if (!card) return;
  const list = $('[data-field="history-list"]', card);
  const button = $('[data-action="history"]', card);
  if (!list.hidden) {
    list.hidden = true;
    button.setAttribute("aria-expanded", "false");
    return;
  }
  const result = await call("GET", `/v1/moderation/comments/${card.dataset.id}/history`);
  if (!result.ok) return showItemError(Number(card.dataset.id), result.message);
  list.replaceChildren(...result.body.map((event) => {
    const when = parseTime(event.created_at);
    const why = [event.reason, ...(event.reasons || [])].filter(Boolean).join(", ");
    return el("li", {},
      el("time", { text: when ? when.toLocaleString() : event.created_at }), " ",
      el("b", { text: event.actor }), ` ${event.action}: ${event.from_status} → ${event.to_status}`,
      why ? ` (${why})` : "");
  }));
  list.hidden = false;
  button.setAttribute("aria-expanded", "true");
}
