"""Interop with Qdrant's own segment code: qdrant-edge-py (Qdrant's shard engine in-process) is the
oracle for whether qdb's archives hold real Qdrant segments, and the source of real Qdrant shards.

1. qdb shard snapshots load in qdrant-edge with equal points and exact top-10, and take updates.
2. Shards written by qdrant-edge (appendable, and optimized with HNSW) restore into qdb, packed as
   shard and collection snapshots, through upload, URL recovery, startup --snapshot and offline
   `qdb restore`; `qdb verify` passes them and fails them after one flipped byte.
3. The qdb 0.1 fixtures restore (see Tests/EngineTests/Segment/LegacyFixtureTests.swift for storage).
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import tarfile
from pathlib import Path

import numpy as np
import pytest
import qdrant_edge as qe

from qdb_helpers import StaticPeer, err, ok, run_qdb, scroll_all, unique

REPO = Path(__file__).resolve().parents[2]

# One named vector per distance; "man" and "euc" are missing on some points.
VECTORS = {"cos": (4, "Cosine"), "dot": (5, "Dot"), "euc": (3, "Euclid"), "man": (2, "Manhattan")}
EDGE_DISTANCE = {"Cosine": qe.Distance.Cosine, "Dot": qe.Distance.Dot, "Euclid": qe.Distance.Euclid,
                 "Manhattan": qe.Distance.Manhattan}


def make_point(i: int, rng, tag: str = "v1") -> dict:
    vec = {name: rng.normal(size=dim).round(4).tolist() for name, (dim, _) in VECTORS.items()
           if not (name == "man" and i % 3 == 0) and not (name == "euc" and i % 5 == 0)}
    return {"id": i, "vector": vec, "payload": {"n": i, "tag": tag, "city": ["Berlin", "Paris", "Oslo"][i % 3],
                                                   "tags": [f"t{i % 4}", "all"], "f": i / 8, "nested": {"k": i % 2 == 0}}}


def qdb_points(api, name) -> dict:
    return {p["id"]: (p["vector"], p["payload"]) for p in scroll_all(api, name, with_vector=True)}


def edge_points(shard, ids) -> dict:
    out = {}
    for r in shard.retrieve(list(ids), with_payload=True, with_vector=True):
        out[r.id] = (dict(r.vector), r.payload)
    return out


def same_points(a: dict, b: dict) -> None:
    assert sorted(a) == sorted(b)
    for pid in a:
        va, pa = a[pid]
        vb, pb = b[pid]
        assert pa == pb, pid
        assert sorted(va) == sorted(vb), pid
        for name in va:
            assert np.allclose(va[name], vb[name], atol=1e-5), (pid, name)


def qdb_top(api, name, using, q, limit=10):
    res = ok(api.post(f"/collections/{name}/points/search",
                      json={"vector": {"name": using, "vector": q}, "limit": limit, "params": {"exact": True}}))
    return [(p["id"], p["score"]) for p in res]


def edge_top(shard, using, q, limit=10):
    res = shard.query(qe.QueryRequest(limit=limit, query=qe.Query.Nearest(q, using=using),
                                      params=qe.SearchParams(exact=True)))
    return [(p.id, p.score) for p in res]


def same_top(a, b):
    assert [x[0] for x in a] == [x[0] for x in b]
    assert np.allclose([x[1] for x in a], [x[1] for x in b], atol=1e-4)


def edge_load(blob: bytes, tmp: Path, name: str = "edge") -> qe.EdgeShard:
    archive = tmp / f"{name}.snapshot"
    archive.write_bytes(blob)
    target = tmp / name
    qe.EdgeShard.unpack_snapshot(str(archive), str(target))
    return qe.EdgeShard.load(str(target))


def create_named(api, name):
    ok(api.put(f"/collections/{name}", json={"vectors": {n: {"size": d, "distance": dist} for n, (d, dist) in VECTORS.items()}}))


def test_qdb_shard_snapshot_loads_in_qdrant_edge(server_factory, tmp_path):
    # Small appendable segments, so the shard has several sealed segments and deletions in them.
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "60"})
    api = srv.api()
    name = unique("edge")
    create_named(api, name)
    rng = np.random.default_rng(7)
    for start in range(0, 200, 50):
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(i, rng) for i in range(start, start + 50)]}))
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(i, rng, "v2") for i in range(0, 200, 7)]}))
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": list(range(3, 200, 11))}))
    ok(api.post(f"/collections/{name}/points/payload?wait=true", json={"payload": {"edited": True}, "points": [1, 2, 50]}))
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    blob = api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        names = t.getnames()
    segs = {n.split("/")[1] for n in names if n.startswith("segments/")}
    assert len(segs) >= 3
    assert [n for n in names if n.startswith("wal/")] == [f"wal/closed-{max_version(blob) + 1}"]

    want = qdb_points(api, name)
    shard = edge_load(blob, tmp_path)
    assert shard.count(qe.CountRequest(exact=True)) == len(want)
    same_points(edge_points(shard, list(want) + [3, 14]), want)
    for using, (dim, _) in VECTORS.items():
        for _ in range(3):
            q = rng.normal(size=dim).round(3).tolist()
            same_top(edge_top(shard, using, q), qdb_top(api, name, using, q))

    # Qdrant takes updates to the restored points (it drops them when the WAL starts below the
    # points' versions), and they survive a reload.
    fresh = make_point(1000, rng, "edge")
    over = make_point(1, rng, "edge-overwrite")
    shard.update(qe.UpdateOperation.upsert_points([qe.Point(p["id"], p["vector"], p["payload"]) for p in (fresh, over)]))
    shard.update(qe.UpdateOperation.set_payload([2], {"edge": 1}))
    shard.update(qe.UpdateOperation.delete_points([4]))
    shard.flush()
    shard.close()
    shard = qe.EdgeShard.load(str(tmp_path / "edge"))
    got = edge_points(shard, [1, 2, 4, 1000])
    assert sorted(got) == [1, 2, 1000]
    assert got[1000][1] == fresh["payload"] and got[1][1] == over["payload"]
    assert got[2][1] == {**want[2][1], "edge": 1}
    assert shard.count(qe.CountRequest(exact=True)) == len(want)


def max_version(blob: bytes) -> int:
    """The largest segment version in a qdb archive's segment.json files."""
    top = 0
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        for m in t.getmembers():
            if m.name.endswith("/segment.json"):
                top = max(top, json.load(t.extractfile(m))["version"] or 0)
    return top


