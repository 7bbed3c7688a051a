/* The review page: queues, items with scores and highlighted spans, decisions and claims.
 *
 * It talks to the review API with the moderator token as a Bearer token. The token lives in
 * sessionStorage: it is gone when the tab closes and is never put in a URL. The view (queue,
 * sort, label and reason filter) is: in the query string, to reload, bookmark and share.
 * Comment text, names and reasons are written strangers' text: they go on the page with
 * textContent only, never as HTML.
 */

const TOKEN_KEY = "moderation.token";
const ME_KEY = "moderation.me";
const STATS_EVERY_MS = 10_000;
const QUEUE_LABELS = { held: "Held", reported: "Reported", pending: "Pending", spam: "Spam",
                       approved: "Approved", rejected: "Rejected" };
const DONE = { approve: "Approved", reject: "Rejected", spam: "Marked as spam",
               delete: "Deleted" };
// What the page's URL holds, so that a view can be bookmarked and shared; defaults stay out of it.
const VIEW_DEFAULTS = { queue: "held", sort: "priority", label: "", reason: "" };
// Spam signals' codes (TOO_FAST, ...) are open-ended and offered only once a comment shows one,
// so a code from the URL is also taken if it has the shape of one.
const REASON_CODE = /^[A-Z][A-Z0-9_]{0,59}$/;

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  me: sessionStorage.getItem(ME_KEY),  // our own name, from /v1/moderation/me
  ...VIEW_DEFAULTS,  // queue, sort and the filter: label (TOXIC:<label>) and reason, "" for all
  items: new Map(),  // id -> review item, for the cards on the page
  cursor: null,
  loads: 0,  // numbers queue loads, so that only the latest one's answer is shown
  loading: false,
  selected: new Set(),
  timer: null,
};

/* ---------- the API ---------- */

