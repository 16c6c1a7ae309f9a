"""Vector kinds beyond dense f32 (issue 13), differentially against the official client's local
mode (`QdrantClient(":memory:")`, Qdrant's semantics in Python): seeded workloads of dense and
sparse vectors (with and without IDF), points lacking some named vectors, overwrites and
deletes, named-vector updates and deletes (`points/vectors`), `has_vector` filters, sparse search by vector and by id, hybrid dense+sparse fusion,
scroll/retrieve `with_vectors` — the same ids (ties as sets) and scores within 1e-4, over REST,
before and after qdb seals its segments (the sealed path reads Qdrant's sparse storage files
and searches an inverted index). Seeds are printed; rerun one with QDB_VEC_SEED=N.

Validation: Qdrant's messages for unequal lengths and repeated indices, sparse/dense mix-ups.
"""

from __future__ import annotations

import os
import random

import numpy as np
import pytest
from qdrant_client import QdrantClient, models

from qdb_helpers import err, ok, unique

SEEDS = [int(os.environ["QDB_VEC_SEED"])] if os.environ.get("QDB_VEC_SEED") else [21, 22, 23]
N = 80
VOCAB = 60
DIM = 4


def zipf_terms(r: random.Random, k: int) -> list[int]:
    """k distinct term ids, low ids far more frequent (shared terms make IDF matter)."""
    out: set[int] = set()
    while len(out) < k:
        out.add(min(VOCAB - 1, int(r.paretovariate(1.1)) - 1))
    return list(out)


def rand_sparse(r: random.Random, k: int | None = None) -> models.SparseVector:
    terms = zipf_terms(r, k or r.randint(1, 8))
    r.shuffle(terms)  # qdb and Qdrant sort; the request need not be sorted
    return models.SparseVector(indices=terms, values=[round(r.uniform(0.05, 3), 3) for _ in terms])


def rand_point(r: random.Random, i: int) -> models.PointStruct:
    vec: dict = {}
    if r.random() < 0.8:
        vec["d"] = [round(r.uniform(-1, 1), 4) for _ in range(DIM)]
    if r.random() < 0.75:
        vec["s"] = rand_sparse(r)
    if r.random() < 0.75:
        vec["t"] = rand_sparse(r)
    return models.PointStruct(id=i, vector=vec, payload={"g": r.randint(0, 3), "i": i})


COLLECTION = dict(
    vectors_config={"d": models.VectorParams(size=DIM, distance=models.Distance.COSINE)},
    sparse_vectors_config={"s": models.SparseVectorParams(),
                           "t": models.SparseVectorParams(modifier=models.Modifier.IDF)},
)


def same_hits(a, b, ctx):
    """Equal ids in order, except within runs of scores closer than 1e-4 (compared as sets,
    the last run excepted: the limit may cut it anywhere); scores within 1e-4."""
    assert len(a) == len(b), (ctx, [(p.id, p.score) for p in a], [(p.id, p.score) for p in b])
    assert np.allclose([p.score for p in a], [p.score for p in b], atol=1e-4), ctx
    start = 0
    for i in range(1, len(a) + 1):
        if i == len(a) or abs(a[i].score - a[i - 1].score) > 1e-4:
            if i < len(a):
                assert {p.id for p in a[start:i]} == {p.id for p in b[start:i]}, (ctx, start, i, [(p.id, p.score) for p in a], [(p.id, p.score) for p in b])
            start = i


def same_vectors(va: dict, vb: dict, ctx):
    assert sorted(va) == sorted(vb), ctx
    for name in va:
        x, y = va[name], vb[name]
        if isinstance(x, models.SparseVector):
            assert isinstance(y, models.SparseVector), (ctx, name)
            assert x.indices == y.indices, (ctx, name)
            assert np.allclose(x.values, y.values, atol=1e-6), (ctx, name)
        else:
            assert np.allclose(x, y, atol=1e-5), (ctx, name)


