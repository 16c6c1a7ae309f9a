"""Sparse vectors in Qdrant's own segment code (issue 13): qdrant-edge-py 0.9.0 is the oracle.

1. A qdb shard snapshot whose segments hold sparse vectors (several sealed segments, deletions,
   points lacking a vector) loads in qdrant-edge with equal points and equal sparse top-k, with
   and without IDF, and edge takes updates of them.
2. Shards qdrant-edge wrote with sparse vectors — appendable, and optimized (its immutable
   segments with an inverted index on disk) — restore into qdb through shard upload with equal
   points and answers, and qdb's snapshot of the restored shard loads in edge again.
"""

from __future__ import annotations

import io
import random
import tarfile
from pathlib import Path

import numpy as np
import pytest
import qdrant_edge as qe

from qdb_helpers import ok, scroll_all, unique
from test_qdrant_edge_interop import edge_load, upload_edge_shard

DIM = 3
VOCAB = 50


def sparse(r: random.Random, k: int) -> dict:
    terms = sorted({min(VOCAB - 1, int(r.paretovariate(1.2)) - 1) for _ in range(k)})
    return {"indices": terms, "values": [round(r.uniform(0.1, 2), 3) for _ in terms]}


def make_point(r: random.Random, i: int) -> dict:
    vec: dict = {"d": [round(r.uniform(-1, 1), 3) for _ in range(DIM)]}
    if i % 4:
        vec["s"] = sparse(r, r.randint(1, 6))
    if i % 3:
        vec["t"] = sparse(r, r.randint(1, 6))
    return {"id": i, "vector": vec, "payload": {"i": i}}


def create(api, name):
    ok(api.put(f"/collections/{name}", json={"vectors": {"d": {"size": DIM, "distance": "Dot"}},
                                             "sparse_vectors": {"s": {}, "t": {"modifier": "idf"}}}))


def as_json_vector(v) -> dict:
    out = {}
    for name, x in dict(v).items():
        if isinstance(x, qe.SparseVector):
            out[name] = {"indices": list(x.indices), "values": list(x.values)}
        else:
            out[name] = list(x)
    return out


def qdb_points(api, name) -> dict:
    return {p["id"]: p["vector"] for p in scroll_all(api, name, with_vector=True)}


def edge_points(shard, ids) -> dict:
    return {r.id: as_json_vector(r.vector) for r in shard.retrieve(list(ids), with_payload=False, with_vector=True)}


def same_points(a: dict, b: dict):
    assert sorted(a) == sorted(b)
    for pid in a:
        assert sorted(a[pid]) == sorted(b[pid]), pid
        for name, x in a[pid].items():
            y = b[pid][name]
            if isinstance(x, dict):
                assert x["indices"] == y["indices"], (pid, name)
                assert np.allclose(x["values"], y["values"], atol=1e-6), (pid, name)
            else:
                assert np.allclose(x, y, atol=1e-6), (pid, name)


def qdb_top(api, name, using, q, limit=10):
    res = ok(api.post(f"/collections/{name}/points/query", json={"query": q, "using": using, "limit": limit}))
    return [(p["id"], p["score"]) for p in res["points"]]


def edge_top(shard, using, q, limit=10):
    res = shard.query(qe.QueryRequest(limit=limit, query=qe.Query.Nearest(qe.SparseVector(q["indices"], q["values"]), using=using)))
    return [(p.id, p.score) for p in res]


# Qdrant's global IDF over a persisted (ImmutableRam/Mmap) index takes df from posting list
# lengths and N from the index's vector count, so it still counts points deleted after the index
# was built, until a vacuum rewrites the segment; qdb counts the live points, as local mode does.
# IDF answers are compared with edge's only where no sealed segment has such deletions; the plain
# vector `s` is compared everywhere.
PLAIN_ONLY = ("s",)


def same_top(a, b):
    assert np.allclose([x[1] for x in a], [x[1] for x in b], atol=1e-4), (a, b)
    assert [x[0] for x in a[:-1]] == [x[0] for x in b[:-1]] or len({round(x[1], 4) for x in a}) < len(a), (a, b)


