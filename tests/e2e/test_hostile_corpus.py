"""The generated hostile-archive corpus (hostile_corpus.py, ≥ 60 cases) against a live server,
as qdb was probed: each case must get a 4xx JSON error in bounded time, leave the existing
collection untouched, write nothing outside staging, leave no staging behind, show no server
path, and leave the server alive. A subset also goes through `file://` recovery and offline
`qdb restore`."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

import hostile_corpus
from qdb_helpers import count, create_collection, ok, retrieve, run_qdb, unique, upsert

DEADLINE_S = 30


def tree(root: Path, skip=("tmp",)) -> dict[str, int]:
    """Every file under root (relative path → size), outside the scratch directories."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        if rel.parts and rel.parts[0] in skip:
            dirnames[:] = []
            continue
        for f in filenames:
            p = Path(dirpath) / f
            out[str(p.relative_to(root))] = p.lstat().st_size
    return out


def scratch_empty(srv) -> bool:
    for d in (srv.storage / "tmp", srv.snapshots / "tmp"):
        if d.exists() and any(d.iterdir()):
            return False
    return True


@pytest.fixture(scope="module")
def env(module_server_factory, tmp_path_factory):
    srv = module_server_factory()
    api = srv.api()
    points = [{"id": i, "vector": [1.0 + i, 2.0, 3.0, 4.0], "payload": {"k": i, "s": "v" * i}} for i in range(9)]
    create_collection(api, "src", size=4, distance="Dot")
    upsert(api, "src", points=points)
    coll = ok(api.post("/collections/src/snapshots"))
    shard = ok(api.post("/collections/src/shards/0/snapshots"))
    full = ok(api.post("/snapshots"))
    blobs = (api.get(f"/collections/src/snapshots/{coll['name']}").content,
             api.get(f"/collections/src/shards/0/snapshots/{shard['name']}").content,
             api.get(f"/snapshots/{full['name']}").content)
    victim = unique("victim")
    create_collection(api, victim, size=4, distance="Dot")
    upsert(api, victim, points=[{"id": i, "vector": [0.5, 0.5, 0.5, float(i)], "payload": {"v": i}} for i in range(7)])
    escape = tmp_path_factory.mktemp("outside") / "escaped"
    corpus = hostile_corpus.build(*blobs, escape=str(escape))
    return {"srv": srv, "api": api, "victim": victim, "corpus": corpus, "escape": escape,
            "before": retrieve(api, victim, list(range(7)))}


def check_refused(env, r, started):
    srv = env["srv"]
    elapsed = time.monotonic() - started
    assert elapsed < DEADLINE_S, f"took {elapsed:.1f}s"
    assert 400 <= r.status_code < 500, (r.status_code, r.text[:300])
    body = r.json()
    assert isinstance(body["status"]["error"], str) and body["status"]["error"]
    assert str(srv.root) not in r.text, r.text[:300]
    # Bounded and qdb's own words: no Foundation DecodingError description of hostile bytes.
    message = body["status"]["error"]
    assert len(message) <= 2000, message[:300]
    assert "CodingKeys" not in message and "DecodingError" not in message, message[:300]
    return body["status"]["error"]


def test_hostile_archive_corpus(env):
    """Every case of the corpus through the upload routes; failures are collected so one run
    reports them all."""
    srv, api, victim = env["srv"], env["api"], env["victim"]
    corpus = env["corpus"]
    assert len(corpus) >= 60, len(corpus)
    failures = []
    for case, spec in sorted(corpus.items()):
        try:
            check_one(env, spec)
        except AssertionError as e:
            failures.append(f"{case}: {str(e)[:400]}")
            if not srv.running():
                break
    assert not failures, f"{len(failures)} of {len(corpus)} cases failed:\n" + "\n".join(failures)


