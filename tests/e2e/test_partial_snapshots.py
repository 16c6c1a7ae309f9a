"""Partial (incremental) shard snapshots: manifests, partial/create|recover|recover_from, and the
CLI pipeline `qdb manifest | qdb snapshot partial | qdb restore --partial` between two servers."""

import io
import json
import subprocess
import tarfile
import threading
import time

from qdb_helpers import QDB_BIN, create_collection, err, ok, scroll_all, unique, upsert

# Many small sealed segments, kept apart: the merge optimizer would join them in the background
# and change the files these tests diff.
SEAL = {"QDB__STORAGE__APPENDABLE_MAX_POINTS": "50", "QDB__STORAGE__OPTIMIZERS__DEFAULT_SEGMENT_NUMBER": "1000"}


def run(args, input_bytes=None):
    return subprocess.run([QDB_BIN, *args], input=input_bytes, capture_output=True, timeout=120)


def state(api, name):
    return [(p["id"], p["vector"], p["payload"]) for p in scroll_all(api, name, with_vector=True)]


def search(api, name, vec):
    r = ok(api.post(f"/collections/{name}/points/search", json={"vector": vec, "limit": 10, "with_payload": True}))
    return [(p["id"], round(p["score"], 5), p["payload"]) for p in r]


def pair(server_factory, name, shards=1, n=200):
    """A primary with `n` points in several sealed segments, and a replica made from its
    collection snapshot (so both share the segments)."""
    primary = server_factory(env=SEAL)
    replica = server_factory(env=SEAL)
    p, r = primary.api(), replica.api()
    create_collection(p, name, size=4, distance="Euclid", shard_number=shards)
    for start in range(0, n, 40):
        upsert(p, name, points=[{"id": i, "vector": [i, i % 7, 1, 0], "payload": {"i": i, "tag": "a"}}
                                for i in range(start, min(n, start + 40))])
    snap = ok(p.post(f"/collections/{name}/snapshots"))
    blob = p.get(f"/collections/{name}/snapshots/{snap['name']}").content
    ok(r.post(f"/collections/{name}/snapshots/upload", files={"snapshot": ("s.snapshot", blob)}))
    assert state(r, name) == state(p, name)
    return primary, replica


def change(api, name):
    """Upserts, deletes and payload changes, touching sealed segments and new ones."""
    upsert(api, name, points=[{"id": i, "vector": [i, 1, 2, 3], "payload": {"i": i, "new": True}} for i in range(200, 230)])
    upsert(api, name, points=[{"id": 5, "vector": [9, 9, 9, 9], "payload": {"moved": 1}}])
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": [1, 2, 3, 60, 61]}))
    ok(api.post(f"/collections/{name}/points/payload?wait=true", json={"payload": {"tag": "b"}, "points": [10, 11, 100]}))


def test_manifest_shape_and_no_changes(server_factory):
    name = unique("man")
    primary, replica = pair(server_factory, name)
    p, r = primary.api(), replica.api()
    m = ok(p.get(f"/collections/{name}/shards/0/snapshot/partial/manifest"))
    assert m and all(k == v["segment_id"] for k, v in m.items())
    for seg in m.values():
        assert set(seg["file_versions"]) == set(seg["file_sha256"]) == set(seg["file_sizes"])
        assert all(v is None or v <= seg["segment_version"] for v in seg["file_versions"].values())
        assert seg["collection"] == name and seg["shard_id"] == 0
    # The replica restored from the primary's snapshot holds the same data: 304, empty body.
    rm = ok(r.get(f"/collections/{name}/shards/0/snapshot/partial/manifest"))
    assert rm == m
    resp = p.post(f"/collections/{name}/shards/0/snapshot/partial/create", json=rm)
    assert resp.status_code == 304 and resp.content == b""
    # recover_from answers false, and the CLI pipeline ends with "up to date" (exit 3) on both ends.
    assert ok(r.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from",
                     json={"peer_url": primary.url})) is False
    man = run(["manifest", name, "--shard", "0", "--url", replica.url])
    assert man.returncode == 0 and json.loads(man.stdout) == m
    part = run(["snapshot", "partial", name, "--shard", "0", "--url", primary.url], input_bytes=man.stdout)
    assert part.returncode == 3 and part.stdout == b"" and b"up to date" in part.stderr
    rest = run(["restore", "-", "--collection", name, "--shard", "0", "--partial", "--url", replica.url], input_bytes=b"")
    assert rest.returncode == 3


