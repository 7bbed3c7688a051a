/* Comment widget for sites: an article's approved comments, threaded, and a "Leave a Reply" form.
 *
 * A site adds one tag where the comments should appear:
 *   <script src="<service>/static/widget.js" data-site-key="pk_..." data-article-id="post-42"
 *           async></script>
 * Optional attributes:
 *   data-api             the service's base URL (default: where this script was loaded from)
 *   data-permalink       the article's URL (default: this page without its #fragment)
 *   data-title           the article's title (default: the page title)
 *   data-order           oldest (default) or newest first
 *   data-target          a CSS selector of an element to render into (default: after this tag)
 *   data-poll-seconds    how long to wait for the verdict after posting (default 8)
 *
 * The reader's own comments awaiting moderation stay in place, marked, across reloads in this
 * browser (as WordPress's comment cookie does): localStorage keeps each one's id, status token
 * and text, and the status URL says when it is published or not. Published comments have a
 * "Report" button that sends a reason to the moderators.
 *
 * It is a classic script, not a module, so that document.currentScript finds its own tag.
 * Everything that comes from the network goes on the page as text (textContent and
 * setAttribute), never as HTML: comment bodies are written by strangers.
 */
(function () {
  "use strict";

  const script = document.currentScript ||
    document.querySelector('script[src*="widget.js"][data-site-key]');
  if (!script) return;

  const config = readConfig(script);
  // Ids stay unique if a page embeds the widget more than once.
  const instance = document.querySelectorAll("[data-mw-instance]").length;
  const uid = (name) => `mw${instance}-${name}`;

  const state = { parentId: null, renderToken: null, isOpen: true, nextCursor: null,
                  loads: 0, loading: false, own: new Map() };  // own: id -> awaiting comment
  // Where the reader's comments awaiting moderation are kept, per site and article.
  const OWN_KEY = `mw.own.${config.siteKey}.${config.articleId}`;
  const MAX_OWN = 20;
  // The reasons the flags API takes (FLAG_REASONS in service/api/comments.py), in readers' words.
  const REPORT_REASONS = [["spam", "Spam or advertising"], ["abuse", "Abusive or insulting"],
    ["harassment", "Harassment"], ["hate", "Hate speech"], ["off_topic", "Off topic"],
    ["misinformation", "False or misleading"], ["other", "Something else"]];
  const ui = buildUI();
  mount(ui.root);
  loadStylesheet();
  loadThread().then(restoreOwn);
  fetchRenderToken();

  function readConfig(tag) {
    const data = tag.dataset;
    // The script's own URL tells where the service is, so the widget works on any site.
    const api = (data.api || new URL("..", tag.src).href).replace(/\/+$/, "");
    return {
      api,
      siteKey: data.siteKey || "",
      articleId: data.articleId || "",
      permalink: data.permalink || location.href.split("#")[0],
      title: (data.title || document.title || "").slice(0, 500),
      order: data.order === "newest" ? "newest" : "oldest",
      target: data.target || "",
      pollSeconds: Number(data.pollSeconds || 8),
    };
  }

  /* ---------- DOM building: every string goes in as text ---------- */

  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") element.textContent = value;
      else if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
      else element.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child);  // strings become text nodes
    }
    return element;
  }

  function safeUrl(value) {
    // Only web links: an author's "website" must never become a javascript: URL.
    try {
      const url = new URL(value);
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (_) {
      return null;
    }
  }

  function field(name, label, input, hint) {
    const error = h("span", { class: "mw-error", id: uid(`${name}-error`), hidden: true });
    input.id = uid(name);
    input.name = name;
    input.setAttribute("aria-describedby", [hint && uid(`${name}-hint`), error.id]
      .filter(Boolean).join(" "));
    return h("p", { class: `mw-field mw-field-${name}` },
      h("label", { for: input.id }, ...[].concat(label)),
      hint ? h("span", { class: "mw-hint", id: uid(`${name}-hint`), text: hint }) : null,
      input, error);
  }

  function required(text) {
    return [text, " ", h("span", { class: "mw-required", "aria-hidden": "true", text: "*" })];
  }

  function buildUI() {
    const heading = h("h2", { class: "mw-heading", id: uid("heading"), text: "Comments" });
    const notice = h("p", { class: "mw-notice", hidden: true });
    const thread = h("ol", { class: "mw-thread", "aria-labelledby": heading.id });
    const more = h("button", { type: "button", class: "mw-more", hidden: true,
                              onclick: () => loadThread(true) }, "Show more comments");

    const inputs = {
      body: h("textarea", { rows: 7, maxlength: 65525, "aria-required": "true" }),
      author_name: h("input", { type: "text", maxlength: 245, autocomplete: "name",
                                "aria-required": "true" }),
      author_email: h("input", { type: "email", maxlength: 100, autocomplete: "email",
                                 "aria-required": "true" }),
      author_url: h("input", { type: "url", maxlength: 200, autocomplete: "url" }),
      // A field people never see and bots fill in. Off-screen (not display:none) and out of the
      // tab order; screen readers skip it too.
      honeypot: h("input", { type: "text", tabindex: "-1", autocomplete: "off" }),
    };
    const replying = h("p", { class: "mw-replying", hidden: true });
    const status = h("p", { class: "mw-status", role: "status", "aria-live": "polite" });
    const alert = h("p", { class: "mw-alert", role: "alert" });
    const submit = h("button", { type: "submit", class: "mw-submit" }, "Post Comment");
    const replyTitle = h("h3", { class: "mw-reply-title", id: uid("reply-title"),
                                 text: "Leave a Reply" });
    const form = h("form", { class: "mw-form", novalidate: true, "aria-labelledby": replyTitle.id,
                             onsubmit: submitComment },
      h("p", { class: "mw-notes" }, "Your email address will not be published. Required fields "
        + "are marked ", h("span", { class: "mw-required", "aria-hidden": "true", text: "*" }),
        h("span", { class: "mw-visually-hidden", text: " (required)" })),
      field("body", required("Comment"), inputs.body),
      field("author_name", required("Name"), inputs.author_name),
      field("author_email", required("Email"), inputs.author_email),
      field("author_url", "Website", inputs.author_url),
      h("p", { class: "mw-hp", "aria-hidden": "true" },
        h("label", { for: uid("honeypot") }, "Leave this field empty"), inputs.honeypot),
      alert,
      h("p", { class: "mw-actions" }, submit),
      status);
    inputs.honeypot.id = uid("honeypot");
    inputs.honeypot.name = "honeypot";
    const respond = h("div", { class: "mw-respond", id: uid("respond") },
      replyTitle, replying, form);
    // The author's own comments that are not (yet) published: statements of reasons.
    const own = h("div", { class: "mw-own" });
    const root = h("section", { class: "mw-comments", "data-mw-instance": instance,
                                "aria-labelledby": heading.id },
      heading, notice, thread, more, own, respond);
    return { root, heading, notice, thread, more, own, respond, replyTitle, replying, form,
             inputs, status, alert, submit };
  }

  function mount(root) {
    const target = config.target && document.querySelector(config.target);
    if (target) target.append(root);
    else script.after(root);
  }

  function loadStylesheet() {
    // Our stylesheet comes from the service itself, like this script: no third-party requests.
    if (document.querySelector("link[data-mw-style]")) return;
    document.head.append(h("link", { rel: "stylesheet", href: `${config.api}/static/widget.css`,
                                     "data-mw-style": true }));
  }

  /* ---------- the API ---------- */

  async function call(path, options) {
    let response;
    try {
      response = await fetch(config.api + path, { credentials: "omit", ...options });
    } catch (_) {
      return { ok: false, status: 0, body: null,
               message: "Could not reach the comment service. Check your connection and try again." };
    }
    let body = null;
    try { body = await response.json(); } catch (_) { /* an empty or non-JSON body */ }
    return { ok: response.ok, status: response.status, body, headers: response.headers,
             message: (body && body.message) || `The comment service answered ${response.status}.` };
  }

  function articlePath(suffix) {
    return `/v1/articles/${encodeURIComponent(config.articleId)}/${suffix}`;
  }

  function siteKeyQuery() {
    // A query parameter rather than a header keeps GETs "simple": no CORS preflight.
    return `site_key=${encodeURIComponent(config.siteKey)}`;
  }

  async function fetchRenderToken() {
    const result = await call(`${articlePath("form-token")}?${siteKeyQuery()}`);
    if (result.ok && result.body) state.renderToken = result.body.render_token;
  }

  /* ---------- the thread ---------- */

  async function loadThread(append, highlightId) {
    // A second "show more" click while a page is loading would fetch that page again.
    if (append && state.loading) return;
    const load = ++state.loads;
    state.loading = true;
    ui.more.setAttribute("aria-disabled", "true");
    // The reader's own comment, just published, may be on a later page (the last one, oldest
    // first) or under a parent there: read from the top until it is in, and at least as far as
    // the reader had read. The pages are built aside and swapped in at once, so nothing
    // flickers and each comment is shown once.
    const keep = highlightId ? ui.thread.children.length : 0;
    const pages = document.createDocumentFragment();
    let cursor = append ? state.nextCursor : null;
    let data;
    do {
      const after = cursor ? `&cursor=${encodeURIComponent(cursor)}` : "";
      const result = await call(
        `${articlePath("comments")}?${siteKeyQuery()}&order=${config.order}&limit=50${after}`);
      // A newer load (the thread reloaded after posting) replaces this one.
      if (load !== state.loads) return;
      if (!result.ok) {
        state.loading = false;
        ui.more.removeAttribute("aria-disabled");
        showNotice(`Comments could not be loaded: ${result.message}`);
        return;
      }
      data = result.body;
      for (const comment of data.items) pages.append(commentNode(comment));
      cursor = data.next_cursor;
    } while (highlightId && cursor
             && (pages.children.length < keep || !pages.getElementById(`comment-${highlightId}`)));
    state.loading = false;
    ui.more.removeAttribute("aria-disabled");
    if (!append) ui.thread.replaceChildren();
    const shownBefore = ui.thread.children.length;
    ui.thread.append(pages);
    if (!append) state.own.forEach(placeOwn);  // the reader's awaiting comments stay in place
    state.nextCursor = data.next_cursor;
    ui.more.hidden = !data.next_cursor;
    ui.heading.textContent = data.total === 0 ? "No comments yet"
      : data.total === 1 ? "1 Comment" : `${data.total} Comments`;
    setOpen(data.is_open);
    if (append) {
      // Keyboard and screen reader users go on reading where the new page starts; the button
      // they pressed may be gone.
      const first = ui.thread.children[shownBefore];
      const article = first && first.querySelector(":scope > article");
      if (article) {
        article.tabIndex = -1;  // focusable from script, still out of the tab order
        article.focus();
      }
      return;
    }
    // The link's #comment-N is followed once, on the first load, not after every page.
    const wanted = highlightId ? `comment-${highlightId}` : load === 1 && location.hash.slice(1);
    const target = wanted && document.getElementById(wanted);
    if (target && ui.root.contains(target)) {
      if (highlightId) target.classList.add("mw-new");
      target.scrollIntoView({ block: "center" });
    }
  }

  function showNotice(text) {
    ui.notice.textContent = text;
    ui.notice.hidden = !text;
  }

  function setOpen(isOpen) {
    state.isOpen = isOpen;
    ui.respond.hidden = !isOpen;
    if (!isOpen) showNotice("Comments are closed.");
    ui.thread.querySelectorAll(".mw-reply").forEach((button) => { button.hidden = !isOpen; });
  }

  function formatDate(value) {
    // The API sends UTC times without a zone suffix.
    const date = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(value) ? value : `${value}Z`);
    return Number.isNaN(date.getTime()) ? value
      : date.toLocaleString(undefined, { dateStyle: "long", timeStyle: "short" });
  }

  function commentNode(comment) {
    const name = comment.author_name || "Anonymous";
    const url = safeUrl(comment.author_url);
    const author = url ? h("a", { href: url, rel: "external nofollow ugc noopener", text: name })
      : h("span", { text: name });
    const headingId = uid(`comment-${comment.id}-by`);
    const replyButton = h("button", { type: "button", class: "mw-reply", hidden: !state.isOpen,
                                      "aria-label": `Reply to ${name}`,
                                      onclick: () => startReply(comment.id, name, item) }, "Reply");
    const item = h("li", { class: "mw-comment", id: `comment-${comment.id}` },
      h("article", { "aria-labelledby": headingId },
        h("header", { class: "mw-comment-meta" },
          h("b", { class: "mw-author", id: headingId }, author),
          h("span", { class: "mw-says", text: " says:" }),
          h("time", { datetime: comment.created_at, text: formatDate(comment.created_at) })),
        h("div", { class: "mw-body", text: comment.body }),
        replyButton,
        h("button", { type: "button", class: "mw-report", "aria-expanded": "false",
                      "aria-label": `Report the comment by ${name}`,
                      onclick: (event) => toggleReport(comment.id, item, event.currentTarget) },
          "Report")));
    const children = h("ol", { class: "mw-children" }, ...(comment.replies || []).map(commentNode));
    if (children.children.length) item.append(children);
    if (comment.replies_cursor) item.append(moreReplies(item, children, comment.replies_cursor));
    return item;
  }

  function moreReplies(item, children, firstCursor) {
    // The thread sends a comment's first replies; the rest come a page per click.
    let cursor = firstCursor;
    const button = h("button", { type: "button", class: "mw-more-replies" },
                     "Show more replies");
    button.addEventListener("click", async () => {
      if (button.getAttribute("aria-disabled") === "true") return;
      button.setAttribute("aria-disabled", "true");
      const result = await call(`${articlePath("comments")}?${siteKeyQuery()}&limit=50`
                                + `&cursor=${encodeURIComponent(cursor)}`);
      button.removeAttribute("aria-disabled");
      if (!result.ok) {
        showNotice(`Replies could not be loaded: ${result.message}`);
        return;
      }
      const shownBefore = children.children.length;
      children.append(...result.body.items.map(commentNode));
      if (!children.isConnected) button.before(children);
      cursor = result.body.next_cursor;
      if (!cursor) button.remove();
      const first = children.children[shownBefore];
      // Focus moves to the first new reply, as with "Show more comments".
      const article = first && first.querySelector(":scope > article");
      if (article) {
        article.tabIndex = -1;
        article.focus();
      }
    });
    return button;
  }

  /* ---------- replying: the form moves under the comment, as in WordPress ---------- */

  function startReply(parentId, name, item) {
    state.parentId = parentId;
    ui.replyTitle.textContent = `Reply to ${name}`;
    ui.replying.replaceChildren(
      h("button", { type: "button", class: "mw-cancel", onclick: cancelReply }, "Cancel reply"));
    ui.replying.hidden = false;
    const children = item.querySelector(":scope > .mw-children");
    item.insertBefore(ui.respond, children);
    ui.inputs.body.focus();
  }

  function cancelReply(focus = true) {
    state.parentId = null;
    ui.replyTitle.textContent = "Leave a Reply";
    ui.replying.hidden = true;
    ui.root.append(ui.respond);
    if (focus) ui.inputs.body.focus();
  }

  /* ---------- the reader's own comments awaiting moderation ---------- */

  function storedOwn() {
    // Storage may be off or hold anything: only well-formed entries count.
    let list = [];
    try { list = JSON.parse(localStorage.getItem(OWN_KEY) || "[]"); } catch (_) { return []; }
    return Array.isArray(list) ? list.filter((entry) => entry && Number.isInteger(entry.id)
      && typeof entry.token === "string" && typeof entry.body === "string") : [];
  }

  function storeOwn(list) {
    try {
      if (list.length) localStorage.setItem(OWN_KEY, JSON.stringify(list.slice(-MAX_OWN)));
      else localStorage.removeItem(OWN_KEY);
    } catch (_) { /* storage off or full: the comment shows until the page closes */ }
  }

  function rememberOwn(entry) {
    storeOwn([...storedOwn().filter((other) => other.id !== entry.id), entry]);
  }

  function unplaceOwn(id) {
    state.own.delete(id);
    const node = ui.root.querySelector(`[data-mw-own="${id}"]`);
    if (node) node.remove();
  }

  function forgetOwn(id) {
    unplaceOwn(id);
    storeOwn(storedOwn().filter((entry) => entry.id !== id));
  }

  function pollStatus(id, token) {
    // The token goes in a header: URLs end up in logs and browser history.
    return call(`/v1/comments/${id}/status`, { headers: { "X-Status-Token": token } });
  }

  async function restoreOwn() {
    // After a reload: what became of the comments this browser left awaiting moderation.
    const entries = storedOwn();
    const answers = await Promise.all(entries.map((entry) => pollStatus(entry.id, entry.token)));
    entries.forEach((entry, index) => {
      const result = answers[index];
      if (!result.ok) {
        if (result.status === 404) forgetOwn(entry.id);  // erased, or not this token's
        return;
      }
      settleOwn(entry, result.body.status, result.body.statement);
    });
  }

  function settleOwn(entry, status, statement) {
    if (status === "pending" || status === "held") {
      state.own.set(entry.id, entry);
      placeOwn(entry);
      return;
    }
    if (status === "approved" || !statement) {
      forgetOwn(entry.id);  // published: the thread shows it
      return;
    }
    // Not published: its statement, and the appeal it offers, stay across reloads (the entry
    // stays stored) until the author dismisses them.
    unplaceOwn(entry.id);
    showStatement(entry.id, statement, entry.token);
  }

  function placeOwn(entry) {
    // Where it will be once published: under its parent, or in the thread's order.
    const old = ui.root.querySelector(`[data-mw-own="${entry.id}"]`);
    if (old) old.remove();
    const node = ownNode(entry);
    const parent = entry.parentId && document.getElementById(`comment-${entry.parentId}`);
    if (parent && ui.thread.contains(parent)) {
      let children = parent.querySelector(":scope > .mw-children");
      if (!children) {
        children = h("ol", { class: "mw-children" });
        parent.querySelector(":scope > article").after(children);
      }
      children.append(node);
    } else if (!entry.parentId) {
      if (config.order === "newest") ui.thread.prepend(node);
      else ui.thread.append(node);
    } else {
      ui.own.append(h("ol", { class: "mw-thread" }, node));  // its parent is on another page
    }
    return node;
  }

  function ownNode(entry) {
    const headingId = uid(`own-${entry.id}-by`);
    return h("li", { class: "mw-comment mw-pending", id: `comment-${entry.id}`,
                     "data-mw-own": entry.id },
      h("article", { "aria-labelledby": headingId, tabindex: "-1" },
        h("header", { class: "mw-comment-meta" },
          h("b", { class: "mw-author", id: headingId, text: entry.name || "Anonymous" }),
          h("span", { class: "mw-says", text: " says:" }),
          h("time", { datetime: entry.createdAt, text: formatDate(entry.createdAt) })),
        // WordPress's wording, seen only by the author.
        h("p", { class: "mw-awaiting", text: "Your comment is awaiting moderation." }),
        h("div", { class: "mw-body", text: entry.body })));
  }

  /* ---------- reporting a published comment ---------- */

  function toggleReport(commentId, item, button) {
    const open = item.querySelector(":scope > .mw-report-form");
    if (open) {
      open.remove();
      button.setAttribute("aria-expanded", "false");
      button.focus();
      return;
    }
    const name = uid(`report-${commentId}`);
    const note = h("textarea", { id: `${name}-note`, rows: 2, maxlength: 500 });
    const alert = h("p", { class: "mw-report-alert", role: "alert" });
    const send = h("button", { type: "submit", class: "mw-report-send" }, "Send report");
    const form = h("form", { class: "mw-report-form", novalidate: true },
      h("fieldset", {},
        h("legend", { text: "Why should the moderators look at this comment?" }),
        ...REPORT_REASONS.map(([value, label]) => h("label", { class: "mw-reason" },
          h("input", { type: "radio", name, value }), ` ${label}`))),
      h("p", { class: "mw-field" },
        h("label", { for: note.id, text: "Anything to add (optional)" }), note),
      alert,
      h("p", { class: "mw-actions" }, send, " ",
        h("button", { type: "button", class: "mw-cancel",
                      onclick: () => toggleReport(commentId, item, button) }, "Cancel")));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const chosen = form.querySelector("input[type=radio]:checked");
      if (!chosen) {
        alert.textContent = "Please choose a reason.";
        form.querySelector("input[type=radio]").focus();
        return;
      }
      send.disabled = true;
      alert.textContent = "";
      const result = await call(`/v1/comments/${commentId}/flags`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json",
                   "X-Site-Key": config.siteKey },
        body: JSON.stringify({ reason: chosen.value, note: note.value.trim() }),
      });
      send.disabled = false;
      if (result.ok || result.status === 409) {
        form.replaceChildren(h("p", { class: "mw-report-done", role: "status",
          text: result.ok ? "Thank you: the moderators will look at this comment."
            : result.message }));
        button.disabled = true;
        button.textContent = "Reported";
        return;
      }
      alert.textContent = `Your report was not sent. ${result.status === 429 ? tooSoon(result)
        : result.message}`;
    });
    item.querySelector(":scope > article").after(form);
    button.setAttribute("aria-expanded", "true");
    form.querySelector("input[type=radio]").focus();
  }

  /* ---------- posting ---------- */

  function clearMessages() {
    ui.alert.textContent = "";
    ui.status.textContent = "";
    for (const [name, input] of Object.entries(ui.inputs)) {
      input.removeAttribute("aria-invalid");
      const error = document.getElementById(uid(`${name}-error`));
      if (error) { error.textContent = ""; error.hidden = true; }
    }
  }

  function showFieldErrors(errors) {
    // 422 bodies carry {"errors": {"json": {field: [messages]}}}; nested fields (article) and
    // fields the form does not show go to the general message.
    const general = [];
    let first = null;
    for (const [name, messages] of Object.entries(errors || {})) {
      const input = ui.inputs[name];
      const text = Array.isArray(messages) ? messages.join(" ") : "Please check this value.";
      const error = document.getElementById(uid(`${name}-error`));
      if (input && error && name !== "honeypot") {
        input.setAttribute("aria-invalid", "true");
        error.textContent = text;
        error.hidden = false;
        first = first || input;
      } else {
        general.push(text);
      }
    }
    return { first, general };
  }

  async function submitComment(event) {
    event.preventDefault();
    clearMessages();
    const values = Object.fromEntries(
      Object.entries(ui.inputs).map(([name, input]) => [name, input.value]));
    const payload = {
      author_name: values.author_name.trim(),
      author_email: values.author_email.trim(),
      author_url: values.author_url.trim(),
      body: values.body,
      honeypot: values.honeypot,
      parent_id: state.parentId,
      article: { permalink: config.permalink, title: config.title },
    };
    if (state.renderToken) payload.render_token = state.renderToken;

    ui.submit.disabled = true;
    ui.form.setAttribute("aria-busy", "true");
    ui.status.textContent = "Posting your comment…";
    const result = await call(articlePath("comments"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json",
                 "X-Site-Key": config.siteKey },
      body: JSON.stringify(payload),
    });
    ui.submit.disabled = false;
    ui.form.removeAttribute("aria-busy");
    ui.status.textContent = "";

    if (result.ok) {
      ui.inputs.body.value = "";  // name, email and website stay, as WordPress remembers them
      const posted = { id: result.body.id, token: result.body.status_token,
                       parentId: state.parentId, name: payload.author_name, body: payload.body,
                       createdAt: new Date().toISOString() };
      rememberOwn(posted);  // kept before the verdict: the reader may leave while it comes
      if (state.parentId !== null) cancelReply(false);  // the form is a fresh "Leave a Reply"
      await followVerdict(result.body, posted);
      return;
    }
    if (result.status === 422) {
      const { first, general } = showFieldErrors(result.body && result.body.errors
        && (result.body.errors.json || result.body.errors.form));
      ui.alert.textContent = general.length ? general.join(" ")
        : first ? "Please correct the highlighted fields." : result.message;
      if (first) first.focus();
      return;
    }
    if (result.status === 429) {
      ui.alert.textContent = tooSoon(result);
      return;
    }
    if (result.status === 403 && /closed/i.test(result.message)) setOpen(false);
    // 409 duplicate, 403 closed or foreign origin, 401 bad site key, 413 too long, network.
    ui.alert.textContent = result.message;
  }

  function tooSoon(result) {
    const wait = Number(result.headers.get("Retry-After"));
    return wait > 0
      ? `${result.message} Please wait ${wait} second${wait === 1 ? "" : "s"} and try again.`
      : `${result.message} Please wait a moment and try again.`;
  }

  async function followVerdict(accepted, posted) {
    // The verdict usually takes a second: poll the author's status URL for a few seconds.
    ui.status.textContent = "Thanks! Checking your comment…";
    const deadline = Date.now() + config.pollSeconds * 1000;
    let status = accepted.status;
    let message = "";
    let statement = null;
    while (status === "pending" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      const result = await pollStatus(accepted.id, accepted.status_token);
      if (!result.ok) break;  // e.g. the poll is refused cross-origin: keep the default message
      status = result.body.status;
      message = result.body.message;
      statement = result.body.statement || null;
    }
    if (status === "approved") {
      forgetOwn(posted.id);
      await loadThread(false, accepted.id);
      ui.status.textContent = "Your comment is published.";
      return;
    }
    if (status === "pending" || status === "held") {
      ui.status.textContent = "Your comment is awaiting moderation.";
      settleOwn(posted, status, null);
      const node = ui.root.querySelector(`[data-mw-own="${posted.id}"]`);
      if (node) {
        node.classList.add("mw-new");
        node.scrollIntoView({ block: "center" });
      }
      return;
    }
    ui.status.textContent = message || "Your comment was not published.";
    // Where the published comment would be, its author reads why it is not there.
    settleOwn(posted, status, statement);
  }

  function showStatement(commentId, statement, token) {
    const old = document.getElementById(uid(`statement-${commentId}`));
    const node = statementNode(commentId, statement, token);
    if (old) old.replaceWith(node);
    else ui.own.append(node);
  }

  function statementNode(commentId, statement, token) {
    // Text only, like everything else from the network: operators' wording included.
    const facts = (statement.facts || []).map((fact) => h("li", { class: "mw-fact" },
      h("span", { text: fact.text }),
      ...(fact.sentences || []).map((sentence) => h("q", { class: "mw-sentence",
                                                           text: sentence }))));
    const withheld = (statement.withheld || []).map((item) => h("li", { class: "mw-withheld" },
      `${item.text} ${item.reason}`));
    const appeal = statement.appeal || {};
    const appealUrl = safeUrl(appeal.url || "");
    const offered = Boolean(appeal.can_appeal && token);
    const headingId = uid(`statement-${commentId}-heading`);
    return h("section", { class: "mw-statement", id: uid(`statement-${commentId}`),
                          "data-decision": statement.decision, "aria-labelledby": headingId },
      h("h3", { class: "mw-statement-summary", id: headingId, text: statement.summary }),
      facts.length ? h("ul", { class: "mw-facts" }, ...facts) : null,
      statement.process ? h("p", { class: "mw-process", text: statement.process }) : null,
      withheld.length ? h("p", { class: "mw-withheld-title", text: "Not disclosed:" }) : null,
      withheld.length ? h("ul", { class: "mw-withheld-list" }, ...withheld) : null,
      // The site's own way to contest, where it has one or the built-in appeal is not offered.
      statement.appeal && (appealUrl || !(offered || appeal.outcome))
        ? h("p", { class: "mw-appeal" }, statement.appeal.text,
          appealUrl ? " " : null,
          appealUrl ? h("a", { href: appealUrl, rel: "noopener", text: "Ask for a review" })
            : null)
        : null,
      appeal.outcome ? h("p", { class: "mw-appeal-outcome", role: "status",
                                text: appeal.outcome }) : null,
      appeal.reason ? h("p", { class: "mw-appeal-reason" },
        h("span", { text: "The moderator's reasons: " }), h("q", { text: appeal.reason }))
        : null,
      offered ? appealForm(commentId, token, appeal.how) : null,
      dismissButton(commentId));
  }

  function dismissButton(commentId) {
    const button = h("button", { type: "button", class: "mw-statement-dismiss",
                                 text: "Dismiss" });
    button.addEventListener("click", () => {
      forgetOwn(commentId);
      const node = document.getElementById(uid(`statement-${commentId}`));
      if (node) node.remove();
      ui.inputs.body.focus();  // focus was on the button that is gone
    });
    return button;
  }

  function appealForm(commentId, token, how) {
    // The author's one appeal, sent with the comment's status token (in a header).
    const noteId = uid(`appeal-${commentId}-note`);
    const note = h("textarea", { id: noteId, name: "note", rows: "3", maxlength: "1000" });
    const error = h("p", { class: "mw-appeal-error", role: "alert" });
    const button = h("button", { type: "submit", class: "mw-appeal-submit",
                                 text: "Appeal this decision" });
    const form = h("form", { class: "mw-appeal-form" },
      h("p", { class: "mw-appeal-how", text: how || "" }),
      h("label", { for: noteId, text: "Why you disagree (optional)" }), note, error, button);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      button.disabled = true;
      error.textContent = "";
      const result = await call(`/v1/comments/${commentId}/appeal`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json",
                   "X-Status-Token": token },
        body: JSON.stringify({ note: note.value.trim() }),
      });
      button.disabled = false;
      if (result.ok && result.body && result.body.statement) {
        showStatement(commentId, result.body.statement, token);
        return;
      }
      error.textContent = result.status === 429 ? tooSoon(result) : result.message;
    });
    return form;
  }
})();
