"""float16 and uint8 multivectors (issue 13), with Qdrant's own segment code (qdrant-edge-py
0.9.0) as the oracle: the official client's local mode ignores `datatype`.

1. Differential: the same seeded points go into a qdb collection and an edge shard of the same
   config (f16 and u8 multivectors under Cosine, Dot and Euclid, beside an f32 one); stored
   inner vectors (converted as Qdrant converts them: f16 rounding, u8 truncation and
   saturation, no Cosine normalization for u8) and MaxSim top-k agree within 1e-4, before and
   after qdb seals its segments.
2. A qdb shard snapshot with such segments (Qdrant's multi-dense storage, 2- and 1-byte
   elements) loads in edge with equal points and answers.
3. Edge-built shards (appendable and optimized) restore into qdb with equal points and answers.
"""

from __future__ import annotations

import random

import pytest
import qdrant_edge as qe

from qdb_helpers import ok, unique
from test_multivectors_edge import edge_points, edge_top, qdb_points, qdb_top, same_points
from test_qdrant_edge_interop import edge_load, upload_edge_shard

DIM = 6
VECTORS = {  # name: (distance, datatype)
    "hc": ("Cosine", "float16"), "hd": ("Dot", "float16"), "he": ("Euclid", "float16"),
    "bc": ("Cosine", "uint8"), "bd": ("Dot", "uint8"), "be": ("Euclid", "uint8"),
    "f": ("Cosine", None),
}
EDGE_DIST = {"Cosine": qe.Distance.Cosine, "Dot": qe.Distance.Dot, "Euclid": qe.Distance.Euclid}
EDGE_DT = {"float16": qe.VectorStorageDatatype.Float16, "uint8": qe.VectorStorageDatatype.Uint8, None: None}
MAXSIM = {"comparator": "max_sim"}


def rest_config() -> dict:
    return {"vectors": {n: {"size": DIM, "distance": d, "multivector_config": MAXSIM} | ({"datatype": t} if t else {})
                        for n, (d, t) in VECTORS.items()}}


def edge_config(optimizers=None) -> qe.EdgeConfig:
    mv = qe.MultiVectorConfig(qe.MultiVectorComparator.MaxSim)
    return qe.EdgeConfig(vectors={n: qe.EdgeVectorParams(size=DIM, distance=EDGE_DIST[d], datatype=EDGE_DT[t], multivector_config=mv)
                                  for n, (d, t) in VECTORS.items()}, optimizers=optimizers)


def inner(r: random.Random, name: str) -> list[float]:
    if name.startswith("b"):  # uint8: fractions, negatives and values past 255 test the conversion
        return [round(r.uniform(-20, 300), 2) for _ in range(DIM)]
    return [round(r.uniform(-2, 2), 5) for _ in range(DIM)]


def multi(r: random.Random, name: str, k: int | None = None) -> list[list[float]]:
    return [inner(r, name) for _ in range(k or r.randint(1, 4))]


def make_point(r: random.Random, i: int) -> dict:
    return {"id": i, "vector": {n: multi(r, n) for n in VECTORS if i % 5 or n != "hd"}, "payload": {"i": i}}


def same_top(a, b):
    tol = [max(1e-4, 1e-5 * abs(x[1])) for x in b]  # u8 Dot and Euclid scores reach 10^5
    assert all(abs(x[1] - y[1]) <= t for x, y, t in zip(a, b, tol)) and len(a) == len(b), (a, b)
    assert [x[0] for x in a[:-1]] == [x[0] for x in b[:-1]] or len({round(x[1], 3) for x in a}) < len(a), (a, b)


def compare(api, name, shard, r):
    want = edge_points(shard, range(200))
    same_points(qdb_points(api, name), want)
    for using in VECTORS:
        for _ in range(3):
            q = multi(r, using, 2)
            same_top(qdb_top(api, name, using, q), edge_top(shard, using, q))


def test_create_shows_the_datatype(server_factory):
    srv = server_factory()
    api = srv.api()
    name = unique("mvdt")
    ok(api.put(f"/collections/{name}", json=rest_config()))
    vectors = ok(api.get(f"/collections/{name}"))["config"]["params"]["vectors"]
    assert vectors["hc"]["datatype"] == "float16" and vectors["bd"]["datatype"] == "uint8"
    assert vectors["bd"]["multivector_config"] == MAXSIM


@pytest.mark.parametrize("seed", [1, 2])
def test_differential_against_edge(server_factory, tmp_path, seed):
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "60"})
    api = srv.api()
    name = unique("mvdtdiff")
    ok(api.put(f"/collections/{name}", json=rest_config()))
    (tmp_path / "edge").mkdir()
    shard = qe.EdgeShard.create(str(tmp_path / "edge"), edge_config())
    r = random.Random(seed)
    points = [make_point(r, i) for i in range(150)]
    for start in range(0, 150, 50):
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": points[start:start + 50]}))
    shard.update(qe.UpdateOperation.upsert_points([qe.Point(p["id"], p["vector"], p["payload"]) for p in points]))
    compare(api, name, shard, r)
    # Sealed: qdb's multi-dense files with 2- and 1-byte elements, read back.
    ok(api.post(f"/collections/{name}/snapshots"))
    srv.restart()
    compare(api, name, shard, r)
    shard.close()


def test_qdb_shard_loads_in_edge(server_factory, tmp_path):
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "60"})
    api = srv.api()
    name = unique("mvdtedge")
    ok(api.put(f"/collections/{name}", json=rest_config()))
    r = random.Random(7)
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [make_point(r, i) for i in range(130)]}))
    desc = ok(api.post(f"/collections/{name}/shards/0/snapshots"))
    blob = api.get(f"/collections/{name}/shards/0/snapshots/{desc['name']}").content
    want = qdb_points(api, name)
    shard = edge_load(blob, tmp_path)
    same_points(edge_points(shard, want), want)
    for using in VECTORS:
        for _ in range(3):
            q = multi(r, using, 2)
            same_top(edge_top(shard, using, q), qdb_top(api, name, using, q))
    shard.close()


@pytest.mark.parametrize("kind", ["appendable", "optimized"])
def test_edge_shard_restores_into_qdb(server_factory, tmp_path, kind):
    optimizers = qe.EdgeOptimizersConfig(indexing_threshold=1, deleted_threshold=0.9) if kind == "optimized" else None
    (tmp_path / "edge").mkdir()
    shard = qe.EdgeShard.create(str(tmp_path / "edge"), edge_config(optimizers))
    r = random.Random(17)
    shard.update(qe.UpdateOperation.upsert_points([qe.Point(p["id"], p["vector"], p["payload"])
                                                   for p in (make_point(r, i) for i in range(140))]))
    if kind == "optimized":
        assert shard.optimize()
    shard.flush()
    want = edge_points(shard, range(140))
    queries = [(u, multi(r, u, 2)) for u in VECTORS for _ in range(2)]
    tops = [edge_top(shard, u, q) for u, q in queries]
    shard.close()
    srv = server_factory()
    api = srv.api()
    name = unique("mvdtfromedge")
    ok(api.put(f"/collections/{name}", json=rest_config()))
    upload_edge_shard(api, name, tmp_path / "edge", tmp_path / "edge-shard.snapshot")
    same_points(qdb_points(api, name), want)
    for (using, q), top in zip(queries, tops):
        same_top(qdb_top(api, name, using, q), top)
