/* What the card shows as the grounds for a reason: the marked sentences behind a label. */

import { el } from "./dom.js";

export function highlighted(body, explanations) {
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

export function labelSentences(explanations) {
  // The sentences behind each label, strongest first, as the API ranked them.
  return Object.entries(explanations).map(([label, hits]) => el("li", {},
    el("b", { text: label.replaceAll("_", " ") }), ": ",
    ...hits.map((hit) => el("q", { text: hit.text || "" }))));
}
