/* For admin tokens: the site's threshold suggestion (from its moderators' decisions) with an
 * Apply button, and its shadow policies with their reports and Promote / Stop. Both go through
 * the admin API, which records each change as an audited settings change. */

import { call } from "./api.js";
import { $, el } from "./dom.js";

const DAYS = 30;
const STATUSES = ["approved", "held", "rejected", "spam", "deleted"];

export function offerPolicy(me) {
  $("#policy-open").hidden = me.role !== "admin";
}

export async function togglePolicy() {
  const section = $("#policy");
  const button = $("#policy-open");
  if (!section.hidden) {
    section.hidden = true;
    button.setAttribute("aria-expanded", "false");
    return;
  }
  section.hidden = false;
  button.setAttribute("aria-expanded", "true");
  const sites = await call("GET", "/v1/admin/sites");
  if (!sites.ok) return section.replaceChildren(error(sites.message));
  const choice = el("select", { id: "policy-site" }, ...sites.body.map(
    (site) => el("option", { value: site.id, text: site.name })));
  const body = el("div", { id: "policy-body" });
  choice.addEventListener("change", () => drawSite(Number(choice.value), body));
  section.replaceChildren(el("h2", { text: "Thresholds and shadow policies" }),
    el("label", { class: "inline" }, "Site ", choice), body);
  if (sites.body.length) drawSite(sites.body[0].id, body);
  section.scrollIntoView({ block: "nearest" });
}

async function drawSite(siteId, body) {
  const [suggestion, policies] = await Promise.all([
    call("GET", `/v1/admin/sites/${siteId}/threshold-suggestion?days=${DAYS}`),
    call("GET", `/v1/admin/sites/${siteId}/shadow-policies`)]);
  const redraw = () => drawSite(siteId, body);
  const shadow = el("section", { class: "shadow", "aria-label": "Shadow policies" },
                    el("h3", { text: "Shadow policies" }));
  body.replaceChildren(thresholds(siteId, suggestion, redraw), shadow);
  if (!policies.ok) return shadow.append(error(policies.message));
  if (!policies.body.length) {
    return shadow.append(el("p", { class: "muted", text: "No shadow policy has run on this site "
      + "(start one with POST /v1/admin/sites/{id}/shadow-policies)." }));
  }
  for (const policy of policies.body.slice(0, 3)) {
    const report = await call("GET",
                              `/v1/admin/sites/${siteId}/shadow-policies/${policy.id}/report`);
    shadow.append(report.ok ? shadowReport(siteId, policy, report.body, redraw)
      : error(report.message));
  }
}

function thresholds(siteId, answer, redraw) {
  const box = el("section", { class: "thresholds", "aria-label": "Threshold suggestion" },
                 el("h3", { text: "Threshold suggestion" }));
  if (!answer.ok) {
    box.append(el("p", { class: "muted too-few", text: answer.message }));
    return box;
  }
  const s = answer.body;
  box.append(el("p", { class: "basis", text: `Rests on ${s.decisions} moderator decisions `
    + `(${s.rejected} rejections) on scored comments of the last ${s.days} days.` }));
  // The labels the suggestion moves first: the others keep their thresholds.
  const labels = Object.entries(s.labels).sort(([, a], [, b]) => b.suggested - a.suggested);
  const rows = labels.map(([label, why]) => {
    const now = s.current[label] || { hold: 1, reject: 1 };
    const next = s.thresholds[label];
    const changed = now.hold !== next.hold || now.reject !== next.reject;
    return el("tr", { "data-label": label, class: changed ? "changed" : null },
      el("th", { scope: "row", text: label.replaceAll("_", " ") }),
      el("td", { text: `${now.hold} / ${now.reject}` }),
      el("td", { text: `${next.hold} / ${next.reject}` }),
      el("td", { text: why.suggested
        ? `${why.decisions_over_reject} decisions over the reject threshold, `
          + `${Math.round(why.agreement * 100)}% of them rejected by moderators`
        : `unchanged: ${why.reason}` }));
  });
  box.append(el("table", { class: "policy-table" },
    el("thead", {}, el("tr", {}, ...["Label", "In force (hold / reject)",
      "Suggested (hold / reject)", "Rests on"].map((text) => el("th", { scope: "col", text })))),
    el("tbody", {}, ...rows)));
  const effect = s.effect;
  const changes = Object.entries(effect.changes).map(([change, count]) =>
    `${count} ${change.replace("->", " → ")}`).join(", ");
  box.append(el("p", { class: "effect", text: `Of the ${effect.comments} scored comments of the `
    + `last ${effect.days} days, ${effect.changed} would have gone differently`
    + (changes ? `: ${changes}.` : ".") }));
  const apply = el("button", { type: "button", class: "primary", id: "thresholds-apply",
                               text: "Apply the suggestion" });
  const said = el("p", { class: "announce", role: "status" });
  apply.addEventListener("click", async () => {
    apply.disabled = true;
    const result = await call("POST", `/v1/admin/sites/${siteId}/threshold-suggestion`,
                              { days: s.days });
    if (!result.ok) { said.textContent = result.message; apply.disabled = false; return; }
    await redraw();
    $("#policy-body").prepend(el("p", { class: "announce", role: "status",
      text: `Applied: settings change ${result.body.id}, by ${result.body.actor}.` }));
  });
  box.append(el("p", {}, apply), said);
  return box;
}

