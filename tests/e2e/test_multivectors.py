"""Multivectors (issue 13, and issue 14's multivector query), differentially against the
official client's local mode (`QdrantClient(":memory:")`, Qdrant's semantics in Python):
seeded workloads of points with dense, multi (Cosine and Euclid MaxSim) and sparse vectors,
points lacking some named vectors, overwrites and deletes, named-vector updates and deletes
(`points/vectors`), `has_vector` filters, query by multivector and by id, recommend (every
strategy), discover and context by multivectors and ids, nearest with mmr, multivector prefetch
under fusion and a dense prefetch rescored by MaxSim — the same ids (ties as sets) and scores
within 1e-4, over REST and over gRPC, before and after qdb seals its segments (the sealed path reads Qdrant's
multi-dense storage files). Seeds are printed; rerun one with QDB_MULTI_SEED=N.

Validation: empty multivectors, inner vectors of the wrong size, multi/dense mix-ups.
"""

from __future__ import annotations

import os
import random

import pytest
import requests
from qdrant_client import QdrantClient, models

from qdb_helpers import err, ok, unique
from test_vector_kinds import same_hits, same_vectors, rand_sparse

SEEDS = [int(os.environ["QDB_MULTI_SEED"])] if os.environ.get("QDB_MULTI_SEED") else [31, 32]
N = 70
DIM = 4
MDIM = 3
MAXSIM = models.MultiVectorConfig(comparator=models.MultiVectorComparator.MAX_SIM)

VECTORS = {
    "d": models.VectorParams(size=DIM, distance=models.Distance.DOT),
    "m": models.VectorParams(size=MDIM, distance=models.Distance.COSINE, multivector_config=MAXSIM),
    "e": models.VectorParams(size=MDIM, distance=models.Distance.EUCLID, multivector_config=MAXSIM),
}


def rand_multi(r: random.Random, k: int | None = None) -> list[list[float]]:
    return [[round(r.uniform(-1, 1), 4) for _ in range(MDIM)] for _ in range(k or r.randint(1, 5))]


def rand_point(r: random.Random, i: int, sparse: bool = True) -> models.PointStruct:
    vec: dict = {}
    if r.random() < 0.8:
        vec["d"] = [round(r.uniform(-1, 1), 4) for _ in range(DIM)]
    if r.random() < 0.8:
        vec["m"] = rand_multi(r)
    if r.random() < 0.7:
        vec["e"] = rand_multi(r)
    if r.random() < 0.5 and sparse:
        vec["s"] = rand_sparse(r)
    return models.PointStruct(id=i, vector=vec, payload={"g": r.randint(0, 3), "i": i})


