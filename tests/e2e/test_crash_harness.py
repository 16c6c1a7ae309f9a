"""Crash harness: SIGKILL `qdb serve` at random moments of upserts, snapshot create (collection,
shard, full), upload-recover and partial recover, then restart and check that

* every acknowledged write is present,
* no collection is half-restored (a recovered collection is absent or whole),
* every listed snapshot verifies (`qdb verify`, sidecar included),
* no temporary file or staging directory remains.

CI runs QDB_CRASH_ITERATIONS (default 20) kills; `QDB_CRASH_ITERATIONS=300` (or bench/soak)
runs hundreds. The random seed is printed and taken from QDB_CRASH_SEED when set."""

from __future__ import annotations

import os
import random
import threading
import time
from pathlib import Path

import requests

from qdb_helpers import count, create_collection, ok, retrieve, run_qdb, upsert, wait_collection

ITERATIONS = int(os.environ.get("QDB_CRASH_ITERATIONS", "20"))
DIM = 8


def vec(i: int) -> list[float]:
    return [float(i % 97), 1.0] + [0.5] * (DIM - 2)


def temps(srv) -> list[str]:
    out = []
    for root in (srv.storage, srv.snapshots):
        for dirpath, dirnames, filenames in os.walk(root):
            rel = Path(dirpath).relative_to(root)
            for name in dirnames + filenames:
                p = rel / name
                if (p.parts[0] == "tmp" and len(p.parts) > 1) or ".tmp" in name or name.startswith(".creating-"):
                    out.append(f"{root.name}/{p}")
    return out


class Upserter(threading.Thread):
    """Upserts new ids with wait=true until stopped or the server dies; records what was acked."""

    def __init__(self, url: str, start_id: int, acked: set[int]):
        super().__init__(daemon=True)
        self.url, self.next_id, self.acked = url, start_id, acked
        self.stop = threading.Event()

    def run(self):
        s = requests.Session()
        while not self.stop.is_set():
            ids = list(range(self.next_id, self.next_id + 50))
            self.next_id += 50
            try:
                r = s.put(f"{self.url}/collections/c/points?wait=true", timeout=10,
                          json={"points": [{"id": i, "vector": vec(i), "payload": {"i": i}} for i in ids]})
            except requests.RequestException:
                return
            if r.status_code == 200:
                self.acked.update(ids)


def op_thread(fn):
    def run():
        try:
            fn()
        except requests.RequestException:
            pass
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_crash_harness(server_factory):
    seed = int(os.environ.get("QDB_CRASH_SEED", str(random.randrange(1 << 30))))
    print(f"crash harness seed {seed}, {ITERATIONS} kills")
    rnd = random.Random(seed)
    srv = server_factory()
    api = srv.api()
    create_collection(api, "c", size=DIM, distance="Dot")
    create_collection(api, "p", size=DIM, distance="Dot")
    upsert(api, "c", points=[{"id": i, "vector": vec(i)} for i in range(200)])
    upsert(api, "p", points=[{"id": i, "vector": vec(i)} for i in range(100)])
    acked: set[int] = set(range(200))
    # A collection snapshot to upload-recover into "r" (whole: exactly its points, or absent).
    desc = ok(api.post("/collections/c/snapshots"))
    blob = api.get(f"/collections/c/snapshots/{desc['name']}").content
    r_points = 200
    # A partial snapshot of "p" against its manifest at 100 points, taken after 50 more.
    manifest = ok(api.get("/collections/p/shards/0/snapshot/partial/manifest"))
    upsert(api, "p", points=[{"id": i, "vector": vec(i)} for i in range(100, 150)])
    partial = api.post("/collections/p/shards/0/snapshot/partial/create", json=manifest)
    assert partial.status_code == 200, partial.text
    partial = partial.content
    p_state = retrieve(api, "p", list(range(150)))

    def ops(url):
        s = requests.Session()
        return {
            "snapshot": lambda: s.post(f"{url}/collections/c/snapshots", timeout=30),
            "shard snapshot": lambda: s.post(f"{url}/collections/c/shards/0/snapshots", timeout=30),
            "full snapshot": lambda: s.post(f"{url}/snapshots", timeout=30),
            "upload recover": lambda: s.post(f"{url}/collections/r/snapshots/upload", timeout=30,
                                             files={"snapshot": ("r.snapshot", blob)}),
            "partial recover": lambda: s.post(f"{url}/collections/p/shards/0/snapshot/partial/recover", timeout=30,
                                              files={"snapshot": ("p.snapshot", partial)}),
        }

    verified: set[str] = set()
    next_id = 1_000_000
    history = []
    for it in range(ITERATIONS):
        upserter = Upserter(srv.url, next_id, acked)
        upserter.start()
        chosen = rnd.sample(sorted(ops(srv.url)), rnd.randint(1, 2))
        for name in chosen:
            op_thread(ops(srv.url)[name])
        delay = rnd.uniform(0.0, 0.5)
        time.sleep(delay)
        history.append(f"{it}: {chosen} kill after {delay:.3f}s")
        srv.kill()
        upserter.stop.set()
        upserter.join(timeout=15)
        next_id = upserter.next_id + 1000
        srv.start()
        api = srv.api()
        where = f"seed {seed}, iteration {it} ({chosen}, {delay:.3f}s)"

        # A merge or index build the restart started writes its `<id>.tmp` segment: only what
        # is left once the optimizer is idle is a leftover.
        wait_collection(api, "c", 120)
        assert temps(srv) == [], (where, temps(srv))
        # Every acknowledged write is there.
        got = {p["id"] for p in ok(api.post("/collections/c/points/scroll",
                                             json={"limit": 10**6, "with_payload": False}))["points"]}
        missing = acked - got
        assert not missing, (where, sorted(missing)[:10])
        # The recovered collection is absent or whole; the partially recovered one is as before or after.
        exists = ok(api.get("/collections/r/exists"))["exists"]
        if exists:
            assert count(api, "r") == r_points, where
        assert retrieve(api, "p", list(range(150))) == p_state, where
        # Every listed snapshot verifies.
        listed = [srv.snapshots / "c" / d["name"] for d in ok(api.get("/collections/c/snapshots"))]
        listed += [srv.snapshots / "full" / d["name"] if (srv.snapshots / "full" / d["name"]).exists()
                   else next(srv.snapshots.rglob(d["name"])) for d in ok(api.get("/snapshots"))]
        listed += [next(srv.snapshots.rglob(d["name"])) for d in ok(api.get("/collections/c/shards/0/snapshots"))]
        for path in listed:
            if str(path) in verified:
                continue
            r = run_qdb(["verify", str(path)], timeout=60)
            assert r.returncode == 0, (where, path.name, r.stdout, r.stderr)
            assert Path(str(path) + ".checksum").exists(), (where, path.name)
            verified.add(str(path))
    print("\n".join(history))
