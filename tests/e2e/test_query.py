"""Vector search: POST …/points/query and the legacy POST …/points/search, checked against
numpy brute force for every distance; limit/offset/score_threshold/filter/using."""

import numpy as np
import pytest

from qdb_helpers import (as_json_vec, assert_vec_close, check_scored, create_collection, err,
                         normalized, ok, rand_vectors, ref_scores, unique, upsert)

N, DIM = 300, 8
DISTANCES = ["Cosine", "Dot", "Euclid", "Manhattan"]


@pytest.fixture(scope="module")
def collections(qdb):
    """One collection per distance with the same N random points (+ payload g = id % 5)."""
    api = qdb.api()
    vecs = rand_vectors(N, DIM, seed=42)
    ids = list(range(1, N + 1))
    out = {}
    for dist in DISTANCES:
        name = unique(f"q_{dist.lower()}")
        create_collection(api, name, size=DIM, distance=dist)
        for s in range(0, N, 100):
            upsert(api, name, points=[{"id": ids[i], "vector": as_json_vec(vecs[i]),
                                       "payload": {"g": ids[i] % 5, "id": ids[i]}}
                                      for i in range(s, s + 100)])
        out[dist] = name
    return {"names": out, "vecs": vecs, "ids": ids}


def _queries(n=5, seed=7):
    return rand_vectors(n, DIM, seed=seed)


def _query(api, name, body):
    res = ok(api.post(f"/collections/{name}/points/query", json=body))
    assert isinstance(res, dict) and isinstance(res.get("points"), list), res
    return res["points"]


@pytest.mark.parametrize("distance", DISTANCES)
def test_query_matches_brute_force(api, collections, distance):
    name = collections["names"][distance]
    for q in _queries():
        pts = _query(api, name, {"query": as_json_vec(q), "limit": 10})
        check_scored(pts, collections["ids"], collections["vecs"], q, distance, 10)


@pytest.mark.parametrize("distance", DISTANCES)
def test_legacy_search_matches_brute_force(api, collections, distance):
    name = collections["names"][distance]
    for q in _queries(3, seed=8):
        res = ok(api.post(f"/collections/{name}/points/search",
                          json={"vector": as_json_vec(q), "limit": 10}))
        assert isinstance(res, list), res
        check_scored(res, collections["ids"], collections["vecs"], q, distance, 10)


@pytest.mark.parametrize("distance", DISTANCES)
def test_query_offset(api, collections, distance):
    name = collections["names"][distance]
    q = _queries(1, seed=9)[0]
    pts = _query(api, name, {"query": as_json_vec(q), "limit": 5, "offset": 10})
    check_scored(pts, collections["ids"], collections["vecs"], q, distance, 5, offset=10)
    full = _query(api, name, {"query": as_json_vec(q), "limit": 15})
    assert [p["id"] for p in pts] == [p["id"] for p in full[10:15]]


@pytest.mark.parametrize("distance", DISTANCES)
def test_query_with_filter(api, collections, distance):
    name = collections["names"][distance]
    flt = {"must": [{"key": "g", "match": {"any": [1, 3]}}],
           "must_not": [{"has_id": [1, 3, 6, 8]}]}
    allowed = {i for i in collections["ids"] if i % 5 in (1, 3) and i not in (1, 3, 6, 8)}
    for q in _queries(3, seed=10):
        pts = _query(api, name, {"query": as_json_vec(q), "limit": 10, "filter": flt,
                                 "with_payload": True})
        check_scored(pts, collections["ids"], collections["vecs"], q, distance, 10,
                     allowed=allowed)
        assert all(p["payload"]["g"] in (1, 3) for p in pts)
        res = ok(api.post(f"/collections/{name}/points/search",
                          json={"vector": as_json_vec(q), "limit": 10, "filter": flt}))
        check_scored(res, collections["ids"], collections["vecs"], q, distance, 10,
                     allowed=allowed)


def test_query_filter_matching_few_points(api, collections):
    name = collections["names"]["Dot"]
    q = _queries(1, seed=11)[0]
    flt = {"must": [{"has_id": [5, 50, 250]}]}
    pts = _query(api, name, {"query": as_json_vec(q), "limit": 10, "filter": flt})
    check_scored(pts, collections["ids"], collections["vecs"], q, "Dot", 10,
                 allowed={5, 50, 250})
    assert len(pts) == 3


@pytest.mark.parametrize("distance", ["Cosine", "Euclid"])
def test_score_threshold(api, collections, distance):
    name = collections["names"][distance]
    q = _queries(1, seed=12)[0]
    scores = ref_scores(distance, q, collections["vecs"])
    ordered = sorted(scores, reverse=(distance == "Cosine"))
    # Threshold halfway between the 6th and 7th best so exactly 6 pass.
    thr = float((ordered[5] + ordered[6]) / 2)
    pts = _query(api, name, {"query": as_json_vec(q), "limit": 50, "score_threshold": thr})
    check_scored(pts, collections["ids"], collections["vecs"], q, distance, 50,
                 score_threshold=thr)
    assert len(pts) == 6
    res = ok(api.post(f"/collections/{name}/points/search",
                      json={"vector": as_json_vec(q), "limit": 50, "score_threshold": thr}))
    assert [p["id"] for p in res] == [p["id"] for p in pts]