# --------------------------------------------------------------------------------------
# Shards written by qdrant-edge, packed as Qdrant packs snapshots, restored into qdb
# --------------------------------------------------------------------------------------


def build_edge_shard(path: Path, optimized: bool, n: int = 300) -> qe.EdgeShard:
    """A shard written by Qdrant's code: upserts, overwrites, deletes, payload edits; left as
    appendable segments, or optimized with an HNSW index on every vector."""
    optimizers = qe.EdgeOptimizersConfig(indexing_threshold=1, deleted_threshold=0.9) if optimized else None
    config = qe.EdgeConfig(vectors={name: qe.EdgeVectorParams(size=d, distance=EDGE_DISTANCE[dist])
                                    for name, (d, dist) in VECTORS.items()}, optimizers=optimizers)
    shard = qe.EdgeShard.create(str(path), config)
    rng = np.random.default_rng(11)
    points = [make_point(i, rng) for i in range(n)] + [make_point(i, rng, "v2") for i in range(0, n, 9)]
    for start in range(0, len(points), 100):
        shard.update(qe.UpdateOperation.upsert_points([qe.Point(p["id"], p["vector"], p["payload"]) for p in points[start:start + 100]]))
    shard.update(qe.UpdateOperation.delete_points(list(range(5, n, 13))))
    shard.update(qe.UpdateOperation.set_payload([1, 2, 40], {"edited": True}))
    if optimized:
        assert shard.optimize()
    shard.flush()
    return shard


def segment_versions(edge_dir: Path) -> list[int]:
    return [json.loads((d / "segment.json").read_text())["version"] or 0
            for d in (edge_dir / "segments").iterdir() if (d / "segment.json").exists()]


def pack_shard(edge_dir: Path, prefix: str = "") -> list[tuple[str, bytes | Path]]:
    """The entries of a Qdrant shard snapshot of `edge_dir` (reference §2.5): every segment file
    under segments/<uuid>/files/, an empty WAL starting after the newest operation, replica files."""
    entries: list[tuple[str, bytes | Path]] = []
    for seg in sorted((edge_dir / "segments").iterdir()):
        for f in sorted(seg.rglob("*")):
            if f.is_file():
                entries.append((f"{prefix}segments/{seg.name}/files/{f.relative_to(seg)}", f))
    header = b"wal\x00" + struct.pack("<I", 0x1234ABCD)
    entries.append((f"{prefix}wal/closed-{max(segment_versions(edge_dir)) + 1}", header))
    entries.append((f"{prefix}replica_state.json", b'{"is_local":true,"this_peer_id":1,"peers":{"1":"Active"}}'))
    entries.append((f"{prefix}shard_config.json", b'{"type":"Local"}'))
    return entries