class Pair:
    """qdb (over REST, or over gRPC with named-vector edits over REST: qdb's gRPC has no
    UpdateVectors/DeleteVectors yet, nor sparse vectors) beside the local mode."""

    def __init__(self, srv, seed: int, grpc: bool = False):
        self.r = random.Random(seed)
        self.seed = seed
        self.url = srv.url
        self.grpc = grpc
        self.rest = QdrantClient(url=srv.url, prefer_grpc=False, timeout=60)
        self.qdb = (QdrantClient(host="127.0.0.1", port=srv.port, grpc_port=srv.grpc_port, prefer_grpc=True, https=False, timeout=60)
                    if grpc else self.rest)
        self.local = QdrantClient(":memory:")
        self.name = unique("mv")
        sparse = {} if grpc else {"sparse_vectors_config": {"s": models.SparseVectorParams()}}
        for c in (self.qdb, self.local):
            c.create_collection(self.name, vectors_config=VECTORS, **sparse)

    def point(self, i: int) -> models.PointStruct:
        return rand_point(self.r, i, sparse=not self.grpc)

    def both(self, method: str, **kw):
        return getattr(self.qdb, method)(self.name, **kw), getattr(self.local, method)(self.name, **kw)

    def load(self):
        points = [self.point(i) for i in range(N)]
        for c in (self.qdb, self.local):
            c.upsert(self.name, points=points, wait=True)
        again = [self.point(i) for i in self.r.sample(range(N), 12)]
        for c in (self.qdb, self.local):
            c.upsert(self.name, points=again, wait=True)
            c.delete(self.name, points_selector=models.PointIdsList(points=list(range(0, N, 11))), wait=True)
        r = self.r
        live = [i for i in range(N) if i % 11]
        updates = [models.PointVectors(id=i, vector={"m": rand_multi(r)} if r.random() < 0.5 else {"e": rand_multi(r), "d": [round(r.uniform(-1, 1), 4) for _ in range(DIM)]})
                   for i in r.sample(live, 10)]
        drop = r.sample(live, 6)
        for c in (self.rest, self.local):
            c.update_vectors(self.name, points=updates, wait=True)
            c.delete_vectors(self.name, vectors=["m"], points=models.PointIdsList(points=drop), wait=True)
            c.delete_vectors(self.name, vectors=["e"], wait=True, points=models.FilterSelector(
                filter=models.Filter(must=[models.FieldCondition(key="g", match=models.MatchValue(value=1)),
                                           models.HasVectorCondition(has_vector="m")])))

    def check_points(self):
        a, b = self.both("scroll", limit=1000, with_vectors=True, with_payload=True)
        assert [p.id for p in a[0]] == [p.id for p in b[0]], self.seed
        for p, q in zip(a[0], b[0]):
            same_vectors(p.vector, q.vector, (self.seed, p.id))
        a, b = self.both("retrieve", ids=[1, 2, 3, 5, 8], with_vectors=["m", "d"])
        for p, q in zip(a, b):
            same_vectors(p.vector, q.vector, (self.seed, p.id, "names"))

    def queries(self, phase: str):
        r = self.r
        for case in range(30):
            ctx = (self.seed, phase, case)
            using = r.choice(["m", "e"])
            flt = None
            roll = r.random()
            if roll < 0.2:
                flt = models.Filter(must=[models.FieldCondition(key="g", match=models.MatchValue(value=r.randint(0, 3)))])
            elif roll < 0.4:
                flt = models.Filter(must=[models.HasVectorCondition(has_vector=r.choice(["d", "m", "e"] + ([] if self.grpc else ["s"])))])
            elif roll < 0.5:
                flt = models.Filter(must_not=[models.HasVectorCondition(has_vector=r.choice(["m", "e"]))])
            kind = r.random()
            if kind < 0.5:
                extra = {}
                if r.random() < 0.3:
                    extra["score_threshold"] = round(r.uniform(0.2, 2), 2) if using == "m" else None
                a, b = self.both("query_points", query=rand_multi(r, r.randint(1, 4)), using=using, query_filter=flt,
                                 limit=r.randint(1, 12), with_payload=True, **{k: v for k, v in extra.items() if v is not None})
            elif kind < 0.65:
                pid = r.choice([p for p in range(N) if p % 11])
                try:
                    b = self.local.query_points(self.name, query=pid, using=using, query_filter=flt, limit=8)
                except Exception:  # the point lacks this vector: qdb must refuse too
                    resp = requests.post(f"{self.url}/collections/{self.name}/points/query",
                                         json={"query": pid, "using": using, "limit": 8}, timeout=30)
                    assert resp.status_code in (400, 404), ctx
                    continue
                a = self.qdb.query_points(self.name, query=pid, using=using, query_filter=flt, limit=8)
            elif kind < 0.7:
                a, b = self.both("query_points", query=self.example_query(using), using=using, query_filter=flt,
                                 limit=r.randint(1, 10))
            elif kind < 0.75:
                mmr = models.Mmr(diversity=round(r.uniform(0, 1), 2), candidates_limit=r.randint(5, 30))
                a, b = self.both("query_points", query=models.NearestQuery(nearest=rand_multi(r, 2), mmr=mmr), using=using,
                                 query_filter=flt, limit=r.randint(1, 8), offset=r.choice([0, 0, 2]))
            elif kind < 0.88:
                # ColBERT-style rerank: a dense prefetch rescored by MaxSim.
                dense = [round(r.uniform(-1, 1), 3) for _ in range(DIM)]
                a, b = self.both("query_points", prefetch=[models.Prefetch(query=dense, using="d", limit=25)],
                                 query=rand_multi(r, 3), using=using, limit=10, query_filter=flt)
            else:
                prefetch = [models.Prefetch(query=rand_multi(r, 2), using="m", limit=20),
                            models.Prefetch(query=rand_multi(r, 2), using="e", limit=20)]
                a, b = self.both("query_points", prefetch=prefetch, query=models.FusionQuery(fusion=models.Fusion.RRF),
                                 limit=10, query_filter=flt)
            same_hits(a.points, b.points, ctx)


    def example_query(self, using: str):
        """recommend (each strategy), discover or context, by multivectors and live point ids
        that have the vector."""
        r = self.r
        have = [p.id for p in self.rest.scroll(self.name, limit=1000, with_vectors=[using])[0] if using in (p.vector or {})]

        def ex():
            return r.choice(have) if have and r.random() < 0.3 else rand_multi(r, r.randint(1, 3))
        roll = r.random()
        if roll < 0.5:
            strategy = r.choice(list(models.RecommendStrategy))
            return models.RecommendQuery(recommend=models.RecommendInput(
                positive=[ex() for _ in range(r.randint(1, 2))], negative=[ex() for _ in range(r.randint(0, 2))], strategy=strategy))
        pairs = [models.ContextPair(positive=ex(), negative=ex()) for _ in range(r.randint(1, 2))]
        if roll < 0.75:
            return models.DiscoverQuery(discover=models.DiscoverInput(target=ex(), context=pairs))
        return models.ContextQuery(context=pairs)


