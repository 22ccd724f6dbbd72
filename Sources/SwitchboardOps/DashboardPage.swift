/// The dashboard served at `/`: one self-contained page (no external script, font or style).
/// Built from a single HTML document with inline CSS and JavaScript; it polls `api/v1/overview`
/// (relative, so it also works behind a path prefix) every second and renders everything with
/// `textContent`/`createElement` (no data is ever parsed as HTML).
enum DashboardPage {
    static let html: String = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>Switchboard</title>
<link rel="icon" href="data:,">
<style>
:root {
  --bg: #f3f5f8;
  --surface: #ffffff;
  --surface-2: #f8fafc;
  --border: #e2e7ee;
  --border-strong: #cfd7e2;
  --text: #1b2430;
  --muted: #5d6878;
  --faint: #8a95a5;
  --accent: #2f67c9;
  --accent-soft: #e8effb;
  --ok: #1d7f48;
  --ok-soft: #e4f4ea;
  --warn: #9a5b00;
  --warn-line: #e29a1c;
  --warn-soft: #fff3d9;
  --bad: #c0262d;
  --bad-soft: #fde9ea;
  --bar: #dfe5ee;
  --shadow: 0 1px 2px rgba(20, 32, 52, .06), 0 1px 8px rgba(20, 32, 52, .04);
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", "DejaVu Sans Mono", monospace;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #12161d;
    --surface: #1a2029;
    --surface-2: #1f2631;
    --border: #2b3441;
    --border-strong: #3a4555;
    --text: #e5eaf1;
    --muted: #a3aebd;
    --faint: #7b8696;
    --accent: #7aa7f5;
    --accent-soft: #223350;
    --ok: #5cc98b;
    --ok-soft: #173326;
    --warn: #f0b454;
    --warn-line: #d8962a;
    --warn-soft: #3a2c12;
    --bad: #ff7b7f;
    --bad-soft: #3e1b1e;
    --bar: #2c3644;
    --shadow: none;
  }
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
  font-variant-numeric: tabular-nums;
}
.topbar {
  position: sticky; top: 0; z-index: 5;
  display: flex; align-items: center; gap: 16px;
  padding: 10px 24px;
  background: var(--surface);
  border-bottom: 1px solid var(--border);
}
.brand { display: flex; align-items: center; gap: 10px; min-width: 0; }
.brand svg { flex: none; }
.brand h1 { margin: 0; font-size: 18px; font-weight: 650; letter-spacing: .01em; }
.brand .sub { color: var(--muted); font-size: 13px; white-space: nowrap; }
.spacer { flex: 1; }
.status {
  display: inline-flex; align-items: center; gap: 8px;
  padding: 4px 12px 4px 10px; border-radius: 999px;
  font-size: 13px; font-weight: 600;
  background: var(--surface-2); color: var(--muted); border: 1px solid var(--border);
  white-space: nowrap;
}
.status .dot { width: 8px; height: 8px; border-radius: 50%; background: var(--faint); }
.status[data-state="live"] { color: var(--ok); background: var(--ok-soft); border-color: transparent; }
.status[data-state="live"] .dot { background: var(--ok); animation: pulse 2s ease-in-out infinite; }
.status[data-state="reconnecting"] { color: var(--warn); background: var(--warn-soft); border-color: transparent; }
.status[data-state="reconnecting"] .dot { background: var(--warn-line); }
.updated { color: var(--muted); font-size: 13px; white-space: nowrap; }
@keyframes pulse { 0%, 100% { opacity: 1; } 50% { opacity: .35; } }
@media (prefers-reduced-motion: reduce) { .status .dot { animation: none !important; } }

main { max-width: 1480px; margin: 0 auto; padding: 16px 24px 28px; }

.banner {
  margin: 0 0 14px; padding: 9px 14px; border-radius: 8px;
  background: var(--warn-soft); color: var(--warn); font-weight: 550;
  border: 1px solid var(--warn-line);
}
.banner[hidden] { display: none; }