def test_with_payload_and_with_vector(api, collections):
    name = collections["names"]["Cosine"]
    vecs = collections["vecs"]
    q = _queries(1, seed=13)[0]
    pts = _query(api, name, {"query": as_json_vec(q), "limit": 3, "with_payload": True,
                             "with_vector": True})
    for p in pts:
        assert p["payload"] == {"g": p["id"] % 5, "id": p["id"]}
        assert_vec_close(p["vector"], normalized(vecs[p["id"] - 1]))
    pts = _query(api, name, {"query": as_json_vec(q), "limit": 3})
    # Defaults: no payload, no vector.
    assert all(not p.get("payload") and not p.get("vector") for p in pts)
    res = ok(api.post(f"/collections/{name}/points/search",
                      json={"vector": as_json_vec(q), "limit": 3, "with_payload": True,
                            "with_vector": True}))
    assert all(p["payload"]["id"] == p["id"] and len(p["vector"]) == DIM for p in res)


def test_default_limit_is_10(api, collections):
    name = collections["names"]["Dot"]
    q = _queries(1, seed=14)[0]
    assert len(_query(api, name, {"query": as_json_vec(q)})) == 10


def test_limit_larger_than_collection(api):
    name = unique("small")
    create_collection(api, name, size=2, distance="Euclid")
    upsert(api, name, points=[{"id": i, "vector": [i, 0]} for i in range(1, 4)])
    pts = _query(api, name, {"query": [0, 0], "limit": 100})
    assert [p["id"] for p in pts] == [1, 2, 3]
    assert [round(p["score"], 5) for p in pts] == [1.0, 2.0, 3.0]


def test_empty_collection_query(api):
    name = unique("empty")
    create_collection(api, name, size=2, distance="Dot")
    assert _query(api, name, {"query": [1, 0], "limit": 5}) == []


def test_named_vectors_query_using(api):
    name = unique("namedq")
    ok(api.put(f"/collections/{name}", json={"vectors": {
        "img": {"size": 4, "distance": "Dot"}, "txt": {"size": 2, "distance": "Euclid"}}}))
    n = 50
    img = rand_vectors(n, 4, seed=21)
    txt = rand_vectors(n, 2, seed=22)
    ids = list(range(1, n + 1))
    upsert(api, name, batch={"ids": ids, "vectors": {"img": [as_json_vec(v) for v in img],
                                                     "txt": [as_json_vec(v) for v in txt]}})
    qi = rand_vectors(1, 4, seed=23)[0]
    qt = rand_vectors(1, 2, seed=24)[0]
    pts = _query(api, name, {"query": as_json_vec(qi), "using": "img", "limit": 5})
    check_scored(pts, ids, img, qi, "Dot", 5)
    pts = _query(api, name, {"query": as_json_vec(qt), "using": "txt", "limit": 5,
                             "with_vector": True})
    check_scored(pts, ids, txt, qt, "Euclid", 5)
    for p in pts:
        assert_vec_close(p["vector"]["txt"], txt[p["id"] - 1])

    res = ok(api.post(f"/collections/{name}/points/search",
                      json={"vector": {"name": "img", "vector": as_json_vec(qi)}, "limit": 5}))
    check_scored(res, ids, img, qi, "Dot", 5)
    res = ok(api.post(f"/collections/{name}/points/search",
                      json={"vector": {"name": "txt", "vector": as_json_vec(qt)}, "limit": 5}))
    check_scored(res, ids, txt, qt, "Euclid", 5)

    # Unknown vector name, or no name on a named-only collection.
    err(api.post(f"/collections/{name}/points/query",
                 json={"query": [1, 2, 3, 4], "using": "nope", "limit": 5}), 400, 404, 422)
    err(api.post(f"/collections/{name}/points/query",
                 json={"query": [1, 2, 3, 4], "limit": 5}), 400, 404, 422)


def test_query_after_delete_and_update(api):
    name = unique("qdu")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [float(i), 0.0]} for i in range(1, 11)])
    ok(api.post(f"/collections/{name}/points/delete", params={"wait": "true"},
                json={"points": [10, 9]}))
    upsert(api, name, points=[{"id": 1, "vector": [100.0, 0.0]}])
    pts = _query(api, name, {"query": [1.0, 0.0], "limit": 3})
    assert [p["id"] for p in pts] == [1, 8, 7]
    assert [p["score"] for p in pts] == pytest.approx([100.0, 8.0, 7.0])


def test_versions_in_scored_points(api):
    name = unique("ver")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": 1, "vector": [1, 0]}])
    v1 = _query(api, name, {"query": [1, 0], "limit": 1})[0]["version"]
    upsert(api, name, points=[{"id": 1, "vector": [2, 0]}])
    v2 = _query(api, name, {"query": [1, 0], "limit": 1})[0]["version"]
    assert isinstance(v1, int) and isinstance(v2, int) and v2 > v1


def test_cosine_zero_scores_are_consistent(api):
    name = unique("cos")
    create_collection(api, name, size=3, distance="Cosine")
    upsert(api, name, points=[{"id": 1, "vector": [1, 0, 0]}, {"id": 2, "vector": [0, 1, 0]},
                              {"id": 3, "vector": [-1, 0, 0]}, {"id": 4, "vector": [2, 2, 0]}])
    pts = _query(api, name, {"query": [10, 0, 0], "limit": 4})
    assert [p["id"] for p in pts] == [1, 4, 2, 3]
    assert [p["score"] for p in pts] == pytest.approx([1.0, float(np.sqrt(0.5)), 0.0, -1.0],
                                                      abs=1e-5)