@pytest.mark.parametrize("transport", ["rest", "grpc"])
@pytest.mark.parametrize("seed", SEEDS)
def test_multivector_differential(qdb, seed, transport):
    print(f"seed {seed}")
    pair = Pair(qdb, seed, grpc=transport == "grpc")
    vectors = pair.qdb.get_collection(pair.name).config.params.vectors
    assert vectors["m"].multivector_config == MAXSIM and vectors["d"].multivector_config is None
    pair.load()
    pair.check_points()
    pair.queries("appendable")
    pair.rest.create_snapshot(pair.name, wait=True)  # seals: Qdrant's multi-dense files
    pair.check_points()
    pair.queries("sealed")
    extra = [pair.point(i) for i in range(N, N + 15)] + [pair.point(i) for i in (1, 2, 4)]
    for c in (pair.qdb, pair.local):
        c.upsert(pair.name, points=extra, wait=True)
        c.delete(pair.name, points_selector=models.PointIdsList(points=[5, 6, N + 3]), wait=True)
    pair.check_points()
    pair.queries("mixed")


def test_multivectors_survive_restart(server_factory):
    srv = server_factory()
    pair = Pair(srv, 7)
    pair.load()
    srv.stop()  # clean shutdown seals
    srv.start()
    pair.url = srv.url
    pair.qdb = pair.rest = QdrantClient(url=srv.url, prefer_grpc=False, timeout=60)
    pair.check_points()
    pair.queries("restarted")
    info = ok(srv.api().get(f"/collections/{pair.name}"))
    assert info["config"]["params"]["vectors"]["m"]["multivector_config"] == {"comparator": "max_sim"}


def test_multivector_config_and_validation(api):
    name = unique("mvbad")
    ok(api.put(f"/collections/{name}", json={"vectors": {
        "d": {"size": 2, "distance": "Dot"},
        "m": {"size": 2, "distance": "Dot", "multivector_config": {"comparator": "max_sim"}}}}))
    info = ok(api.get(f"/collections/{name}"))
    assert info["config"]["params"]["vectors"]["m"] == {"size": 2, "distance": "Dot", "multivector_config": {"comparator": "max_sim"}}
    assert "multivector_config" not in info["config"]["params"]["vectors"]["d"]

    def upsert(vec):
        return api.put(f"/collections/{name}/points?wait=true", json={"points": [{"id": 1, "vector": vec}]})

    err(upsert({"m": []}), 422)  # read as one empty vector, as Qdrant expands a dense one
    assert "all vectors must be non-empty" in err(upsert({"m": [[1, 2], []]}), 422)
    assert "same dimension" in err(upsert({"m": [[1, 2], [1, 2, 3]]}), 422)
    assert "expected dim: 2, got 3" in err(upsert({"m": [[1, 2, 3], [1, 2, 3]]}), 400)
    assert "must be less than 1048576" in err(upsert({"m": [[0.5, 0.5]] * 524288}), 422)
    assert "Conversion between multi and regular vectors" in err(upsert({"d": [[1, 2], [3, 4]]}), 400)
    assert "Not existing vector name" in err(upsert({"zz": [[1, 2]]}), 400)
    assert ok(api.post(f"/collections/{name}/points/count", json={}))["count"] == 0
    # A plain dense vector for a multivector is one inner vector, as Qdrant expands it.
    ok(upsert({"m": [1, 2]}))
    got = ok(api.post(f"/collections/{name}/points", json={"ids": [1], "with_vector": True}))[0]
    assert got["vector"] == {"m": [[1, 2]]}
    hits = ok(api.post(f"/collections/{name}/points/query", json={"query": [1, 1], "using": "m"}))["points"]
    assert hits[0]["id"] == 1 and hits[0]["score"] == 3
    err(api.post(f"/collections/{name}/points/query", json={"query": [[1, 1]], "using": "d"}), 400)
    err(api.post(f"/collections/{name}/points/query", json={"query": [[1, 1, 1]], "using": "m"}), 400)
    bad = api.put(f"/collections/{unique('mvbad')}", json={"vectors": {"size": 2, "distance": "Dot",
                                                                     "multivector_config": {"comparator": "min_sim"}}})
    assert bad.status_code in (400, 422)
    # float16/uint8 multivectors are served (test_multivector_datatypes.py); a bad datatype is not.
    assert err(api.put(f"/collections/{unique('mvdt')}", json={"vectors": {
        "m": {"size": 2, "distance": "Dot", "datatype": "int4", "multivector_config": {"comparator": "max_sim"}}}}), 400)