def test_qdb_sparse_shard_loads_in_edge(server_factory, tmp_path):
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "40"})
    api = srv.api()
    name = unique("vkedge")
    create(api, name)
    r = random.Random(3)
    for start in range(0, 120, 30):
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(r, i) for i in range(start, start + 30)]}))
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(r, i) for i in range(0, 120, 7)]}))
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    blob = api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        names = t.getnames()
    assert any("/vector_storage-s/store/tracker.dat" in n for n in names)
    assert len({n.split("/")[1] for n in names if n.startswith("segments/")}) >= 3

    want = qdb_points(api, name)
    shard = edge_load(blob, tmp_path)
    assert shard.count(qe.CountRequest(exact=True)) == len(want)
    same_points(edge_points(shard, want), want)
    for _ in range(8):
        for using in PLAIN_ONLY:
            q = sparse(r, 4)
            same_top(edge_top(shard, using, q), qdb_top(api, name, using, q))
    # Edge takes sparse updates to the restored points.
    p = make_point(r, 5)
    p["vector"]["s"] = {"indices": [1, 2], "values": [9.0, 9.0]}
    shard.update(qe.UpdateOperation.upsert_points([qe.Point(5, {k: qe.SparseVector(v["indices"], v["values"]) if isinstance(v, dict) else v
                                                                for k, v in p["vector"].items()}, {})]))
    assert edge_top(shard, "s", {"indices": [1], "values": [1.0]}, limit=1)[0][0] == 5
    shard.close()


def build_edge(path: Path, optimized: bool, n: int = 400) -> qe.EdgeShard:
    optimizers = qe.EdgeOptimizersConfig(indexing_threshold=1, deleted_threshold=0.9) if optimized else None
    config = qe.EdgeConfig(vectors={"d": qe.EdgeVectorParams(size=DIM, distance=qe.Distance.Dot)},
                           sparse_vectors={"s": qe.EdgeSparseVectorParams(),
                                           "t": qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
                           optimizers=optimizers)
    path.mkdir(parents=True)
    shard = qe.EdgeShard.create(str(path), config)
    r = random.Random(9)
    pts = []
    for i in range(n):
        p = make_point(r, i)
        pts.append(qe.Point(i, {k: qe.SparseVector(v["indices"], v["values"]) if isinstance(v, dict) else v
                                for k, v in p["vector"].items()}, p["payload"]))
    shard.update(qe.UpdateOperation.upsert_points(pts))
    if optimized:
        assert shard.optimize()
    shard.flush()
    return shard


@pytest.mark.parametrize("kind", ["appendable", "optimized"])
def test_edge_sparse_shard_restores_into_qdb(server_factory, tmp_path, kind):
    shard = build_edge(tmp_path / "edge", optimized=kind == "optimized")
    ids = [p.id for p in shard.scroll(qe.ScrollRequest(limit=10_000))[0]]
    want = edge_points(shard, ids)
    r = random.Random(11)
    queries = [(using, sparse(r, 4)) for using in ("s", "t") for _ in range(5)]
    tops = [edge_top(shard, u, q) for u, q in queries]
    shard.close()
    if kind == "optimized":
        assert any((d / "vector_index-s" / "inverted_index.dat").exists() for d in (tmp_path / "edge" / "segments").iterdir())

    srv = server_factory()
    api = srv.api()
    name = unique("vkfromedge")
    create(api, name)
    upload_edge_shard(api, name, tmp_path / "edge", tmp_path / "edge-shard.snapshot")
    same_points(qdb_points(api, name), want)
    for (using, q), top in zip(queries, tops):
        same_top(qdb_top(api, name, using, q), top)
    # And back: qdb's snapshot of the restored shard loads in edge with the same answers.
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    blob = api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content
    again = edge_load(blob, tmp_path, "again")
    same_points(edge_points(again, want), want)
    for (using, q), top in zip(queries, tops):
        same_top(edge_top(again, using, q), top)
    again.close()


def test_edge_follows_sparse_changes_by_partial_snapshots(server_factory, tmp_path):
    """Partial snapshots carry sparse changes: upserts, overwrites, deletes and named-vector
    edits in qdb reach an edge shard through …/snapshot/partial/create + update_from_snapshot."""
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "50"})
    api = srv.api()
    name = unique("vkfollow")
    create(api, name)
    r = random.Random(31)
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(r, i) for i in range(100)]}))
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    shard = edge_load(api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content, tmp_path)
    for rnd in range(3):
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(r, i) for i in r.sample(range(150), 30)]}))
        ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": r.sample(range(150), 8)}))
        live = list(qdb_points(api, name))
        ok(api.put(f"/collections/{name}/points/vectors?wait=true",
                   json={"points": [{"id": i, "vector": {"t": sparse(r, 3)}} for i in r.sample(live, 6)]}))
        ok(api.post(f"/collections/{name}/points/vectors/delete?wait=true", json={"points": r.sample(live, 4), "vector": ["s"]}))
        resp = api.post(f"/collections/{name}/shards/0/snapshot/partial/create", json=shard.snapshot_manifest())
        assert resp.status_code == 200, resp.text
        delta = tmp_path / f"delta-{rnd}.snapshot"
        delta.write_bytes(resp.content)
        shard.update_from_snapshot(str(delta))
        want = qdb_points(api, name)
        assert shard.count(qe.CountRequest(exact=True)) == len(want)
        same_points(edge_points(shard, range(150)), want)
        for using in PLAIN_ONLY:
            q = sparse(r, 4)
            same_top(edge_top(shard, using, q), qdb_top(api, name, using, q))
    shard.close()


