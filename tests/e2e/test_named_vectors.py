"""Adding and removing a named vector of an existing collection (issue 13):
`PUT /collections/{c}/vectors/{name}` and `DELETE /collections/{c}/vectors/{name}`, as Qdrant
1.19 serves them, with the official client against qdb serve and its local mode
(`QdrantClient(":memory:")`, which serves both) as the reference:

- existing points lack an added vector; updates fill it; search by it; a removed vector is gone
  from points, config and search; sealed segments (several) are rewritten in the new shape;
- Qdrant's errors: re-creating with another config or as the other kind is a 400, the same
  config is a no-op, deleting a missing vector is a no-op;
- durable: survives a restart, kill -9 right after, and kill -9 in the middle of the change
  (the intent is completed at the next start); collection snapshots carry the new shape.
"""

from __future__ import annotations

import random
import threading
import time

import numpy as np
import pytest
from qdrant_client import QdrantClient, models

from qdb_helpers import err, ok, scroll_all, unique


def dense(r: random.Random, d: int) -> list[float]:
    return [round(r.uniform(-1, 1), 4) for _ in range(d)]


def sparse(r: random.Random) -> models.SparseVector:
    idx = sorted(r.sample(range(30), r.randint(1, 5)))
    return models.SparseVector(indices=idx, values=[round(r.uniform(0.1, 2), 3) for _ in idx])


CREATE = dict(vectors_config={"a": models.VectorParams(size=3, distance=models.Distance.COSINE)},
              sparse_vectors_config={"s": models.SparseVectorParams()})


class Pair:
    def __init__(self, url: str, name: str):
        self.qdb = QdrantClient(url=url, prefer_grpc=False, timeout=60)
        self.local = QdrantClient(":memory:")
        self.name = name
        for c in (self.qdb, self.local):
            c.create_collection(name, **CREATE)

    def both(self, method: str, **kw):
        out = [getattr(c, method)(collection_name=self.name, **kw) for c in (self.qdb, self.local)]
        return out

    def same_points(self):
        a, b = self.both("scroll", limit=1000, with_vectors=True, with_payload=False)
        def norm(points):
            out = {}
            for p in points:
                vec = {}
                for k, v in (p.vector or {}).items():
                    vec[k] = (tuple(v.indices), tuple(round(x, 4) for x in v.values)) if isinstance(v, models.SparseVector) \
                        else tuple(tuple(round(y, 4) for y in x) if isinstance(x, list) else round(x, 4) for x in v)
                out[p.id] = vec
            return out
        assert norm(a[0]) == norm(b[0])

    def same_search(self, using: str, q):
        a, b = self.both("query_points", query=q, using=using, limit=10)
        sa, sb = [(p.id, p.score) for p in a.points], [(p.id, p.score) for p in b.points]
        assert np.allclose([s for _, s in sa], [s for _, s in sb], atol=1e-4), (sa, sb)
        assert {i for i, _ in sa} == {i for i, _ in sb} or len(sa) == 10, (sa, sb)


def seed(pair: Pair, r: random.Random, n: int = 90):
    for start in range(0, n, 30):
        pts = [models.PointStruct(id=i, vector={"a": dense(r, 3), "s": sparse(r)}, payload={"i": i}) for i in range(start, start + 30)]
        pair.both("upsert", points=pts, wait=True)


def test_add_and_remove_against_local_mode(server_factory):
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "25"})
    name = unique("nv")
    pair = Pair(srv.url, name)
    r = random.Random(4)
    seed(pair, r)
    pair.both("create_vector_name", vector_name="b",
              vector_name_config=models.DenseVectorNameConfig(dense=models.DenseVectorConfig(size=2, distance=models.Distance.DOT)))
    pair.both("create_vector_name", vector_name="t",
              vector_name_config=models.SparseVectorNameConfig(sparse=models.SparseVectorConfig(modifier=models.Modifier.IDF)))
    info = pair.qdb.get_collection(name)
    assert set(info.config.params.vectors) == {"a", "b"} and info.config.params.vectors["b"].size == 2
    assert set(info.config.params.sparse_vectors) == {"s", "t"}
    assert info.config.params.sparse_vectors["t"].modifier == models.Modifier.IDF
    pair.same_points()  # nobody has b or t yet
    # Fill them in for some points, add new points with every vector.
    pair.both("update_vectors", points=[models.PointVectors(id=i, vector={"b": dense(r, 2), "t": sparse(r)}) for i in r.sample(range(90), 40)], wait=True)
    pair.both("upsert", points=[models.PointStruct(id=i, vector={"a": dense(r, 3), "b": dense(r, 2), "s": sparse(r), "t": sparse(r)})
                                for i in range(90, 110)], wait=True)
    pair.same_points()
    for _ in range(4):
        pair.same_search("b", dense(r, 2))
        pair.same_search("t", sparse(r))
        pair.same_search("a", dense(r, 3))
    cnt = [c.count(name, count_filter=models.Filter(must=[models.HasVectorCondition(has_vector="b")])).count for c in (pair.qdb, pair.local)]
    assert cnt[0] == cnt[1] == 60
    # Remove a dense and a sparse vector: gone from points, config and search.
    pair.both("delete_vector_name", vector_name="a")
    pair.both("delete_vector_name", vector_name="s")
    info = pair.qdb.get_collection(name)
    assert set(info.config.params.vectors) == {"b"} and set(info.config.params.sparse_vectors) == {"t"}
    pair.same_points()
    pair.same_search("t", sparse(r))
    for c in (pair.qdb, pair.local):
        with pytest.raises(Exception):
            c.query_points(name, query=dense(r, 3), using="a")
    # Re-adding `a` with another size: its points start without it.
    pair.both("create_vector_name", vector_name="a",
              vector_name_config=models.DenseVectorNameConfig(dense=models.DenseVectorConfig(size=4, distance=models.Distance.EUCLID)))
    pair.same_points()
    pair.both("update_vectors", points=[models.PointVectors(id=i, vector={"a": dense(r, 4)}) for i in range(0, 110, 3)], wait=True)
    pair.same_search("a", dense(r, 4))
    pair.same_points()