def test_unnamed_multivector(api):
    name = unique("mvun")
    ok(api.put(f"/collections/{name}", json={"vectors": {"size": 2, "distance": "Dot", "multivector_config": {"comparator": "max_sim"}}}))
    ok(api.put(f"/collections/{name}/points?wait=true", json={"points": [
        {"id": 1, "vector": [[1, 0], [0, 1]]}, {"id": 2, "vector": [[2, 2]]}]}))
    got = ok(api.post(f"/collections/{name}/points", json={"ids": [1], "with_vector": True}))[0]
    assert got["vector"] == [[1, 0], [0, 1]]
    hits = ok(api.post(f"/collections/{name}/points/query", json={"query": [[1, 0], [0, 1]]}))["points"]
    assert [(h["id"], h["score"]) for h in hits] == [(2, 4.0), (1, 2.0)]


def test_partial_recovery_between_qdb_servers_carries_multivectors(server_factory):
    """qdb → qdb partial snapshots (`partial/recover_from`) carry multivector changes: the
    replica's unchanged segments are reused with their multivector columns, changed ones read again."""
    seal = {"QDB__STORAGE__APPENDABLE_MAX_POINTS": "30"}
    primary, replica = server_factory(env=seal), server_factory(env=seal)
    p, rr = primary.api(), replica.api()
    name = unique("mvpart")
    cfg = {"vectors": {"d": {"size": 2, "distance": "Dot"},
                       "m": {"size": MDIM, "distance": "Cosine", "multivector_config": {"comparator": "max_sim"}}}}
    ok(p.put(f"/collections/{name}", json=cfg))
    ok(rr.put(f"/collections/{name}", json=cfg))
    r = random.Random(78)

    def pts(ids):
        return [{"id": i, "vector": {"d": [r.random(), 1.0], "m": rand_multi(r)}, "payload": {"i": i}} for i in ids]

    def state(api):
        recs = ok(api.post(f"/collections/{name}/points/scroll", json={"limit": 1000, "with_vector": True, "with_payload": True}))
        q = {"query": [[1.0, 0.5, 0.2], [0.0, -1.0, 0.3]], "using": "m", "limit": 10}
        return recs["points"], [(x["id"], round(x["score"], 4)) for x in ok(api.post(f"/collections/{name}/points/query", json=q))["points"]]

    ok(p.put(f"/collections/{name}/points?wait=true", json={"points": pts(range(90))}))
    body = {"peer_url": primary.url}
    assert ok(rr.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from", json=body)) is True
    assert state(rr) == state(p)
    ok(p.put(f"/collections/{name}/points?wait=true", json={"points": pts(range(80, 110))}))
    ok(p.post(f"/collections/{name}/points/vectors/delete?wait=true", json={"points": [3, 4, 5], "vector": ["m"]}))
    ok(p.post(f"/collections/{name}/points/delete?wait=true", json={"points": [10, 11]}))
    assert ok(rr.post(f"/collections/{name}/shards/0/snapshot/partial/recover_from", json=body)) is True
    assert state(rr) == state(p)
    assert all("m" not in x["vector"] for x in state(rr)[0] if x["id"] in (3, 4, 5))


def test_query_groups_batch_and_matrix_on_multivectors(qdb):
    """`query/groups`, `query/batch` and `search/matrix/*` take a multivector's `using` and
    answer as the local mode (all samples taken: the matrix is then deterministic)."""
    pair = Pair(qdb, 41)
    pair.load()
    q = rand_multi(pair.r, 3)
    a, b = pair.both("query_points_groups", query=q, using="m", group_by="g", limit=3, group_size=3)
    assert [g.id for g in a.groups] == [g.id for g in b.groups]
    for x, y in zip(a.groups, b.groups):
        same_hits(x.hits, y.hits, ("groups", x.id))
    reqs = [models.QueryRequest(query=q, using="m", limit=5), models.QueryRequest(query=rand_multi(pair.r, 1), using="e", limit=4)]
    a, b = pair.both("query_batch_points", requests=reqs)
    for x, y in zip(a, b):
        same_hits(x.points, y.points, "batch")
    flt = models.Filter(must=[models.FieldCondition(key="g", match=models.MatchValue(value=2))])
    a, b = pair.both("search_matrix_pairs", using="m", sample=100, limit=3, query_filter=flt)
    key = lambda p: (p.a, p.b)  # noqa: E731
    assert [key(p) for p in sorted(a.pairs, key=key)] == [key(p) for p in sorted(b.pairs, key=key)]
    assert all(abs(x.score - y.score) < 1e-4 for x, y in zip(sorted(a.pairs, key=key), sorted(b.pairs, key=key)))
