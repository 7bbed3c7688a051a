/* Signing in and out. The token lives in sessionStorage: gone when the tab closes. */

import { call, whenUnauthorized } from "./api.js";
import { $ } from "./dom.js";
import { filtered } from "./filters.js";
import { NEWS_EVERY_MS, pollNews, startTicking, stopTicking } from "./live.js";
import { offerPolicy } from "./policy.js";
import { loadQueue } from "./queue.js";
import { ME_KEY, TOKEN_KEY, state } from "./state.js";
import { refreshStats, showStats } from "./stats.js";

whenUnauthorized((message) => signOut(message));

export async function signIn(event) {
  event.preventDefault();
  const token = $("#token").value.trim();
  if (!token) return;
  state.token = token;
  const check = await call("GET", "/v1/moderation/stats");
  if (!check.ok) {
    state.token = null;
    $("#sign-in-error").textContent = check.status === 401
      ? "That token was not accepted." : check.message;
    return;
  }
  sessionStorage.setItem(TOKEN_KEY, token);
  $("#token").value = "";
  start(check.body);
}

export function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(ME_KEY);
  Object.assign(state, { token: null, me: null });
  clearInterval(state.timer);
  stopTicking();
  $("#app").hidden = true;
  $("#policy-open").hidden = true;
  $("#policy").hidden = true;
  $("#who").hidden = true;
  $("#sign-in").hidden = false;
  $("#sign-in-error").textContent = typeof message === "string" ? message : "";
  $("#token").focus();
}

export function start(stats) {
  $("#sign-in").hidden = true;
  $("#app").hidden = false;
  $("#who").hidden = false;
  showWho();
  call("GET", "/v1/moderation/me").then((result) => {
    if (!result.ok) return;
    state.me = result.body.name;
    sessionStorage.setItem(ME_KEY, state.me);
    showWho();
    offerPolicy(result.body);
  });
  showModels();
  if (stats) showStats(stats);
  else refreshStats();
  loadQueue(false, filtered());  // say so when a bookmarked view opens filtered
  clearInterval(state.timer);
  state.timer = setInterval(() => {
    if (document.visibilityState === "visible") refreshLive();
  }, NEWS_EVERY_MS);
  startTicking();
}

export function refreshLive() {
  // Counts and new arrivals, on a timer and when the moderator comes back to the tab.
  if (!state.token) return;
  refreshStats();
  pollNews();
}

export function showWho() {
  $("#who-text").textContent = state.me ? `Signed in as ${state.me}` : "Signed in";
}

async function showModels() {
  // Offer only the labels the live model scores, and say so while a worker runs the fallback.
  const result = await call("GET", "/v1/moderation/models");
  if (!result.ok) return;
  const { labels, offline_fallback: fallback } = result.body;
  if (labels.length) {
    for (const option of $("#filter-label").options) {
      option.hidden = Boolean(option.value) && !labels.includes(option.value)
        && option.value !== state.label;
    }
  }
  $("#model-banner").hidden = !fallback;
  $("#model-banner").textContent = fallback ? "A worker runs the offline fallback model, not "
    + "Detoxify: only toxicity is scored, English only. Other labels are not offered." : "";
}
