/// The dashboard served at `GET /dashboard`: one self-contained page (HTML, CSS and vanilla
/// JavaScript, no external resource) that reads and drives the REST API of its own origin with
/// the key kept in `sessionStorage`. Every value from the server is set as text, never as HTML.
enum DashboardPage {
    /// Only this origin: scripts and styles are the page's own inline ones, fetches go home.
    static let contentSecurityPolicy =
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data: blob:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>qdb dashboard</title>
<style>
:root { --fg:#1a1a1a; --bg:#fff; --muted:#4a4a4a; --line:#c8c8c8; --ok:#0b6b2b; --warn-bg:#fff0c2; --warn:#7a4b00; --bad:#a4001d; --accent:#0b4f9c; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.45 system-ui, sans-serif; color:var(--fg); background:var(--bg); }
header { display:flex; flex-wrap:wrap; gap:.5rem 1rem; align-items:center; padding:.6rem 1rem; background:#12263f; color:#fff; }
header h1 { font-size:1.15rem; margin:0; }
header .muted { color:#dfe8f3; }
header .access { font-size:.85rem; padding:.1rem .5rem; border:1px solid #fff; border-radius:3px; }
main { max-width:1240px; margin:0 auto; padding:1rem; }
section { margin-bottom:1.6rem; }
h2 { font-size:1.1rem; border-bottom:2px solid var(--line); padding-bottom:.2rem; }
h3 { font-size:1rem; margin:.8rem 0 .3rem; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; padding:.3rem .45rem; border-bottom:1px solid var(--line); vertical-align:top; }
th { font-weight:600; color:var(--muted); }
td.mono, .mono { font-family:ui-monospace, monospace; font-size:.82rem; word-break:break-all; }
tr.stale td { background:var(--warn-bg); }
.badge { display:inline-block; padding:0 .4rem; border-radius:3px; font-size:.8rem; border:1px solid; }
.badge.ok { color:var(--ok); } .badge.warn { color:var(--warn); background:var(--warn-bg); } .badge.bad { color:var(--bad); }
button { font:inherit; padding:.25rem .7rem; border:1px solid var(--accent); background:#fff; color:var(--accent); border-radius:3px; cursor:pointer; }
button.danger { border-color:var(--bad); color:var(--bad); }
button:focus-visible, input:focus-visible, a:focus-visible { outline:3px solid #f0a000; outline-offset:1px; }
progress { width:12rem; height:1rem; }
#error { color:var(--bad); font-weight:600; min-height:1.2rem; }
#login { max-width:26rem; margin:3rem auto; padding:1rem; border:1px solid var(--line); }
#login label { display:block; margin-bottom:.3rem; font-weight:600; }
#login input { width:100%; padding:.4rem; font:inherit; margin-bottom:.6rem; }
.muted { color:var(--muted); }
@media (max-width: 700px) {
  table, thead, tbody, tr, th, td { display:block; }
  thead { position:absolute; left:-9999px; }
  tr { border-bottom:2px solid var(--line); padding:.3rem 0; }
  td { border:none; padding:.15rem .3rem; }
  td[data-label]::before { content:attr(data-label) ": "; font-weight:600; color:var(--muted); }
  progress { width:100%; }
}
</style>
</head>
<body>
<header><h1>qdb dashboard</h1><span id="access" class="access" hidden></span><span id="store" class="muted"></span></header>
<main>
<p id="error" role="alert" aria-live="assertive"></p>
<form id="login" hidden>
  <label for="api-key">API key</label>
  <input id="api-key" type="password" autocomplete="off" required>
  <button type="submit">Use key</button>
  <p class="muted">This server needs an API key. It is kept in this tab's session storage only.</p>
</form>
<div id="content" hidden>
<section aria-labelledby="h-collections"><h2 id="h-collections">Collections</h2>
<table id="collections"><thead><tr><th>Name</th><th>Points</th><th>Vectors</th><th>Status</th><th>Newest snapshot</th><th>Newest verified</th></tr></thead><tbody></tbody></table>
</section>
<section aria-labelledby="h-snapshots"><h2 id="h-snapshots">Snapshots</h2><div id="snapshots"></div></section>
<section aria-labelledby="h-operations"><h2 id="h-operations">Operations</h2>
<h3>In flight</h3>
<table id="running"><thead><tr><th>Kind</th><th>Collection</th><th>Progress</th><th>Rate</th><th>ETA</th><th></th></tr></thead><tbody></tbody></table>
<h3>Recent</h3>
<table id="recent"><thead><tr><th>Kind</th><th>Collection</th><th>Outcome</th><th>Bytes</th><th>Finished</th></tr></thead><tbody></tbody></table>
</section>
<section aria-labelledby="h-schedules"><h2 id="h-schedules">Schedules</h2>
<table id="schedules"><thead><tr><th>Name</th><th>Scope</th><th>Last run</th><th>Next run</th><th>Keep</th><th>Next prune would remove</th></tr></thead><tbody></tbody></table>
</section>
</div>
</main>
<script>
"use strict";
const KEY = "qdb-api-key";
const state = { access: "full", timer: null };
const $ = (id) => document.getElementById(id);

function headers() {
  const h = {};
  const k = sessionStorage.getItem(KEY);
  if (k) h["api-key"] = k;
  return h;
}
class ApiError extends Error { constructor(status, msg) { super(msg); this.status = status; } }
async function api(method, path, json) {
  const init = { method, headers: headers(), credentials: "omit" };
  if (json !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(json); }
  const r = await fetch(path, init);
  let body = null;
  try { body = await r.json(); } catch (e) { body = null; }
  if (!r.ok) {
    const msg = body && body.status && body.status.error ? body.status.error : (r.status + " " + r.statusText);
    throw new ApiError(r.status, msg);
  }
  return body;
}
function showError(e) { $("error").textContent = e ? String(e.message || e) : ""; }

function el(tag, attrs, ...children) {
  const n = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") n.className = v; else if (k.startsWith("on")) n.addEventListener(k.slice(2), v); else n.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) n.append(c instanceof Node ? c : String(c));
  return n;
}
function td(label, ...children) { return el("td", { "data-label": label }, ...children); }
function bytes(n) {
  if (n === null || n === undefined) return "–";
  const u = ["B", "KiB", "MiB", "GiB", "TiB"]; let i = 0; let v = Number(n);
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return (i ? v.toFixed(1) : v) + " " + u[i];
}
function age(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return s + " s ago";
  if (s < 7200) return Math.round(s / 60) + " min ago";
  if (s < 172800) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " d ago";
}
function secondsSince(iso) { const t = Date.parse(iso); return isNaN(t) ? null : (Date.now() - t) / 1000; }
function canWrite() { return state.access === "full"; }
function button(text, onclick, attrs) { return el("button", Object.assign({ type: "button", onclick }, attrs || {}), text); }

async function act(work) {
  showError(null);
  try { await work(); } catch (e) { showError(e); }
  await refresh();
}

function vectorsText(params) {
  const v = params && params.vectors;
  if (!v) return "–";
  if (v.size !== undefined) return v.size + " · " + v.distance;
  return Object.entries(v).map(([n, c]) => n + ": " + c.size + " · " + c.distance).join(", ");
}

async function renderCollections(backups) {
  const body = $("collections").tBodies[0]; body.replaceChildren();
  const snaps = $("snapshots"); snaps.replaceChildren();
  for (const b of backups.collections) {
    let info = null;
    try { info = (await api("GET", "/collections/" + encodeURIComponent(b.name))).result; } catch (e) { showError(e); }
    const newest = b.snapshots[0];
    const verified = b.newest_verified_age_s === null || b.newest_verified_age_s === undefined
      ? el("span", { class: "badge warn" }, "none verified")
      : el("span", { class: b.stale ? "badge warn" : "badge ok" }, age(b.newest_verified_age_s) + (b.stale ? " (older than schedule promises)" : ""));
    body.append(el("tr", { class: b.stale ? "stale" : "", "data-collection": b.name },
      td("Name", b.name),
      td("Points", info ? info.points_count : "–"),
      td("Vectors", info ? vectorsText(info.config && info.config.params) : "–"),
      td("Status", info ? info.status + " · " + (info.indexed_vectors_count || 0) + " vectors indexed" : "–"),
      td("Newest snapshot", newest ? [age(secondsSince(newest.creation_time + (newest.creation_time && !/Z|[+-]\d\d:?\d\d$/.test(newest.creation_time) ? "Z" : ""))), " · ", bytes(newest.size), " · ",
        newest.verified ? "verified" : "not verified", " · ", newest.location || backups.store].join("") : "none"),
      td("Newest verified", verified)));
    const base = "/collections/" + encodeURIComponent(b.name);
    snaps.append(snapshotTable(b, base + "/snapshots", b.name, b.name));
    for (const sh of b.shards || []) {
      snaps.append(snapshotTable(Object.assign({ name: b.name, shard: sh.shard_id }, sh),
        base + "/shards/" + sh.shard_id + "/snapshots", b.name + " · shard " + sh.shard_id, b.name + " shard " + sh.shard_id));
    }
  }
  const full = { name: "", snapshots: backups.full_snapshots || [], error: backups.full_error };
  snaps.append(snapshotTable(full, "/snapshots", "Full storage"));
}

/// One group of snapshots: a collection's or a shard's (`b` from /dashboard/status), or full
/// storage's. `target` names what a restore replaces (none for full storage); restores go to
/// `base + "/recover"` (a stored snapshot) and `base + "/upload"` (a file).
function snapshotTable(b, base, title, target) {
  const collection = target;
  const attrs = { class: "snapshot-group", "data-collection": b.name };
  if (b.shard !== undefined) attrs["data-shard"] = String(b.shard);
  const wrap = el("div", attrs);
  const heading = el("h3", {}, title + " ");
  if (canWrite()) heading.append(button("Create snapshot", () => act(() => api("POST", base + "?wait=false")),
    { "aria-label": "Create a snapshot of " + title, class: "create" }));
  wrap.append(heading);
  if (canWrite() && collection) {
    const id = "upload-" + target.replace(/[^A-Za-z0-9_-]/g, "_");
    const input = el("input", { type: "file", id, accept: ".snapshot,.zst,application/octet-stream", class: "upload-file" });
    wrap.append(el("p", { class: "upload" }, el("label", { for: id }, "Restore " + collection + " from an uploaded snapshot file: "), input, " ",
      button("Upload and restore", () => {
        const file = input.files[0];
        if (!file) { showError({ message: "Choose a snapshot file first." }); return; }
        if (!window.confirm("Restore " + collection + " from " + file.name + "? Its current points are replaced.")) return;
        act(async () => {
          const form = new FormData(); form.append("snapshot", file, file.name);
          const r = await fetch(base + "/upload?wait=false",
            { method: "POST", headers: headers(), body: form, credentials: "omit" });
          if (!r.ok) { let m = r.status + ""; try { m = (await r.json()).status.error; } catch (e) {} throw new Error(m); }
        });
      }, { "aria-label": "Upload a snapshot file and restore " + collection, class: "danger upload-restore" })));
  }
  if (b.error) wrap.append(el("p", { class: "badge bad" }, b.error));
  if (!b.snapshots.length) { wrap.append(el("p", { class: "muted" }, "No snapshots.")); return wrap; }
  const t = el("table", {}, el("thead", {}, el("tr", {}, ...["Name", "Created", "Size", "Checksum (SHA-256)", "Verified", "Where", ""].map((h) => el("th", {}, h)))));
  const tb = el("tbody");
  for (const s of b.snapshots) {
    const path = base + "/" + encodeURIComponent(s.name);
    const actions = el("td", { "data-label": "Actions" },
      button("Download", () => download(path, s.name), { "aria-label": "Download " + s.name, class: "download" }));
    if (canWrite()) actions.append(" ", button("Delete", () => {
      if (!window.confirm("Delete snapshot " + s.name + " of " + title + "?")) return;
      act(() => api("DELETE", path + "?wait=true"));
    }, { "aria-label": "Delete " + s.name, class: "danger delete" }));
    if (canWrite() && collection) actions.append(" ", button("Restore", () => {
      if (!window.confirm("Restore " + collection + " from " + s.name + "? Its current points are replaced.")) return;
      act(() => api("PUT", base + "/recover?wait=false",
        { location: s.name, checksum: s.checksum || undefined }));
    }, { "aria-label": "Restore " + collection + " from " + s.name, class: "danger restore" }));
    const verified = s.verified === undefined ? el("span", { class: "muted" }, "–")
      : el("span", { class: s.verified ? "badge ok" : "badge warn" }, s.verified ? "verified" : "not verified");
    tb.append(el("tr", { "data-snapshot": s.name },
      td("Name", el("span", { class: "mono" }, s.name)), td("Created", s.creation_time || "–"), td("Size", bytes(s.size)),
      td("Checksum", el("span", { class: "mono" }, s.checksum || "–")), td("Verified", verified),
      td("Where", el("span", { class: "where" }, s.location || "–")), actions));
  }
  t.append(tb); wrap.append(t);
  return wrap;
}

async function download(path, name) {
  showError(null);
  try {
    const r = await fetch(path, { headers: headers(), credentials: "omit" });
    if (!r.ok) { let m = r.status + ""; try { m = (await r.json()).status.error; } catch (e) {} throw new Error(m); }
    const url = URL.createObjectURL(await r.blob());
    const a = el("a", { href: url, download: name }); document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (e) { showError(e); }
}

function renderOperations(ops) {
  const running = $("running").tBodies[0], recent = $("recent").tBodies[0];
  running.replaceChildren(); recent.replaceChildren();
  const live = ops.filter((o) => o.phase === "running");
  if (!live.length) running.append(el("tr", {}, el("td", { colspan: "6", class: "muted" }, "Nothing running.")));
  for (const o of live) {
    const bar = el("progress", { max: String(o.bytes_total || 1), "aria-label": "Progress of " + o.kind });
    if (o.bytes_total) bar.value = o.bytes_done; else bar.removeAttribute("value");
    const cell = el("td", { "data-label": "Progress" }, bar, " ", bytes(o.bytes_done) + (o.bytes_total ? " of " + bytes(o.bytes_total) : ""));
    const cancel = el("td", { "data-label": "Actions" });
    if (canWrite()) cancel.append(o.cancel_requested ? el("span", { class: "muted" }, "cancelling…")
      : button("Cancel", () => act(() => api("DELETE", "/operations/" + encodeURIComponent(o.id))), { "aria-label": "Cancel " + o.kind + " " + o.id, class: "danger cancel" }));
    running.append(el("tr", { "data-operation": o.id, "data-phase": o.phase },
      td("Kind", o.kind), td("Collection", o.collection || "full"), cell,
      td("Rate", bytes(o.rate_bytes_per_s) + "/s"), td("ETA", o.eta_s === null || o.eta_s === undefined ? "–" : Math.ceil(o.eta_s) + " s"), cancel));
  }
  const done = ops.filter((o) => o.phase !== "running").slice(-15).reverse();
  if (!done.length) recent.append(el("tr", {}, el("td", { colspan: "5", class: "muted" }, "No finished operations.")));
  for (const o of done) {
    const cls = o.phase === "succeeded" ? "badge ok" : o.phase === "cancelled" ? "badge warn" : "badge bad";
    recent.append(el("tr", { "data-operation": o.id, "data-phase": o.phase },
      td("Kind", o.kind), td("Collection", o.collection || "full"),
      td("Outcome", el("span", { class: cls }, o.phase), o.error ? " " + o.error : ""),
      td("Bytes", bytes(o.bytes_done)), td("Finished", o.finished_at || "–")));
  }
}

function keepText(k) {
  if (!k) return "keep everything";
  return Object.entries(k).map(([n, v]) => n.replace(/^keep_/, "") + " " + v).join(", ");
}

function renderSchedules(schedules, backups) {
  const body = $("schedules").tBodies[0]; body.replaceChildren();
  if (!schedules.length) body.append(el("tr", {}, el("td", { colspan: "6", class: "muted" }, "No schedules configured.")));
  for (const s of schedules) {
    const prune = backups.schedules.find((p) => p.schedule === s.name);
    const removes = !prune ? "–" : prune.error ? prune.error
      : (prune.decisions.filter((d) => !d.keep).map((d) => d.scope + "/" + d.name).join(", ") || "nothing");
    const sc = s.schedule;
    const last = s.last_success ? s.last_success : "never";
    body.append(el("tr", { "data-schedule": s.name },
      td("Name", s.name), td("Scope", sc.full ? "full storage" : (sc.collections || []).join(", ")),
      td("Last run", last + (s.last_error ? " (last error: " + s.last_error + ")" : "") + (s.running ? " · running" : "")),
      td("Next run", el("span", { class: "next-run" }, s.next_run || "–")),
      td("Keep", keepText(sc.keep)), td("Next prune would remove", el("span", { class: "mono" }, removes))));
  }
}

async function refresh() {
  clearTimeout(state.timer);
  let status;
  try {
    status = (await api("GET", "/dashboard/status")).result;
  } catch (e) {
    if (e.status === 401) { askForKey(sessionStorage.getItem(KEY) ? e.message : null); return; }
    showError(e); state.timer = setTimeout(refresh, 3000); return;
  }
  state.access = status.access;
  $("login").hidden = true; $("content").hidden = false;
  const badge = $("access"); badge.hidden = false;
  badge.textContent = status.access === "full" ? "full access" : "read-only key";
  $("store").textContent = "snapshots stored: " + status.backups.store;
  try {
    const [ops, schedules] = await Promise.all([api("GET", "/operations"), api("GET", "/schedules")]);
    await renderCollections(status.backups);
    renderOperations(ops.result);
    renderSchedules(schedules.result, status.backups);
    document.body.dataset.ready = "true";
  } catch (e) { showError(e); }
  const busy = document.querySelector("#running tr[data-phase=running]");
  state.timer = setTimeout(refresh, busy ? 500 : 3000);
}

function askForKey(message) {
  $("content").hidden = true; $("login").hidden = false;
  if (message) showError({ message });
  $("api-key").focus();
}
$("login").addEventListener("submit", (ev) => {
  ev.preventDefault();
  sessionStorage.setItem(KEY, $("api-key").value);
  $("api-key").value = "";
  showError(null);
  refresh();
});
refresh();
</script>
</body>
</html>
"""#
}
