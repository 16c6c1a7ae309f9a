"""Dense vector datatypes `float16` and `uint8` (issue 13), with Qdrant's own segment code
(qdrant-edge-py 0.9.0) as the oracle: the official client's local mode ignores `datatype`.

1. Differential: the same seeded points go into a qdb collection and an edge shard of the same
   config (every distance, f16 and u8 named vectors beside an f32 one); stored vectors (as
   converted: f16 rounding, u8 truncation and saturation, no Cosine normalization for u8) and
   top-k scores agree within 1e-4, before and after qdb seals its segments, exact and by HNSW.
2. A qdb shard snapshot with f16/u8 segments loads in edge with equal points and answers.
3. Edge-built shards (appendable chunked storage and optimized mmap storage with HNSW) restore
   into qdb with equal points and answers.
Plus: create validation, collection info, config.json and restart persistence.
"""

from __future__ import annotations

import io
import random
import tarfile

import numpy as np
import pytest
import qdrant_edge as qe

from qdb_helpers import err, ok, scroll_all, unique, wait_collection
from test_qdrant_edge_interop import edge_load, pack_shard, write_tar

DIM = 20
VECTORS = {  # name: (distance, datatype)
    "hc": ("Cosine", "float16"), "hd": ("Dot", "float16"), "he": ("Euclid", "float16"),
    "bc": ("Cosine", "uint8"), "bd": ("Dot", "uint8"), "be": ("Euclid", "uint8"), "bm": ("Manhattan", "uint8"),
    "f": ("Cosine", None),
}
EDGE_DIST = {"Cosine": qe.Distance.Cosine, "Dot": qe.Distance.Dot, "Euclid": qe.Distance.Euclid, "Manhattan": qe.Distance.Manhattan}
EDGE_DT = {"float16": qe.VectorStorageDatatype.Float16, "uint8": qe.VectorStorageDatatype.Uint8, None: None}


def rest_config() -> dict:
    out = {}
    for name, (dist, dt) in VECTORS.items():
        out[name] = {"size": DIM, "distance": dist} | ({"datatype": dt} if dt else {})
    return {"vectors": out}


def edge_config(optimized: bool = False) -> qe.EdgeConfig:
    optimizers = qe.EdgeOptimizersConfig(indexing_threshold=1, deleted_threshold=0.9) if optimized else None
    return qe.EdgeConfig(vectors={n: qe.EdgeVectorParams(size=DIM, distance=EDGE_DIST[d], datatype=EDGE_DT[t])
                                  for n, (d, t) in VECTORS.items()}, optimizers=optimizers)


def vec(r: random.Random, name: str) -> list[float]:
    if name.startswith("b"):  # uint8: fractions, negatives and values past 255 test the conversion
        return [round(r.uniform(-20, 300), 2) for _ in range(DIM)]
    return [round(r.uniform(-2, 2), 5) for _ in range(DIM)]


def make_point(r: random.Random, i: int) -> dict:
    return {"id": i, "vector": {n: vec(r, n) for n in VECTORS if i % 5 or n != "hd"}, "payload": {"i": i}}


def edge_point(p: dict) -> qe.Point:
    return qe.Point(p["id"], p["vector"], p["payload"])


def qdb_points(api, name) -> dict:
    return {p["id"]: p["vector"] for p in scroll_all(api, name, with_vector=True)}


def edge_points(shard, ids) -> dict:
    return {r.id: {k: list(v) for k, v in dict(r.vector).items()}
            for r in shard.retrieve(list(ids), with_payload=False, with_vector=True)}


def same_points(a: dict, b: dict):
    assert sorted(a) == sorted(b)
    for pid in a:
        assert sorted(a[pid]) == sorted(b[pid]), pid
        for name, x in a[pid].items():
            assert np.allclose(x, b[pid][name], atol=1e-6, rtol=0), (pid, name, x, b[pid][name])


