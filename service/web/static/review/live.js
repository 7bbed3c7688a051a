/* Live queues: a "N new comments" prompt and ticking relative times, without a reload.
 *
 * Polling, not server-sent events: the API runs on gunicorn gthread workers, where an open
 * event stream would hold a worker thread per moderator tab, and proxies in front of it buffer
 * or cut long-lived responses. A poll is one cheap indexed query (queue-news counts ids above
 * the newest one the page knows), every NEWS_EVERY_MS while the tab is visible, and at once
 * when the moderator comes back to the tab.
 */

import { call } from "./api.js";
import { $, $$, ago, parseTime } from "./dom.js";
import { state } from "./state.js";

export const NEWS_EVERY_MS = 10_000;
const TICK_MS = 1000;
let ticker = null;

function newsQuery(afterId) {
  const params = new URLSearchParams({ queue: state.queue, after_id: String(afterId) });
  if (state.label) params.set("label", state.label);
  if (state.reason) params.set("reason", state.reason);
  if (state.author) params.set("author", state.author);
  if (state.q) params.set("q", state.q);
  return `/v1/moderation/queue-news?${params}`;
}

export function askNewest() {
  // Asked beside each queue load: the newest comment the queue held when it was drawn.
  return call("GET", newsQuery(0));
}

export function setBaseline(news, items) {
  // A comment can arrive between the two answers: the newest one shown counts as known too.
  const newest = news && news.ok ? news.body.newest_id || 0 : 0;
  state.newestId = Math.max(newest, ...items.map((item) => item.id));
  showNews(0);
}

export async function pollNews() {
  if (!state.token || state.newestId === null) return;
  const asked = { queue: state.queue, label: state.label, reason: state.reason,
                  after: state.newestId };
  const result = await call("GET", newsQuery(asked.after));
  // The view changed meanwhile: this count is about another queue or filter.
  const same = asked.queue === state.queue && asked.label === state.label
    && asked.reason === state.reason && asked.after === state.newestId;
  if (result.ok && same) showNews(result.body.new);
}

function showNews(count) {
  $("#news").hidden = count === 0;
  $("#news-text").textContent = count === 1 ? "1 new comment" : `${count} new comments`;
}

export function tickTimes() {
  for (const node of $$("[data-since]")) {
    const since = parseTime(node.dataset.since);
    if (since) node.textContent = ago(since);
  }
}

export function startTicking() {
  clearInterval(ticker);
  ticker = setInterval(tickTimes, TICK_MS);
}

export function stopTicking() { clearInterval(ticker); }
