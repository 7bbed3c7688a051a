/* The queues' counts and the oldest waiting comment's age. */

import { call } from "./api.js";
import { cardFor, showClaim } from "./card.js";
import { $, duration } from "./dom.js";
import { state } from "./state.js";

export async function refreshStats() {
  const result = await call("GET", "/v1/moderation/stats");
  if (result.ok) showStats(result.body);
  // Claims expire as time passes: keep the "n min left" badges true.
  for (const item of state.items.values()) showClaim(cardFor(item.id), item);
}

export function showStats(stats) {
  for (const [queue, count] of Object.entries(stats.queues)) {
    const badge = $(`[data-count="${queue}"]`);
    if (badge) badge.textContent = String(count);
  }
  $("#queue-count").textContent = String(stats.queues[state.queue] ?? "");
  const oldest = stats.oldest_held_age_s;
  $("#oldest").textContent = oldest === null ? "" : `Oldest held: ${duration(oldest)}`;
  $("#refreshed").textContent = `Counts updated ${new Date().toLocaleTimeString()}`;
}
