/* The author panel's actions: trust, always hold or ban the author on this site (each
 * reversible), and moderators' notes on them; every change is on the author's audit trail,
 * listed below the buttons. */

import { call } from "./api.js";
import { ago, el, parseTime } from "./dom.js";

const STANDINGS = {
  none: "The site's ordinary rules apply.",
  trusted: "Trusted: no pre-moderation and no new-author hold (scores still count).",
  held: "Always held: every new comment waits for a moderator.",
  banned: "Banned: new comments are rejected, and the statement of reasons says so.",
};
const BUTTONS = [["trusted", "Trust"], ["held", "Always hold"], ["banned", "Ban from the site"],
                 ["none", "Back to the site's rules"]];

export function standingSection(author, id, redraw) {
  if (!author.email) return [];
  const note = el("input", { type: "text", class: "author-note", maxlength: "1000",
                             autocomplete: "off", "aria-label": "Note on this author" });
  const error = el("p", { class: "error", role: "alert" });
  const send = async (path, body) => {
    const result = await call("POST", `/v1/moderation/comments/${id}/author/${path}`, body);
    if (!result.ok) { error.textContent = result.message; return; }
    redraw();
  };
  const buttons = BUTTONS.filter(([standing]) => standing !== author.standing).map(
    ([standing, text]) => {
      const button = el("button", { type: "button", class: `standing-${standing}`,
                                    "data-standing": standing, text });
      button.addEventListener("click", () => send("standing",
                                                  { standing, note: note.value.trim() }));
      return button;
    });
  const addNote = el("button", { type: "button", class: "quiet", "data-note": "add",
                                 text: "Add note" });
  addNote.addEventListener("click", () => {
    if (note.value.trim()) send("notes", { note: note.value.trim() });
  });
  return [
    el("h5", { text: "Standing on this site" }),
    el("p", { class: "standing", "data-standing": author.standing,
              text: STANDINGS[author.standing] || author.standing }),
    el("p", { class: "standing-actions" }, ...buttons),
    el("p", { class: "standing-note" }, el("label", {}, "Note ", note), " ", addNote),
    error,
    author.events.length ? el("ol", { class: "author-events" }, ...author.events.map(eventItem))
      : null,
  ].filter(Boolean);
}

function eventItem(event) {
  const when = parseTime(event.created_at);
  const what = event.action === "note" ? "noted"
    : `${event.from_standing} → ${event.to_standing}`;
  return el("li", {}, el("b", { text: event.actor }), ` ${what}`,
            event.note ? el("span", {}, ": ", el("q", { text: event.note })) : null,
            when ? el("span", { class: "muted", text: ` ${ago(when)}` }) : null);
}
