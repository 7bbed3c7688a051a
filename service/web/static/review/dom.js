/* Small DOM and time helpers. Strangers' text goes on the page with textContent only. */

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

// widget.js has its own copy of this helper: it is a classic script on other sites' pages and,
// without a build step, cannot import this module.
export function el(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") element.textContent = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

export function parseTime(value) {
  // The API sends naive UTC times (no zone suffix).
  if (!value) return null;
  const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
  return Number.isNaN(date.getTime()) ? null : date;
}

export function ago(date) {
  const seconds = Math.max(0, Math.round((Date.now() - date.getTime()) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) return "";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

export function webLink(url, text) {
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

export function announce(text) { $("#announce").textContent = text; }
export function pageError(text) { $("#page-error").textContent = text || ""; }

export function optionValues(select) { return $$("option", select).map((option) => option.value); }