class Pair:
    def __init__(self, url: str, seed: int):
        self.r = random.Random(seed)
        self.seed = seed
        self.url = url
        self.qdb = QdrantClient(url=url, prefer_grpc=False, timeout=60)
        self.local = QdrantClient(":memory:")
        self.name = unique("vk")
        for c in (self.qdb, self.local):
            c.create_collection(self.name, **COLLECTION)

    def both(self, method: str, **kw):
        return getattr(self.qdb, method)(self.name, **kw), getattr(self.local, method)(self.name, **kw)

    def load(self):
        points = [rand_point(self.r, i) for i in range(N)]
        for c in (self.qdb, self.local):
            c.upsert(self.name, points=points, wait=True)
        # Overwrites (a point may lose a vector it had) and deletes.
        again = [rand_point(self.r, i) for i in self.r.sample(range(N), 15)]
        for c in (self.qdb, self.local):
            c.upsert(self.name, points=again, wait=True)
            c.delete(self.name, points_selector=models.PointIdsList(points=list(range(0, N, 9))), wait=True)
        self.edit_vectors()

    def edit_vectors(self):
        """Named-vector edits: replace some vectors of existing points (others stay), drop
        named vectors by ids and by filter."""
        r = self.r
        live = [i for i in range(N) if i % 9]
        updates = []
        for i in r.sample(live, 12):
            vec = {}
            for name in r.sample(["d", "s", "t"], r.randint(1, 2)):
                vec[name] = [round(r.uniform(-1, 1), 4) for _ in range(DIM)] if name == "d" else rand_sparse(r)
            updates.append(models.PointVectors(id=i, vector=vec))
        drop_ids = r.sample(live, 6)
        group = r.randint(0, 3)
        for c in (self.qdb, self.local):
            c.update_vectors(self.name, points=updates, wait=True)
            c.delete_vectors(self.name, vectors=["s"], points=models.PointIdsList(points=drop_ids), wait=True)
            c.delete_vectors(self.name, vectors=["t", "d"], wait=True, points=models.FilterSelector(
                filter=models.Filter(must=[models.FieldCondition(key="g", match=models.MatchValue(value=group)),
                                           models.HasVectorCondition(has_vector="s")])))

    def check_points(self):
        a, b = self.both("scroll", limit=1000, with_vectors=True, with_payload=True)
        assert [p.id for p in a[0]] == [p.id for p in b[0]], self.seed
        for p, q in zip(a[0], b[0]):
            same_vectors(p.vector, q.vector, (self.seed, p.id))
            assert p.payload == q.payload
        a, b = self.both("retrieve", ids=[1, 2, 3, 5, 8], with_vectors=["s", "d"])
        assert [p.id for p in a] == [p.id for p in b]
        for p, q in zip(a, b):
            same_vectors(p.vector, q.vector, (self.seed, p.id, "names"))

    def queries(self, phase: str):
        r = self.r
        for case in range(25):
            ctx = (self.seed, phase, case)
            using = r.choice(["s", "t"])
            flt = None
            roll = r.random()
            if roll < 0.25:
                flt = models.Filter(must=[models.FieldCondition(key="g", match=models.MatchValue(value=r.randint(0, 3)))])
            elif roll < 0.4:
                flt = models.Filter(must=[models.HasVectorCondition(has_vector=r.choice(["d", "s", "t"]))])
            elif roll < 0.5:
                flt = models.Filter(must_not=[models.HasVectorCondition(has_vector="d")])
            kind = r.random()
            if kind < 0.6:
                q = rand_sparse(r, r.randint(1, 5))
                extra = {}
                if r.random() < 0.3:
                    extra["offset"] = r.randint(1, 4)
                if r.random() < 0.3:
                    extra["score_threshold"] = round(r.uniform(0.1, 2), 2)
                limit = r.randint(1, 15)
                a, b = self.both("query_points", query=q, using=using, query_filter=flt, limit=limit,
                                 with_payload=True, **extra)
                if "offset" in extra:
                    # Which of tied points an offset skips is the engine's choice: compare the
                    # unskipped lists, and qdb's page against its own.
                    off = extra.pop("offset")
                    full_a, full_b = self.both("query_points", query=q, using=using, query_filter=flt, limit=limit + off,
                                               with_payload=True, **extra)
                    same_hits(full_a.points, full_b.points, ctx + ("full",))
                    assert [(p.id, p.score) for p in a.points] == [(p.id, p.score) for p in full_a.points[off:]], ctx
                    continue
            elif kind < 0.75:
                pid = r.choice([p for p in range(N) if p % 9])
                try:
                    b = self.local.query_points(self.name, query=pid, using=using, query_filter=flt, limit=8)
                except Exception:  # the point lacks this vector: qdb must refuse too
                    resp = self.raw_query({"query": pid, "using": using, "limit": 8})
                    assert resp.status_code in (400, 404), ctx
                    continue
                a = self.qdb.query_points(self.name, query=pid, using=using, query_filter=flt, limit=8)
            else:
                dense = [round(r.uniform(-1, 1), 3) for _ in range(DIM)]
                prefetch = [models.Prefetch(query=dense, using="d", limit=20),
                            models.Prefetch(query=rand_sparse(r, 4), using=using, limit=20)]
                a, b = self.both("query_points", prefetch=prefetch, query=models.FusionQuery(fusion=models.Fusion.RRF),
                                 limit=10, query_filter=flt)
            same_hits(a.points, b.points, ctx)

    def raw_query(self, body):
        import requests
        return requests.post(f"{self.url}/collections/{self.name}/points/query", json=body, timeout=30)