def qdrant_collection_config() -> dict:
    """config.json of a Qdrant 1.19 collection with VECTORS (CollectionConfigInternal)."""
    return {
        "params": {"vectors": {n: {"size": d, "distance": dist} for n, (d, dist) in VECTORS.items()},
                   "shard_number": 1, "replication_factor": 1, "write_consistency_factor": 1, "on_disk_payload": True},
        "hnsw_config": {"m": 16, "ef_construct": 100, "full_scan_threshold": 10000, "max_indexing_threads": 0, "on_disk": False},
        "optimizer_config": {"deleted_threshold": 0.2, "vacuum_min_vector_number": 1000, "default_segment_number": 0,
                             "max_segment_size": None, "memmap_threshold": None, "indexing_threshold": 10000,
                             "flush_interval_sec": 5, "max_optimization_threads": None},
        "wal_config": {"wal_capacity_mb": 32, "wal_segments_ahead": 0, "wal_retain_closed": 1},
        "quantization_config": None, "strict_mode_config": {"enabled": False}, "uuid": "2b2c4d6e-0000-4000-8000-000000000001",
    }


def pack_collection(edge_dir: Path) -> list[tuple[str, bytes | Path]]:
    return [("version.info", b"0.4.2"), ("config.json", json.dumps(qdrant_collection_config()).encode()),
            ("payload_index.json", b'{"schema":{}}'), ("shard_key_mapping.json", b"{}")] + pack_shard(edge_dir, "0/")


def write_tar(entries, out: Path) -> Path:
    with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as t:
        for name, data in entries:
            if isinstance(data, Path):
                t.add(str(data), arcname=name)
            else:
                info = tarfile.TarInfo(name)
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return out


def upload_edge_shard(api, name: str, edge_dir: Path, out: Path):
    """The edge shard at `edge_dir`, packed as a shard snapshot at `out`, uploaded as shard 0 of `name`."""
    archive = write_tar(pack_shard(edge_dir), out)
    with archive.open("rb") as f:
        ok(api.post(f"/collections/{name}/shards/0/snapshots/upload?wait=true", files={"snapshot": ("s.snapshot", f)}))


@pytest.fixture(scope="module", params=["appendable", "optimized"])
def edge_shard(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(f"edge-{request.param}")
    shard = build_edge_shard(root / "shard", optimized=request.param == "optimized")
    ids = [p.id for p in shard.scroll(qe.ScrollRequest(limit=10_000))[0]]
    want = edge_points(shard, ids)
    rng = np.random.default_rng(5)
    queries = [(using, rng.normal(size=dim).round(3).tolist()) for using, (dim, _) in VECTORS.items() for _ in range(2)]
    tops = [edge_top(shard, using, q) for using, q in queries]
    manifest = shard.snapshot_manifest()
    shard.close()
    edge_dir = root / "shard"
    if request.param == "optimized":
        assert any((d / "vector_index-cos").is_dir() for d in (edge_dir / "segments").iterdir())
    return {"dir": edge_dir, "root": root, "points": want, "queries": queries, "tops": tops, "kind": request.param,
            "manifest": manifest}


def check_restored(api, name, edge_shard):
    same_points(qdb_points(api, name), edge_shard["points"])
    for (using, q), want in zip(edge_shard["queries"], edge_shard["tops"]):
        same_top(qdb_top(api, name, using, q), want)


def test_edge_shard_restores_through_shard_upload(server_factory, edge_shard, tmp_path):
    srv = server_factory()
    api = srv.api()
    name = unique("fromedge")
    create_named(api, name)
    archive = write_tar(pack_shard(edge_shard["dir"]), tmp_path / "edge-shard.snapshot")
    with archive.open("rb") as f:
        ok(api.post(f"/collections/{name}/shards/0/snapshots/upload?wait=true", files={"snapshot": ("s.snapshot", f)}))
    check_restored(api, name, edge_shard)
    # Back to Qdrant: a qdb snapshot of the restored shard loads in qdrant-edge again, with the
    # HNSW graphs Qdrant built carried along unchanged.
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    blob = api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        graphs = [n for n in t.getnames() if "/vector_index-" in n]
    assert bool(graphs) == (edge_shard["kind"] == "optimized")
    again = edge_load(blob, tmp_path, "again")
    same_points(edge_points(again, list(edge_shard["points"])), edge_shard["points"])
    for (using, q), want in zip(edge_shard["queries"], edge_shard["tops"]):
        same_top(edge_top(again, using, q), want)
    again.close()
    # Offline too: qdb shard snapshot recover into a stopped server's storage.
    offline = server_factory(start=False)
    offline.start()
    create_named(offline.api(), name)
    offline.stop()
    r = run_qdb(["shard", "snapshot", "recover", name, str(archive), "--shard", "0", "--storage", str(offline.storage)])
    assert r.returncode == 0, r.stderr
    offline.start()
    check_restored(offline.api(), name, edge_shard)
    offline.stop()
    # New operations are numbered after the archive's, and survive a restart.
    newest = max(segment_versions(edge_shard["dir"]))
    res = ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(1, np.random.default_rng(1), "after")]}))
    assert res["operation_id"] > newest
    srv.restart()
    api = srv.api()
    assert qdb_points(api, name)[1][1]["tag"] == "after"