def test_errors_and_no_ops(server_factory):
    srv = server_factory()
    api = srv.api()
    name = unique("nverr")
    ok(api.put(f"/collections/{name}", json={"vectors": {"size": 2, "distance": "Dot"}, "sparse_vectors": {"s": {}}}))
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [{"id": 1, "vector": [1, 2]}]}))
    path = f"/collections/{name}/vectors"
    ok(api.put(f"{path}/x?wait=true", json={"dense": {"size": 3, "distance": "Cosine", "datatype": "float16"}}))
    ok(api.put(f"{path}/x", json={"dense": {"size": 3, "distance": "Cosine", "datatype": "float16"}}))  # same: no-op
    assert "already exists with a different configuration" in err(api.put(f"{path}/x", json={"dense": {"size": 4, "distance": "Cosine"}}), 400)
    assert "already exists as a dense vector" in err(api.put(f"{path}/x", json={"sparse": {}}), 400)
    assert "already exists as a sparse vector" in err(api.put(f"{path}/s", json={"dense": {"size": 2, "distance": "Dot"}}), 400)
    assert "already exists with a different configuration" in err(api.put(f"{path}/s", json={"sparse": {"modifier": "idf"}}), 400)
    err(api.put(f"{path}/y", json={"dense": {"size": 0, "distance": "Dot"}}), 422)
    err(api.put(f"{path}/y", json={}), 400)
    err(api.put(f"{path}/y", json={"dense": {"size": 2, "distance": "Dot"}, "sparse": {}}), 400)
    err(api.put(f"{path}/y", json={"dense": {"size": 2, "distance": "Dot"}, "other": 1}), 400)
    assert "cannot contain" in err(api.put(f"{path}/a*b", json={"sparse": {}}), 400)
    err(api.put(f"/collections/nope_{name}/vectors/y", json={"sparse": {}}), 404)
    ok(api.delete(f"{path}/missing?wait=true"))  # Qdrant: a no-op
    # The unnamed vector keeps its data and becomes `""` of a map.
    cfg = ok(api.get(f"/collections/{name}"))["config"]["params"]
    assert cfg["vectors"][""]["size"] == 2 and cfg["vectors"]["x"]["datatype"] == "float16"
    got = ok(api.post(f"/collections/{name}/points", json={"ids": [1], "with_vector": True}))[0]["vector"]
    assert got == {"": [1, 2]} or got == [1, 2] or got.get("") == [1, 2], got
    ok(api.delete(f"{path}/x?wait=true"))
    cfg = ok(api.get(f"/collections/{name}"))["config"]["params"]
    assert "x" not in cfg["vectors"]


def test_durable_across_restart_kill_and_snapshot(server_factory, tmp_path):
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "20"})
    api = srv.api()
    name = unique("nvdur")
    ok(api.put(f"/collections/{name}", json={"vectors": {"a": {"size": 2, "distance": "Dot"}}}))
    r = random.Random(8)
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [{"id": i, "vector": {"a": dense(r, 2)}} for i in range(70)]}))
    ok(api.put(f"/collections/{name}/vectors/b?wait=true", json={"dense": {"size": 3, "distance": "Euclid"}}))
    ok(api.put(f"/collections/{name}/points/vectors?wait=true", json={"points": [{"id": i, "vector": {"b": dense(r, 3)}} for i in range(0, 70, 2)]}))
    want = {p["id"]: p["vector"] for p in scroll_all(api, name, with_vector=True)}
    srv.kill()  # kill -9 right after
    srv.start()
    api = srv.api()
    assert {p["id"]: p["vector"] for p in scroll_all(api, name, with_vector=True)} == want
    ok(api.delete(f"/collections/{name}/vectors/a?wait=true"))
    want = {p["id"]: p.get("vector") or {} for p in scroll_all(api, name, with_vector=True)}
    assert all("a" not in v for v in want.values())
    srv.restart()
    api = srv.api()
    assert {p["id"]: p.get("vector") or {} for p in scroll_all(api, name, with_vector=True)} == want
    # A collection snapshot carries the new shape.
    snap = ok(api.post(f"/collections/{name}/snapshots?wait=true"))["name"]
    blob = api.get(f"/collections/{name}/snapshots/{snap}").content
    other = unique("nvsnap")
    ok(api.post(f"/collections/{other}/snapshots/upload?wait=true", files={"snapshot": ("s.snapshot", blob)}))
    assert set(ok(api.get(f"/collections/{other}"))["config"]["params"]["vectors"]) == {"b"}
    assert {p["id"]: p.get("vector") or {} for p in scroll_all(api, other, with_vector=True)} == want