@pytest.mark.parametrize("seed", SEEDS)
def test_sparse_differential(qdb, seed):
    print(f"seed {seed}")
    pair = Pair(qdb.url, seed)
    pair.load()
    pair.check_points()
    pair.queries("appendable")
    # A snapshot seals the appendable segment: the same answers from Qdrant's files.
    pair.qdb.create_snapshot(pair.name, wait=True)
    pair.check_points()
    pair.queries("sealed")
    # Writes after the seal: a sealed segment and a fresh appendable one together.
    extra = [rand_point(pair.r, i) for i in range(N, N + 20)] + [rand_point(pair.r, i) for i in (1, 2, 4)]
    for c in (pair.qdb, pair.local):
        c.upsert(pair.name, points=extra, wait=True)
        c.delete(pair.name, points_selector=models.PointIdsList(points=[5, 6, N + 3]), wait=True)
    pair.check_points()
    pair.queries("mixed")


def test_legacy_search_and_aliases_take_sparse(api):
    name = unique("vklegacy")
    ok(api.put(f"/collections/{name}", json={"sparse_vectors": {"s": {"modifier": "idf"}}}))
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [
        {"id": i, "vector": {"s": {"indices": [i % 3, 10 + i], "values": [1.0, 0.5]}}} for i in range(12)]}))
    ok(api.post("/collections/aliases", json={"actions": [{"create_alias": {"collection_name": name, "alias_name": name + "_a"}}]}))
    body = {"vector": {"name": "s", "vector": {"indices": [1, 11], "values": [2.0, 1.0]}}, "limit": 5, "with_vector": True}
    legacy = ok(api.post(f"/collections/{name}_a/points/search", json=body))
    query = ok(api.post(f"/collections/{name}/points/query", json={"query": {"indices": [1, 11], "values": [2.0, 1.0]},
                                                                    "using": "s", "limit": 5, "with_vector": True}))["points"]
    assert [(p["id"], p["score"], p["vector"]) for p in legacy] == [(p["id"], p["score"], p["vector"]) for p in query]
    assert legacy[0]["id"] == 1 and legacy[0]["vector"] == {"s": {"indices": [1, 11], "values": [1.0, 0.5]}}
    info = ok(api.get(f"/collections/{name}_a"))
    assert info["config"]["params"]["sparse_vectors"] == {"s": {"modifier": "idf"}} and info["points_count"] == 12