def test_edge_collection_snapshot_restores_every_way(server_factory, edge_shard, tmp_path):
    archive = write_tar(pack_collection(edge_shard["dir"]), tmp_path / "edge-collection.snapshot")
    srv = server_factory()
    api = srv.api()
    # Upload.
    up = unique("up")
    with archive.open("rb") as f:
        ok(api.post(f"/collections/{up}/snapshots/upload?wait=true", files={"snapshot": ("c.snapshot", f)}))
    check_restored(api, up, edge_shard)
    # Recovery from a file:// URL inside the snapshots directory.
    url = unique("url")
    (srv.snapshots / url).mkdir(parents=True)
    shutil.copy(archive, srv.snapshots / url / "edge.snapshot")
    ok(api.put(f"/collections/{url}/snapshots/recover", json={"location": f"file://{srv.snapshots / url / 'edge.snapshot'}"}))
    check_restored(api, url, edge_shard)
    # Recovery from an http:// URL, for the collection and for its shard.
    body = archive.read_bytes()
    shard_body = write_tar(pack_shard(edge_shard["dir"]), tmp_path / "edge-shard.snapshot").read_bytes()

    with StaticPeer({"/c.snapshot": body, "/s.snapshot": shard_body}) as peer:
        web = unique("web")
        ok(api.put(f"/collections/{web}/snapshots/recover", json={"location": peer.url("/c.snapshot")}))
        check_restored(api, web, edge_shard)
        ok(api.put(f"/collections/{web}/points?wait=true", json={"points": [make_point(1, np.random.default_rng(2), "changed")]}))
        ok(api.put(f"/collections/{web}/shards/0/snapshots/recover", json={"location": peer.url("/s.snapshot")}))
        check_restored(api, web, edge_shard)
    srv.stop()
    # Startup --snapshot.
    boot = server_factory(args=["--snapshot", f"{archive}:booted"])
    check_restored(boot.api(), "booted", edge_shard)
    boot.stop()
    # Offline restore into a stopped server's storage, then serve it.
    offline = server_factory(start=False)
    r = run_qdb(["restore", str(archive), "--collection", "offline", "--storage", str(offline.storage)])
    assert r.returncode == 0, r.stderr
    offline.start()
    check_restored(offline.api(), "offline", edge_shard)


def test_verify_checks_qdrant_archives_by_structure(edge_shard, tmp_path):
    for kind, entries in (("collection", pack_collection(edge_shard["dir"])), ("shard", pack_shard(edge_shard["dir"]))):
        archive = write_tar(entries, tmp_path / f"{kind}.snapshot")
        r = run_qdb(["verify", str(archive), "--json"])
        assert r.returncode == 0, r.stderr
        report = json.loads(r.stdout)[0]
        assert report["ok"] and report["kind"] == kind
        assert report["points"] == len(edge_shard["points"])
        # One flipped byte inside a segment file's data: a structure or content error, exit 65.
        blob = bytearray(archive.read_bytes())
        at = blob.find(b"id_tracker.mappings\x00" if edge_shard["kind"] == "optimized" else b"mutable_id_tracker.mappings\x00")
        assert at > 0
        at -= at % 512
        blob[at + 512] ^= 0xFF  # the first byte of the id tracker: a count or a record type
        bad = tmp_path / f"bad-{kind}.snapshot"
        bad.write_bytes(bytes(blob))
        r = run_qdb(["verify", str(bad)])
        assert r.returncode == 65, (r.stdout, r.stderr)
        # qdb manifest reads the same segments and versions qdrant-edge reports for the shard.
        r = run_qdb(["manifest", str(archive), *(["--shard", "0", "--file"] if kind == "collection" else [])])
        assert r.returncode == 0, r.stderr
        got = json.loads(r.stdout)
        want = edge_shard["manifest"]
        assert {k: v["segment_version"] for k, v in got.items()} == {k: v["segment_version"] for k, v in want.items()}
        for seg, m in want.items():
            assert set(m["file_versions"]) <= set(got[seg]["file_versions"]) | {"segment.json"}