def test_sparse_only_shard_loads_in_edge_and_follows(server_factory, tmp_path):
    """A collection with sparse vectors only: its sealed segments declare Qdrant's persisted
    index (`ImmutableRam`), so Qdrant reads them as immutable ones with the immutable id tracker;
    edge loads them, takes new points beside them, and follows deletions made in qdb after the
    seal by partial snapshots."""
    srv = server_factory()  # the deletions below land before the seal: IDF is exact in edge too
    api = srv.api()
    name = unique("vkonlyedge")
    ok(api.put(f"/collections/{name}", json={"sparse_vectors": {"s": {"modifier": "idf"}}}))
    r = random.Random(41)
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [
        {"id": i, "vector": {"s": sparse(r, 5)}, "payload": {"i": i}} for i in range(100)]}))
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": list(range(0, 100, 6))}))
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    shard = edge_load(api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content, tmp_path)
    want = qdb_points(api, name)
    assert shard.count(qe.CountRequest(exact=True)) == len(want)
    same_points(edge_points(shard, range(100)), want)
    for _ in range(5):
        q = sparse(r, 4)
        same_top(edge_top(shard, "s", q), qdb_top(api, name, "s", q))
    # Deletions in sealed segments reach edge through a partial snapshot.
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": list(range(1, 100, 5))}))
    resp = api.post(f"/collections/{name}/shards/0/snapshot/partial/create", json=shard.snapshot_manifest())
    assert resp.status_code == 200, resp.text
    (tmp_path / "delta.snapshot").write_bytes(resp.content)
    shard.update_from_snapshot(str(tmp_path / "delta.snapshot"))
    want = qdb_points(api, name)
    assert shard.count(qe.CountRequest(exact=True)) == len(want)
    same_points(edge_points(shard, range(100)), want)
    # Edge takes new points (into an appendable segment of its own).
    shard.update(qe.UpdateOperation.upsert_points([qe.Point(500 + i, {"s": qe.SparseVector([2, 900 + i], [1.0, 3.0])}, {})
                                                   for i in range(200)]))
    assert shard.count(qe.CountRequest(exact=True)) == len(want) + 200
    shard.close()