def test_sparse_survives_restart(server_factory):
    srv = server_factory()
    pair = Pair(srv.url, 5)
    pair.load()
    srv.stop()  # clean shutdown seals
    srv.start()
    pair.url = srv.url
    pair.qdb = QdrantClient(url=srv.url, prefer_grpc=False, timeout=60)
    pair.check_points()
    pair.queries("restarted")
    info = ok(srv.api().get(f"/collections/{pair.name}"))
    assert info["config"]["params"]["sparse_vectors"] == {"s": {}, "t": {"modifier": "idf"}}


def test_vector_edits_refused_without_change(api):
    name = unique("vkedit")
    ok(api.put(f"/collections/{name}", json={"vectors": {"d": {"size": 2, "distance": "Dot"}}, "sparse_vectors": {"s": {}}}))
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [{"id": 1, "vector": {"d": [1, 2]}, "payload": {"a": 1}}]}))
    before = ok(api.post(f"/collections/{name}/points", json={"ids": [1], "with_vector": True, "with_payload": True}))
    err(api.put(f"/collections/{name}/points/vectors?wait=true", json={"points": [{"id": 1, "vector": {"s": {"indices": [1], "values": [1]}}},
                                                                                  {"id": 99, "vector": {"d": [1, 1]}}]}), 404)
    err(api.put(f"/collections/{name}/points/vectors?wait=true", json={"points": [{"id": 1, "vector": {"d": [1, 1, 1]}}]}), 400)
    err(api.post(f"/collections/{name}/points/vectors/delete?wait=true", json={"points": [1], "vector": ["nope"]}), 400)
    assert ok(api.post(f"/collections/{name}/points", json={"ids": [1], "with_vector": True, "with_payload": True})) == before
    ok(api.put(f"/collections/{name}/points/vectors?wait=true", json={"points": [{"id": 1, "vector": {"s": {"indices": [4], "values": [2]}}}]}))
    got = ok(api.post(f"/collections/{name}/points", json={"ids": [1], "with_vector": True, "with_payload": True}))[0]
    assert got["vector"] == {"d": [1, 2], "s": {"indices": [4], "values": [2]}} and got["payload"] == {"a": 1}


def test_sparse_validation(api):
    name = unique("vkbad")
    ok(api.put(f"/collections/{name}", json={"vectors": {"d": {"size": 2, "distance": "Dot"}},
                                             "sparse_vectors": {"s": {"index": {"on_disk": True}}}}))

    def upsert(vec):
        return api.put(f"/collections/{name}/points?wait=true", json={"points": [{"id": 1, "vector": vec}]})

    msg = err(upsert({"s": {"indices": [1, 2], "values": [1.0]}}), 422)
    assert "must be the same length as indices" in msg
    msg = err(upsert({"s": {"indices": [3, 3], "values": [1.0, 2.0]}}), 422)
    assert "must be unique" in msg
    assert "Conversion between sparse and regular vectors" in err(upsert({"s": [1.0, 2.0]}), 400)
    assert "Conversion between sparse and regular vectors" in err(upsert({"d": {"indices": [1], "values": [1.0]}}), 400)
    assert "Not existing vector name" in err(upsert({"zz": {"indices": [1], "values": [1.0]}}), 400)
    err(upsert({"s": {"indices": [-1], "values": [1.0]}}), 400)
    # Nothing was written by the refused requests.
    assert ok(api.post(f"/collections/{name}/points/count", json={}))["count"] == 0
    # A dense query on a sparse name and the other way round.
    ok(upsert({"s": {"indices": [1], "values": [1.0]}}))
    err(api.post(f"/collections/{name}/points/query", json={"query": [1.0, 2.0], "using": "s"}), 400)
    err(api.post(f"/collections/{name}/points/query", json={"query": {"indices": [1], "values": [1]}, "using": "d"}), 400)
    bad = api.put(f"/collections/{unique('vkbad')}", json={"sparse_vectors": {"s": {"modifier": "bm25"}}})
    assert bad.status_code in (400, 422)
    info = ok(api.get(f"/collections/{name}"))
    assert info["config"]["params"]["sparse_vectors"] == {"s": {"index": {"on_disk": True}}}


