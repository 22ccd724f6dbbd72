/// The agent page served at `/agent`: one self-contained page (no external script, font or style) for a
/// call-center agent, small enough to sit in a CRM's iframe. It asks a department a question
/// (`POST api/v1/requests`, with a fresh `request_id` so a double click is one request), lists the agent's
/// tickets (`GET api/v1/requests?submitter=me`) and follows them live over `GET api/v1/stream`, read with
/// `fetch` (an `EventSource` cannot send the `Authorization` header) and resumed with `Last-Event-ID`.
/// Paths are relative, so it also works behind a path prefix. The bearer token comes from the fragment
/// (`/agent#token=<token>&agent=<name>`, removed from the address bar at once) or the sign-in form and is
/// kept in `sessionStorage`. Everything from the API is rendered with `textContent` (never parsed as HTML).
enum AgentPage {
    static let html: String = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Switchboard agent</title>
<link rel="icon" href="data:,">
<style>
:root {
  --bg: #f3f5f8; --surface: #ffffff; --surface-2: #f8fafc; --border: #e2e7ee; --text: #1b2430;
  --muted: #5d6878; --faint: #8a95a5; --accent: #2f67c9; --accent-soft: #e8effb; --ok: #1d7f48;
  --ok-soft: #e4f4ea; --warn: #9a5b00; --warn-line: #e29a1c; --warn-soft: #fff3d9; --bad: #c0262d;
  --bad-soft: #fde9ea;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12161d; --surface: #1a2029; --surface-2: #1f2631; --border: #2b3441; --text: #e5eaf1;
    --muted: #a3aebd; --faint: #7b8696; --accent: #7aa7f5; --accent-soft: #223350; --ok: #5cc98b;
    --ok-soft: #173326; --warn: #f0b454; --warn-line: #d8962a; --warn-soft: #3a2c12; --bad: #ff7b7f;
    --bad-soft: #3e1b1e;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
}
[hidden] { display: none !important; }
.bar {
  display: flex; align-items: center; gap: 10px; flex-wrap: wrap;
  padding: 8px 14px; background: var(--surface); border-bottom: 1px solid var(--border);
}
.bar h1 { margin: 0; font-size: 15px; font-weight: 650; }
.bar .who { color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
.spacer { flex: 1; }
.status {
  display: inline-flex; align-items: center; gap: 6px; padding: 2px 10px 2px 8px; border-radius: 999px;
  font-size: 12.5px; font-weight: 600; white-space: nowrap;
  background: var(--surface-2); color: var(--muted); border: 1px solid var(--border);
}
.status::before { content: ""; width: 7px; height: 7px; border-radius: 50%; background: var(--faint); }
.status[data-state="live"] { color: var(--ok); background: var(--ok-soft); border-color: transparent; }
.status[data-state="live"]::before { background: var(--ok); }
.status[data-state="reconnecting"] { color: var(--warn); background: var(--warn-soft); border-color: transparent; }
.status[data-state="reconnecting"]::before { background: var(--warn-line); }
main { display: grid; grid-template-columns: minmax(0, 1fr); gap: 12px; padding: 12px 14px 18px; max-width: 1200px; margin: 0 auto; }
@media (min-width: 860px) { main { grid-template-columns: 340px minmax(0, 1fr); align-items: start; } }
.error {
  grid-column: 1 / -1; margin: 0; padding: 8px 12px; border-radius: 8px; font-weight: 550;
  background: var(--bad-soft); color: var(--bad); border: 1px solid var(--bad); overflow-wrap: anywhere;
}
.card { background: var(--surface); border: 1px solid var(--border); border-radius: 10px; padding: 12px 14px; min-width: 0; }
.card h2 { margin: 0 0 8px; font-size: 14px; font-weight: 650; }
#signin { grid-column: 1 / -1; }
.fields { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 8px 10px; }
.fields .wide { grid-column: 1 / -1; }
label { display: block; font-size: 12px; font-weight: 600; color: var(--muted); }
label > input, label > select, label > textarea { margin-top: 3px; }
input, select, textarea, button { font: inherit; color: inherit; }
input, select, textarea {
  display: block; width: 100%; padding: 6px 8px; border-radius: 6px;
  border: 1px solid var(--border); background: var(--surface-2); font-size: 14px; font-weight: 400;
}
textarea { resize: vertical; min-height: 64px; }
input:focus, select:focus, textarea:focus, button:focus-visible { outline: 2px solid var(--accent); outline-offset: 1px; }
.actions { display: flex; gap: 8px; align-items: center; margin-top: 10px; flex-wrap: wrap; }
.hint { color: var(--muted); font-size: 12px; }
button {
  padding: 6px 14px; border-radius: 6px; border: 1px solid var(--accent); cursor: pointer;
  background: var(--accent); color: #fff; font-weight: 600; font-size: 13.5px;
}
button.secondary { background: transparent; color: var(--accent); }
button.link { border: 0; background: none; color: var(--accent); padding: 0 2px; font-size: 12.5px; }
button:disabled { opacity: .55; cursor: default; }
.list-head { display: flex; align-items: baseline; gap: 8px; }
.list-head .hint { margin-left: auto; }
#tickets { list-style: none; margin: 0; padding: 0; }
.empty { color: var(--muted); text-align: center; padding: 18px 0; }
.ticket { border-top: 1px solid var(--border); padding: 9px 0 10px; }
.ticket:first-child { border-top: 0; }
.ticket .head { display: flex; align-items: center; gap: 6px 8px; flex-wrap: wrap; }
.tid { font-family: var(--mono); font-size: 12.5px; font-weight: 650; }
.when { margin-left: auto; color: var(--faint); font-size: 12px; white-space: nowrap; }
.badge {
  display: inline-block; padding: 0 7px; border-radius: 4px; font-size: 11.5px; font-weight: 650;
  line-height: 18px; white-space: nowrap; background: var(--surface-2); color: var(--muted); border: 1px solid var(--border);
}
.prio-urgent { background: var(--bad-soft); color: var(--bad); border-color: transparent; }
.prio-high { background: var(--warn-soft); color: var(--warn); border-color: transparent; }
.st-queued, .st-offered, .st-accepted { background: var(--accent-soft); color: var(--accent); border-color: transparent; }
.st-waiting_on_agent { background: var(--warn-soft); color: var(--warn); border-color: var(--warn-line); }
.st-answered { background: var(--ok-soft); color: var(--ok); border-color: transparent; }
.st-dead_lettered, .sla-breached { background: var(--bad-soft); color: var(--bad); border-color: transparent; }
.sla-warning { background: var(--warn-soft); color: var(--warn); border-color: transparent; }
.asked { margin: 5px 0 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.updates { margin: 5px 0 0; padding-left: 18px; color: var(--muted); font-size: 13px; }
.updates li { white-space: pre-wrap; overflow-wrap: anywhere; }
.updates li.mine { color: var(--text); }
.updates li.theirs { font-style: italic; }
.ask-box { margin-top: 7px; padding: 8px 10px; border-radius: 8px; background: var(--warn-soft); border: 1px solid var(--warn-line); }
.question { margin: 0 0 6px; font-weight: 600; white-space: pre-wrap; overflow-wrap: anywhere; }
.question::before { content: "Question: "; color: var(--warn); }
.answer {
  margin-top: 7px; padding: 8px 10px; border-radius: 8px; white-space: pre-wrap; overflow-wrap: anywhere;
  background: var(--ok-soft); border-left: 3px solid var(--ok);
}
.reason { margin: 5px 0 0; color: var(--muted); font-size: 13px; overflow-wrap: anywhere; }
.ticket .actions { margin-top: 6px; }
</style>
</head>
<body>
<header class="bar">
  <h1>Switchboard</h1>
  <span class="who" id="who"></span>
  <button type="button" class="link" id="change-identity">Sign in…</button>
  <span class="spacer"></span>
  <span class="status" id="live-status" data-state="connecting" role="status" aria-live="polite">connecting</span>
</header>
<main>
  <p class="error" id="error" role="alert" hidden></p>

  <section class="card" id="signin" aria-labelledby="h-signin" hidden>
    <h2 id="h-signin">Sign in</h2>
    <form id="signin-form" autocomplete="off">
      <div class="fields">
        <label for="token">Token<input id="token" type="password" spellcheck="false" placeholder="bearer token"></label>
        <label for="agent">Agent name<input id="agent" type="text" spellcheck="false" placeholder="optional"></label>
      </div>
      <div class="actions">
        <button type="submit" id="signin-button">Sign in</button>
        <span class="hint">The token stays in this tab only. The name is needed with a shared (integration) token.</span>
      </div>
    </form>
  </section>

  <section class="card" aria-labelledby="h-ask">
    <h2 id="h-ask">Ask a department</h2>
    <form id="ask-form" autocomplete="off">
      <div class="fields">
        <label for="department">Department<select id="department" required><option value="">Loading…</option></select></label>
        <label for="priority">Priority<select id="priority">
          <option value="urgent">urgent</option><option value="high">high</option>
          <option value="normal" selected>normal</option><option value="low">low</option>
        </select></label>
        <label class="wide" for="question">Question<textarea id="question" rows="4" required></textarea></label>
      </div>
      <div class="actions">
        <button type="submit" id="ask">Ask</button>
        <span class="hint" id="ask-hint" aria-live="polite"></span>
      </div>
    </form>
  </section>

  <section class="card" aria-labelledby="h-tickets">
    <div class="list-head"><h2 id="h-tickets">My tickets</h2><span class="hint" id="tickets-count"></span></div>
    <ul id="tickets" aria-live="polite"><li class="empty">Loading…</li></ul>
  </section>
</main>

<script>
(function () {
  "use strict";

  var API = "api/v1/";
  var OPEN = { queued: 1, offered: 1, accepted: 1, waiting_on_agent: 1 };
  var ALL_STATES = ["queued", "offered", "accepted", "waiting_on_agent", "answered", "cancelled", "dead_lettered"];
  var LABEL = { queued: "queued", offered: "offered", accepted: "in progress", waiting_on_agent: "needs your reply",
    answered: "answered", cancelled: "cancelled", dead_lettered: "failed" };

  var auth = { token: "", agent: "" };
  var rows = {};            // ticket -> { data, el, parts, version }
  var pendingAsk = null;    // { key, id }: reused while the same question is retried
  var stream = { lastId: null, backoff: 1000, controller: null, timer: null, watchdog: null, gen: 0 };

  // ---------- helpers ----------

  function $(id) { return document.getElementById(id); }
  function str(v) { return v === undefined || v === null ? "" : String(v); }
  function h(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined && text !== null) n.textContent = String(text);
    return n;
  }
  function store(key, value) {
    try { if (value) sessionStorage.setItem(key, value); else sessionStorage.removeItem(key); } catch (e) { /* storage blocked in this frame */ }
  }
  function load(key) { try { return sessionStorage.getItem(key) || ""; } catch (e) { return ""; } }
  function uuid() {
    var c = window.crypto;
    if (c && typeof c.randomUUID === "function") { try { return c.randomUUID(); } catch (e) { /* insecure context */ } }
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b); else for (var i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var x = Array.prototype.map.call(b, function (v) { return (v < 16 ? "0" : "") + v.toString(16); }).join("");
    return x.slice(0, 8) + "-" + x.slice(8, 12) + "-" + x.slice(12, 16) + "-" + x.slice(16, 20) + "-" + x.slice(20);
  }
  function clock(text) {
    var ms = Date.parse(str(text));
    if (!isFinite(ms)) return "";
    var d = new Date(ms), now = new Date();
    var t = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return d.toDateString() === now.toDateString() ? t : d.toLocaleDateString() + " " + t;
  }

  // ---------- identity ----------

  function readFragment() {
    if (!location.hash || location.hash.length < 2) return;
    var p = new URLSearchParams(location.hash.slice(1));
    var changed = false;
    if (p.has("token")) { auth.token = p.get("token") || ""; store("switchboard.token", auth.token); changed = true; }
    if (p.has("agent")) { auth.agent = (p.get("agent") || "").trim(); store("switchboard.agent", auth.agent); changed = true; }
    if (changed) {
      // The token must not stay in the address bar (nor in history, bookmarks or a screenshot).
      try { history.replaceState(null, "", location.pathname + location.search); } catch (e) { location.hash = ""; }
    }
    return changed;
  }

  function showIdentity(name) {
    var who = name || auth.agent;
    $("who").textContent = who ? "Agent " + who : (auth.token ? "Signed in" : "Not signed in");
    $("change-identity").textContent = auth.token || auth.agent ? "Change" : "Sign in…";
  }

  function showSignin(show) {
    $("signin").hidden = !show;
    if (show) { $("token").value = auth.token; $("agent").value = auth.agent; }
  }

  function headers(json) {
    var hd = { "Accept": "application/json" };
    if (json) hd["Content-Type"] = "application/json";
    if (auth.token) hd["Authorization"] = "Bearer " + auth.token;
    if (auth.agent) hd["X-Switchboard-Agent"] = auth.agent;
    return hd;
  }

  // ---------- errors ----------

  function ApiError(status, body) {
    this.status = status; this.code = body && body.error ? str(body.error) : "";
    this.message = body && body.message ? str(body.message) : "HTTP " + status;
  }

  function showError(err) {
    var box = $("error");
    if (!err) { box.hidden = true; box.textContent = ""; return; }
    var text = typeof err === "string" ? err : str(err.message) || "Something went wrong";
    if (err.code) text += " (" + err.code + ")";
    if (err.status === 401) {
      text = "Your token was not accepted" + (err.message ? ": " + err.message : "") + ". Enter it again.";
      auth.token = ""; store("switchboard.token", ""); showIdentity(); showSignin(true); $("token").focus();
    } else if (err.code === "agent-required") {
      text += ". Enter your agent name."; showSignin(true);
    } else if (err.name === "TypeError") {
      text = "Cannot reach the daemon (" + text + ").";
    }
    box.textContent = text; box.hidden = false;
  }

  function api(method, path, body) {
    var init = { method: method, headers: headers(body !== undefined), cache: "no-store" };
    if (body !== undefined) init.body = JSON.stringify(body);
    return fetch(API + path, init).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        if (!res.ok) throw new ApiError(res.status, data);
        if (data === null) throw new ApiError(res.status, { message: "unexpected reply from the daemon" });
        return data;
      });
    });
  }

  // ---------- departments ----------

  function loadDepartments() {
    return api("GET", "departments").then(function (data) {
      var sel = $("department"), keep = sel.value || load("switchboard.department");
      var names = (Array.isArray(data.departments) ? data.departments : []).map(function (d) { return str(d && d.name); }).filter(Boolean);
      sel.textContent = "";
      if (!names.length) sel.appendChild(h("option", null, "No departments")).value = "";
      names.forEach(function (n) {
        var o = h("option", null, n); o.value = n; sel.appendChild(o);
      });
      if (keep && names.indexOf(keep) >= 0) sel.value = keep;
    }).catch(function (err) {
      var sel = $("department");
      if (!sel.value) { sel.textContent = ""; sel.appendChild(h("option", null, "Unavailable")).value = ""; }
      showError(err);
    });
  }

  // ---------- tickets ----------

  function asked(ticket, text) {
    var key = "switchboard.asked." + ticket;
    if (text !== undefined) store(key, text.length > 4000 ? text.slice(0, 4000) + "…" : text);
    return load(key);
  }

  function row(ticket) {
    var r = rows[ticket];
    if (r) return r;
    var el = h("li", "ticket");
    el.setAttribute("data-ticket", ticket);
    var p = { head: h("div", "head"), asked: h("p", "asked"), updates: h("ul", "updates"), reason: h("p", "reason"),
      actions: h("div", "actions"), replyText: h("textarea", "reply-text"), replyButton: h("button", "reply-button", "Send reply"),
      cancel: h("button", "cancel-button secondary", "Cancel"), askBox: null, answer: null };
    p.replyText.rows = 2;
    p.replyText.id = "reply-" + ticket;
    p.replyButton.type = "button"; p.cancel.type = "button";
    p.replyButton.addEventListener("click", function () { reply(ticket); });
    p.cancel.addEventListener("click", function () { cancel(ticket); });
    p.actions.appendChild(p.cancel);
    [p.head, p.asked, p.updates, p.reason, p.actions].forEach(function (n) { el.appendChild(n); });
    r = rows[ticket] = { data: { ticket: ticket, updates: [] }, el: el, parts: p, version: 0 };
    return r;
  }

  // Merges fields into a ticket (from the list, a detail, a POST reply or an event) and redraws its row.
  function upsert(ticket, fields) {
    if (!ticket) return null;
    var r = row(ticket), d = r.data;
    for (var k in fields) if (Object.prototype.hasOwnProperty.call(fields, k) && fields[k] !== undefined) d[k] = fields[k];
    if (!OPEN[d.state]) d.question = null;
    draw(r);
    place(r);
    return r;
  }

  function draw(r) {
    var d = r.data, p = r.parts, el = r.el, state = str(d.state) || "queued";
    el.setAttribute("data-state", state);
    p.head.textContent = "";
    p.head.appendChild(h("span", "tid", d.ticket));
    if (d.department) p.head.appendChild(h("span", "badge", d.department));
    if (d.priority && d.priority !== "normal") p.head.appendChild(h("span", "badge prio-" + d.priority, d.priority));
    var st = h("span", "badge state st-" + state, LABEL[state] || state);
    p.head.appendChild(st);
    if ((d.sla === "warning" || d.sla === "breached") && OPEN[state]) p.head.appendChild(h("span", "badge sla-" + d.sla, d.sla === "breached" ? "SLA breached" : "SLA at risk"));
    var when = h("span", "when", clock(d.updated_at || d.submitted_at));
    when.title = d.submitted_at ? "Submitted " + new Date(Date.parse(d.submitted_at)).toLocaleString() : "";
    p.head.appendChild(when);

    var text = asked(d.ticket);
    p.asked.textContent = text; p.asked.hidden = !text;

    p.updates.textContent = "";
    // The department's updates and this agent's replies, oldest first.
    // The open question is in its reply box; the ones answered already stay in the thread.
    var pastQuestions = (d.questions || []).slice(0, state === "waiting_on_agent" ? -1 : undefined);
    var thread = (d.updates || []).map(function (u) { return { at: u.at, text: str(u.body), cls: null }; })
      .concat(pastQuestions.map(function (u) { return { at: u.at, text: "Asked: " + str(u.body), cls: "theirs" }; }))
      .concat((d.replies || []).map(function (u) { return { at: u.at, text: "You replied: " + u.body, cls: "mine" }; }))
      .sort(function (a, b) { return (Date.parse(str(a.at)) || 0) - (Date.parse(str(b.at)) || 0); });
    thread.forEach(function (u) { p.updates.appendChild(h("li", u.cls, (u.at ? clock(u.at) + " · " : "") + u.text)); });
    p.updates.hidden = !thread.length;

    var waiting = state === "waiting_on_agent";
    if (waiting) {
      if (!p.askBox) {
        p.askBox = h("div", "ask-box");
        p.questionEl = h("p", "question");
        var lab = h("label", null, "Your reply");
        lab.htmlFor = p.replyText.id;
        var acts = h("div", "actions");
        acts.appendChild(p.replyButton);
        [p.questionEl, lab, p.replyText, acts].forEach(function (n) { p.askBox.appendChild(n); });
        el.insertBefore(p.askBox, p.reason);
      }
      p.questionEl.textContent = d.question && d.question.body !== undefined ? str(d.question.body) : "The department needs more information.";
    } else if (p.askBox) {
      // The draft stays: an older view of the ticket arriving late (a list fetched before the question) must
      // not throw away what the agent is typing when the question comes back a moment later.
      el.removeChild(p.askBox); p.askBox = null; p.replyButton.disabled = false;
    }

    var answered = d.answer !== null && d.answer !== undefined && state === "answered";
    if (answered) {
      if (!p.answer) { p.answer = h("div", "answer"); el.insertBefore(p.answer, p.reason); }
      p.answer.textContent = str(d.answer);
    } else if (p.answer) { el.removeChild(p.answer); p.answer = null; }

    var reason = "";
    if (state === "cancelled") reason = "Cancelled" + (d.reason ? ": " + d.reason : ".");
    else if (state === "dead_lettered") reason = "Not answered" + (d.reason ? ": " + d.reason : d.failure ? " (" + d.failure + ")" : ".");
    else if (state === "answered" && !answered) reason = "Answered. Loading the answer…";
    else if (d.note) reason = d.note;
    p.reason.textContent = reason; p.reason.hidden = !reason;

    p.actions.hidden = !OPEN[state];
  }

  // Keeps the list newest first.
  function place(r) {
    var list = $("tickets"), empty = list.querySelector(".empty");
    if (empty) list.removeChild(empty);
    var at = Date.parse(str(r.data.submitted_at)) || Infinity, before = null;
    for (var n = list.firstElementChild; n; n = n.nextElementSibling) {
      if (n === r.el) continue;
      var o = rows[n.getAttribute("data-ticket")];
      var oat = o ? (Date.parse(str(o.data.submitted_at)) || Infinity) : 0;
      if (oat <= at) { before = n; break; }
    }
    if (r.el.parentNode !== list || r.el.nextElementSibling !== before) list.insertBefore(r.el, before);
    var count = Object.keys(rows).length, open = 0;
    for (var t in rows) if (OPEN[rows[t].data.state]) open++;
    $("tickets-count").textContent = count ? open + " open · " + count + " shown" : "";
  }

  function fromStatus(s) {
    if (!s || typeof s !== "object") return {};
    return { request_id: s.request_id, department: s.department, priority: s.priority, state: s.state, worker: s.worker,
      reason: s.reason, failure: s.failure, sla: s.sla, submitted_at: s.submitted_at, updated_at: s.updated_at };
  }

  // Reads one ticket in full; an event that arrives meanwhile wins (the detail is read again).
  function detail(ticket, tries) {
    var r = row(ticket), version = r.version;
    return api("GET", "requests/" + encodeURIComponent(ticket)).then(function (d) {
      if (r.version !== version) { if ((tries || 0) < 2) detail(ticket, (tries || 0) + 1); return; }
      var f = fromStatus(d.request);
      f.answer = d.answer === undefined ? null : d.answer;
      f.updates = Array.isArray(d.updates) ? d.updates : [];
      f.questions = Array.isArray(d.questions) ? d.questions : [];
      f.replies = Array.isArray(d.replies) ? d.replies : [];
      f.question = d.question || null;
      upsert(ticket, f);
    }).catch(function (err) { if (err.status !== 404) showError(err); });
  }

  function loadTickets() {
    var q = "requests?submitter=me&" + ALL_STATES.map(function (s) { return "state=" + s; }).join("&") + "&limit=50";
    return api("GET", q).then(function (page) {
      var items = Array.isArray(page.items) ? page.items : [];
      items.forEach(function (it) {
        var r = upsert(str(it.ticket), fromStatus(it));
        if (r && (OPEN[r.data.state] || r.data.state === "answered")) detail(r.data.ticket);
      });
      if (!items.length && !Object.keys(rows).length) {
        var list = $("tickets"); list.textContent = ""; list.appendChild(h("li", "empty", "No tickets yet. Ask a department a question."));
      }
    }).catch(function (err) {
      var empty = $("tickets").querySelector(".empty");
      if (empty) empty.textContent = err.status === 401 ? "Sign in to see your tickets." : "Cannot load your tickets yet.";
      showError(err);
    });
  }

  // ---------- actions ----------

  function ask(ev) {
    ev.preventDefault();
    var button = $("ask");
    if (button.disabled) return;
    var body = {
      department: $("department").value, priority: $("priority").value || "normal", body: $("question").value.trim()
    };
    if (!body.department) { showError("Pick a department."); return; }
    if (!body.body) { showError("Write a question first."); $("question").focus(); return; }
    // The same question retried (after an error, or a second click) keeps its request id: one ticket.
    var key = JSON.stringify(body);
    if (!pendingAsk || pendingAsk.key !== key) pendingAsk = { key: key, id: uuid() };
    body.request_id = pendingAsk.id;
    button.disabled = true;
    $("ask-hint").textContent = "Sending…";
    api("POST", "requests", body).then(function (res) {
      pendingAsk = null;
      showError(null);
      var ticket = str(res.ticket);
      asked(ticket, body.body);
      store("switchboard.department", body.department);
      $("question").value = "";
      $("ask-hint").textContent = ticket + (res.no_worker ? ": queued, no one serves " + body.department + " right now" : ": sent");
      var r = rows[ticket];
      upsert(ticket, { request_id: res.request_id, department: res.department || body.department, priority: body.priority,
        state: r ? r.data.state : "queued", submitted_at: r && r.data.submitted_at ? r.data.submitted_at : new Date().toISOString() });
      if (res.agent) showIdentity(str(res.agent));
      detail(ticket);
    }).catch(function (err) {
      $("ask-hint").textContent = "";
      showError(err);
    }).then(function () { button.disabled = false; });
  }

  function reply(ticket) {
    var r = rows[ticket], p = r.parts, text = p.replyText.value.trim();
    if (!text) { p.replyText.focus(); return; }
    p.replyButton.disabled = true;
    var version = r.version;
    api("POST", "requests/" + encodeURIComponent(ticket) + "/reply", { body: text }).then(function (res) {
      showError(null);
      p.replyText.value = "";
      // The stream may already have told what came after the reply (the answer): its news wins over this
      // reply's older status.
      var f = r.version === version ? fromStatus(res.request) : {};
      r.version++;
      if (f.state !== undefined) f.question = null;
      var said = r.data.replies || [], latest = said[said.length - 1];
      // Unless the stream brought this reply back already.
      if (f.state !== undefined || !(latest && latest.body === text)) {
        f.replies = said.concat([{ at: new Date().toISOString(), body: text, local: true }]);
      }
      upsert(ticket, f);
    }).catch(function (err) {
      showError(err);
      if (err.code === "not-waiting") detail(ticket);
    }).then(function () { p.replyButton.disabled = false; });
  }

  function cancel(ticket) {
    // Asks again in the button itself: a sandboxed iframe may not allow window.confirm.
    var r = rows[ticket], b = r.parts.cancel;
    if (!b.getAttribute("data-confirm")) {
      b.setAttribute("data-confirm", "1"); b.textContent = "Really cancel?";
      setTimeout(function () { b.removeAttribute("data-confirm"); b.textContent = "Cancel"; }, 4000);
      return;
    }
    b.removeAttribute("data-confirm"); b.textContent = "Cancel";
    b.disabled = true;
    var version = r.version;
    api("POST", "requests/" + encodeURIComponent(ticket) + "/cancel").then(function (res) {
      showError(null);
      if (r.version === version) { r.version++; upsert(ticket, fromStatus(res.request)); }
    }).catch(function (err) {
      showError(err);
      if (err.code === "already-final") detail(ticket);
    }).then(function () { r.parts.cancel.disabled = false; });
  }

  // ---------- live updates: Server-Sent Events over fetch ----------

  function setLive(state, text) {
    var s = $("live-status");
    s.setAttribute("data-state", state);
    s.textContent = text || state;
  }

  function onEvent(type, data) {
    var e;
    try { e = JSON.parse(data); } catch (x) { return; }
    if (!e || !e.ticket) return;
    var ticket = str(e.ticket), known = !!rows[ticket], r = row(ticket), d = r.data;
    r.version++;
    var f = { department: e.department, priority: e.priority, state: e.state, updated_at: e.at, request_id: e.request_id, note: "" };
    if (!known) f.submitted_at = e.at;
    var body = e.body === undefined || e.body === null ? undefined : str(e.body);
    switch (type || e.type) {
      case "request.waiting_on_agent":
        f.question = { at: e.at, body: body === undefined ? "" : body };
        f.questions = (d.questions || []).concat([f.question]);
        break;
      case "request.info_received":
        f.question = null;
        // This page's own reply is in the thread already (from its POST); one from another tab is not.
        var replies = d.replies || [], last = replies[replies.length - 1];
        if (body !== undefined && !(last && last.local && last.body === body)) f.replies = replies.concat([{ at: e.at, body: body }]);
        else if (last && last.local) last.local = false;
        break;
      case "request.answered": f.answer = body === undefined ? null : body; break;
      case "request.updated": if (body !== undefined) f.updates = (d.updates || []).concat([{ at: e.at, body: body }]); break;
      case "request.transferred": f.note = "Transferred" + (e.from_department ? " from " + e.from_department : "") + (e.department ? " to " + e.department : "") + "."; break;
      case "request.requeued": f.note = "Back in the queue" + (e.reason ? ": " + e.reason : "."); break;
      case "request.cancelled": case "request.dead_lettered": f.reason = e.reason; f.failure = e.failure; break;
      case "request.sla_warning": f.sla = "warning"; delete f.note; break;
      case "request.sla_breached": f.sla = "breached"; delete f.note; break;
    }
    upsert(ticket, f);
    // A ticket this page has not seen (asked from another tab), or an answer without its text: read it in full.
    if (!known || (r.data.state === "answered" && (r.data.answer === null || r.data.answer === undefined))) detail(ticket);
  }

  function scheduleReconnect() {
    setLive("reconnecting", "reconnecting");
    clearTimeout(stream.timer);
    stream.timer = setTimeout(connect, stream.backoff);
    stream.backoff = Math.min(stream.backoff * 2, 10000);
  }

  function connect() {
    var gen = ++stream.gen, fresh = stream.lastId === null;
    clearTimeout(stream.timer);
    if (stream.controller) stream.controller.abort();
    var controller = stream.controller = new AbortController();
    var hd = headers(false);
    hd["Accept"] = "text/event-stream";
    if (stream.lastId !== null) hd["Last-Event-ID"] = stream.lastId;
    function watchdog() {   // keep-alives come every 15 s; silence for 45 s means the connection is gone
      clearTimeout(stream.watchdog);
      stream.watchdog = setTimeout(function () { controller.abort(); }, 45000);
    }
    watchdog();
    fetch(API + "stream", { headers: hd, cache: "no-store", signal: controller.signal }).then(function (res) {
      if (!res.ok) {
        return res.text().then(function (t) {
          var b = null; try { b = JSON.parse(t); } catch (x) { /* not JSON */ }
          throw new ApiError(res.status, b);
        });
      }
      if (!res.body || !res.body.getReader) throw new Error("this browser cannot read a stream");
      setLive("live", "live");
      stream.backoff = 1000;
      // Without a resume point the stream starts now: read the list after it is open, so nothing falls between.
      if (fresh) loadTickets();
      var reader = res.body.getReader(), decoder = new TextDecoder(), buf = "";
      var ev = { id: null, type: "", data: [] };
      function line(l) {
        if (l === "") {
          if (ev.id !== null) stream.lastId = ev.id;
          if (ev.data.length) onEvent(ev.type, ev.data.join("\n"));
          ev = { id: null, type: "", data: [] };
          return;
        }
        if (l.charAt(0) === ":") return;
        var i = l.indexOf(":"), field = i < 0 ? l : l.slice(0, i), value = i < 0 ? "" : l.slice(i + 1);
        if (value.charAt(0) === " ") value = value.slice(1);
        if (field === "id") ev.id = value;
        else if (field === "event") ev.type = value;
        else if (field === "data") ev.data.push(value);
      }
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) throw new Error("stream ended");
          watchdog();
          buf += decoder.decode(chunk.value, { stream: true });
          var m;
          while ((m = /\r\n|\r|\n/.exec(buf))) {
            if (m[0] === "\r" && m.index === buf.length - 1) break;   // may be the first half of \r\n
            var l = buf.slice(0, m.index);
            buf = buf.slice(m.index + m[0].length);
            line(l);
          }
          return pump();
        });
      }
      return pump();
    }).catch(function (err) {
      if (gen !== stream.gen) return;   // replaced by a newer connection
      clearTimeout(stream.watchdog);
      if (stream.lastId === null) loadTickets();   // the list still shows (and refreshes) while the stream is down
      if (err && err.status === 401) { setLive("offline", "signed out"); showError(err); return; }
      if (err && (err.code === "stale-event-id" || err.code === "unknown-event-id" || err.code === "invalid-event-id")) {
        stream.lastId = null;           // the ledger no longer has our point: start afresh and re-read the list
        stream.backoff = 1000;
      } else if (err && err.status && err.status < 500 && err.status !== 429) {
        showError(err);
      }
      scheduleReconnect();
    });
  }

  // ---------- start ----------

  // (Re)starts everything for the current identity: another agent's tickets must not linger.
  function start() {
    rows = {}; pendingAsk = null;
    var list = $("tickets"); list.textContent = ""; list.appendChild(h("li", "empty", "Loading…"));
    $("tickets-count").textContent = "";
    showError(null);
    showIdentity();
    loadDepartments();
    stream.lastId = null;
    stream.backoff = 1000;
    connect();
  }

  $("signin-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    auth.token = $("token").value.trim(); auth.agent = $("agent").value.trim();
    store("switchboard.token", auth.token); store("switchboard.agent", auth.agent);
    showSignin(false);
    start();
  });
  $("change-identity").addEventListener("click", function () { showSignin($("signin").hidden); if (!$("signin").hidden) $("token").focus(); });
  $("ask-form").addEventListener("submit", ask);
  $("question").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) ask(ev);
  });
  window.addEventListener("hashchange", function () { if (readFragment()) start(); });

  auth.token = load("switchboard.token");
  auth.agent = load("switchboard.agent");
  readFragment();
  if (!auth.token && !auth.agent) showSignin(true);
  start();
})();
</script>
</body>
</html>
"""#
}