def test_kill_in_the_middle_is_completed_at_start(server_factory):
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "20", "QDB_FAILPOINT_NAMED_VECTOR_INTENT_MS": "4000"})
    api = srv.api()
    name = unique("nvmid")
    ok(api.put(f"/collections/{name}", json={"vectors": {"a": {"size": 2, "distance": "Dot"}}, "sparse_vectors": {"s": {}}}))
    r = random.Random(9)
    pts = [{"id": i, "vector": {"a": dense(r, 2), "s": {"indices": [i % 7], "values": [1.5]}}} for i in range(50)]
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": pts}))
    before = {p["id"]: p["vector"] for p in scroll_all(api, name, with_vector=True)}
    def change():
        try:
            api.delete(f"/collections/{name}/vectors/s?wait=true", timeout=30)
        except Exception:  # the server is killed under it
            pass
    t = threading.Thread(target=change, daemon=True)
    t.start()
    coll = next(srv.root.rglob(f"collections/{name}"))
    for _ in range(100):
        if (coll / "vectors_change.json").exists():
            break
        time.sleep(0.05)
    assert (coll / "vectors_change.json").exists()
    srv.kill()
    srv.env.pop("QDB_FAILPOINT_NAMED_VECTOR_INTENT_MS", None)
    srv.start()
    api = srv.api()
    assert not (coll / "vectors_change.json").exists()
    cfg = ok(api.get(f"/collections/{name}"))["config"]["params"]
    assert "s" not in (cfg.get("sparse_vectors") or {})
    after = {p["id"]: p["vector"] for p in scroll_all(api, name, with_vector=True)}
    assert after == {i: {"a": v["a"]} for i, v in before.items()}


def multi(r: random.Random, d: int) -> list[list[float]]:
    return [dense(r, d) for _ in range(r.randint(1, 4))]


def test_add_and_remove_a_multivector_against_local_mode(server_factory, tmp_path):
    """Qdrant 1.19's `DenseVectorConfig` takes `multivector_config`: the added vector is a
    multivector (MaxSim), existing points (in several sealed segments) lack it, updates and new
    points fill it; it survives a restart; re-adding it as a plain vector is a 400; removing it
    drops it again."""
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "25"})
    name = unique("nvmulti")
    pair = Pair(srv.url, name)
    r = random.Random(12)
    seed(pair, r)
    config = models.DenseVectorNameConfig(dense=models.DenseVectorConfig(
        size=3, distance=models.Distance.COSINE, multivector_config=models.MultiVectorConfig(comparator=models.MultiVectorComparator.MAX_SIM)))
    pair.both("create_vector_name", vector_name="m", vector_name_config=config)
    pair.both("create_vector_name", vector_name="m", vector_name_config=config)  # same config: no-op
    info = pair.qdb.get_collection(name)
    assert info.config.params.vectors["m"].multivector_config.comparator == models.MultiVectorComparator.MAX_SIM
    pair.same_points()
    pair.both("update_vectors", points=[models.PointVectors(id=i, vector={"m": multi(r, 3)}) for i in r.sample(range(90), 35)], wait=True)
    pair.both("upsert", points=[models.PointStruct(id=i, vector={"a": dense(r, 3), "m": multi(r, 3), "s": sparse(r)})
                                for i in range(90, 110)], wait=True)
    pair.same_points()
    for _ in range(4):
        pair.same_search("m", multi(r, 3))
    cnt = [c.count(name, count_filter=models.Filter(must=[models.HasVectorCondition(has_vector="m")])).count for c in (pair.qdb, pair.local)]
    assert cnt[0] == cnt[1] == 55
    # A plain dense vector of the same name and size is another config.
    resp = srv.api().put(f"/collections/{name}/vectors/m", json={"dense": {"size": 3, "distance": "Cosine"}})
    assert resp.status_code == 400 and "different configuration" in resp.text, resp.text
    srv.restart()
    pair.qdb = QdrantClient(url=srv.url, prefer_grpc=False, timeout=60)
    pair.same_points()
    pair.same_search("m", multi(r, 3))
    pair.both("delete_vector_name", vector_name="m")
    assert set(pair.qdb.get_collection(name).config.params.vectors) == {"a"}
    pair.same_points()
    pair.same_search("a", dense(r, 3))