def test_cli_pipeline_brings_replica_to_primary_state(server_factory):
    name = unique("pipe")
    primary, replica = pair(server_factory, name, shards=2)
    p, r = primary.api(), replica.api()
    full_size = sum(len(p.get(f"/collections/{name}/shards/{s}/snapshot").content) for s in (0, 1))
    change(p, name)
    assert state(r, name) != state(p, name)
    sizes = []
    for shard in ("0", "1"):
        man = run(["manifest", name, "--shard", shard, "--url", replica.url])
        assert man.returncode == 0, man.stderr
        part = run(["snapshot", "partial", name, "--shard", shard, "--url", primary.url], input_bytes=man.stdout)
        assert part.returncode == 0, part.stderr
        sizes.append(len(part.stdout))
        # The archive says what it is: kind partial, a segment_manifest.json per segment.
        with tarfile.open(fileobj=io.BytesIO(part.stdout)) as t:
            names = t.getnames()
            meta = json.load(t.extractfile("qdb.json"))
        assert meta["kind"] == "partial" and meta["collection"] == name and meta["shard_id"] == int(shard)
        assert any(n.endswith("/files/segment_manifest.json") for n in names)
        app = run(["restore", "-", "--collection", name, "--shard", shard, "--partial", "--url", replica.url],
                  input_bytes=part.stdout)
        assert app.returncode == 0, app.stderr
    assert sum(sizes) < full_size  # only what changed travels
    assert state(r, name) == state(p, name)
    for vec in ([0, 0, 0, 0], [150, 3, 1, 0], [9, 9, 9, 9]):
        assert search(r, name, vec) == search(p, name, vec)
    # Now up to date: 304 for both shards.
    for shard in (0, 1):
        rm = ok(r.get(f"/collections/{name}/shards/{shard}/snapshot/partial/manifest"))
        assert p.post(f"/collections/{name}/shards/{shard}/snapshot/partial/create", json=rm).status_code == 304
    # The replica's data survives a restart (the merged shard is durable).
    replica.restart()
    assert state(replica.api(), name) == state(p, name)


def test_one_shell_pipeline_offline_primary(server_factory, tmp_path):
    """The documented pipeline as one shell line, the primary read offline from its storage dir."""
    name = unique("sh")
    primary, replica = pair(server_factory, name)
    change(primary.api(), name)
    want = state(primary.api(), name)
    primary.stop()
    line = (f"set -o pipefail; {QDB_BIN} manifest --url {replica.url} {name} --shard 0 "
            f"| {QDB_BIN} snapshot partial --storage {primary.storage} {name} --shard 0 "
            f"| {QDB_BIN} restore - --url {replica.url} --collection {name} --shard 0 --partial")
    res = subprocess.run(["bash", "-c", line], capture_output=True, timeout=120)
    assert res.returncode == 0, res.stderr
    assert state(replica.api(), name) == want
    # `qdb manifest diff` of the two manifests is now empty; a file manifest works offline too.
    (tmp_path / "r.json").write_bytes(run(["manifest", name, "--shard", "0", "--url", replica.url]).stdout)
    (tmp_path / "p.json").write_bytes(run(["manifest", name, "--shard", "0", "--storage", str(primary.storage)]).stdout)
    d = run(["manifest", "diff", str(tmp_path / "r.json"), str(tmp_path / "p.json"), "--json"])
    assert d.returncode == 0 and json.loads(d.stdout)["added"] == [] and json.loads(d.stdout)["changed"] == []


