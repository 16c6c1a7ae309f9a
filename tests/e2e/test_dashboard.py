"""The dashboard at /dashboard, in headless Chromium (Debian's `chromium`) driven over the
DevTools protocol against a real `qdb serve`: no key → the page asks for one; with the admin key
a collection and a full-storage snapshot are created from the page and listed, an upload's progress bar is followed to the end,
an operation is cancelled, a snapshot is deleted and one restored after a confirmation, schedules show their next
run and what their next prune would remove; with the read-only key no state-changing button
exists; shard snapshots are listed per shard (with where each is stored), created, downloaded,
restored (stored and uploaded) and deleted from the page. Every request the page makes goes to
the server's origin. Screenshots of each state go
to .build/dashboard-screenshots/. The HTTP-level tests run without a browser."""

from __future__ import annotations

import base64
import http.client
import json
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests
import websocket

from qdb_helpers import REPO, create_collection, err, free_port, ok, unique, upsert, wait_for

SHOTS = REPO / ".build" / "dashboard-screenshots"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ADMIN, READER = "dash-admin-key", "dash-read-key"
BOUNDARY = "qdbdashtest"

# a cron schedule that never fires during the test (1 January, 00:00) but has a next run and a
# keep policy whose dry-run decision the page shows
CONFIG = """\
storage:
  snapshots_config:
    schedules:
      - name: nightly
        collections: ["*"]
        cron: "0 0 1 1 *"
        keep: {keep_last: 1}
"""


def fill(api, name, n=50, dim=4):
    create_collection(api, name, size=dim)
    upsert(api, name, points=[{"id": i, "vector": [1.0 + i % 7] + [0.5] * (dim - 1), "payload": {"i": i}} for i in range(n)])


# ---------------------------------------------------------------------------------------------
# HTTP level (no browser)
# ---------------------------------------------------------------------------------------------