def test_sparse_only_collection_seals_restarts_and_restores(server_factory, tmp_path):
    """A collection with sparse vectors only: its sealed segments (no dense storage at all) load
    again after a restart and from a collection snapshot."""
    srv = server_factory()
    api = srv.api()
    name = unique("vkonly")
    ok(api.put(f"/collections/{name}", json={"sparse_vectors": {"s": {"modifier": "idf"}}}))
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [
        {"id": i, "vector": {"s": {"indices": [i % 7, 100 + i], "values": [1.0, 2.0]}}, "payload": {"i": i}} for i in range(40)]}))
    q = {"query": {"indices": [3, 103], "values": [1.0, 1.0]}, "using": "s", "limit": 5}
    want = ok(api.post(f"/collections/{name}/points/query", json=q))["points"]
    assert want[0]["id"] == 3
    snap = ok(api.post(f"/collections/{name}/snapshots"))
    srv.stop()
    srv.start()
    api = srv.api()
    assert ok(api.post(f"/collections/{name}/points/count", json={}))["count"] == 40
    assert ok(api.post(f"/collections/{name}/points/query", json=q))["points"] == want
    ok(api.put(f"/collections/{name}2/snapshots/recover?wait=true", json={"location": f"file://{srv.snapshots}/{name}/{snap['name']}"}))
    assert ok(api.post(f"/collections/{name}2/points/query", json=q))["points"] == want


def test_partial_recovery_between_qdb_servers_carries_sparse(server_factory):
    """qdb → qdb partial snapshots (`partial/recover_from`) carry sparse changes: the replica's
    unchanged segments are reused with their sparse columns, changed ones are read again."""
    seal = {"QDB__STORAGE__APPENDABLE_MAX_POINTS": "30"}
    primary, replica = server_factory(env=seal), server_factory(env=seal)
    p, rr = primary.api(), replica.api()
    name = unique("vkpart")
    cfg = {"vectors": {"d": {"size": 2, "distance": "Dot"}}, "sparse_vectors": {"s": {"modifier": "idf"}}}
    ok(p.put(f"/collections/{name}", json=cfg))
    ok(rr.put(f"/collections/{name}", json=cfg))
    r = random.Random(77)

    def pts(ids):
        return [{"id": i, "vector": {"d": [r.random(), 1.0], "s": rand_sparse(r).model_dump()}, "payload": {"i": i}} for i in ids]

    def state(api):
        recs = ok(api.post(f"/collections/{name}/points/scroll", json={"limit": 1000, "with_vector": True, "with_payload": True}))
        q = {"query": {"indices": [0, 1, 2], "values": [1.0, 0.5, 0.2]}, "using": "s", "limit": 10}
        return recs["points"], [(x["id"], round(x["score"], 4)) for x in ok(api.post(f"/collections/{name}/points/query", json=q))["points"]]

    ok(p.put(f"/collections/{name}/points?wait=true", json={"points": pts(range(90))}))
    body = {"peer_url": primary.url}
    assert ok(rr.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from", json=body)) is True
    assert state(rr) == state(p)
    ok(p.put(f"/collections/{name}/points?wait=true", json={"points": pts(range(80, 110))}))
    ok(p.post(f"/collections/{name}/points/vectors/delete?wait=true", json={"points": [3, 4, 5], "vector": ["s"]}))
    ok(p.post(f"/collections/{name}/points/delete?wait=true", json={"points": [10, 11]}))
    assert ok(rr.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from", json=body)) is True
    assert state(rr) == state(p)
