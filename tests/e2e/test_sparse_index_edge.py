"""Qdrant's persisted sparse inverted index on sealed segments (issue 13), qdrant-edge-py 0.9.0
as the oracle.

1. qdb's sealed segments carry the index files (`vector_index-<name>/inverted_index.dat` and
   the rest) and declare `ImmutableRam` (`Mmap` with `index.on_disk`); edge loads them as they
   are (no rebuild: its indices tracker is qdb's file) and answers the same top-k, with and
   without IDF.
2. An edge-optimized shard with its inverted index restores into qdb, which keeps and searches
   that index (equal answers; qdb's snapshot carries edge's files), and refuses it with an error
   naming the file when the index is damaged, leaving the collection as it was.
"""

from __future__ import annotations

import io
import json
import random
import tarfile
from pathlib import Path

import qdrant_edge as qe

from qdb_helpers import ok, unique
from test_qdrant_edge_interop import edge_load, pack_shard, write_tar, upload_edge_shard
from test_vector_kinds_edge import edge_points, edge_top, qdb_points, qdb_top, same_points, same_top, sparse


def members(blob: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        return {m.name: t.extractfile(m).read() for m in t.getmembers() if m.isfile()}


def points(r: random.Random, ids) -> list[dict]:
    return [{"id": i, "vector": {"s": sparse(r, r.randint(2, 8)), "t": sparse(r, r.randint(1, 5))}, "payload": {"i": i}} for i in ids]


def test_qdb_sealed_sparse_index_loads_in_edge(server_factory, tmp_path):
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "300"})
    api = srv.api()
    name = unique("spidx")
    ok(api.put(f"/collections/{name}", json={"vectors": {"d": {"size": 2, "distance": "Dot"}},
                                             "sparse_vectors": {"s": {}, "t": {"modifier": "idf", "index": {"on_disk": True}}}}))
    r = random.Random(5)
    for start in range(0, 700, 100):
        body = points(r, range(start, start + 100))
        for p in body:
            p["vector"]["d"] = [r.random(), r.random()]
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": body}))
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    blob = api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content
    files = members(blob)
    segs = {n.split("/")[1] for n in files if n.endswith("/vector_index-s/inverted_index.dat")}
    # Every sealed segment holding sparse vectors has the index (the optimizer may merge them).
    assert segs and segs == {n.split("/")[1] for n in files if n.endswith("/vector_storage-s/store/tracker.dat")}, sorted(files)
    for seg in segs:
        prefix = f"segments/{seg}/files/"
        state = json.loads(files[prefix + "segment.json"])
        kinds = {k: v["index"]["index_type"] for k, v in state["config"]["sparse_vector_data"].items()}
        assert kinds == {"s": "ImmutableRam", "t": "Mmap"}, kinds
        for v in ("s", "t"):
            assert files[f"{prefix}vector_index-{v}/version.info"] == b"0.2.0"
            header = json.loads(files[f"{prefix}vector_index-{v}/inverted_index_config.json"])
            assert header["posting_count"] * 24 + header["total_sparse_size"] == len(files[f"{prefix}vector_index-{v}/inverted_index.dat"])

    def chunks(seg: str) -> int:
        prefix = f"segments/{seg}/files/vector_index-s/"
        dat, n = files[prefix + "inverted_index.dat"], json.loads(files[prefix + "inverted_index_config.json"])["posting_count"]
        return sum(int.from_bytes(dat[24 * i + 16: 24 * i + 20], "little") for i in range(n))
    assert any(chunks(seg) > 0 for seg in segs)  # posting lists long enough for packed 128-id chunks

    want = qdb_points(api, name)
    shard = edge_load(blob, tmp_path)
    assert shard.count(qe.CountRequest(exact=True)) == len(want)
    same_points(edge_points(shard, want), want)
    for _ in range(10):
        for using in ("s", "t"):
            q = sparse(r, 4)
            same_top(edge_top(shard, using, q, limit=15), qdb_top(api, name, using, q, limit=15))
    # Edge loaded qdb's index instead of rebuilding it (a rebuild remaps dimensions in the order
    # it meets them and rewrites the tracker).
    for seg in segs:
        for v in ("s", "t"):
            rel = f"{seg}/vector_index-{v}/indices_tracker.json"
            assert (tmp_path / "edge" / "segments" / rel).read_bytes() == files[f"segments/{seg}/files/vector_index-{v}/indices_tracker.json"]
    shard.close()
    # Deletions in sealed segments: the index files stay as they were (immutable), the plain
    # vector's answers stay equal. (IDF is not compared here: Qdrant's counts the postings of
    # points deleted after the index was built, qdb's only live points; see README.)
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": list(range(0, 700, 9))}))
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    blob = api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content
    again = members(blob)
    for seg in segs & {n.split("/")[1] for n in again if n.endswith("/vector_index-s/inverted_index.dat")}:
        rel = f"segments/{seg}/files/vector_index-s/inverted_index.dat"
        assert again[rel] == files[rel]
    want = qdb_points(api, name)
    shard = edge_load(blob, tmp_path, "after-delete")
    assert shard.count(qe.CountRequest(exact=True)) == len(want)
    same_points(edge_points(shard, want), want)
    for _ in range(10):
        q = sparse(r, 4)
        same_top(edge_top(shard, "s", q, limit=15), qdb_top(api, name, "s", q, limit=15))
    shard.close()


