"""Multivectors in Qdrant's own segment code (issue 13): qdrant-edge-py 0.9.0 is the oracle.

1. A qdb shard snapshot whose segments hold multivectors (several sealed segments, deletions,
   points lacking a multivector) loads in qdrant-edge with equal points and equal MaxSim top-k
   (Cosine and Euclid), and edge takes updates of them.
2. Shards qdrant-edge wrote with multivectors — appendable, and optimized (its immutable
   segments, HNSW over the multivectors) — restore into qdb through shard upload with equal
   points and answers, and qdb's snapshot of the restored shard loads in edge again.
3. Partial snapshots carry multivector changes from qdb to an edge shard.
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
MDIM = 4


def multi(r: random.Random, k: int | None = None) -> list[list[float]]:
    return [[round(r.uniform(-1, 1), 3) for _ in range(MDIM)] for _ in range(k or r.randint(1, 5))]


def make_point(r: random.Random, i: int) -> dict:
    vec: dict = {"d": [round(r.uniform(-1, 1), 3) for _ in range(DIM)]}
    if i % 4:
        vec["m"] = multi(r)
    if i % 3:
        vec["e"] = multi(r)
    return {"id": i, "vector": vec, "payload": {"i": i}}


def create(api, name):
    mv = {"comparator": "max_sim"}
    ok(api.put(f"/collections/{name}", json={"vectors": {
        "d": {"size": DIM, "distance": "Dot"},
        "m": {"size": MDIM, "distance": "Cosine", "multivector_config": mv},
        "e": {"size": MDIM, "distance": "Euclid", "multivector_config": mv}}}))


def edge_config(optimizers=None) -> qe.EdgeConfig:
    mv = qe.MultiVectorConfig(qe.MultiVectorComparator.MaxSim)
    return qe.EdgeConfig(vectors={
        "d": qe.EdgeVectorParams(size=DIM, distance=qe.Distance.Dot),
        "m": qe.EdgeVectorParams(size=MDIM, distance=qe.Distance.Cosine, multivector_config=mv),
        "e": qe.EdgeVectorParams(size=MDIM, distance=qe.Distance.Euclid, multivector_config=mv)}, optimizers=optimizers)


def qdb_points(api, name) -> dict:
    return {p["id"]: p["vector"] for p in scroll_all(api, name, with_vector=True)}


def edge_points(shard, ids) -> dict:
    return {r.id: {k: [list(x) for x in v] if v and isinstance(v[0], list) else list(v) for k, v in dict(r.vector).items()}
            for r in shard.retrieve(list(ids), with_payload=False, with_vector=True)}


def same_points(a: dict, b: dict):
    assert sorted(a) == sorted(b)
    for pid in a:
        assert sorted(a[pid]) == sorted(b[pid]), (pid, a[pid], b[pid])
        for name, x in a[pid].items():
            assert np.allclose(np.array(x), np.array(b[pid][name]), atol=1e-6), (pid, name)


def qdb_top(api, name, using, q, limit=10):
    res = ok(api.post(f"/collections/{name}/points/query", json={"query": q, "using": using, "limit": limit}))
    return [(p["id"], p["score"]) for p in res["points"]]


def edge_top(shard, using, q, limit=10):
    res = shard.query(qe.QueryRequest(limit=limit, query=qe.Query.Nearest(q, using=using), params=qe.SearchParams(exact=True)))
    return [(p.id, p.score) for p in res]


def same_top(a, b):
    assert np.allclose([x[1] for x in a], [x[1] for x in b], atol=1e-4), (a, b)
    assert [x[0] for x in a[:-1]] == [x[0] for x in b[:-1]] or len({round(x[1], 4) for x in a}) < len(a), (a, b)


def test_qdb_multivector_shard_loads_in_edge(server_factory, tmp_path):
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "40"})
    api = srv.api()
    name = unique("mvedge")
    create(api, name)
    r = random.Random(3)
    for start in range(0, 120, 30):
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(r, i) for i in range(start, start + 30)]}))
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(r, i) for i in range(0, 120, 7)]}))
    ok(api.post(f"/collections/{name}/points/vectors/delete?wait=true", json={"points": [1, 2, 3], "vector": ["m"]}))
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    blob = api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        names = t.getnames()
    assert any("/vector_storage-m/offsets/chunk_0.mmap" in n for n in names)
    assert len({n.split("/")[1] for n in names if n.startswith("segments/")}) >= 3

    want = qdb_points(api, name)
    shard = edge_load(blob, tmp_path)
    assert shard.count(qe.CountRequest(exact=True)) == len(want)
    same_points(edge_points(shard, want), want)
    for _ in range(6):
        for using in ("m", "e"):
            q = multi(r, 3)
            same_top(edge_top(shard, using, q), qdb_top(api, name, using, q))
    shard.update(qe.UpdateOperation.upsert_points([qe.Point(5, {"m": [[1.0, 0.0, 0.0, 0.0]] * 2}, {})]))
    assert edge_top(shard, "m", [[1.0, 0.0, 0.0, 0.0]], limit=1)[0][0] == 5
    shard.close()


def build_edge(path: Path, optimized: bool, n: int = 300) -> qe.EdgeShard:
    optimizers = qe.EdgeOptimizersConfig(indexing_threshold=1, deleted_threshold=0.9) if optimized else None
    path.mkdir(parents=True)
    shard = qe.EdgeShard.create(str(path), edge_config(optimizers))
    r = random.Random(9)
    shard.update(qe.UpdateOperation.upsert_points([qe.Point(p["id"], p["vector"], p["payload"])
                                                   for p in (make_point(r, i) for i in range(n))]))
    if optimized:
        assert shard.optimize()
    shard.flush()
    return shard


@pytest.mark.parametrize("kind", ["appendable", "optimized"])
def test_edge_multivector_shard_restores_into_qdb(server_factory, tmp_path, kind):
    shard = build_edge(tmp_path / "edge", optimized=kind == "optimized")
    ids = [p.id for p in shard.scroll(qe.ScrollRequest(limit=10_000))[0]]
    want = edge_points(shard, ids)
    r = random.Random(11)
    queries = [(using, multi(r, 3)) for using in ("m", "e") for _ in range(5)]
    tops = [edge_top(shard, u, q) for u, q in queries]
    shard.close()

    srv = server_factory()
    api = srv.api()
    name = unique("mvfromedge")
    create(api, name)
    upload_edge_shard(api, name, tmp_path / "edge", tmp_path / "edge-shard.snapshot")
    same_points(qdb_points(api, name), want)
    for (using, q), top in zip(queries, tops):
        same_top(qdb_top(api, name, using, q), top)
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    blob = api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content
    again = edge_load(blob, tmp_path, "again")
    same_points(edge_points(again, want), want)
    for (using, q), top in zip(queries, tops):
        same_top(edge_top(again, using, q), top)
    again.close()


def test_edge_follows_multivector_changes_by_partial_snapshots(server_factory, tmp_path):
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "50"})
    api = srv.api()
    name = unique("mvfollow")
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
                   json={"points": [{"id": i, "vector": {"e": multi(r)}} for i in r.sample(live, 6)]}))
        ok(api.post(f"/collections/{name}/points/vectors/delete?wait=true", json={"points": r.sample(live, 4), "vector": ["m"]}))
        resp = api.post(f"/collections/{name}/shards/0/snapshot/partial/create", json=shard.snapshot_manifest())
        assert resp.status_code == 200, resp.text
        delta = tmp_path / f"delta-{rnd}.snapshot"
        delta.write_bytes(resp.content)
        shard.update_from_snapshot(str(delta))
        want = qdb_points(api, name)
        assert shard.count(qe.CountRequest(exact=True)) == len(want)
        same_points(edge_points(shard, range(150)), want)
        for using in ("m", "e"):
            q = multi(r, 2)
            same_top(edge_top(shard, using, q), qdb_top(api, name, using, q))
    shard.close()