def test_page_is_served_open_self_contained_and_status_needs_a_key(server_factory):
    srv = server_factory(api_key=ADMIN, read_only_api_key=READER, config_text=CONFIG)
    page = requests.get(srv.url + "/dashboard", timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    csp = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    html = page.text
    assert 'id="api-key"' in html and "sessionStorage" in html and '"api-key"' in html
    for external in ("http://", "https://", "//cdn", "<link ", "src="):
        assert external not in html, f"page refers to an external resource: {external}"
    # the data needs a key, and says which access the key has
    assert "API key" in err(requests.get(srv.url + "/dashboard/status", timeout=30), 401)
    full = ok(requests.get(srv.url + "/dashboard/status", headers={"api-key": ADMIN}, timeout=30))
    assert full["access"] == "full" and full["backups"]["store"] == "local"
    reader = ok(requests.get(srv.url + "/dashboard/status", headers={"api-key": READER}, timeout=30))
    assert reader["access"] == "read-only"
    assert [s["schedule"] for s in reader["backups"]["schedules"]] == ["nightly"]


def test_status_reports_verification_staleness_and_the_next_prune(server_factory):
    srv = server_factory(config_text=CONFIG)
    api = srv.api()
    name = unique("dst")
    fill(api, name)
    st = ok(api.get("/dashboard/status"))["backups"]
    row = next(c for c in st["collections"] if c["name"] == name)
    assert row["snapshots"] == [] and row["stale"] is True and row.get("newest_verified_age_s") is None
    assert row["promised_interval_s"] == 365 * 86400 or row["promised_interval_s"] == 366 * 86400
    first = ok(api.post(f"/collections/{name}/snapshots"))
    time.sleep(1.1)  # names carry the second
    second = ok(api.post(f"/collections/{name}/snapshots"))
    st = ok(api.get("/dashboard/status"))["backups"]
    row = next(c for c in st["collections"] if c["name"] == name)
    assert [s["name"] for s in row["snapshots"]] == [second["name"], first["name"]]
    assert row["snapshots"][0]["checksum"] == second["checksum"] and row["snapshots"][0]["size"] == second["size"]
    assert not any(s["verified"] for s in row["snapshots"]) and row["stale"] is True
    # a recorded verification makes the newest verified snapshot known and, being fresh, not stale
    record = {"ok": True, "deep": True, "verified_at": "2026-01-01T00:00:00Z", "qdb_version": "test",
              "sha256": second["checksum"], "error": None}
    (srv.snapshots / name / (second["name"] + ".verification.json")).write_text(json.dumps(record))
    st = ok(api.get("/dashboard/status"))["backups"]
    row = next(c for c in st["collections"] if c["name"] == name)
    assert row["snapshots"][0]["verified"] is True and row["stale"] is False
    assert 0 <= row["newest_verified_age_s"] < 120
    # keep_last 1: the next prune would remove the older snapshot, and the dry run removes nothing
    prune = next(p for p in st["schedules"] if p["schedule"] == "nightly")
    removed = [d["name"] for d in prune["decisions"] if d["scope"] == name and not d["keep"]]
    assert removed == [first["name"]]
    assert len(ok(api.get(f"/collections/{name}/snapshots"))) == 2


# ---------------------------------------------------------------------------------------------
# The browser
# ---------------------------------------------------------------------------------------------


class Browser:
    """Headless Chromium with one page, driven over the DevTools protocol (JSON over a websocket).
    Records every request the page makes and accepts every confirm() dialog."""

    def __init__(self, width=1280, height=900):
        self.profile = tempfile.mkdtemp(prefix="qdb-chromium-")
        port = free_port()
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={self.profile}",
             f"--remote-debugging-port={port}", "--remote-allow-origins=*", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        targets = wait_for(lambda: self._targets(port), timeout=60, what="chromium's DevTools endpoint", every=0.2)
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True)
        self.next_id = 0
        self.requests: list[str] = []
        self.dialogs: list[str] = []
        for domain in ("Page", "Network", "Runtime"):
            self.call(f"{domain}.enable")
        self.resize(width, height)

    @staticmethod
    def _targets(port):
        try:
            return requests.get(f"http://127.0.0.1:{port}/json/list", timeout=2).json()
        except (requests.RequestException, ValueError):
            return None

    def _event(self, msg):
        method = msg.get("method")
        if method == "Network.requestWillBeSent":
            self.requests.append(msg["params"]["request"]["url"])
        elif method == "Page.javascriptDialogOpening":
            self.dialogs.append(msg["params"]["message"])
            self.next_id += 1
            self.ws.send(json.dumps({"id": self.next_id, "method": "Page.handleJavaScriptDialog", "params": {"accept": True}}))

    def call(self, method, **params):
        self.next_id += 1
        mine = self.next_id
        self.ws.send(json.dumps({"id": mine, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mine:
                assert "error" not in msg, f"{method}: {msg['error']}"
                return msg.get("result", {})
            if "method" in msg:
                self._event(msg)

    def js(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, awaitPromise=True, returnByValue=True)
        assert "exceptionDetails" not in r, r["exceptionDetails"]
        return r["result"].get("value")

    def until(self, expr, timeout=30, what=None):
        return wait_for(lambda: self.js(expr), timeout=timeout, what=what or expr)

    def goto(self, url):
        self.call("Page.navigate", url=url)
        self.until("document.readyState === 'complete'")

    def resize(self, width, height, mobile=False):
        self.call("Emulation.setDeviceMetricsOverride", width=width, height=height, deviceScaleFactor=1, mobile=mobile)

    def shot(self, name):
        SHOTS.mkdir(parents=True, exist_ok=True)
        data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
        path = SHOTS / f"{name}.png"
        path.write_bytes(base64.b64decode(data))
        return path

    def click(self, selector):
        """Focuses the button and presses Enter on it, as a keyboard user would."""
        assert self.js(f"(() => {{ const b = document.querySelector({json.dumps(selector)}); if (!b) return false; b.focus(); return document.activeElement === b; }})()"), \
            f"no focusable {selector}"
        for kind in ("keyDown", "keyUp"):
            self.call("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13,
                      **({"text": "\r"} if kind == "keyDown" else {}))

    def login(self, key):
        self.until("!document.getElementById('login').hidden", what="the key form")
        self.js(f"document.getElementById('api-key').value = {json.dumps(key)}")
        self.click("#login button[type=submit]")
        self.until("document.body.dataset.ready === 'true'", what="the page's first render")

    def close(self):
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture
def browser():
    if CHROMIUM is None:
        pytest.fail("chromium not installed (scripts/install-deps installs it)", pytrace=False)
    b = Browser()
    yield b
    b.close()


def assert_same_origin(b, origin):
    outside = [u for u in b.requests if not (u.startswith(origin + "/") or u.startswith(("data:", "blob:", "about:")))]
    assert not outside, f"the page requested outside {origin}: {outside}"
    assert any(u.startswith(origin + "/dashboard/status") for u in b.requests)


def rows(b, selector):
    return b.js(f"[...document.querySelectorAll({json.dumps(selector)})].map(r => r.dataset.snapshot || r.dataset.operation || r.dataset.schedule)")


def upload_slowly(url, collection, blob, key, pieces=16, pause=0.35):
    """A snapshot upload with a Content-Length (so the operation has a total) sent in pieces."""
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"s.snapshot\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    conn.putrequest("POST", f"/collections/{collection}/snapshots/upload?wait=true")
    conn.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    conn.putheader("Content-Length", str(len(head) + len(blob) + len(tail)))
    conn.putheader("api-key", key)
    conn.endheaders()
    conn.send(head)
    step = max(1, len(blob) // pieces)
    for i in range(0, len(blob), step):
        conn.send(blob[i:i + step])
        time.sleep(pause)
    conn.send(tail)
    r = conn.getresponse()
    return r.status, r.read()


def test_admin_creates_follows_cancels_deletes_and_sees_schedules(server_factory, browser):
    # every chunk a snapshot create writes pauses, so a create runs long enough to cancel
    srv = server_factory(api_key=ADMIN, read_only_api_key=READER, config_text=CONFIG,
                         env={"QDB_FAILPOINT_OPERATION_CHUNK_MS": "150"})
    api = srv.api()
    name = unique("dash")
    fill(api, name)
    b = browser

    # no key: the page asks for one
    b.goto(srv.url + "/dashboard")
    b.until("!document.getElementById('login').hidden && document.getElementById('content').hidden", what="the key form")
    assert b.js("document.querySelector('label[for=api-key]').textContent") == "API key"
    b.shot("1-asks-for-key")

    # a wrong key is refused with the API's message, and the form stays
    b.js("document.getElementById('api-key').value = 'wrong'")
    b.click("#login button[type=submit]")
    b.until("document.getElementById('error').textContent.includes('Invalid API key')")
    b.login(ADMIN)
    assert b.js("sessionStorage.getItem('qdb-api-key')") == ADMIN
    assert b.js("document.getElementById('access').textContent") == "full access"
    row = f"#collections tr[data-collection='{name}']"
    b.until(f"!!document.querySelector(\"{row}\")")
    assert b.js(f"document.querySelector(\"{row}\").classList.contains('stale')"), "no verified snapshot must warn"
    cells = b.js(f"[...document.querySelector(\"{row}\").cells].map(c => c.textContent)")
    assert cells[1] == "50" and cells[2] == "4 · Cosine" and cells[3] == "green · 0 vectors indexed" and "none" in cells[4]
    b.shot("2-collections")

    # create a snapshot from the page; it runs as an operation and is then listed
    group = f".snapshot-group[data-collection='{name}']"
    b.click(f"{group} button.create")
    b.until(f"document.querySelectorAll(\"{group} tr[data-snapshot]\").length === 1", timeout=60, what="the new snapshot listed")
    listed = ok(api.get(f"/collections/{name}/snapshots"))
    assert rows(b, f"{group} tr[data-snapshot]") == [listed[0]["name"]]
    assert listed[0]["checksum"] in b.js(f"document.querySelector(\"{group} tr[data-snapshot]\").textContent")
    b.until("[...document.querySelectorAll('#recent tr[data-phase=succeeded]')].some(r => r.textContent.includes('create_collection_snapshot'))")
    b.shot("3-snapshot-created")

    # full storage: create from the page, listed with Qdrant's name and checksum
    full = ".snapshot-group[data-collection='']"
    b.click(f"{full} button.create")
    b.until(f"document.querySelectorAll(\"{full} tr[data-snapshot]\").length === 1", timeout=60, what="the full snapshot listed")
    stored = ok(api.get("/snapshots"))
    assert rows(b, f"{full} tr[data-snapshot]") == [stored[0]["name"]]
    assert stored[0]["checksum"] in b.js(f"document.querySelector(\"{full} tr[data-snapshot]\").textContent")
    assert b.js(f"document.querySelector(\"{full} tr[data-snapshot] .where\").textContent") == "local"
    full_status = ok(api.get("/dashboard/status"))["backups"]["full_snapshots"]
    assert [(x["name"], x["checksum"], x["location"]) for x in full_status] == [(stored[0]["name"], stored[0]["checksum"], "local")]

    # an upload's progress bar, followed to the end
    blob = api.get(f"/collections/{name}/snapshots/{listed[0]['name']}").content
    target = unique("dashup")
    fill(api, target, n=3)
    done = {}
    t = threading.Thread(target=lambda: done.setdefault("r", upload_slowly(srv.url, target, blob, ADMIN)))
    t.start()
    seen = []
    deadline = time.monotonic() + 60
    shot_taken = False
    while t.is_alive() or b.js("!!document.querySelector('#running tr[data-phase=running]')"):
        bar = b.js("(() => { const p = document.querySelector('#running tr[data-phase=running] progress'); return p && p.hasAttribute('value') ? [p.value, p.max, p.closest('tr').textContent] : null; })()")
        if bar:
            seen.append(bar[:2])
            if not shot_taken and 0 < bar[0] < bar[1]:
                b.shot("4-upload-progress")
                shot_taken = True
        assert time.monotonic() < deadline, "upload did not finish"
        time.sleep(0.2)
    t.join()
    assert done["r"][0] == 200, done["r"]
    assert any(0 < v < m for v, m in seen), f"no partial progress seen: {seen}"
    assert all(m == seen[0][1] for _, m in seen) and [v for v, _ in seen] == sorted(v for v, _ in seen)
    b.until("[...document.querySelectorAll('#recent tr[data-phase=succeeded]')].some(r => r.textContent.includes('recover_from_upload') || r.textContent.includes('upload'))",
            what="the upload among the recent results")

    # cancel a running create from the page
    big = unique("dashbig")
    fill(api, big, n=6000, dim=64)
    r = api.post(f"/collections/{big}/snapshots?wait=false")
    op = r.json()["operation_id"]
    b.until(f"!!document.querySelector(\"#running tr[data-operation='{op}'] button.cancel\")", what="the cancel button")
    b.shot("5-operation-running")
    # the page re-renders every 500 ms while something runs; a re-render between focusing the
    # button and pressing Enter loses the key press, so press again until the server saw it
    for _ in range(20):
        try:
            b.click(f"#running tr[data-operation='{op}'] button.cancel")
        except AssertionError:
            pass  # re-rendered between the lookup and the focus: try again
        state = ok(api.get(f"/operations/{op}"))
        if state.get("cancel_requested") or state["phase"] != "running":
            break
        time.sleep(0.3)
    b.until(f"!!document.querySelector(\"#recent tr[data-operation='{op}'][data-phase=cancelled]\")", timeout=60, what="the cancelled operation")
    assert ok(api.get(f"/operations/{op}"))["phase"] == "cancelled"
    b.shot("6-operation-cancelled")

    # schedules: next run and the next prune's decision (keep_last 1 of two snapshots)
    time.sleep(1.1)
    second = ok(api.post(f"/collections/{name}/snapshots"))
    b.js("refresh()")
    sched = "#schedules tr[data-schedule=nightly]"
    b.until(f"document.querySelector(\"{sched}\") && document.querySelector(\"{sched}\").textContent.includes({json.dumps(listed[0]['name'])})",
            what="the prune decision")
    next_run = ok(api.get("/schedules"))[0]["next_run"]
    assert next_run and b.js(f"document.querySelector(\"{sched} .next-run\").textContent") == next_run
    assert "last 1" in b.js(f"document.querySelector(\"{sched}\").textContent")
    b.shot("7-schedules")

    # delete with a confirmation
    b.until(f"document.querySelectorAll(\"{group} tr[data-snapshot]\").length === 2")
    b.click(f"{group} tr[data-snapshot='{listed[0]['name']}'] button.delete")
    b.until(f"document.querySelectorAll(\"{group} tr[data-snapshot]\").length === 1", what="the deleted snapshot gone")
    assert b.dialogs and listed[0]["name"] in b.dialogs[-1]
    assert [s["name"] for s in ok(api.get(f"/collections/{name}/snapshots"))] == [second["name"]]

    # restore from the stored snapshot, after a confirmation: the points added since are gone
    upsert(api, name, points=[{"id": 1000 + i, "vector": [1.0, 2.0, 3.0, 4.0]} for i in range(10)])
    assert ok(api.post(f"/collections/{name}/points/count", json={"exact": True}))["count"] == 60
    b.click(f"{group} tr[data-snapshot='{second['name']}'] button.restore")
    b.until("[...document.querySelectorAll('#recent tr[data-phase=succeeded]')].some(r => r.textContent.includes('stored_recover'))",
            timeout=60, what="the restore among the recent results")
    assert name in b.dialogs[-1] and second["name"] in b.dialogs[-1]
    assert ok(api.post(f"/collections/{name}/points/count", json={"exact": True}))["count"] == 50

    # restore by uploading a snapshot file chosen in the page's file input
    snap_file = Path(b.profile) / "upload.snapshot"
    snap_file.write_bytes(api.get(f"/collections/{name}/snapshots/{second['name']}").content)
    victim = unique("dashfile")
    fill(api, victim, n=7)
    b.js("refresh()")
    vgroup = f".snapshot-group[data-collection='{victim}']"
    b.until(f"!!document.querySelector(\"{vgroup} input.upload-file\")")
    assert b.js(f"document.querySelector(\"{vgroup} label\").htmlFor === document.querySelector(\"{vgroup} input.upload-file\").id")
    node = b.call("DOM.querySelector", nodeId=b.call("DOM.getDocument")["root"]["nodeId"], selector=f"{vgroup} input.upload-file")["nodeId"]
    b.call("DOM.setFileInputFiles", files=[str(snap_file)], nodeId=node)
    b.click(f"{vgroup} button.upload-restore")
    wait_for(lambda: ok(api.post(f"/collections/{victim}/points/count", json={"exact": True}))["count"] == 50,
             timeout=60, what="the uploaded snapshot restored")

    # readable on a phone
    b.resize(390, 844, mobile=True)
    b.js("refresh()")
    b.until("document.body.dataset.ready === 'true'")
    assert b.js("document.documentElement.scrollWidth <= window.innerWidth + 1"), "the page scrolls sideways at phone width"
    b.shot("8-phone")
    b.resize(1280, 900)

    assert_same_origin(b, srv.url)


def test_read_only_key_sees_everything_and_changes_nothing(server_factory, browser):
    srv = server_factory(api_key=ADMIN, read_only_api_key=READER, config_text=CONFIG)
    api = srv.api()
    name = unique("dashro")
    fill(api, name)
    snap = ok(api.post(f"/collections/{name}/snapshots"))
    b = browser
    b.goto(srv.url + "/dashboard")
    b.login(READER)
    group = f".snapshot-group[data-collection='{name}']"
    b.until(f"document.querySelectorAll(\"{group} tr[data-snapshot]\").length === 1")
    assert b.js("document.getElementById('access').textContent") == "read-only key"
    assert rows(b, f"{group} tr[data-snapshot]") == [snap["name"]]
    assert b.js("document.querySelectorAll('button.create, button.delete, button.cancel, button.restore, button.upload-restore, input[type=file]').length") == 0
    assert b.js("document.querySelectorAll('button.download').length") >= 1
    assert b.js("!!document.querySelector('#schedules tr[data-schedule=nightly] .next-run')")
    # the API refuses a write with this key, and the page shows the API's message
    b.js(f"act(() => api('DELETE', '/collections/{name}/snapshots/{snap['name']}'))")
    b.until("document.getElementById('error').textContent.includes('Forbidden')")
    assert len(ok(api.get(f"/collections/{name}/snapshots"))) == 1
    b.shot("9-read-only")
    assert_same_origin(b, srv.url)


def test_shard_snapshots_listed_created_downloaded_restored_and_deleted(server_factory, browser):
    srv = server_factory(api_key=ADMIN, read_only_api_key=READER, config_text=CONFIG)
    api = srv.api()
    name = unique("dashsh")
    create_collection(api, name, size=4, shard_number=2)
    upsert(api, name, points=[{"id": i, "vector": [1.0 + i % 7, 0.5, 0.5, 0.5]} for i in range(40)])
    b = browser
    b.goto(srv.url + "/dashboard")
    b.login(ADMIN)
    shard = lambda i: f".snapshot-group[data-collection='{name}'][data-shard='{i}']"  # noqa: E731
    b.until(f"!!document.querySelector(\"{shard(0)}\") && !!document.querySelector(\"{shard(1)}\")", what="both shards' groups")
    assert "shard 1" in b.js(f"document.querySelector(\"{shard(1)} h3\").textContent")

    # create from the page: listed per shard with Qdrant's name, checksum and where it is stored
    b.click(f"{shard(0)} button.create")
    b.until(f"document.querySelectorAll(\"{shard(0)} tr[data-snapshot]\").length === 1", timeout=60, what="the shard snapshot listed")
    listed = ok(api.get(f"/collections/{name}/shards/0/snapshots"))
    snap = listed[0]["name"]
    assert f"{name}-shard-0-" in snap and rows(b, f"{shard(0)} tr[data-snapshot]") == [snap]
    row = f"{shard(0)} tr[data-snapshot='{snap}']"
    assert listed[0]["checksum"] in b.js(f"document.querySelector(\"{row}\").textContent")
    assert b.js(f"document.querySelector(\"{row} .where\").textContent") == "local"
    assert b.js(f"document.querySelectorAll(\"{shard(1)} tr[data-snapshot]\").length") == 0
    status = ok(api.get("/dashboard/status"))["backups"]
    shards = next(c for c in status["collections"] if c["name"] == name)["shards"]
    assert [(s["shard_id"], [x["name"] for x in s["snapshots"]]) for s in shards] == [(0, [snap]), (1, [])]
    b.shot("10-shard-snapshots")

    # download goes to the shard's own route
    b.click(f"{row} button.download")
    b.until(f"performance.getEntriesByType('resource').some(e => e.name.endsWith({json.dumps(f'/collections/{name}/shards/0/snapshots/{snap}')}))",
            what="the download request")
    assert b.js("document.getElementById('error').textContent") == ""

    # restore the shard from the stored snapshot, after a confirmation
    total = ok(api.post(f"/collections/{name}/points/count", json={"exact": True}))["count"]
    ok(api.post(f"/collections/{name}/points/delete", params={"wait": "true"}, json={"filter": {}}))
    assert ok(api.post(f"/collections/{name}/points/count", json={"exact": True}))["count"] == 0
    b.click(f"{row} button.restore")
    wait_for(lambda: ok(api.post(f"/collections/{name}/points/count", json={"exact": True}))["count"] > 0,
             timeout=60, what="shard 0 restored")
    restored = ok(api.post(f"/collections/{name}/points/count", json={"exact": True}))["count"]
    assert 0 < restored < total, "only shard 0's points come back"
    assert "shard 0" in b.dialogs[-1] and snap in b.dialogs[-1]

    # restore by uploading the shard snapshot file in the shard's file input
    snap_file = Path(b.profile) / "shard.snapshot"
    snap_file.write_bytes(api.get(f"/collections/{name}/shards/0/snapshots/{snap}").content)
    ok(api.post(f"/collections/{name}/points/delete", params={"wait": "true"}, json={"filter": {}}))
    node = b.call("DOM.querySelector", nodeId=b.call("DOM.getDocument")["root"]["nodeId"], selector=f"{shard(0)} input.upload-file")["nodeId"]
    b.call("DOM.setFileInputFiles", files=[str(snap_file)], nodeId=node)
    b.click(f"{shard(0)} button.upload-restore")
    wait_for(lambda: ok(api.post(f"/collections/{name}/points/count", json={"exact": True}))["count"] == restored,
             timeout=60, what="the uploaded shard snapshot restored")

    # delete, after a confirmation
    b.js("refresh()")
    b.until(f"!!document.querySelector(\"{row} button.delete\")")
    b.click(f"{row} button.delete")
    b.until(f"document.querySelectorAll(\"{shard(0)} tr[data-snapshot]\").length === 0", what="the shard snapshot gone")
    assert snap in b.dialogs[-1]
    assert ok(api.get(f"/collections/{name}/shards/0/snapshots")) == []
    assert_same_origin(b, srv.url)