def build_edge_sparse(path: Path, n: int = 600) -> qe.EdgeShard:
    config = qe.EdgeConfig(vectors={}, sparse_vectors={"s": qe.EdgeSparseVectorParams(),
                                                       "t": qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf, on_disk=True)},
                           optimizers=qe.EdgeOptimizersConfig(indexing_threshold=1))
    path.mkdir(parents=True)
    shard = qe.EdgeShard.create(str(path), config)
    r = random.Random(21)
    shard.update(qe.UpdateOperation.upsert_points([
        qe.Point(p["id"], {k: qe.SparseVector(v["indices"], v["values"]) for k, v in p["vector"].items()}, p["payload"])
        for p in points(r, range(n))]))
    assert shard.optimize()
    shard.flush()
    return shard


def edge_index_dirs(edge: Path) -> list[Path]:
    return sorted(d.parent for d in (edge / "segments").rglob("inverted_index.dat"))


def test_edge_sparse_index_restores_into_qdb(server_factory, tmp_path):
    shard = build_edge_sparse(tmp_path / "edge")
    ids = [p.id for p in shard.scroll(qe.ScrollRequest(limit=10_000))[0]]
    want = edge_points(shard, ids)
    r = random.Random(23)
    queries = [(using, sparse(r, 4)) for using in ("s", "t") for _ in range(6)]
    tops = [edge_top(shard, u, q, limit=15) for u, q in queries]
    shard.close()
    dirs = edge_index_dirs(tmp_path / "edge")
    assert {d.name for d in dirs} == {"vector_index-s", "vector_index-t"}

    srv = server_factory()
    api = srv.api()
    name = unique("spidxedge")
    ok(api.put(f"/collections/{name}", json={"sparse_vectors": {"s": {}, "t": {"modifier": "idf", "index": {"on_disk": True}}}}))
    upload_edge_shard(api, name, tmp_path / "edge", tmp_path / "edge-shard.snapshot")
    same_points(qdb_points(api, name), want)
    for (using, q), top in zip(queries, tops):
        same_top(qdb_top(api, name, using, q, limit=15), top)
    # qdb kept edge's index files (not a rebuild of its own) and its snapshot carries them.
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    files = members(api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content)
    for d in dirs:
        for f in ("indices_tracker.json", "inverted_index.dat"):
            assert files[f"segments/{d.parent.name}/files/{d.name}/{f}"] == (d / f).read_bytes(), (d, f)


def test_damaged_edge_sparse_index_is_refused(server_factory, tmp_path):
    build_edge_sparse(tmp_path / "edge", n=300).close()
    srv = server_factory()
    api = srv.api()
    name = unique("spidxbad")
    ok(api.put(f"/collections/{name}", json={"sparse_vectors": {"s": {}, "t": {"modifier": "idf", "index": {"on_disk": True}}}}))
    before = points(random.Random(2), range(5))
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": before}))
    want = qdb_points(api, name)
    dat = next(d for d in edge_index_dirs(tmp_path / "edge") if d.name == "vector_index-s") / "inverted_index.dat"
    original = dat.read_bytes()
    for what, bad in [("truncated", original[:-6]), ("flipped weight", original[:-1] + bytes([original[-1] ^ 0x20]))]:
        dat.write_bytes(bad)
        archive = write_tar(pack_shard(tmp_path / "edge"), tmp_path / f"bad-{len(bad)}.snapshot")
        with archive.open("rb") as f:
            resp = api.post(f"/collections/{name}/shards/0/snapshots/upload?wait=true", files={"snapshot": ("s.snapshot", f)})
        assert resp.status_code in (400, 422), (what, resp.status_code, resp.text)
        assert "vector_index-s/inverted_index.dat" in resp.json()["status"]["error"], (what, resp.text)
        assert qdb_points(api, name) == want, what