def write_sparse_tar(entries, out: Path, tmp: Path) -> Path:
    """The archive as Qdrant writes preallocated files: GNU sparse entries (GNU tar --sparse)."""
    import subprocess
    stage = tmp / "sparse-stage"
    for name, data in entries:
        dst = stage / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, Path):
            subprocess.run(["cp", "--sparse=always", str(data), str(dst)], check=True)
        else:
            dst.write_bytes(data)
    subprocess.run(["tar", "--sparse", "--format=gnu", "-cf", str(out), "-C", str(stage), "."], check=True)
    return out


def test_sparse_archive_from_edge_restores(server_factory, edge_shard, tmp_path):
    archive = write_sparse_tar(pack_shard(edge_shard["dir"]), tmp_path / "sparse.snapshot", tmp_path)
    plain = sum(f.stat().st_size for f in edge_shard["dir"].rglob("*") if f.is_file())
    assert archive.stat().st_size < plain / 4  # the 32 MiB chunks and pages travel as holes
    r = run_qdb(["verify", str(archive)])
    assert r.returncode == 0, r.stderr
    srv = server_factory()
    api = srv.api()
    name = unique("sparse")
    create_named(api, name)
    with archive.open("rb") as f:
        ok(api.post(f"/collections/{name}/shards/0/snapshots/upload?wait=true", files={"snapshot": ("s.snapshot", f)}))
    check_restored(api, name, edge_shard)


def test_qdrant_wal_with_operations_is_refused(server_factory, edge_shard, tmp_path):
    """Operations in an archive's WAL that qdb cannot read are a clear 400, never dropped."""
    entries = [e for e in pack_shard(edge_shard["dir"]) if not e[0].startswith("wal/")]
    record = struct.pack("<Q", 5) + b"\xa1\x01\x02\x03\x04" + b"\x00" * 3 + struct.pack("<I", 0)
    entries.append(("wal/open-1", b"wal\x00" + struct.pack("<I", 7) + record))
    archive = write_tar(entries, tmp_path / "with-ops.snapshot")
    srv = server_factory()
    api = srv.api()
    name = unique("walops")
    create_named(api, name)
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(1, np.random.default_rng(3))]}))
    with archive.open("rb") as f:
        msg = err(api.post(f"/collections/{name}/shards/0/snapshots/upload?wait=true", files={"snapshot": ("s.snapshot", f)}), 400)
    assert "wal/open-1" in msg and "operations" in msg
    assert sorted(qdb_points(api, name)) == [1]


def test_edge_shard_follows_qdb_by_partial_snapshots(server_factory, tmp_path):
    """An edge shard bootstrapped from qdb's shard snapshot follows qdb through rounds of
    upserts, overwrites, deletes and payload edits by partial snapshots alone: its manifest is
    posted to …/snapshot/partial/create and the archive applied with update_from_snapshot."""
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "60",
                                  # kept apart: a background merge would change the files diffed
                                  "QDB__STORAGE__OPTIMIZERS__DEFAULT_SEGMENT_NUMBER": "1000"})
    api = srv.api()
    name = unique("follow")
    create_named(api, name)
    rng = np.random.default_rng(21)
    for start in range(0, 150, 50):
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(i, rng) for i in range(start, start + 50)]}))
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    shard = edge_load(api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content, tmp_path)
    for rnd in range(4):
        ids = rng.choice(400, size=40, replace=False).tolist()
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(int(i), rng, f"r{rnd}") for i in ids]}))
        ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": rng.choice(400, size=10).tolist()}))
        ok(api.post(f"/collections/{name}/points/payload?wait=true", json={"payload": {"round": rnd}, "points": [int(i) for i in ids[:5]]}))
        r = api.post(f"/collections/{name}/shards/0/snapshot/partial/create", json=shard.snapshot_manifest())
        assert r.status_code == 200, r.text
        delta = tmp_path / f"delta-{rnd}.snapshot"
        delta.write_bytes(r.content)
        shard.update_from_snapshot(str(delta))
        want = qdb_points(api, name)
        assert shard.count(qe.CountRequest(exact=True)) == len(want)
        same_points(edge_points(shard, list(range(400))), want)
        q = rng.normal(size=4).round(3).tolist()
        same_top(edge_top(shard, "cos", q), qdb_top(api, name, "cos", q))
    # Nothing changed since the last round: 304, no body.
    r = api.post(f"/collections/{name}/shards/0/snapshot/partial/create", json=shard.snapshot_manifest())
    assert r.status_code == 304 and not r.content
