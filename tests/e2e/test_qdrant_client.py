"""The official qdrant-client (REST) drives qdb; results are checked against numpy."""

import uuid

import numpy as np
import pytest
from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import UnexpectedResponse

from qdb_helpers import as_json_vec, assert_vec_close, check_scored, normalized, rand_vectors

DIM = 8
N = 120
DISTANCES = {
    "Cosine": models.Distance.COSINE,
    "Dot": models.Distance.DOT,
    "Euclid": models.Distance.EUCLID,
    "Manhattan": models.Distance.MANHATTAN,
}


@pytest.fixture(scope="module")
def client(qdb):
    c = QdrantClient(url=qdb.url, prefer_grpc=False, timeout=60)
    yield c
    c.close()


def _name(prefix):
    return f"{prefix}_{uuid.uuid4().hex[:8]}"


def _as_dicts(points):
    return [{"id": p.id, "version": p.version, "score": p.score} for p in points]


@pytest.mark.parametrize("dist", list(DISTANCES))
def test_full_flow(client, dist):
    name = _name(f"qc_{dist.lower()}")
    assert client.create_collection(
        name, vectors_config=models.VectorParams(size=DIM, distance=DISTANCES[dist])) is True
    assert client.collection_exists(name) is True
    assert name in [c.name for c in client.get_collections().collections]

    vecs = rand_vectors(N, DIM, seed=100 + list(DISTANCES).index(dist))
    ids = list(range(1, N + 1))
    payloads = [{"g": i % 3, "name": f"p{i}"} for i in ids]
    half = N // 2
    res = client.upsert(name, points=models.Batch(
        ids=ids[:half], vectors=[as_json_vec(v) for v in vecs[:half]], payloads=payloads[:half]))
    assert res.status == models.UpdateStatus.COMPLETED
    res = client.upsert(name, points=[
        models.PointStruct(id=ids[i], vector=as_json_vec(vecs[i]), payload=payloads[i])
        for i in range(half, N)])
    assert res.status == models.UpdateStatus.COMPLETED

    # count
    assert client.count(name, exact=True).count == N
    flt = models.Filter(must=[models.FieldCondition(key="g", match=models.MatchValue(value=1))])
    assert client.count(name, count_filter=flt, exact=True).count == sum(
        1 for i in ids if i % 3 == 1)

    # retrieve
    recs = client.retrieve(name, ids=[1, half, half + 1, N, 10_000], with_vectors=True)
    assert sorted(r.id for r in recs) == [1, half, half + 1, N]
    for r in recs:
        want = vecs[r.id - 1]
        assert_vec_close(r.vector, normalized(want) if dist == "Cosine" else want)
        assert r.payload == payloads[r.id - 1]

    # scroll with pagination
    seen, offset, pages = [], None, 0
    while True:
        pts, offset = client.scroll(name, limit=25, offset=offset, with_payload=True)
        pages += 1
        seen.extend(p.id for p in pts)
        assert all(p.payload == payloads[p.id - 1] for p in pts)
        if offset is None:
            break
    assert seen == ids and pages == (N + 24) // 25
    pts, nxt = client.scroll(name, scroll_filter=flt, limit=1000)
    assert [p.id for p in pts] == [i for i in ids if i % 3 == 1] and nxt is None

    # query_points without and with a filter, vs brute force
    for q in rand_vectors(3, DIM, seed=5):
        got = client.query_points(name, query=as_json_vec(q), limit=10).points
        check_scored(_as_dicts(got), ids, vecs, q, dist, 10)
        got = client.query_points(name, query=as_json_vec(q), query_filter=flt, limit=10,
                                  with_payload=True).points
        check_scored(_as_dicts(got), ids, vecs, q, dist, 10,
                     allowed={i for i in ids if i % 3 == 1})
        assert all(p.payload["g"] == 1 for p in got)

    # get_collection
    info = client.get_collection(name)
    assert info.status == models.CollectionStatus.GREEN
    assert info.points_count == N
    assert info.config.params.vectors.size == DIM
    assert info.config.params.vectors.distance == DISTANCES[dist]

    # delete by ids and by filter
    res = client.delete(name, points_selector=models.PointIdsList(points=[1, 2, 3]))
    assert res.status == models.UpdateStatus.COMPLETED
    assert client.count(name).count == N - 3
    client.delete(name, points_selector=models.FilterSelector(filter=flt))
    remaining = [i for i in ids if i > 3 and i % 3 != 1]
    assert client.count(name, exact=True).count == len(remaining)
    q = rand_vectors(1, DIM, seed=6)[0]
    got = client.query_points(name, query=as_json_vec(q), limit=10).points
    check_scored(_as_dicts(got), ids, vecs, q, dist, 10, allowed=set(remaining))
    assert client.get_collection(name).points_count == len(remaining)

    assert client.delete_collection(name) is True
    assert client.collection_exists(name) is False