def qdb_top(api, name, using, q, limit=10, exact=False):
    res = ok(api.post(f"/collections/{name}/points/query",
                      json={"query": q, "using": using, "limit": limit, "params": {"exact": exact}}))
    return [(p["id"], p["score"]) for p in res["points"]]


def edge_top(shard, using, q, limit=10):
    res = shard.query(qe.QueryRequest(limit=limit, query=qe.Query.Nearest(q, using=using),
                                      params=qe.SearchParams(exact=True)))
    return [(p.id, p.score) for p in res]


def same_top(a, b):
    assert np.allclose([x[1] for x in a], [x[1] for x in b], atol=1e-4, rtol=1e-6), (a, b)
    # Ids in order, except among (near-)equal scores.
    for (ia, sa), (ib, sb) in zip(a, b):
        assert ia == ib or abs(sa - sb) < 1e-4 and sum(abs(s - sa) < 1e-4 for _, s in a) > 1, (a, b)


def compare(api, name, shard, r, exact_too=True):
    for using in VECTORS:
        for _ in range(3):
            q = vec(r, using)
            want = edge_top(shard, using, q)
            same_top(qdb_top(api, name, using, q, exact=True), want)
            if exact_too:
                try:
                    same_top(qdb_top(api, name, using, q), want)
                except AssertionError as e:
                    raise AssertionError(f"vector {using} ({VECTORS[using]}), by the index: {e}") from None


def test_create_validation_info_and_persistence(server_factory):
    srv = server_factory()
    api = srv.api()
    name = unique("dt")
    ok(api.put(f"/collections/{name}", json=rest_config()))
    info = ok(api.get(f"/collections/{name}"))
    vp = info["config"]["params"]["vectors"]
    assert vp["hc"]["datatype"] == "float16" and vp["bm"]["datatype"] == "uint8" and "datatype" not in vp["f"]
    # Bad datatype: a 400 naming the field, nothing created.
    bad = unique("dtbad")
    r = api.put(f"/collections/{bad}", json={"vectors": {"size": 4, "distance": "Dot", "datatype": "float64"}})
    msg = err(r, 400)
    assert "unknown variant `float64`" in msg and "datatype" in msg, msg
    assert not ok(api.get(f"/collections/{bad}/exists"))["exists"]
    # Unnamed float16 vector; config.json keeps the datatype across a restart.
    one = unique("dtone")
    ok(api.put(f"/collections/{one}", json={"vectors": {"size": 2, "distance": "Dot", "datatype": "uint8"}}))
    ok(api.put(f"/collections/{one}/points?wait=true", json={"points": [{"id": 1, "vector": [3.9, 400]}]}))
    srv.restart()
    api = srv.api()
    assert ok(api.get(f"/collections/{one}"))["config"]["params"]["vectors"]["datatype"] == "uint8"
    assert ok(api.post(f"/collections/{one}/points", json={"ids": [1], "with_vector": True}))[0]["vector"] == [3, 255]


@pytest.mark.parametrize("seed", [1, 2])
def test_differential_against_edge(server_factory, tmp_path, seed):
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "150"})
    api = srv.api()
    name = unique("dtdiff")
    ok(api.put(f"/collections/{name}", json=rest_config()))
    (tmp_path / "edge").mkdir()
    shard = qe.EdgeShard.create(str(tmp_path / "edge"), edge_config())
    r = random.Random(seed)
    pts = [make_point(r, i) for i in range(200)]
    pts += [make_point(r, i) for i in r.sample(range(200), 30)]  # overwrites
    for start in range(0, len(pts), 50):
        batch = pts[start:start + 50]
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": batch}))
        shard.update(qe.UpdateOperation.upsert_points([edge_point(p) for p in batch]))
    gone = r.sample(range(200), 15)
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": gone}))
    shard.update(qe.UpdateOperation.delete_points(gone))
    want = edge_points(shard, range(200))
    same_points(qdb_points(api, name), want)
    compare(api, name, shard, r)
    # Indexed: the optimizer builds HNSW graphs over f16 / u8 segments; searches agree.
    ok(api.patch(f"/collections/{name}", json={"optimizers_config": {"indexing_threshold": 1},
                                                       "hnsw_config": {"full_scan_threshold": 10}}))
    # Every (point, vector) pair present gets indexed (`indexed_vectors_count` counts points
    # having the vector, as Qdrant's).
    present = sum(ok(api.post(f"/collections/{name}/points/count", json={
        "exact": True, "filter": {"must": [{"has_vector": v}]}}))["count"] for v in VECTORS)
    wait_collection(api, name, 60, every=0.1, indexed_vectors_count=present)
    srv.restart()
    api = srv.api()
    same_points(qdb_points(api, name), want)
    compare(api, name, shard, r)
    shard.close()


