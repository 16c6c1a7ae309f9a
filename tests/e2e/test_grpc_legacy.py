"""The RPCs qdrant-client 1.20 no longer wraps but Qdrant 1.19 serves (SearchBatch, SearchGroups,
Recommend, RecommendBatch, RecommendGroups, Discover, DiscoverBatch) and the distance matrix,
called through qdrant-client's generated stubs (`qdrant_client.grpc`) and compared with the
same requests over REST."""

from __future__ import annotations

import grpc
import pytest
from qdrant_client import QdrantClient, grpc as q, models

from qdb_helpers import ok, unique


@pytest.fixture(scope="module")
def setup(qdb):
    name = unique("leg")
    c = QdrantClient(host="127.0.0.1", port=qdb.port, grpc_port=qdb.grpc_port, prefer_grpc=True, https=False,
                     timeout=60, check_compatibility=False)
    c.create_collection(name, vectors_config=models.VectorParams(size=3, distance=models.Distance.COSINE))
    c.upsert(name, [models.PointStruct(id=i, vector=[1 + i % 3, i % 5, 2 - i % 2], payload={"g": i % 4, "i": i}) for i in range(1, 31)])
    channel = grpc.insecure_channel(f"127.0.0.1:{qdb.grpc_port}")
    yield name, q.PointsStub(channel), qdb.api()
    channel.close()
    c.close()


def pid(n):
    return q.PointId(num=n)


def ids(points):
    return [p.id.num for p in points]


def rest_ids(res):
    return [p["id"] for p in res]


def test_search_batch_and_groups(setup):
    name, stub, api = setup
    r = stub.SearchBatch(q.SearchBatchPoints(collection_name=name, search_points=[
        q.SearchPoints(collection_name=name, vector=[1, 0, 0], limit=4),
        q.SearchPoints(collection_name=name, vector=[0, 1, 0], limit=3, offset=1)]))
    want = ok(api.post(f"/collections/{name}/points/search/batch", json={"searches": [
        {"vector": [1, 0, 0], "limit": 4}, {"vector": [0, 1, 0], "limit": 3, "offset": 1}]}))
    assert [ids(b.result) for b in r.result] == [rest_ids(b) for b in want]
    g = stub.SearchGroups(q.SearchPointGroups(collection_name=name, vector=[1, 1, 0], limit=3, group_by="g", group_size=2))
    want = ok(api.post(f"/collections/{name}/points/search/groups", json={"vector": [1, 1, 0], "limit": 3, "group_by": "g", "group_size": 2}))
    assert [(x.id.unsigned_value or x.id.integer_value, ids(x.hits)) for x in g.result.groups] == \
        [(x["id"], rest_ids(x["hits"])) for x in want["groups"]]


def test_recommend_batch_and_groups(setup):
    name, stub, api = setup
    req = q.RecommendPoints(collection_name=name, positive=[pid(1), pid(4)], negative=[pid(2)], limit=5,
                            strategy=q.RecommendStrategy.BestScore, positive_vectors=[q.Vector(data=[0, 1, 1])])
    body = {"positive": [1, 4, [0, 1, 1]], "negative": [2], "limit": 5, "strategy": "best_score"}
    want = rest_ids(ok(api.post(f"/collections/{name}/points/recommend", json=body)))
    assert ids(stub.Recommend(req).result) == want
    r = stub.RecommendBatch(q.RecommendBatchPoints(collection_name=name, recommend_points=[req, req]))
    assert [ids(b.result) for b in r.result] == [want, want]
    g = stub.RecommendGroups(q.RecommendPointGroups(collection_name=name, positive=[pid(3)], limit=2, group_by="g", group_size=1))
    rest = ok(api.post(f"/collections/{name}/points/recommend/groups", json={"positive": [3], "limit": 2, "group_by": "g", "group_size": 1}))
    assert [ids(x.hits) for x in g.result.groups] == [rest_ids(x["hits"]) for x in rest["groups"]]


def test_discover_and_batch(setup):
    name, stub, api = setup
    ex = lambda n: q.VectorExample(id=pid(n))  # noqa: E731
    req = q.DiscoverPoints(collection_name=name, target=q.TargetVector(single=q.VectorExample(vector=q.Vector(data=[0, 0, 1]))),
                           context=[q.ContextExamplePair(positive=ex(5), negative=ex(6))], limit=4)
    want = rest_ids(ok(api.post(f"/collections/{name}/points/discover", json={
        "target": [0, 0, 1], "context": [{"positive": 5, "negative": 6}], "limit": 4})))
    assert ids(stub.Discover(req).result) == want
    r = stub.DiscoverBatch(q.DiscoverBatchPoints(collection_name=name, discover_points=[req]))
    assert [ids(b.result) for b in r.result] == [want]


def test_matrix_pairs_and_offsets_over_grpc(setup):
    name, stub, api = setup
    client_pairs = stub.SearchMatrixPairs(q.SearchMatrixPoints(collection_name=name, sample=30, limit=2))
    rest = ok(api.post(f"/collections/{name}/points/search/matrix/pairs", json={"sample": 30, "limit": 2}))
    assert [(p.a.num, p.b.num) for p in client_pairs.result.pairs] == [(p["a"], p["b"]) for p in rest["pairs"]]
    offsets = stub.SearchMatrixOffsets(q.SearchMatrixPoints(collection_name=name, sample=30, limit=2))
    rest = ok(api.post(f"/collections/{name}/points/search/matrix/offsets", json={"sample": 30, "limit": 2}))
    assert list(offsets.result.offsets_row) == rest["offsets_row"] and list(offsets.result.offsets_col) == rest["offsets_col"]
    assert [i.num for i in offsets.result.ids] == rest["ids"]
    assert list(offsets.result.scores) == pytest.approx(rest["scores"], abs=1e-4)


def test_bad_legacy_requests_are_invalid_argument(setup):
    name, stub, _ = setup
    for call in (lambda: stub.Recommend(q.RecommendPoints(collection_name=name, positive=[pid(1)])),  # limit 0
                 lambda: stub.SearchGroups(q.SearchPointGroups(collection_name=name, vector=[1, 0, 0], limit=3, group_by="g")),
                 lambda: stub.SearchMatrixPairs(q.SearchMatrixPoints(collection_name=name, sample=1))):
        with pytest.raises(grpc.RpcError) as e:
            call()
        assert e.value.code() == grpc.StatusCode.INVALID_ARGUMENT, e.value.details()


def test_rpcs_rest_does_not_serve_either_are_unimplemented(qdb):
    # Shard keys: qdb serves neither the REST routes nor the RPCs.
    with grpc.insecure_channel(f"127.0.0.1:{qdb.grpc_port}") as channel, pytest.raises(grpc.RpcError) as e:
        q.CollectionsStub(channel).CreateShardKey(q.CreateShardKeyRequest(collection_name="x"))
    assert e.value.code() == grpc.StatusCode.UNIMPLEMENTED
