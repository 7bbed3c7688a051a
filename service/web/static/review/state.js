/* What the page knows: the signed-in moderator, the view, the cards shown, the selection. */

export const TOKEN_KEY = "moderation.token";
export const ME_KEY = "moderation.me";
export const QUEUE_LABELS = { held: "Held", reported: "Reported", pending: "Pending",
                              spam: "Spam", approved: "Approved", rejected: "Rejected" };
export const DONE = { approve: "Approved", reject: "Rejected", spam: "Marked as spam",
                      delete: "Deleted", hold: "Held", dismiss: "Reports dismissed" };
// What the page's URL holds, so that a view can be bookmarked and shared; defaults stay out of it.
export const VIEW_DEFAULTS = { queue: "held", sort: "priority", label: "", reason: "", author: "",
                               q: "", discarded: "" };

export const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  me: sessionStorage.getItem(ME_KEY),  // our own name, from /v1/moderation/me
  ...VIEW_DEFAULTS,  // queue, sort and the filter: label (TOXIC:<label>) and reason, "" for all
  items: new Map(),  // id -> review item, for the cards on the page
  cursor: null,
  loads: 0,  // numbers queue loads, so that only the latest one's answer is shown
  loading: false,
  selected: new Set(),
  timer: null,
  newestId: null,  // the newest comment id in the queue when it was drawn (live.js)
};