def check_one(env, spec):
    srv, api, victim = env["srv"], env["api"], env["victim"]
    before_storage = tree(srv.storage)
    before_snapshots = tree(srv.snapshots)
    route = (f"/collections/{victim}/snapshots/upload" if spec["route"] == "collection"
             else f"/collections/{victim}/shards/0/snapshots/upload")
    started = time.monotonic()
    r = api.post(route, files={"snapshot": ("h.snapshot", spec["bytes"])}, timeout=DEADLINE_S + 30)
    check_refused(env, r, started)
    assert srv.running(), srv.log_tail()
    assert api.get("/healthz").status_code == 200
    assert retrieve(api, victim, list(range(7))) == env["before"], "victim changed"
    assert count(api, victim) == 7
    assert not env["escape"].exists(), "wrote outside staging"
    assert tree(srv.storage) == before_storage, "storage changed outside tmp/"
    assert tree(srv.snapshots) == before_snapshots, "snapshots changed"
    assert scratch_empty(srv), f"staging left: {list((srv.storage / 'tmp').iterdir())}"
    assert str(srv.root) not in srv.log_tail(20000), "server path in the log"


FILE_ROUTE_CASES = ["sparse-gnu-4gib", "segment-mappings-count-1e12", "path-4k", "segment-vector-size-huge",
                    "shard-segment-mappings-count-1e12"]


@pytest.mark.parametrize("case", FILE_ROUTE_CASES)
def test_hostile_archive_by_file_location(env, case):
    srv, api, victim = env["srv"], env["api"], env["victim"]
    spec = env["corpus"][case]
    (srv.snapshots / "hostile").mkdir(parents=True, exist_ok=True)
    path = srv.snapshots / "hostile" / f"{case.replace(':', '_')}.snapshot"
    path.write_bytes(spec["bytes"])
    route = (f"/collections/{victim}/snapshots/recover" if spec["route"] == "collection"
             else f"/collections/{victim}/shards/0/snapshots/recover")
    started = time.monotonic()
    r = api.put(route, json={"location": f"file://{path}"}, timeout=DEADLINE_S + 30)
    check_refused(env, r, started)
    path.unlink()
    assert retrieve(api, victim, list(range(7))) == env["before"]
    assert scratch_empty(srv)


@pytest.mark.parametrize("case", ["sparse-gnu-4gib", "segment-mappings-count-1e12", "path-4k", "segment-vector-size-huge"])
def test_hostile_archive_offline_restore(env, case, tmp_path):
    storage = tmp_path / "storage"
    archive = tmp_path / "h.snapshot"
    archive.write_bytes(env["corpus"][case]["bytes"])
    started = time.monotonic()
    r = run_qdb(["restore", str(archive), "--storage", str(storage), "--collection", "c"], timeout=DEADLINE_S)
    assert time.monotonic() - started < DEADLINE_S
    assert r.returncode == 65, (r.returncode, r.stderr)
    assert not (storage / "collections" / "c").exists()
    tmp = storage / "tmp"
    assert not tmp.exists() or not any(tmp.iterdir())


def test_verify_never_dies_of_a_signal(env, tmp_path):
    """`qdb verify` (plain and --deep) on randomly damaged and truncated snapshots, and on every
    corpus case: exit 65 (or 0 when the damage happens to be harmless padding), never a signal."""
    import random

    rnd = random.Random(1234)
    base = env["corpus"]["segment-mappings-count-1e12"]["bytes"]
    good = next(v["bytes"] for k, v in env["corpus"].items() if k == "kind-collection-on-shard")
    inputs = {f"case-{k}": v["bytes"] for k, v in env["corpus"].items()}
    for i in range(60):
        b = bytearray(good if i % 2 else base)
        if i % 3 == 0:
            b = b[: rnd.randrange(len(b))]
        else:
            for _ in range(rnd.randint(1, 8)):
                b[rnd.randrange(len(b))] = rnd.randrange(256)
        inputs[f"random-{i}"] = bytes(b)
    bad = []
    for name, data in sorted(inputs.items()):
        path = tmp_path / "v.snapshot"
        path.write_bytes(data)
        for deep in ([], ["--deep"]):
            try:
                r = run_qdb(["verify", str(path), *deep], timeout=DEADLINE_S)
            except subprocess.TimeoutExpired:
                bad.append(f"{name} {deep}: no answer within {DEADLINE_S}s")
                continue
            if r.returncode < 0 or r.returncode not in (0, 65):
                bad.append(f"{name} {deep}: exit {r.returncode}: {r.stderr[-200:]}")
    assert not bad, "\n".join(bad)