async function call(method, path, body) {
  const headers = { Accept: "application/json", Authorization: `Bearer ${state.token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, credentials: "omit",
                                   body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (_) {
    return { ok: false, status: 0, body: null, message: "The review API could not be reached." };
  }
  let data = null;
  try { data = await response.json(); } catch (_) { /* empty or not JSON */ }
  const result = { ok: response.ok, status: response.status, body: data,
                   message: (data && data.message) || `The API answered ${response.status}.` };
  if (response.status === 401) signOut("Your token was not accepted (revoked or mistyped). Sign in again.");
  return result;
}

/* ---------- small helpers ---------- */

// widget.js has its own copy of this helper: it is a classic script on other sites' pages and,
// without a build step, cannot import this module.
function el(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

function parseTime(value) {
  // The API sends naive UTC times (no zone suffix).
  if (!value) return null;
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

function ago(date) {
  const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

function webLink(url, text) {
  // Only http(s) links: a "website" field must never become a javascript: URL.
  try {
    const parsed = new URL(url);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") {
      // A new tab keeps the moderator's place in the queue.
      return el("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer nofollow",
                       text: text || url });
    }
  } catch (_) { /* not a URL */ }
  return el("span", { text: text || url });
}

function announce(text) { $("#announce").textContent = text; }
function pageError(text) { $("#page-error").textContent = text || ""; }

/* ---------- signing in and out ---------- */

async function signIn(event) {
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

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(ME_KEY);
  Object.assign(state, { token: null, me: null });
  clearInterval(state.timer);
  $("#app").hidden = true;
  $("#who").hidden = true;
  $("#sign-in").hidden = false;
  $("#sign-in-error").textContent = typeof message === "string" ? message : "";
  $("#token").focus();
}

function start(stats) {
  $("#sign-in").hidden = true;
  $("#app").hidden = false;
  $("#who").hidden = false;
  showWho();
  call("GET", "/v1/moderation/me").then((result) => {
    if (!result.ok) return;
    state.me = result.body.name;
    sessionStorage.setItem(ME_KEY, state.me);
    showWho();
  });
  if (stats) showStats(stats);
  else refreshStats();
  loadQueue(false, filtered());  // say so when a bookmarked view opens filtered
  clearInterval(state.timer);
  state.timer = setInterval(() => {
    if (document.visibilityState === "visible") refreshStats();
  }, STATS_EVERY_MS);
}

function showWho() {
  $("#who-text").textContent = state.me ? `Signed in as ${state.me}` : "Signed in";
}

/* ---------- live counts ---------- */

async function refreshStats() {
  const result = await call("GET", "/v1/moderation/stats");
  if (result.ok) showStats(result.body);
  // Claims expire as time passes: keep the "n min left" badges true.
  for (const item of state.items.values()) showClaim(cardFor(item.id), item);
}

function showStats(stats) {
  for (const [queue, count] of Object.entries(stats.queues)) {
    const badge = $(`[data-count="${queue}"]`);
    if (badge) badge.textContent = String(count);
  }
  const oldest = stats.oldest_held_age_s;
  $("#oldest").textContent = oldest === null ? "" : `Oldest held: ${duration(oldest)}`;
  $("#refreshed").textContent = `Counts updated ${new Date().toLocaleTimeString()}`;
}

/* ---------- the queue ---------- */

async function loadQueue(append = false, announceCount = false) {
  // "Load more" while a page is loading would fetch it twice, or add to a list being replaced.
  if (append && state.loading) return;
  const load = ++state.loads;
  state.loading = true;
  pageError("");
  const params = new URLSearchParams({ queue: state.queue, sort: state.sort, limit: "50",
                                       include_claimed: "true" });
  if (state.label) params.set("label", state.label);
  if (state.reason) params.set("reason", state.reason);
  if (append && state.cursor) params.set("cursor", state.cursor);
  const result = await call("GET", `/v1/moderation/queue?${params}`);
  // Choosing another queue, filter or sort meanwhile: the older answer may arrive last.
  if (load !== state.loads) return;
  state.loading = false;
  if (!result.ok) {
    pageError(`The queue could not be loaded: ${result.message}`);
    return;
  }
  const list = $("#items");
  if (!append) {
    list.replaceChildren();
    state.items.clear();
    state.selected.clear();
  }
  for (const item of result.body.items) {
    state.items.set(item.id, item);
    list.append(renderItem(item));
  }
  state.cursor = result.body.next_cursor;
  $("#more").hidden = !state.cursor;
  $("#empty").hidden = state.items.size > 0;
  $("#empty").textContent = filtered() ? "Nothing in this queue matches the filter."
    : "Nothing in this queue.";
  offerReasons(result.body.items);
  updateSelection();
  if (!append && list.firstElementChild) setCurrent(list.firstElementChild, false);
  if (announceCount) announce(shownText());
}

function filtered() { return Boolean(state.label || state.reason); }

function shownText() {
  const count = state.items.size;
  const queue = QUEUE_LABELS[state.queue].toLowerCase();
  const filter = [state.label && `label ${state.label.replaceAll("_", " ")}`,
                  state.reason && `reason ${state.reason}`].filter(Boolean).join(" and ");
  return `Showing ${count}${state.cursor ? " or more" : ""} ${queue} comment${count === 1 ? "" : "s"}`
    + (filter ? ` with ${filter}.` : ".");
}

function chooseFilter() {
  state.label = $("#filter-label").value;
  state.reason = $("#filter-reason").value;
  $("#filter-clear").hidden = !filtered();
  writeView();
  loadQueue(false, true);
}

function clearFilter() {
  $("#filter-label").value = "";
  $("#filter-reason").value = "";
  chooseFilter();
  $("#filter-label").focus();  // the button just pressed is hidden now
}

function optionValues(select) { return $$("option", select).map((option) => option.value); }

function offerReasons(items) {
  // The page comes with the pipeline's own codes; spam signals' codes join as comments show them.
  offerReasonCodes(items.flatMap((item) => item.reasons || []));
}

function offerReasonCodes(codes) {
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

function chooseQueue(queue) {
  showQueue(queue);
  writeView();
  announce("");
  loadQueue();
}

function showQueue(queue) {
  state.queue = queue;
  $$(".queue").forEach((button) => {
    if (button.dataset.queue === queue) button.setAttribute("aria-current", "page");
    else button.removeAttribute("aria-current");
  });
  $("#queue-title").textContent = QUEUE_LABELS[queue];
}

function chooseSort(sort) {
  state.sort = sort;
  writeView();
  loadQueue();
}

/* ---------- the view in the URL ---------- */

function readView() {
  // A bookmarked or shared view; anything the page does not offer falls back to the default.
  const params = new URLSearchParams(location.search);
  const wanted = (name) => params.get(name) || VIEW_DEFAULTS[name];
  const queue = wanted("queue");
  showQueue(Object.hasOwn(QUEUE_LABELS, queue) ? queue : VIEW_DEFAULTS.queue);
  const sort = wanted("sort");
  state.sort = optionValues($("#sort")).includes(sort) ? sort : VIEW_DEFAULTS.sort;
  const label = wanted("label");
  state.label = optionValues($("#filter-label")).includes(label) ? label : VIEW_DEFAULTS.label;
  const reason = wanted("reason");
  if (REASON_CODE.test(reason)) offerReasonCodes([reason]);
  state.reason = optionValues($("#filter-reason")).includes(reason) ? reason
    : VIEW_DEFAULTS.reason;
  $("#sort").value = state.sort;
  $("#filter-label").value = state.label;
  $("#filter-reason").value = state.reason;
  $("#filter-clear").hidden = !filtered();
  writeView();  // a URL with values dropped above now says what is shown
}

function writeView() {
  // replaceState: no reload, and Back leaves the page rather than stepping through filters.
  const params = new URLSearchParams();
  for (const [name, fallback] of Object.entries(VIEW_DEFAULTS)) {
    if (state[name] !== fallback) params.set(name, state[name]);
  }
  const query = params.toString();
  history.replaceState(history.state, "",
                       `${location.pathname}${query ? `?${query}` : ""}${location.hash}`);
}

/* ---------- one card ---------- */

function cardFor(id) { return $(`#items > .item[data-id="${id}"]`); }

function renderItem(item) {
  const card = $("#item-template").content.firstElementChild.cloneNode(true);
  card.dataset.id = String(item.id);
  card.setAttribute("aria-label", `Comment ${item.id} by ${item.author.name || "anonymous"}`);
  const field = (name) => $(`[data-field="${name}"]`, card);

  field("author-name").textContent = item.author.name || "Anonymous";
  const article = item.article;
  field("article").replaceWith(article.permalink
    ? webLink(article.permalink, article.title || article.external_id)
    : el("span", { text: article.title || article.external_id }));
  field("status").textContent = item.status;
  field("status").dataset.status = item.status;
  field("body").replaceChildren(...highlighted(item.body, item.explanations || {}));

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
  if (received) field("received").title = received.toLocaleString();
  field("scores").replaceChildren(...scoreRows(item));

  const select = $(".select", card);
  select.checked = state.selected.has(item.id);
  select.setAttribute("aria-label", `Select comment by ${item.author.name || "anonymous"}`);
  showClaim(card, item);
  return card;
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

function highlighted(body, explanations) {
  // The API's offsets count Unicode code points (Python strings); JS strings count UTF-16
  // units, so index an array of code points to keep emoji from shifting the marks.
  const chars = Array.from(body);
  const spans = [];
  for (const [label, hits] of Object.entries(explanations)) {
    for (const hit of hits) spans.push({ label, ...hit });
  }
  if (spans.length === 0) return [body];
  const cuts = new Set([0, chars.length]);
  for (const span of spans) {
    cuts.add(Math.max(0, Math.min(chars.length, span.begin)));
    cuts.add(Math.max(0, Math.min(chars.length, span.end)));
  }
  const points = [...cuts].sort((a, b) => a - b);
  const nodes = [];
  for (let i = 0; i < points.length - 1; i += 1) {
    const [from, to] = [points[i], points[i + 1]];
    const text = chars.slice(from, to).join("");
    const covering = spans.filter((span) => span.begin <= from && span.end >= to);
    if (covering.length === 0) {
      nodes.push(text);
    } else {
      const why = covering.map((span) => `${span.label} ${span.score.toFixed(2)}`).join(", ");
      nodes.push(el("mark", { title: why, "data-labels": covering.map((s) => s.label).join(" "),
                              text }));
    }
  }
  return nodes;
}

function showClaim(card, item) {
  if (!card) return;
  const badge = $('[data-field="claim"]', card);
  const until = parseTime(item.claimed_until);
  const left = until ? until.getTime() - Date.now() : 0;
  const mine = item.claimed_by && item.claimed_by === state.me;
  const claimButton = $('[data-action="claim"]', card);
  if (item.claimed_by && left > 0) {
    const who = mine ? "you" : item.claimed_by;
    badge.textContent = `Claimed by ${who} · ${Math.ceil(left / 60000)} min left`;
    badge.title = `until ${until.toLocaleTimeString()}`;
    badge.classList.toggle("mine", Boolean(mine));
    badge.hidden = false;
  } else {
    badge.hidden = true;
  }
  claimButton.firstChild.textContent = mine && left > 0 ? "Release " : "Claim ";
}

function showItemError(id, message) {
  const card = cardFor(id);
  if (!card) return;
  const box = $('[data-field="error"]', card);
  box.textContent = message;
  box.hidden = !message;
  card.classList.toggle("conflict", Boolean(message));
}

/* ---------- focus and selection ---------- */

function currentCard() { return $("#items > .item.current"); }

function setCurrent(card, focus = true) {
  if (!card) return;
  $$("#items > .item.current").forEach((other) => other.classList.remove("current"));
  card.classList.add("current");
  if (focus) {
    card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
  }
}

function move(step) {
  const cards = $$("#items > .item");
  if (cards.length === 0) return;
  const index = cards.indexOf(currentCard());
  const next = cards[Math.min(cards.length - 1, Math.max(0, index + step))];
  setCurrent(next);
}

function toggleSelect(card) {
  if (!card) return;
  const id = Number(card.dataset.id);
  if (state.selected.has(id)) state.selected.delete(id);
  else state.selected.add(id);
  $(".select", card).checked = state.selected.has(id);
  updateSelection();
}

function updateSelection() {
  for (const id of state.selected) if (!state.items.has(id)) state.selected.delete(id);
  const count = state.selected.size;
  $("#selected-count").textContent = `${count} selected`;
  $$("[data-bulk]").forEach((button) => { button.disabled = count === 0; });
  const all = $("#select-all");
  all.checked = count > 0 && count === state.items.size;
  all.indeterminate = count > 0 && count < state.items.size;
  $$("#items > .item").forEach((card) => {
    card.classList.toggle("selected", state.selected.has(Number(card.dataset.id)));
  });
}

/* ---------- decisions ---------- */

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
  // Deciding clears reader reports, so a decided item always leaves the reported queue.
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
  const next = card.nextElementSibling || card.previousElementSibling;
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

async function decideOne(action, card) {
  if (!card) return;
  const id = Number(card.dataset.id);
  const item = state.items.get(id);
  let reason = "";
  if (action === "reject" || action === "delete") {
    reason = await askReason(action, 1);
    if (reason === null) return setCurrent(card);
  }
  showItemError(id, "");
  const result = await call("POST", `/v1/moderation/comments/${id}/decision`,
                            { action, reason, version: item.version });
  if (result.ok) {
    announce(`${DONE[action]}: comment ${id} by ${item.author.name || "anonymous"}.`);
    settle(id, result.body.status, result.body.version);
    refreshStats();
  } else if (result.status !== 401) {
    await reloadItem(id, `Not ${DONE[action].toLowerCase()}: ${result.message}`);
  }
}

async function decideSelected(action) {
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

async function toggleClaim(card) {
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

async function toggleHistory(card) {
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

/* ---------- wiring ---------- */

function onItemsClick(event) {
  const card = event.target.closest(".item");
  if (!card) return;
  if (event.target.matches(".select")) {
    const id = Number(card.dataset.id);
    if (event.target.checked) state.selected.add(id);
    else state.selected.delete(id);
    updateSelection();
    return;
  }
  const button = event.target.closest("[data-action]");
  setCurrent(card, !button && !event.target.closest("a"));
  if (!button) return;
  const action = button.dataset.action;
  if (action === "claim") toggleClaim(card);
  else if (action === "history") toggleHistory(card);
  else decideOne(action, card);
}

function onKey(event) {
  if ($("#app").hidden || $("#reason-dialog").open) return;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  // Typing in a field must not trigger shortcuts (checkboxes are fine).
  if (target.matches("input:not([type=checkbox]), textarea, select")) return;
  const card = currentCard();
  const actions = {
    j: () => move(1), k: () => move(-1), x: () => toggleSelect(card),
    a: () => decideOne("approve", card), r: () => decideOne("reject", card),
    s: () => decideOne("spam", card), d: () => decideOne("delete", card),
    c: () => toggleClaim(card), h: () => toggleHistory(card), u: () => loadQueue(),
    A: () => decideSelected("approve"), R: () => decideSelected("reject"),
    S: () => decideSelected("spam"), D: () => decideSelected("delete"),
  };
  const run = actions[event.key];
  if (!run) return;
  event.preventDefault();
  run();
}

function init() {
  $("#sign-in-form").addEventListener("submit", signIn);
  $("#sign-out").addEventListener("click", () => signOut());
  $$(".queue").forEach((button) => {
    button.addEventListener("click", () => chooseQueue(button.dataset.queue));
  });
  $("#sort").addEventListener("change", (event) => chooseSort(event.target.value));
  $("#filter-label").addEventListener("change", chooseFilter);
  $("#filter-reason").addEventListener("change", chooseFilter);
  $("#filter-clear").addEventListener("click", clearFilter);
  $("#reload").addEventListener("click", () => { loadQueue(); refreshStats(); });
  $("#more").addEventListener("click", () => loadQueue(true));
  $("#select-all").addEventListener("change", (event) => {
    state.selected = new Set(event.target.checked ? state.items.keys() : []);
    $$("#items .select").forEach((box) => { box.checked = event.target.checked; });
    updateSelection();
  });
  $$("[data-bulk]").forEach((button) => {
    button.addEventListener("click", () => decideSelected(button.dataset.bulk));
  });
  $("#items").addEventListener("click", onItemsClick);
  document.addEventListener("keydown", onKey);

  readView();
  if (state.token) start();
  else signOut();
}

init();
