"""Sparse vectors, dense datatypes and named-vector changes over gRPC (issue 13): the official
client with `prefer_grpc=True` against qdb serve, answered exactly as the same client over REST
(and, for what local mode serves, as `QdrantClient(":memory:")`): create with
`sparse_vectors_config` and `datatype`, collection info, upsert/update/delete of sparse
vectors, retrieve/scroll/query results carrying them, `using`, and CreateVectorName /
DeleteVectorName.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from qdrant_client import QdrantClient, models

from qdb_helpers import unique


def sparse(r: random.Random) -> models.SparseVector:
    idx = sorted(r.sample(range(40), r.randint(1, 6)))
    return models.SparseVector(indices=idx, values=[round(r.uniform(0.1, 2), 3) for _ in idx])


def dense(r: random.Random) -> list[float]:
    return [round(r.uniform(-1, 1), 4) for _ in range(4)]


def norm(points) -> dict:
    out = {}
    for p in points:
        vec = {}
        for k, v in (p.vector or {}).items() if isinstance(p.vector, dict) else [("", p.vector)] if p.vector else []:
            vec[k] = (tuple(v.indices), tuple(round(x, 5) for x in v.values)) if isinstance(v, models.SparseVector) \
                else tuple(round(x, 5) for x in v)
        out[p.id] = (vec, p.payload)
    return out


def top(res) -> list:
    return [(p.id, p.score) for p in res.points]


def same(a: list, b: list):
    """The same ids in order and scores within 1e-5 (gRPC carries f32, REST JSON its decimal form)."""
    assert [i for i, _ in a] == [i for i, _ in b], (a, b)
    assert np.allclose([s for _, s in a], [s for _, s in b], atol=1e-5), (a, b)


@pytest.fixture()
def served(server_factory):
    """The server, and the official client over gRPC and over REST."""
    srv = server_factory(env={"QDB__STORAGE__APPENDABLE_MAX_POINTS": "40"})
    g = QdrantClient(url=srv.url, grpc_port=srv.grpc_port, prefer_grpc=True, timeout=60)
    rest = QdrantClient(url=srv.url, prefer_grpc=False, timeout=60)
    yield srv, g, rest
    g.close()
    rest.close()


@pytest.fixture()
def clients(served):
    return served[1:]


def test_sparse_and_datatypes_over_grpc_equal_rest(clients):
    g, rest = clients
    local = QdrantClient(":memory:")
    name = unique("gvk")
    cfg = dict(vectors_config={"d": models.VectorParams(size=4, distance=models.Distance.COSINE, datatype=models.Datatype.FLOAT16)},
               sparse_vectors_config={"s": models.SparseVectorParams(),
                                      "t": models.SparseVectorParams(modifier=models.Modifier.IDF,
                                                                     index=models.SparseIndexParams(full_scan_threshold=5000))})
    g.create_collection(name, **cfg)
    local.create_collection(name, **cfg)
    info_g, info_r = g.get_collection(name), rest.get_collection(name)
    assert info_g.config.params.sparse_vectors == info_r.config.params.sparse_vectors
    assert info_g.config.params.sparse_vectors["t"].modifier == models.Modifier.IDF
    assert info_g.config.params.sparse_vectors["t"].index.full_scan_threshold == 5000
    assert info_g.config.params.vectors["d"].datatype == models.Datatype.FLOAT16 == info_r.config.params.vectors["d"].datatype

    r = random.Random(12)
    pts = []
    for i in range(100):
        v = {}
        if i % 5:
            v["d"] = dense(r)
        if i % 3:
            v["s"] = sparse(r)
        if i % 4:
            v["t"] = sparse(r)
        pts.append(models.PointStruct(id=i, vector=v, payload={"i": i}))
    for start in range(0, 100, 25):
        g.upsert(name, points=pts[start:start + 25], wait=True)
        local.upsert(name, points=pts[start:start + 25], wait=True)
    sg = g.scroll(name, limit=1000, with_vectors=True)[0]
    sr = rest.scroll(name, limit=1000, with_vectors=True)[0]
    assert norm(sg) == norm(sr)
    assert any(isinstance(p.vector.get("s"), models.SparseVector) for p in sg)
    got = g.retrieve(name, ids=[1, 2, 3], with_vectors=["s", "d"])
    assert norm(got) == norm(rest.retrieve(name, ids=[1, 2, 3], with_vectors=["s", "d"]))
    for _ in range(5):
        for using in ("s", "t"):
            q = sparse(r)
            a = g.query_points(name, query=q, using=using, limit=10, with_vectors=True)
            b = rest.query_points(name, query=q, using=using, limit=10, with_vectors=True)
            same(top(a), top(b))
            assert norm(a.points) == norm(b.points)
            c = local.query_points(name, query=q, using=using, limit=10)
            assert np.allclose([s for _, s in top(a)], [p.score for p in c.points], atol=1e-4)
        q = dense(r)
        same(top(g.query_points(name, query=q, using="d", limit=10)), top(rest.query_points(name, query=q, using="d", limit=10)))
        # Hybrid: a sparse and a dense prefetch fused.
        h = dict(prefetch=[models.Prefetch(query=sparse(r), using="s", limit=20), models.Prefetch(query=q, using="d", limit=20)],
                 query=models.FusionQuery(fusion=models.Fusion.RRF), limit=10)
        same(top(g.query_points(name, **h)), top(rest.query_points(name, **h)))
    # Named-vector edits of points carry sparse vectors too.
    g.update_vectors(name, points=[models.PointVectors(id=i, vector={"s": sparse(r)}) for i in range(0, 100, 7)], wait=True)
    g.delete_vectors(name, vectors=["t"], points=list(range(0, 100, 9)), wait=True)
    assert norm(g.scroll(name, limit=1000, with_vectors=True)[0]) == norm(rest.scroll(name, limit=1000, with_vectors=True)[0])
    flt = models.Filter(must=[models.HasVectorCondition(has_vector="t")])
    assert g.count(name, count_filter=flt).count == rest.count(name, count_filter=flt).count


def test_create_and_delete_vector_name_over_grpc(clients):
    g, rest = clients
    name = unique("gvn")
    g.create_collection(name, vectors_config={"a": models.VectorParams(size=2, distance=models.Distance.DOT)})
    g.upsert(name, points=[models.PointStruct(id=i, vector={"a": [i, 1]}) for i in range(10)], wait=True)
    g.create_vector_name(name, "u", models.DenseVectorNameConfig(
        dense=models.DenseVectorConfig(size=3, distance=models.Distance.EUCLID, datatype=models.VectorStorageDatatype.UINT8)))
    g.create_vector_name(name, "sp", models.SparseVectorNameConfig(sparse=models.SparseVectorConfig(modifier=models.Modifier.IDF)))
    info = rest.get_collection(name).config.params
    assert info.vectors["u"].size == 3 and info.vectors["u"].datatype == models.Datatype.UINT8
    assert info.sparse_vectors["sp"].modifier == models.Modifier.IDF
    with pytest.raises(Exception) as e:
        g.create_vector_name(name, "u", models.SparseVectorNameConfig(sparse=models.SparseVectorConfig()))
    assert "already exists as a dense vector" in str(e.value)
    g.update_vectors(name, points=[models.PointVectors(id=1, vector={"u": [1.7, 300, -2], "sp": models.SparseVector(indices=[3], values=[1])})], wait=True)
    p = g.retrieve(name, ids=[1], with_vectors=True)[0]
    assert p.vector["u"] == [1, 255, 0] and p.vector["sp"].indices == [3]
    g.delete_vector_name(name, "a")
    g.delete_vector_name(name, "missing")  # a no-op, as in Qdrant
    info = g.get_collection(name).config.params
    assert set(info.vectors) == {"u"} and set(info.sparse_vectors) == {"sp"}
    assert set(rest.retrieve(name, ids=[1], with_vectors=True)[0].vector) == {"u", "sp"}


def test_create_multivector_name_over_grpc(clients):
    """CreateVectorName's `dense_config.multivector_config` (Qdrant's field 3) adds a multivector."""
    g, rest = clients
    name = unique("gvnm")
    g.create_collection(name, vectors_config={"a": models.VectorParams(size=2, distance=models.Distance.DOT)})
    g.upsert(name, points=[models.PointStruct(id=i, vector={"a": [i, 1]}) for i in range(5)], wait=True)
    mv = models.MultiVectorConfig(comparator=models.MultiVectorComparator.MAX_SIM)
    g.create_vector_name(name, "m", models.DenseVectorNameConfig(dense=models.DenseVectorConfig(size=2, distance=models.Distance.DOT, multivector_config=mv)))
    assert rest.get_collection(name).config.params.vectors["m"].multivector_config == mv
    g.update_vectors(name, points=[models.PointVectors(id=1, vector={"m": [[1, 2], [3, 4]]})], wait=True)
    assert rest.retrieve(name, ids=[1], with_vectors=True)[0].vector["m"] == [[1, 2], [3, 4]]
    hits = g.query_points(name, query=[[1, 0]], using="m", limit=3).points
    assert [(h.id, h.score) for h in hits] == [(1, 3.0)]


def test_update_vectors_over_grpc_carries_multivectors(clients):
    """`UpdateVectors` with a multivector replaces it (not silently dropped), as over REST."""
    g, rest = clients
    local = QdrantClient(":memory:")
    name = unique("gmv")
    cfg = dict(vectors_config={"d": models.VectorParams(size=3, distance=models.Distance.DOT),
                               "m": models.VectorParams(size=3, distance=models.Distance.DOT,
                                                        multivector_config=models.MultiVectorConfig(
                                                            comparator=models.MultiVectorComparator.MAX_SIM))})
    g.create_collection(name, **cfg)
    local.create_collection(name, **cfg)
    r = random.Random(5)
    pts = [models.PointStruct(id=i, vector={"d": [r.uniform(-1, 1) for _ in range(3)],
                                            "m": [[r.uniform(-1, 1) for _ in range(3)] for _ in range(1 + i % 3)]})
           for i in range(20)]
    for c in (g, local):
        c.upsert(name, points=pts, wait=True)
    upd = [models.PointVectors(id=i, vector={"m": [[r.uniform(-1, 1) for _ in range(3)] for _ in range(2)]}) for i in range(0, 20, 3)]
    for c in (g, local):
        c.update_vectors(name, points=upd, wait=True)

    def vecs(c):
        return {p.id: [[round(x, 4) for x in v] for v in p.vector["m"]] for p in c.scroll(name, limit=100, with_vectors=["m"])[0]}
    assert vecs(g) == vecs(rest) == vecs(local)
    q = [[0.3, -0.2, 0.9], [0.1, 0.5, -0.4]]
    a = g.query_points(name, query=q, using="m", limit=10)
    b = local.query_points(name, query=q, using="m", limit=10)
    assert [p.id for p in a.points] == [p.id for p in b.points]
    assert np.allclose([p.score for p in a.points], [p.score for p in b.points], atol=1e-4)


def test_legacy_search_rpcs_take_sparse_vectors(served):
    """Search, SearchBatch and SearchGroups with `sparse_indices` (the values in `vector`, as
    Qdrant's clients send a sparse legacy search) answer as REST's legacy search by
    `{"name", "vector": {indices, values}}`."""
    import grpc
    from qdrant_client import grpc as qg

    srv, g, _ = served
    name = unique("gls")
    g.create_collection(name, vectors_config={}, sparse_vectors_config={"s": models.SparseVectorParams()})
    r = random.Random(8)
    g.upsert(name, points=[models.PointStruct(id=i, vector={"s": sparse(r)}, payload={"g": i % 3}) for i in range(60)], wait=True)
    url = srv.url
    channel = grpc.insecure_channel(f"127.0.0.1:{srv.grpc_port}")
    stub = qg.PointsStub(channel)
    try:
        for _ in range(5):
            q = sparse(r)
            want = requests_post(url, f"/collections/{name}/points/search",
                                 {"vector": {"name": "s", "vector": {"indices": q.indices, "values": q.values}}, "limit": 7})
            legacy = qg.SearchPoints(collection_name=name, vector=q.values, sparse_indices=qg.SparseIndices(data=q.indices),
                                     vector_name="s", limit=7)
            got = stub.Search(legacy, timeout=30).result
            same([(p.id.num, p.score) for p in got], [(p["id"], p["score"]) for p in want])
            batch = stub.SearchBatch(qg.SearchBatchPoints(collection_name=name, search_points=[legacy, legacy]), timeout=30).result
            assert [[p.id.num for p in b.result] for b in batch] == [[p["id"] for p in want]] * 2
            groups = stub.SearchGroups(qg.SearchPointGroups(collection_name=name, vector=q.values, vector_name="s",
                                                            sparse_indices=qg.SparseIndices(data=q.indices),
                                                            limit=3, group_by="g", group_size=2), timeout=30).result.groups
            want_groups = requests_post(url, f"/collections/{name}/points/search/groups",
                                        {"vector": {"name": "s", "vector": {"indices": q.indices, "values": q.values}},
                                         "limit": 3, "group_by": "g", "group_size": 2})["groups"]
            assert [[h.id.num for h in gr.hits] for gr in groups] == [[h["id"] for h in gr["hits"]] for gr in want_groups]
    finally:
        channel.close()


def requests_post(url: str, path: str, body: dict):
    import requests
    resp = requests.post(url.rstrip("/") + path, json=body, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()["result"]