def test_qdb_shard_loads_in_edge(server_factory, tmp_path):
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "60"})
    api = srv.api()
    name = unique("dtshard")
    ok(api.put(f"/collections/{name}", json=rest_config()))
    r = random.Random(5)
    for start in range(0, 180, 45):
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(r, i) for i in range(start, start + 45)]}))
    ok(api.post(f"/collections/{name}/points/delete?wait=true", json={"points": list(range(0, 180, 11))}))
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    blob = api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        sizes = {n: t.getmember(n).size for n in t.getnames() if n.endswith("matrix.dat")}
    # Element sizes as Qdrant's: 4-byte magic + n × dim × (2 | 1 | 4).
    for n, size in sizes.items():
        width = 2 if "vector_storage-h" in n else (1 if "vector_storage-b" in n else 4)
        assert (size - 4) % (DIM * width) == 0 and size > 4, (n, size)
    want = qdb_points(api, name)
    shard = edge_load(blob, tmp_path)
    assert shard.count(qe.CountRequest(exact=True)) == len(want)
    same_points(edge_points(shard, want), want)
    compare(api, name, shard, r)
    shard.close()


@pytest.mark.parametrize("kind", ["appendable", "optimized"])
def test_edge_shard_restores_into_qdb(server_factory, tmp_path, kind):
    path = tmp_path / "edge"
    path.mkdir()
    shard = qe.EdgeShard.create(str(path), edge_config(optimized=kind == "optimized"))
    r = random.Random(17)
    shard.update(qe.UpdateOperation.upsert_points([edge_point(make_point(r, i)) for i in range(300)]))
    if kind == "optimized":
        assert shard.optimize()
    shard.flush()
    want = edge_points(shard, range(300))
    queries = [(u, vec(r, u)) for u in VECTORS for _ in range(3)]
    tops = [edge_top(shard, u, q) for u, q in queries]
    shard.close()
    if kind == "optimized":
        assert any((d / "vector_index-hc" / "graph.bin").exists() for d in (path / "segments").iterdir())

    srv = server_factory()
    api = srv.api()
    name = unique("dtfromedge")
    ok(api.put(f"/collections/{name}", json=rest_config()))
    archive = write_tar(pack_shard(path), tmp_path / "edge-shard.snapshot")
    with archive.open("rb") as f:
        ok(api.post(f"/collections/{name}/shards/0/snapshots/upload?wait=true", files={"snapshot": ("s.snapshot", f)}))
    same_points(qdb_points(api, name), want)
    for (using, q), top in zip(queries, tops):
        same_top(qdb_top(api, name, using, q, exact=True), top)
        same_top(qdb_top(api, name, using, q), top)
    # A collection of other datatypes refuses the shard and keeps its points.
    other = unique("dtother")
    cfg = rest_config()
    cfg["vectors"]["hc"]["datatype"] = "uint8"
    ok(api.put(f"/collections/{other}", json=cfg))
    ok(api.put(f"/collections/{other}/points?wait=true", json={"points": [make_point(r, 1)]}))
    with archive.open("rb") as f:
        resp = api.post(f"/collections/{other}/shards/0/snapshots/upload?wait=true", files={"snapshot": ("s.snapshot", f)})
    assert resp.status_code >= 400, resp.text
    assert len(qdb_points(api, other)) == 1