def test_named_vectors(client):
    name = _name("qc_named")
    client.create_collection(name, vectors_config={
        "img": models.VectorParams(size=4, distance=models.Distance.DOT),
        "txt": models.VectorParams(size=2, distance=models.Distance.EUCLID)})
    img = rand_vectors(30, 4, seed=1)
    txt = rand_vectors(30, 2, seed=2)
    ids = list(range(30))
    client.upsert(name, points=[models.PointStruct(
        id=i, vector={"img": as_json_vec(img[i]), "txt": as_json_vec(txt[i])}) for i in ids[:15]])
    client.upsert(name, points=models.Batch(
        ids=ids[15:], vectors={"img": [as_json_vec(v) for v in img[15:]],
                               "txt": [as_json_vec(v) for v in txt[15:]]}))
    q = rand_vectors(1, 4, seed=3)[0]
    got = client.query_points(name, query=as_json_vec(q), using="img", limit=5).points
    check_scored(_as_dicts(got), ids, img, q, "Dot", 5)
    q2 = rand_vectors(1, 2, seed=4)[0]
    got = client.query_points(name, query=as_json_vec(q2), using="txt", limit=5,
                              with_vectors=True).points
    check_scored(_as_dicts(got), ids, txt, q2, "Euclid", 5)
    assert_vec_close(got[0].vector["txt"], txt[got[0].id])
    info = client.get_collection(name)
    assert info.config.params.vectors["img"].size == 4
    assert info.config.params.vectors["txt"].distance == models.Distance.EUCLID


def test_uuid_ids_and_wait_false(client):
    name = _name("qc_uuid")
    client.create_collection(name, vectors_config=models.VectorParams(
        size=2, distance=models.Distance.DOT))
    u = [str(uuid.uuid4()) for _ in range(3)]
    res = client.upsert(name, points=[models.PointStruct(id=x, vector=[float(k), 1.0],
                                                         payload={"k": k})
                                      for k, x in enumerate(u)], wait=False)
    assert res.status in (models.UpdateStatus.ACKNOWLEDGED, models.UpdateStatus.COMPLETED)
    import time
    deadline = time.monotonic() + 10
    while client.count(name).count < 3:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    recs = client.retrieve(name, ids=[u[1]])
    assert recs[0].id == u[1] and recs[0].payload == {"k": 1}
    got = client.query_points(name, query=[1.0, 0.0], limit=1).points
    assert got[0].id == u[2]


def test_payload_operations_and_index(client):
    name = _name("qc_pl")
    client.create_collection(name, vectors_config=models.VectorParams(
        size=2, distance=models.Distance.DOT))
    client.upsert(name, points=[models.PointStruct(id=i, vector=[1.0, float(i)],
                                                   payload={"a": i, "b": "x"})
                                for i in range(1, 6)])
    client.set_payload(name, payload={"c": True}, points=[1, 2])
    client.overwrite_payload(name, payload={"only": 1}, points=[3])
    client.delete_payload(name, keys=["b"], points=[4])
    client.clear_payload(name, points_selector=models.PointIdsList(points=[5]))
    got = {r.id: r.payload for r in client.retrieve(name, ids=[1, 2, 3, 4, 5])}
    assert got == {1: {"a": 1, "b": "x", "c": True}, 2: {"a": 2, "b": "x", "c": True},
                   3: {"only": 1}, 4: {"a": 4}, 5: {}}
    res = client.create_payload_index(name, field_name="a",
                                      field_schema=models.PayloadSchemaType.INTEGER)
    assert res.status == models.UpdateStatus.COMPLETED
    info = client.get_collection(name)
    assert info.payload_schema["a"].data_type == models.PayloadSchemaType.INTEGER
    flt = models.Filter(must=[models.FieldCondition(key="a", range=models.Range(gte=2))])
    assert client.count(name, count_filter=flt).count == 2


def test_aliases(client):
    name, alias = _name("qc_al"), _name("alias")
    client.create_collection(name, vectors_config=models.VectorParams(
        size=2, distance=models.Distance.DOT))
    assert client.update_collection_aliases(change_aliases_operations=[
        models.CreateAliasOperation(create_alias=models.CreateAlias(
            collection_name=name, alias_name=alias))]) is True
    assert (alias, name) in [(a.alias_name, a.collection_name)
                             for a in client.get_aliases().aliases]
    assert [a.alias_name for a in client.get_collection_aliases(name).aliases] == [alias]
    client.upsert(alias, points=[models.PointStruct(id=1, vector=[1.0, 2.0])])
    assert client.count(name).count == 1
    client.update_collection_aliases(change_aliases_operations=[
        models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=alias))])
    assert client.get_collection_aliases(name).aliases == []


def test_errors_surface_as_unexpected_response(client):
    with pytest.raises(UnexpectedResponse) as e:
        client.get_collection(_name("missing"))
    assert e.value.status_code == 404
    name = _name("qc_err")
    client.create_collection(name, vectors_config=models.VectorParams(
        size=3, distance=models.Distance.COSINE))
    with pytest.raises(UnexpectedResponse) as e:
        client.upsert(name, points=[models.PointStruct(id=1, vector=[1.0, 2.0])])
    assert e.value.status_code == 400
    assert client.count(name).count == 0
    with pytest.raises(UnexpectedResponse) as e:
        client.create_collection(name, vectors_config=models.VectorParams(
            size=3, distance=models.Distance.COSINE))
    assert e.value.status_code == 409


def test_client_against_numpy_large_k(client):
    """limit close to the collection size: the whole ranking must match."""
    name = _name("qc_rank")
    client.create_collection(name, vectors_config=models.VectorParams(
        size=5, distance=models.Distance.EUCLID))
    vecs = rand_vectors(64, 5, seed=9)
    client.upsert(name, points=models.Batch(ids=list(range(64)),
                                            vectors=[as_json_vec(v) for v in vecs]))
    q = rand_vectors(1, 5, seed=10)[0]
    got = client.query_points(name, query=as_json_vec(q), limit=64).points
    want = np.argsort(np.linalg.norm(vecs.astype(np.float64) - q, axis=1), kind="stable")
    assert [p.id for p in got] == list(want)
    check_scored(_as_dicts(got), list(range(64)), vecs, q, "Euclid", 64)
