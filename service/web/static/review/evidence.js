/* What the card shows as the grounds for a reason: the marked sentences behind a label, the
 * site's listed words and keys the comment matched, and what its priority is made of. */

import { el } from "./dom.js";

export function highlighted(body, explanations, terms = []) {
  // The API's offsets count Unicode code points (Python strings); JS strings count UTF-16
  // units, so index an array of code points to keep emoji from shifting the marks.
  const chars = Array.from(body);
  const spans = [];
  for (const [label, hits] of Object.entries(explanations)) {
    for (const hit of hits) spans.push({ label, ...hit });
  }
  for (const { code, term, places } of terms) {
    for (const [begin, end] of places) spans.push({ label: code, term, begin, end });
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
      const why = covering.map((span) => (span.term === undefined
        ? `${span.label} ${span.score.toFixed(2)}` : `${span.label}: ${span.term}`)).join(", ");
      nodes.push(el("mark", { title: why, "data-labels": covering.map((s) => s.label).join(" "),
                              class: covering.some((s) => s.term !== undefined) ? "term" : null,
                              text }));
    }
  }
  return nodes;
}

// Web addresses as spam links are written; one pass over the text (linear).
const LINK = /\b(?:https?:\/\/|www\.)[^\s<>"'()]+/gi;

export function linksIn(body) {
  return [...body.matchAll(LINK)].map(([text]) => {
    const trimmed = text.replace(/[.,;:!?]+$/, "");
    let domain = "";
    try {
      domain = new URL(/^www\./i.test(trimmed) ? `http://${trimmed}` : trimmed).hostname;
    } catch (_) { /* not a URL after all */ }
    return { text: trimmed, domain };
  }).filter((link) => link.domain);
}

export function linkList(body) {
  // As text, never as links: a moderator checks spam links without visiting them.
  return linksIn(body).map((link) => el("li", {}, el("b", { text: link.domain }), " ",
                                         el("span", { class: "muted", text: link.text })));
}

export function termList(terms) {
  // The entries of the site's lists behind BANNED_WORD, SUSPECT_WORD and the keys.
  return terms.map(({ code, term, places }) => el("li", {}, el("b", { text: code }), " ",
    el("q", { text: term }), places.length ? "" : el("span", { class: "muted",
      text: " (in an author field, or written with look-alike letters)" })));
}

export function priorityText(basis) {
  // Comment.refresh_priority: the highest score, plus a weight per reader flag.
  if (!basis) return "";
  const parts = [];
  if (basis.top_label) parts.push(`${basis.top_label.replaceAll("_", " ")} ${basis.top_score.toFixed(2)}`);
  if (basis.flags) {
    parts.push(`${basis.flags} report${basis.flags === 1 ? "" : "s"} × ${basis.flag_weight}`);
  }
  return `${basis.priority.toFixed(2)}` + (parts.length ? ` = ${parts.join(" + ")}` : "");
}

export function labelSentences(explanations) {
  // The sentences behind each label, strongest first, as the API ranked them.
  return Object.entries(explanations).map(([label, hits]) => el("li", {},
    el("b", { text: label.replaceAll("_", " ") }), ": ",
    ...hits.map((hit) => el("q", { text: hit.text || "" }))));
}