def test_recover_from_peer(server_factory):
    name = unique("pull")
    primary = server_factory(env=SEAL, api_key="pk")
    replica = server_factory(env=SEAL)
    p, r = primary.api(), replica.api()
    create_collection(p, name, size=4, distance="Dot")
    create_collection(r, name, size=4, distance="Dot")  # empty replica: manifest {}
    upsert(p, name, points=[{"id": i, "vector": [i, 1, 0, 0], "payload": {"i": i}} for i in range(120)])
    assert ok(r.get(f"/collections/{name}/shards/0/snapshot/partial/manifest")) == {}
    body = {"peer_url": primary.url, "api_key": "pk"}
    assert ok(r.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from", json=body)) is True
    assert state(r, name) == state(p, name)
    change(p, name)
    assert ok(r.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from", json=body)) is True
    assert state(r, name) == state(p, name)
    assert search(r, name, [1, 1, 1, 1]) == search(p, name, [1, 1, 1, 1])
    assert ok(r.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from", json=body)) is False
    # Wrong key at the peer: the peer's 401 is reported, nothing changes.
    before = state(r, name)
    e = err(r.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from",
                   json={"peer_url": primary.url, "api_key": "wrong"}), 401, 403, 502, 503, 500)
    assert e
    err(r.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from", json={"peer_url": "ftp://x"}), 400)
    err(r.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from", data=b"{nope"), 400)
    err(r.post(f"/collections/{name}/shards/9/snapshot/partial/recover_from", json=body), 404)
    assert state(r, name) == before


def test_bad_manifests_and_archives_change_nothing(server_factory):
    name = unique("bad")
    primary, replica = pair(server_factory, name)
    p, r = primary.api(), replica.api()
    other = unique("other")
    create_collection(p, other, size=4, distance="Euclid")
    upsert(p, other, points=[{"id": i, "vector": [i, 0, 0, 1]} for i in range(60)])
    change(p, name)
    base = f"/collections/{name}/shards/0/snapshot/partial"
    rm = ok(r.get(f"{base}/manifest"))
    before = state(r, name)

    # Invalid JSON, a manifest of another collection, versions newer than the shard, traversal.
    err(p.post(f"{base}/create", data=b"{not json", headers={"content-type": "application/json"}), 400)
    other_m = ok(p.get(f"/collections/{other}/shards/0/snapshot/partial/manifest"))
    assert "collection" in err(p.post(f"{base}/create", json=other_m), 400)
    newer = json.loads(json.dumps(rm))
    seg = next(iter(newer.values()))
    seg["segment_version"] = 10**9
    assert "newer" in err(p.post(f"{base}/create", json=newer), 400)
    bad_file = json.loads(json.dumps(rm))
    next(iter(bad_file.values()))["file_versions"]["../../etc/passwd"] = 1
    err(p.post(f"{base}/create", json=bad_file), 400)
    bad_version = json.loads(json.dumps(rm))
    s = next(iter(bad_version.values()))
    s["file_versions"][next(iter(s["file_versions"]))] = s["segment_version"] + 1
    err(p.post(f"{base}/create", json=bad_version), 400)

    good = p.post(f"{base}/create", json=rm)
    assert good.status_code == 200
    blob = good.content
    # Truncated, corrupted, wrong checksum, a full shard snapshot on the partial route and a partial
    # on the full routes, a partial for another collection: all refused, nothing changes.
    def upload(data, path=f"{base}/recover", q=""):
        return r.post(path + q, files={"snapshot": ("p.snapshot", data)})
    err(upload(blob[: len(blob) // 2]), 400)
    flipped = bytearray(blob)
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        victim = next(m for m in t.getmembers() if m.name.endswith("segment.json"))
    flipped[victim.offset_data + victim.size // 2] ^= 0xFF  # inside an entry, not in tar padding
    err(upload(bytes(flipped)), 400)
    err(upload(blob, q="?checksum=" + "0" * 64), 400)
    shard_snap = p.get(f"/collections/{name}/shards/0/snapshot").content
    assert "partial" in err(upload(shard_snap), 400)
    assert "partial" in err(upload(blob, path=f"/collections/{name}/shards/0/snapshots/upload"), 400)
    err(upload(blob, path=f"/collections/{name}/snapshots/upload"), 400)
    other_blob = p.post(f"/collections/{other}/shards/0/snapshot/partial/create", json={}).content
    assert "collection" in err(upload(other_blob), 400)
    # A partial made against another manifest (the replica changed since in a segment the primary
    # did not touch, so the archive lacks that file): refused, not merged.
    ok(r.post(f"/collections/{name}/points/delete?wait=true", json={"points": [170]}))
    ok(r.post(f"/collections/{name}/shards/0/snapshots"))  # seals the replica's change
    changed_before = state(r, name)
    e = err(upload(blob), 400)
    assert "manifest" in e
    assert state(r, name) == changed_before
    assert before != changed_before
    # The right one still applies.
    fresh = p.post(f"{base}/create", json=ok(r.get(f"{base}/manifest"))).content
    assert ok(upload(fresh)) is None
    assert state(r, name) == state(p, name)


def paused_pair(server_factory, name, pause_ms):
    """A primary and a replica with an empty collection `name` each; the replica's partial
    recoveries pause `pause_ms` before their swap (failpoint)."""
    primary = server_factory(env=SEAL)
    replica = server_factory(env={**SEAL, "QDB_FAILPOINT_PARTIAL_BEFORE_SWAP_MS": str(pause_ms)})
    p, r = primary.api(), replica.api()
    create_collection(p, name, size=4, distance="Dot")
    create_collection(r, name, size=4, distance="Dot")
    return primary, replica, p, r


def test_concurrent_partial_recoveries_are_refused(server_factory):
    name = unique("conc")
    primary, replica, p, r = paused_pair(server_factory, name, 1500)
    upsert(p, name, points=[{"id": i, "vector": [i, 1, 0, 0]} for i in range(100)])
    blob = p.post(f"/collections/{name}/shards/0/snapshot/partial/create", json={}).content
    results = {}

    def first():
        results["a"] = r.post(f"/collections/{name}/shards/0/snapshot/partial/recover",
                              files={"snapshot": ("p.snapshot", blob)})
    t = threading.Thread(target=first)
    t.start()
    time.sleep(0.6)
    second = r.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from", json={"peer_url": primary.url})
    assert second.status_code == 503 and "already_in_progress" in second.text
    t.join()
    assert results["a"].status_code == 200
    assert state(r, name) == state(p, name)


def test_kill_during_partial_recovery_leaves_previous_shard(server_factory):
    name = unique("kill")
    primary, replica, p, r = paused_pair(server_factory, name, 3000)
    upsert(r, name, points=[{"id": i, "vector": [0, 0, 0, i]} for i in range(70)])
    upsert(p, name, points=[{"id": i, "vector": [i, 1, 0, 0]} for i in range(100)])
    before = state(r, name)
    blob = p.post(f"/collections/{name}/shards/0/snapshot/partial/create",
                  json=ok(r.get(f"/collections/{name}/shards/0/snapshot/partial/manifest"))).content
    resp = r.post(f"/collections/{name}/shards/0/snapshot/partial/recover?wait=false",
                  files={"snapshot": ("p.snapshot", blob)})
    assert resp.status_code == 202
    deadline = time.monotonic() + 10
    while not any(x.name.startswith("partial-recover-") for x in (replica.storage / "tmp").iterdir()):
        assert time.monotonic() < deadline, "the partial recovery never reached staging"
        time.sleep(0.02)
    time.sleep(0.7)
    replica.kill()
    replica.env = dict(SEAL)
    replica.start()
    r = replica.api()
    assert state(r, name) == before
    assert not any((replica.storage / "tmp").iterdir())
    # And it applies cleanly after the restart.
    assert ok(r.post(f"/collections/{name}/shards/0/snapshot/partial/recover",
                     files={"snapshot": ("p.snapshot", blob)})) is None
    assert state(r, name) == state(p, name)


def test_seed_simple_manifest_form(server_factory):
    name = unique("seed")
    primary = server_factory(env=SEAL)
    p = primary.api()
    create_collection(p, name, size=4, distance="Dot")
    upsert(p, name, points=[{"id": i, "vector": [i, 1, 0, 0]} for i in range(60)])
    # The seed's curl body: paths the shard does not know change nothing; everything is sent.
    body = {"files": [{"path": "segment_1.dat", "hash": "abc123"}, {"path": "segment_2.dat", "hash": "def456"}]}
    full = p.post(f"/collections/{name}/shards/0/snapshot/partial/create", json=body)
    assert full.status_code == 200
    m = ok(p.get(f"/collections/{name}/shards/0/snapshot/partial/manifest"))
    # Listing every file with its current hash: nothing to send.
    files = [{"path": f"segments/{sid}/{f}", "hash": h} for sid, seg in m.items() for f, h in seg["file_sha256"].items()]
    assert p.post(f"/collections/{name}/shards/0/snapshot/partial/create", json={"files": files}).status_code == 304
    files[0]["hash"] = "0" * 64
    changed = p.post(f"/collections/{name}/shards/0/snapshot/partial/create", json={"files": files})
    assert changed.status_code == 200 and len(changed.content) < len(full.content)