function confusion(title, table, rowsName) {
  const columns = STATUSES.filter((status) => Object.values(table).some((row) => row[status]));
  const rows = STATUSES.filter((status) => table[status]);
  return el("table", { class: "policy-table confusion" },
    el("caption", { text: title }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: `${rowsName} ↓ / candidate →` }),
      ...columns.map((status) => el("th", { scope: "col", text: status })))),
    el("tbody", {}, ...rows.map((row) => el("tr", {}, el("th", { scope: "row", text: row }),
      ...columns.map((column) => el("td", { class: row === column ? "same" : null,
                                            text: String(table[row][column] || 0) }))))));
}

function percent(share) { return share === null ? "–" : `${Math.round(share * 100)}%`; }

function shadowReport(siteId, policy, report, redraw) {
  const box = el("article", { class: "shadow-policy", "data-policy": policy.id },
    el("h4", { text: `Policy ${policy.id} (${policy.status}), started by ${policy.started_by}` }),
    el("pre", { class: "settings", text: JSON.stringify(policy.settings) }),
    el("p", { class: "agreement", text: `${report.comments} new comments decided; the candidate `
      + `agrees with the live policy on ${percent(report.agreement_with_live)}, and with `
      + `moderators' final decisions on ${percent(report.agreement_with_moderators)} of the `
      + `${report.moderated} they decided (live policy: `
      + `${percent(report.live_agreement_with_moderators)}).` }),
    confusion("Live policy against the candidate", report.live_vs_shadow, "live"),
    confusion("Moderators' final decisions against the candidate", report.moderators_vs_shadow,
              "moderators"));
  const examples = Object.entries(report.examples);
  if (examples.length) {
    box.append(el("h5", { text: "Where they disagree" }), el("ul", { class: "examples" },
      ...examples.flatMap(([change, items]) => items.map((item) => el("li", {},
        el("b", { text: change.replace("->", " → ") }), ` comment ${item.comment_id}`,
        item.final ? ` (moderators: ${item.final})` : "", ": ",
        el("q", { text: item.body }))))));
  }
  if (policy.status === "running") {
    const said = el("p", { class: "announce", role: "status" });
    const act = (verb) => async () => {
      const result = await call("POST",
        `/v1/admin/sites/${siteId}/shadow-policies/${policy.id}/${verb}`);
      if (!result.ok) { said.textContent = result.message; return; }
      redraw();
    };
    const promote = el("button", { type: "button", class: "primary", "data-shadow": "promote",
                                   text: "Promote to the live policy" });
    const stop = el("button", { type: "button", "data-shadow": "stop", text: "Stop" });
    promote.addEventListener("click", act("promote"));
    stop.addEventListener("click", act("stop"));
    box.append(el("p", { class: "dialog-actions" }, promote, " ", stop), said);
  }
  return box;
}

function error(message) { return el("p", { class: "error", role: "alert", text: message }); }