.totals { display: grid; grid-template-columns: minmax(0, 1.45fr) repeat(5, minmax(0, 1fr)); gap: 12px; margin-bottom: 16px; }
.tile {
  background: var(--surface); border: 1px solid var(--border); border-radius: 10px;
  padding: 10px 14px 11px; box-shadow: var(--shadow); min-width: 0;
}
.tile .label { color: var(--muted); font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .05em; }
.tile .value { font-size: 26px; font-weight: 650; line-height: 1.2; margin-top: 2px; }
.tile .detail { color: var(--muted); font-size: 12.5px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.tile.bad .value { color: var(--bad); }
.tile.warn .value { color: var(--warn); }

.panel {
  background: var(--surface); border: 1px solid var(--border); border-radius: 10px;
  box-shadow: var(--shadow); margin-bottom: 16px; overflow: hidden;
}
.panel > header {
  display: flex; align-items: baseline; gap: 10px;
  padding: 11px 16px 9px; border-bottom: 1px solid var(--border);
}
.panel h2 { margin: 0; font-size: 15px; font-weight: 650; }
.panel .hint { color: var(--muted); font-size: 12.5px; }
.panel .count {
  margin-left: auto; color: var(--muted); font-size: 12.5px; white-space: nowrap;
}
.scroll { overflow-x: auto; }

.columns { display: grid; grid-template-columns: minmax(0, 1fr) minmax(360px, 34%); gap: 16px; align-items: start; }
.columns > div > .panel:last-child { margin-bottom: 0; }
.columns { margin-bottom: 16px; }
@media (max-width: 1100px) {
  .columns { grid-template-columns: minmax(0, 1fr); }
  .totals { grid-template-columns: repeat(3, minmax(0, 1fr)); }
}
@media (max-width: 1320px) {
  #departments .opt { display: none; }
}
@media (max-width: 1150px) {
  th, td { padding-left: 8px; padding-right: 8px; }
  .compliance .meter { display: none; }
  #departments td.workers-cell { white-space: normal; }
}
@media (max-width: 600px) {
  .totals { grid-template-columns: repeat(2, minmax(0, 1fr)); }
  main { padding: 12px; }
  .topbar { padding: 10px 12px; flex-wrap: wrap; }
}

table { width: 100%; border-collapse: collapse; }
th, td { padding: 7px 10px; text-align: left; vertical-align: middle; }
th {
  font-size: 11.5px; font-weight: 650; color: var(--muted);
  text-transform: uppercase; letter-spacing: .05em; white-space: nowrap;
  background: var(--surface-2); border-bottom: 1px solid var(--border);
}
td { border-bottom: 1px solid var(--border); }
tbody tr:last-child td { border-bottom: 0; }
th:first-child, td:first-child { padding-left: 16px; }
th:last-child, td:last-child { padding-right: 16px; }
.num { text-align: right; white-space: nowrap; }
.nowrap { white-space: nowrap; }
.muted { color: var(--muted); }
.faint { color: var(--faint); }
.mono { font-family: var(--mono); font-size: 12.5px; }
.strong { font-weight: 650; }
.small { font-size: 12px; }

tr.flag-bad td:first-child { box-shadow: inset 3px 0 0 var(--bad); }
tr.flag-warn td:first-child { box-shadow: inset 3px 0 0 var(--warn-line); }
tr.flag-ok td:first-child { box-shadow: inset 3px 0 0 var(--ok); }

.dept-name { font-weight: 650; white-space: nowrap; }
.zero-num { color: var(--faint); }
.big { font-size: 16px; font-weight: 650; }

.pill {
  display: inline-block; min-width: 22px; padding: 1px 8px; border-radius: 999px;
  font-size: 12.5px; font-weight: 650; text-align: center; line-height: 18px;
}
.pill.zero { color: var(--faint); font-weight: 500; }
.pill.warn { background: var(--warn-soft); color: var(--warn); }
.pill.bad { background: var(--bad-soft); color: var(--bad); }

.badge {
  display: inline-block; padding: 0 7px; border-radius: 4px;
  font-size: 11.5px; font-weight: 650; line-height: 18px; letter-spacing: .02em;
  white-space: nowrap; border: 1px solid transparent;
}
.prio-urgent { background: var(--bad-soft); color: var(--bad); }
.prio-high { background: var(--warn-soft); color: var(--warn); }
.prio-normal { background: var(--accent-soft); color: var(--accent); }
.prio-low { background: var(--surface-2); color: var(--muted); border-color: var(--border); }
.badge.draining { background: var(--warn-soft); color: var(--warn); margin-left: 6px; }
.badge.paused { background: var(--surface-2); color: var(--muted); border-color: var(--border); margin-left: 6px; }
.worker-cell { min-width: 0; }
.worker-name { overflow-wrap: anywhere; }
.worker-depts { color: var(--muted); font-size: 12.5px; overflow-wrap: anywhere; }
.chip {
  display: inline-block; padding: 0 6px; margin: 1px 4px 1px 0; border-radius: 4px;
  font-size: 12px; line-height: 18px; background: var(--surface-2); color: var(--muted); border: 1px solid var(--border);
}

.state { white-space: nowrap; }
.state::before {
  content: ""; display: inline-block; width: 7px; height: 7px; border-radius: 50%;
  margin-right: 6px; vertical-align: 1px; background: var(--faint);
}
.state-queued::before { background: var(--faint); }
.state-offered::before { background: var(--accent); opacity: .6; }
.state-accepted::before { background: var(--accent); }
.state-waiting_on_agent::before { background: var(--warn-line); }

.countdown { font-weight: 650; white-space: nowrap; }
.countdown.sla-ok { color: var(--ok); }
.countdown.sla-none { color: var(--text); }
.countdown.sla-warning { color: var(--warn); }
.countdown.sla-breached, .countdown.overdue { color: var(--bad); }

.compliance { display: flex; align-items: center; gap: 8px; justify-content: flex-end; white-space: nowrap; }
.compliance .pct { min-width: 46px; text-align: right; font-weight: 650; }
.compliance.good .pct { color: var(--ok); }
.compliance.fair .pct { color: var(--warn); }
.compliance.poor .pct { color: var(--bad); }
.meter { width: 56px; height: 6px; border-radius: 3px; background: var(--bar); overflow: hidden; flex: none; }
.meter > span { display: block; height: 100%; border-radius: 3px; background: var(--accent); }
.compliance.good .meter > span { background: var(--ok); }
.compliance.fair .meter > span { background: var(--warn-line); }
.compliance.poor .meter > span { background: var(--bad); }

.load { display: flex; align-items: center; gap: 8px; white-space: nowrap; }
.load .meter { width: 70px; }
.load.full .meter > span { background: var(--warn-line); }
.load .txt { min-width: 34px; }

.hb-stale { color: var(--warn); font-weight: 600; }
.hb-dead { color: var(--bad); font-weight: 600; }

.empty {
  padding: 22px 16px; text-align: center; color: var(--muted);
}
.empty .big-icon { display: block; font-size: 20px; color: var(--ok); margin-bottom: 2px; }

.breach-list { list-style: none; margin: 0; padding: 0; }
.breach-row {
  display: grid; grid-template-columns: minmax(0, 1fr) auto; gap: 2px 12px;
  padding: 8px 16px; border-bottom: 1px solid var(--border);
  box-shadow: inset 3px 0 0 var(--bad);
}
.breach-row:last-child { border-bottom: 0; }
.breach-row .line1 { display: flex; align-items: center; gap: 8px; min-width: 0; flex-wrap: wrap; }
.breach-row .line2 { grid-column: 1; color: var(--muted); font-size: 12.5px; }
.breach-row .when { grid-row: 1 / span 2; grid-column: 2; align-self: center; color: var(--muted); font-size: 12.5px; text-align: right; white-space: nowrap; }

.stale main { opacity: .8; }
footer { color: var(--faint); font-size: 12px; text-align: center; padding: 0 0 18px; }
</style>
</head>
<body>
<div class="topbar">
  <div class="brand">
    <svg width="26" height="26" viewBox="0 0 26 26" aria-hidden="true">
      <rect x="0" y="0" width="26" height="26" rx="6" fill="#2f67c9"></rect>
      <circle cx="8" cy="8" r="2.3" fill="#fff"></circle>
      <circle cx="8" cy="18" r="2.3" fill="#fff"></circle>
      <circle cx="18" cy="13" r="2.3" fill="#fff"></circle>
      <path d="M9.8 9.2 L16.2 12 M9.8 16.8 L16.2 14" stroke="#fff" stroke-width="1.6" stroke-linecap="round"></path>
    </svg>
    <h1>Switchboard</h1>
    <span class="sub" id="subtitle">Request broker operations</span>
  </div>
  <div class="spacer"></div>
  <span class="updated" id="updated"></span>
  <span class="status" id="status" data-state="connecting" role="status" aria-live="polite"><span class="dot"></span><span id="status-text">Connecting…</span></span>
</div>

<main>
  <div class="banner" id="banner" role="alert" hidden></div>

  <section class="totals" id="totals" aria-label="Totals">
    <div class="tile" id="tile-pending"><div class="label">Pending</div><div class="value" data-field="value">—</div><div class="detail" data-field="detail">&nbsp;</div></div>
    <div class="tile" id="tile-answered"><div class="label">Answered</div><div class="value" data-field="value">—</div><div class="detail" data-field="detail">&nbsp;</div></div>
    <div class="tile" id="tile-breaches"><div class="label">SLA breaches</div><div class="value" data-field="value">—</div><div class="detail" data-field="detail">&nbsp;</div></div>
    <div class="tile" id="tile-dead"><div class="label">Dead-lettered</div><div class="value" data-field="value">—</div><div class="detail" data-field="detail">&nbsp;</div></div>
    <div class="tile" id="tile-workers"><div class="label">Workers</div><div class="value" data-field="value">—</div><div class="detail" data-field="detail">&nbsp;</div></div>
    <div class="tile" id="tile-uptime"><div class="label">Uptime</div><div class="value" data-field="value">—</div><div class="detail" data-field="detail">&nbsp;</div></div>
  </section>

  <section class="panel" aria-labelledby="h-departments">
    <header><h2 id="h-departments">Departments</h2><span class="hint">queues, service levels and capacity</span><span class="count" id="departments-count"></span></header>
    <div class="scroll" id="departments"><div class="empty">Loading…</div></div>
  </section>

  <div class="columns">
    <div>
      <section class="panel" aria-labelledby="h-pending">
        <header><h2 id="h-pending">Nearest to breach</h2><span class="hint">open requests by deadline</span><span class="count" id="pending-count"></span></header>
        <div class="scroll" id="pending"><div class="empty">Loading…</div></div>
      </section>
    </div>
    <div>
      <section class="panel" aria-labelledby="h-workers">
        <header><h2 id="h-workers">Workers</h2><span class="hint">load and heartbeat</span><span class="count" id="workers-count"></span></header>
        <div class="scroll" id="workers"><div class="empty">Loading…</div></div>
      </section>
      <section class="panel" aria-labelledby="h-breaches">
        <header><h2 id="h-breaches">Recent breaches</h2><span class="hint">newest first</span><span class="count" id="breaches-count"></span></header>
        <div id="breaches"><div class="empty">Loading…</div></div>
      </section>
    </div>
  </div>
</main>
<footer id="footer">Updates every second from <span class="mono">api/v1/overview</span></footer>

<script>
(function () {
  "use strict";

  var API = "api/v1/overview";
  // A daemon with http.tokens wants a bearer token: open the page as /#token=<token>. The fragment never
  // leaves the browser, so the token is not in any server's access log.
  var TOKEN = new URLSearchParams(location.hash.slice(1)).get("token");
  var HEADERS = TOKEN ? { "Accept": "application/json", "Authorization": "Bearer " + TOKEN } : { "Accept": "application/json" };
  var POLL_MS = 1000;          // poll every second
  var RETRY_MS = 2000;         // after a failure, retry at least every 2 s
  var TIMEOUT_MS = 4000;       // give up on one poll after this long
  var HEARTBEAT_STALE = 7.5;   // seconds (2.5 s x 3 by default)

  var STATE_LABEL = {
    queued: "queued", offered: "offered", accepted: "accepted", waiting_on_agent: "waiting on agent",
    answered: "answered", cancelled: "cancelled", dead_lettered: "dead-lettered"
  };
  var TARGET_LABEL = { first_response: "first response", answer: "answer", update: "update" };

  var current = null;     // last overview received
  var receivedAt = 0;     // client clock (ms) when it was received
  var offsetMs = 0;       // server clock minus client clock
  var lastOkAt = 0;
  var failures = 0;
  var lastError = "";
  var tickers = [];       // cells that change every second between polls
  var pollTimer = null;
  var inFlight = false;

  // ---------- small helpers ----------

  function $(id) { return document.getElementById(id); }

  // Creates an element; text is always set with textContent (never parsed as HTML).
  function h(tag, props, children) {
    var node = document.createElement(tag);
    if (props) {
      for (var key in props) {
        if (!Object.prototype.hasOwnProperty.call(props, key)) continue;
        var value = props[key];
        if (value === undefined || value === null || value === false) continue;
        if (key === "text") node.textContent = String(value);
        else if (key === "className") node.className = value;
        else if (key === "title") node.title = String(value);
        else if (key === "data") {
          for (var d in value) if (Object.prototype.hasOwnProperty.call(value, d)) node.setAttribute("data-" + d, String(value[d]));
        } else if (key === "style") node.setAttribute("style", value);
        else node.setAttribute(key, String(value));
      }
    }
    if (children) {
      for (var i = 0; i < children.length; i++) {
        var child = children[i];
        if (child === null || child === undefined || child === false) continue;
        node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
      }
    }
    return node;
  }

  function num(value, fallback) {
    return (typeof value === "number" && isFinite(value)) ? value : (fallback === undefined ? 0 : fallback);
  }
  function str(value) { return (value === undefined || value === null) ? "" : String(value); }
  function list(value) { return Array.isArray(value) ? value : []; }
  function fmtInt(value) { return Math.round(num(value)).toLocaleString("en-US"); }
  function plural(n, one, many) { return fmtInt(n) + " " + (Math.round(n) === 1 ? one : (many || one + "s")); }

  // 45s, 3m 10s, 2h 5m, 3d 4h
  function human(seconds) {
    var s = Math.floor(Math.max(0, num(seconds)));
    if (s < 60) return s + "s";
    var m = Math.floor(s / 60);
    if (m < 60) return m + "m " + (s % 60) + "s";
    var hr = Math.floor(m / 60);
    if (hr < 24) return hr + "h " + (m % 60) + "m";
    var d = Math.floor(hr / 24);
    return d + "d " + (hr % 24) + "h";
  }

  function parseTime(text) {
    if (typeof text !== "string" || !text) return NaN;
    return Date.parse(text);
  }
  function clockTime(ms) {
    if (!isFinite(ms)) return "";
    var d = new Date(ms);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }
  function localStamp(text) {
    var ms = parseTime(text);
    return isFinite(ms) ? new Date(ms).toLocaleString() : str(text);
  }

  // The server's clock now, estimated from the client's.
  function serverNow() { return Date.now() + offsetMs; }
  // Seconds since the current overview was received.
  function elapsed() { return receivedAt ? Math.max(0, (Date.now() - receivedAt) / 1000) : 0; }

  function replace(container, node) {
    while (container.firstChild) container.removeChild(container.firstChild);
    if (node) container.appendChild(node);
  }

  function emptyState(text, good) {
    return h("div", { className: "empty" }, [
      good ? h("span", { className: "big-icon", "aria-hidden": "true", text: "✓" }) : null,
      text
    ]);
  }

  function table(headers, rows) {
    var headRow = h("tr");
    headers.forEach(function (hd) {
      headRow.appendChild(h("th", { className: hd.cls || "", scope: "col", title: hd.title, text: hd.label }));
    });
    var body = h("tbody");
    rows.forEach(function (row) { body.appendChild(row); });
    return h("table", null, [h("thead", null, [headRow]), body]);
  }

  // ---------- tickers: cells that move every second ----------

  function addTicker(node, fn) {
    tickers.push({ node: node, fn: fn });
    fn(node);
    return node;
  }

  function ageCell(node, baseSeconds) {
    var base = num(baseSeconds, NaN);
    if (!isFinite(base)) { node.textContent = "—"; return node; }
    return addTicker(node, function (n) { n.textContent = human(base + elapsed()); });
  }

  function countdownText(due) {
    if (due < 0) return "overdue " + human(-due);
    return human(due);
  }

  function dueSeconds(req) {
    var deadline = parseTime(req.deadline);
    if (req.state === "waiting_on_agent") {
      // Its clocks are paused while the agent is asked: the time left does not move.
      return num(req.due_in_seconds, isFinite(deadline) ? (deadline - parseTime(current && current.generated_at)) / 1000 : NaN);
    }
    if (isFinite(deadline)) return (deadline - serverNow()) / 1000;
    if (typeof req.due_in_seconds === "number") return req.due_in_seconds - elapsed();
    return NaN;
  }

  var SLA_TITLE = {
    none: "No service-level target for this priority",
    ok: "Within its service levels",
    warning: "Past a warning threshold: about to breach",
    breached: "A service-level target was breached"
  };

  function countdownCell(req, row) {
    var sla = str(req.sla) || "none";
    var label = h("span", { className: "countdown sla-" + sla });
    var td = h("td", { className: "nowrap" }, [label]);
    row.appendChild(td);
    if (req.state === "waiting_on_agent") td.appendChild(h("span", { className: "badge paused", title: "Clocks paused while the agent is asked for more information", text: "paused" }));
    var deadlineMs = parseTime(req.deadline);
    td.title = (SLA_TITLE[sla] || "") + (isFinite(deadlineMs) ? (SLA_TITLE[sla] ? ". " : "") + "Due " + new Date(deadlineMs).toLocaleString() : "");
    addTicker(label, function (n) {
      var due = dueSeconds(req);
      if (!isFinite(due)) { n.textContent = "—"; return; }
      n.textContent = countdownText(due);
      var overdue = due < 0;
      n.className = "countdown sla-" + sla + (overdue ? " overdue" : "");
      row.className = rowFlag(overdue ? "breached" : sla, "request-row");
    });
    return td;
  }

  function rowFlag(level, base) {
    if (level === "breached") return base + " flag-bad";
    if (level === "warning") return base + " flag-warn";
    return base;
  }

  function tick() {
    for (var i = 0; i < tickers.length; i++) {
      try { tickers[i].fn(tickers[i].node); } catch (e) { /* keep ticking the others */ }
    }
    updateFreshness();
  }

  // ---------- rendering ----------

  function setTile(id, value, detail, tone) {
    var tile = $(id);
    if (!tile) return;
    tile.className = "tile" + (tone ? " " + tone : "");
    tile.querySelector('[data-field="value"]').textContent = value;
    var d = tile.querySelector('[data-field="detail"]');
    d.textContent = detail || "\u00a0";
    d.title = detail || "";
  }

  function pendingTotal(stats) {
    var pending = stats && stats.pending && typeof stats.pending === "object" ? stats.pending : {};
    var total = 0;
    for (var key in pending) if (Object.prototype.hasOwnProperty.call(pending, key)) total += num(pending[key]);
    return { total: total, by: pending };
  }

  function renderTotals(data) {
    var stats = data.stats || {};
    var p = pendingTotal(stats);
    var parts = [];
    var inProgress = num(p.by.offered) + num(p.by.accepted);
    if (num(p.by.queued) > 0) parts.push(fmtInt(p.by.queued) + " queued");
    if (inProgress > 0) parts.push(fmtInt(inProgress) + " in progress");
    if (num(p.by.waiting_on_agent) > 0) parts.push(fmtInt(p.by.waiting_on_agent) + " waiting");
    setTile("tile-pending", fmtInt(p.total), parts.length ? parts.join(" · ") : "nothing open");

    setTile("tile-answered", fmtInt(stats.answered), "of " + fmtInt(stats.submitted) + " submitted");

    var breaches = num(stats.sla_breaches);
    setTile("tile-breaches", fmtInt(breaches), plural(num(stats.sla_warnings), "warning"), breaches > 0 ? "bad" : "");

    var dead = num(stats.dead_lettered);
    setTile("tile-dead", fmtInt(dead), fmtInt(stats.cancelled) + " cancelled · " + plural(num(stats.retries), "retry", "retries"), dead > 0 ? "warn" : "");

    var draining = 0;
    list(data.workers).forEach(function (w) { if (w && w.draining) draining++; });
    var workerCount = num(stats.workers, list(data.workers).length);
    setTile("tile-workers", fmtInt(workerCount),
      draining ? fmtInt(draining) + " draining" : "serving " + plural(num(stats.departments, list(data.departments).length), "department"),
      workerCount === 0 && p.total > 0 ? "warn" : "");

    var uptimeTile = $("tile-uptime");
    uptimeTile.className = "tile";
    var started = parseTime(stats.started_at);
    var upDetail = (stats.version ? "v" + stats.version : "") + (isFinite(started) ? (stats.version ? " · " : "") + "since " + clockTime(started) : "");
    uptimeTile.querySelector('[data-field="detail"]').textContent = upDetail || "\u00a0";
    uptimeTile.querySelector('[data-field="detail"]').title = isFinite(started) ? "Started " + new Date(started).toLocaleString() : "";
    ageCell(uptimeTile.querySelector('[data-field="value"]'), stats.uptime_seconds);

    $("subtitle").textContent = stats.version ? "Request broker · v" + stats.version : "Request broker operations";
    document.title = (p.total > 0 ? "(" + fmtInt(p.total) + ") " : "") + "Switchboard";
  }

  function countPill(n, tone, title) {
    n = num(n);
    return h("span", { className: "pill " + (n > 0 ? tone : "zero"), title: title, text: fmtInt(n) });
  }

  function complianceCell(value, answered) {
    var td = h("td", { className: "num" });
    if (typeof value !== "number" || !isFinite(value)) {
      td.appendChild(h("span", { className: "faint", title: "Nothing answered in the last 24 hours", text: "—" }));
      return td;
    }
    var pct = Math.max(0, Math.min(1, value)) * 100;
    var text = pct >= 99.95 ? "100%" : (pct >= 10 ? pct.toFixed(1) : pct.toFixed(1)) + "%";
    var tone = pct >= 95 ? "good" : (pct >= 85 ? "fair" : "poor");
    td.appendChild(h("div", { className: "compliance " + tone, title: text + " of " + plural(num(answered), "request") + " answered in the last 24 hours met every target" }, [
      h("span", { className: "meter" }, [h("span", { style: "width:" + pct.toFixed(1) + "%" })]),
      h("span", { className: "pct", text: text })
    ]));
    return td;
  }

  function numCell(n, title, extra) {
    return h("td", { className: (num(n) > 0 ? "num" : "num zero-num") + (extra ? " " + extra : ""), title: title, text: fmtInt(n) });
  }

  function renderDepartments(data) {
    var depts = list(data.departments);
    var container = $("departments");
    $("departments-count").textContent = depts.length ? plural(depts.length, "department") : "";
    if (!depts.length) { replace(container, emptyState("No departments configured")); return; }

    var rows = depts.map(function (d) {
      var name = str(d.name);
      var pending = num(d.pending);
      var workers = num(d.workers);
      var draining = num(d.draining_workers);
      var level = num(d.breached) > 0 ? "breached" : (num(d.at_risk) > 0 ? "warning" : "ok");

      var oldest = h("td", { className: "num" });
      if (typeof d.oldest_pending_seconds === "number") {
        var ageSpan = ageCell(h("span"), d.oldest_pending_seconds);
        oldest.appendChild(ageSpan);
        if (d.oldest_pending_ticket) oldest.title = "Oldest open request: " + d.oldest_pending_ticket;
      } else {
        oldest.appendChild(h("span", { className: "faint", text: "—" }));
      }

      var workersTd = h("td", { className: "nowrap workers-cell" });
      if (workers === 0) {
        workersTd.appendChild(h("span", { className: pending > 0 ? "pill warn" : "faint", title: pending > 0 ? "No worker is serving this department: its requests wait in the queue" : "", text: pending > 0 ? "none" : "0" }));
      } else {
        workersTd.appendChild(h("span", { className: "strong", text: fmtInt(workers) }));
        if (draining > 0) workersTd.appendChild(h("span", { className: "badge draining", text: fmtInt(draining) + " draining" }));
      }

      var credit = num(d.credit);
      var free = num(d.free_credit);
      var capTd = h("td", { className: "num opt", title: fmtInt(credit - free) + " of " + fmtInt(credit) + " slots in use" },
        credit > 0 ? [h("span", { className: free === 0 ? "strong" : "", text: fmtInt(free) }), h("span", { className: "muted", text: " / " + fmtInt(credit) })]
                   : [h("span", { className: "faint", text: "—" })]);

      return h("tr", { className: rowFlag(level, "dept-row"), data: { department: name } }, [
        h("td", { className: "dept-name", text: name }),
        h("td", { className: "num" }, [h("span", { className: pending > 0 ? "big" : "big faint", text: fmtInt(pending) })]),
        numCell(d.queued),
        numCell(num(d.offered) + num(d.accepted), fmtInt(d.offered) + " offered, " + fmtInt(d.accepted) + " accepted"),
        numCell(d.waiting_on_agent),
        oldest,
        h("td", { className: "num" }, [countPill(d.at_risk, "warn", "Past a warning threshold, not yet breached")]),
        h("td", { className: "num" }, [countPill(d.breached, "bad", "Open requests with a breached target")]),
        complianceCell(d.sla_compliance, d.answered_last_day),
        numCell(d.answered_last_day, null, "opt"),
        workersTd,
        capTd
      ]);
    });

    replace(container, table([
      { label: "Department" },
      { label: "Pending", cls: "num", title: "Open requests" },
      { label: "Queued", cls: "num", title: "Waiting for a worker" },
      { label: "In progress", cls: "num", title: "Offered to or accepted by a worker" },
      { label: "Waiting", cls: "num", title: "Waiting on the agent (clocks paused)" },
      { label: "Oldest", cls: "num", title: "Age of the oldest open request" },
      { label: "At risk", cls: "num", title: "Past a warning threshold" },
      { label: "Breached", cls: "num", title: "Open requests past a target" },
      { label: "SLA 24h", cls: "num", title: "Share of requests answered in the last 24 hours that met every target" },
      { label: "Answered 24h", cls: "num opt" },
      { label: "Workers" },
      { label: "Free credit", cls: "num opt", title: "Free / total credit of its workers" }
    ], rows));
  }

  function renderPending(data) {
    var reqs = list(data.nearest_deadline);
    var container = $("pending");
    var total = pendingTotal(data.stats).total;
    $("pending-count").textContent = reqs.length ? (total > reqs.length ? "nearest " + fmtInt(reqs.length) + " of " + fmtInt(total) : plural(reqs.length, "request")) : "";
    if (!reqs.length) { replace(container, emptyState("No pending requests", true)); return; }

    var rows = reqs.map(function (r) {
      var ticket = str(r.ticket);
      var prio = str(r.priority) || "normal";
      var state = str(r.state);
      var row = h("tr", { className: rowFlag(str(r.sla), "request-row"), data: { ticket: ticket } });
      countdownCell(r, row);
      row.appendChild(h("td", { className: "mono ticket nowrap", title: r.request_id ? "Request id " + r.request_id : "", text: ticket }));
      row.appendChild(h("td", { className: "nowrap", text: str(r.department) }));
      row.appendChild(h("td", null, [h("span", { className: "badge prio-" + prio, text: prio })]));
      row.appendChild(h("td", { title: r.worker ? "Held by " + r.worker : "" }, [
        h("span", { className: "state state-" + state, text: STATE_LABEL[state] || state })
      ]));
      row.appendChild(ageCell(h("td", { className: "num muted" }), r.age_seconds));
      row.appendChild(h("td", { className: "num " + (num(r.attempts) > 1 ? "strong" : "muted"), text: fmtInt(r.attempts) }));
      return row;
    });

    replace(container, table([
      { label: "Due in" },
      { label: "Ticket" },
      { label: "Department" },
      { label: "Priority" },
      { label: "State" },
      { label: "Age", cls: "num", title: "Time since submission" },
      { label: "Tries", cls: "num", title: "Attempts so far" }
    ], rows));
  }

  function heartbeatCell(seconds) {
    var td = h("td", { className: "num" });
    var base = num(seconds, NaN);
    if (!isFinite(base)) { td.textContent = "—"; return td; }
    return addTicker(td, function (n) {
      var age = base + elapsed();
      n.textContent = age < 1 ? "just now" : human(age) + " ago";
      n.className = "num " + (age > HEARTBEAT_STALE * 2 ? "hb-dead" : (age > HEARTBEAT_STALE ? "hb-stale" : "muted"));
    });
  }

  function renderWorkers(data) {
    var workers = list(data.workers);
    var container = $("workers");
    $("workers-count").textContent = workers.length ? plural(workers.length, "worker") : "";
    if (!workers.length) { replace(container, emptyState("No workers connected")); return; }

    var rows = workers.map(function (w) {
      var credit = num(w.credit);
      var held = Math.max(0, credit - num(w.free_credit));
      var tickets = list(w.tickets);
      if (tickets.length > held) held = tickets.length;
      var pct = credit > 0 ? Math.min(100, held / credit * 100) : 0;

      var nameTd = h("td", { className: "worker-cell", title: "id " + str(w.id) + (w.joined_at ? " · joined " + localStamp(w.joined_at) : "") }, [
        h("div", { className: "worker-name" }, [
          h("span", { className: "strong", text: str(w.name) || str(w.id) }),
          w.draining ? h("span", { className: "badge draining", text: "draining" }) : null
        ]),
        h("div", { className: "worker-depts", text: list(w.departments).map(str).join(" · ") || "no department" })
      ]);

      var loadTd = h("td", { title: tickets.length ? "Holds " + tickets.join(", ") : "Holds nothing" }, [
        h("div", { className: "load" + (credit > 0 && held >= credit ? " full" : "") }, [
          h("span", { className: "meter" }, [h("span", { style: "width:" + pct.toFixed(1) + "%" })]),
          h("span", { className: "txt", text: fmtInt(held) + "/" + fmtInt(credit) })
        ])
      ]);

      return h("tr", { className: "worker-row" + (w.draining ? " flag-warn" : ""), data: { worker: str(w.id) } }, [
        nameTd, loadTd, heartbeatCell(w.last_heartbeat_seconds)
      ]);
    });

    replace(container, table([
      { label: "Worker", title: "Name and departments served" },
      { label: "Load", title: "Requests held / credit" },
      { label: "Heartbeat", cls: "num", title: "Last heard from" }
    ], rows));
  }

  function renderBreaches(data) {
    var breaches = list(data.recent_breaches);
    var container = $("breaches");
    $("breaches-count").textContent = breaches.length ? plural(breaches.length, "breach", "breaches") : "";
    if (!breaches.length) { replace(container, emptyState("No breaches recorded", true)); return; }

    var ul = h("ul", { className: "breach-list" });
    breaches.forEach(function (b) {
      var prio = str(b.priority) || "normal";
      var target = b.target ? (TARGET_LABEL[b.target] || str(b.target)) + " target" : "target";
      var atMs = parseTime(b.at);
      var when = h("span", { className: "when", title: isFinite(atMs) ? new Date(atMs).toLocaleString() : str(b.at) });
      if (isFinite(atMs)) {
        addTicker(when, function (n) { n.textContent = human((serverNow() - atMs) / 1000) + " ago"; });
      } else {
        when.textContent = str(b.at);
      }
      ul.appendChild(h("li", { className: "breach-row", data: { ticket: str(b.ticket) } }, [
        h("div", { className: "line1" }, [
          h("span", { className: "mono strong ticket", text: str(b.ticket) }),
          h("span", { className: "muted", text: str(b.department) }),
          h("span", { className: "badge prio-" + prio, text: prio })
        ]),
        h("div", { className: "line2", text: "Missed its " + target + " · now " + (STATE_LABEL[b.state] || str(b.state)) }),
        when
      ]));
    });
    replace(container, ul);
  }

  function render(data) {
    tickers = [];
    var sections = [renderTotals, renderDepartments, renderPending, renderWorkers, renderBreaches];
    for (var i = 0; i < sections.length; i++) {
      try { sections[i](data); } catch (e) { if (window.console) console.error("dashboard: rendering failed", e); }
    }
    updateFavicon(data);
  }

  // ---------- favicon: drawn, so the page needs no file ----------

  var lastIcon = "";
  function updateFavicon(data) {
    var tone = "#2f67c9";
    var depts = list(data.departments);
    for (var i = 0; i < depts.length; i++) {
      if (num(depts[i].breached) > 0) { tone = "#c0262d"; break; }
      if (num(depts[i].at_risk) > 0) tone = "#e29a1c";
    }
    if (tone === lastIcon) return;
    lastIcon = tone;
    try {
      var canvas = document.createElement("canvas");
      canvas.width = canvas.height = 32;
      var ctx = canvas.getContext("2d");
      if (!ctx) return;
      ctx.fillStyle = tone;
      ctx.beginPath();
      if (ctx.roundRect) ctx.roundRect(0, 0, 32, 32, 7); else ctx.rect(0, 0, 32, 32);
      ctx.fill();
      ctx.fillStyle = "#fff";
      [[10, 10], [10, 22], [22, 16]].forEach(function (c) { ctx.beginPath(); ctx.arc(c[0], c[1], 3, 0, Math.PI * 2); ctx.fill(); });
      ctx.strokeStyle = "#fff"; ctx.lineWidth = 2; ctx.lineCap = "round";
      ctx.beginPath(); ctx.moveTo(12, 11.5); ctx.lineTo(20, 15); ctx.moveTo(12, 20.5); ctx.lineTo(20, 17); ctx.stroke();
      var link = document.querySelector('link[rel="icon"]');
      if (link) link.href = canvas.toDataURL("image/png");
    } catch (e) { /* no icon, no harm */ }
  }

  // ---------- connection state ----------

  function setStatus(state, text) {
    var pill = $("status");
    pill.setAttribute("data-state", state);
    $("status-text").textContent = text;
  }

  function updateFreshness() {
    var updated = $("updated");
    if (!lastOkAt) { updated.textContent = ""; return; }
    var age = (Date.now() - lastOkAt) / 1000;
    updated.textContent = age < 3 ? "updated " + clockTime(lastOkAt) : "last update " + human(age) + " ago";
    updated.title = "Last successful update " + new Date(lastOkAt).toLocaleString();
    var stale = failures > 0 && age > 5;
    document.body.classList.toggle("stale", stale);
  }

  function showBanner(text) {
    var banner = $("banner");
    if (text) { banner.textContent = text; banner.hidden = false; }
    else { banner.textContent = ""; banner.hidden = true; }
  }

  function accept(data, clientAt) {
    if (!data || typeof data !== "object" || !data.stats) throw new Error("unexpected response");
    var gen = parseTime(data.generated_at);
    // Correct the client's clock by the server's: countdowns then follow the server's deadlines.
    offsetMs = isFinite(gen) ? gen - clientAt : 0;
    current = data;
    receivedAt = clientAt;
    lastOkAt = Date.now();
    failures = 0;
    lastError = "";
    render(data);
    setStatus("live", "Live");
    showBanner("");
    updateFreshness();
  }

  function failed(reason) {
    failures++;
    lastError = reason;
    if (current) {
      setStatus("reconnecting", "Reconnecting…");
      if (failures >= 2) {
        showBanner("Cannot reach the daemon (" + reason + "). Showing data from " + clockTime(lastOkAt) + "; retrying every few seconds.");
      }
    } else {
      setStatus("reconnecting", "Reconnecting…");
      showBanner("Cannot reach the daemon (" + reason + "); retrying…");
      ["departments", "pending", "workers", "breaches"].forEach(function (id) {
        var c = $(id);
        if (c && c.querySelector(".empty") && !c.querySelector("table, ul")) replace(c, emptyState("Waiting for the daemon…"));
      });
    }
    updateFreshness();
  }

  function describe(status, body) {
    var message = "HTTP " + status;
    try {
      var parsed = JSON.parse(body);
      if (parsed && parsed.message) message += ": " + parsed.message;
    } catch (e) { /* not JSON */ }
    if (status === 401) message += " (open this page as /#token=<token>)";
    return message;
  }

  // ---------- polling ----------

  function schedule(ms) {
    if (pollTimer) clearTimeout(pollTimer);
    pollTimer = setTimeout(poll, ms);
  }

  function poll() {
    pollTimer = null;
    if (inFlight) { schedule(POLL_MS); return; }
    inFlight = true;
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
    var started = Date.now();
    fetch(API, { cache: "no-store", headers: HEADERS, signal: controller ? controller.signal : undefined })
      .then(function (response) {
        return response.text().then(function (body) {
          if (!response.ok) throw new Error(describe(response.status, body));
          var data;
          try { data = JSON.parse(body); } catch (e) { throw new Error("bad JSON"); }
          // Use the middle of the round trip as the moment the server took the snapshot.
          accept(data, started + (Date.now() - started) / 2);
        });
      })
      .catch(function (error) {
        var reason = error && error.name === "AbortError" ? "timed out" : (error && error.message ? error.message : "network error");
        if (reason === "Failed to fetch") reason = "no connection";
        failed(reason);
      })
      .then(function () {
        clearTimeout(timer);
        inFlight = false;
        schedule(failures ? RETRY_MS : POLL_MS);
      });
  }

  setInterval(tick, 1000);
  poll();
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && !inFlight) schedule(0);
  });
})();
</script>
</body>
</html>
"""#
}
