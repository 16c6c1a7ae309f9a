"""Point routes: upsert (points / batch / named / UUID ids / wait), retrieve, get by id,
scroll with pagination, count, delete by ids and by filter."""

import time
import uuid

import numpy as np

from qdb_helpers import (as_json_vec, assert_vec_close, count, create_collection, err,
                         norm_id, normalized, ok, rand_vectors, retrieve, scroll_all, unique,
                         upsert)


def test_upsert_points_and_retrieve_cosine_normalized(api):
    name = unique("pts")
    create_collection(api, name, size=4, distance="Cosine")
    vecs = {1: [1.0, 2.0, 3.0, 4.0], 2: [0.0, 0.0, 3.0, 4.0], 3: [-1.0, 0.5, 0.25, 2.0]}
    payloads = {1: {"city": "Berlin", "n": 1}, 2: {"city": "London", "tags": ["a", "b"]},
                3: {"nested": {"x": [1, 2, {"y": None}]}, "f": 1.5, "b": True}}
    res = upsert(api, name, points=[{"id": i, "vector": v, "payload": payloads[i]}
                                    for i, v in vecs.items()])
    assert res["operation_id"] >= 0

    recs = retrieve(api, name, [3, 1, 2])
    assert sorted(r["id"] for r in recs) == [1, 2, 3]
    for r in recs:
        assert r["payload"] == payloads[r["id"]]
        # Cosine vectors are stored normalized, as Qdrant does.
        assert_vec_close(r["vector"], normalized(vecs[r["id"]]))
    assert count(api, name) == 3


def test_upsert_batch(api):
    name = unique("batch")
    create_collection(api, name, size=3, distance="Dot")
    batch = {"ids": [10, 20, 30], "vectors": [[1, 2, 3], [4, 5, 6], [7, 8, 9]],
             "payloads": [{"a": 1}, {"a": 2}, {"a": 3}]}
    upsert(api, name, batch=batch)
    recs = {r["id"]: r for r in retrieve(api, name, [10, 20, 30])}
    assert recs[20]["vector"] == [4, 5, 6]
    assert recs[30]["payload"] == {"a": 3}
    # Batch without payloads.
    upsert(api, name, batch={"ids": [40], "vectors": [[0, 0, 1]]})
    rec = retrieve(api, name, [40])[0]
    assert rec["vector"] == [0, 0, 1]
    assert not rec.get("payload")
    assert count(api, name) == 4


def test_operation_ids_increase(api):
    name = unique("opid")
    create_collection(api, name, size=2, distance="Dot")
    a = upsert(api, name, points=[{"id": 1, "vector": [1, 1]}])["operation_id"]
    b = upsert(api, name, points=[{"id": 2, "vector": [1, 1]}])["operation_id"]
    assert b > a


def test_upsert_overwrites_vector_and_payload(api):
    name = unique("ow")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": 5, "vector": [1, 2], "payload": {"a": 1, "b": 2}}])
    upsert(api, name, points=[{"id": 5, "vector": [3, 4], "payload": {"c": 3}}])
    rec = retrieve(api, name, [5])[0]
    assert rec["vector"] == [3, 4]
    assert rec["payload"] == {"c": 3}
    assert count(api, name) == 1


def test_named_vectors_points_and_batch(api):
    name = unique("named")
    ok(api.put(f"/collections/{name}", json={"vectors": {
        "img": {"size": 4, "distance": "Dot"}, "txt": {"size": 2, "distance": "Euclid"}}}))
    upsert(api, name, points=[{"id": 1, "vector": {"img": [1, 0, 0, 0], "txt": [1, 1]},
                               "payload": {"k": "one"}}])
    upsert(api, name, batch={"ids": [2, 3], "vectors": {"img": [[0, 1, 0, 0], [0, 0, 1, 0]],
                                                         "txt": [[2, 2], [3, 3]]},
                             "payloads": [{"k": "two"}, {"k": "three"}]})
    recs = {r["id"]: r for r in retrieve(api, name, [1, 2, 3])}
    assert recs[1]["vector"] == {"img": [1, 0, 0, 0], "txt": [1, 1]}
    assert recs[3]["vector"] == {"img": [0, 0, 1, 0], "txt": [3, 3]}
    assert recs[2]["payload"] == {"k": "two"}

    # with_vector as a list of names selects vectors.
    rec = retrieve(api, name, [2], with_vector=["txt"])[0]
    assert rec["vector"] == {"txt": [2, 2]}


def test_uuid_ids(api):
    name = unique("uuid")
    create_collection(api, name, size=2, distance="Dot")
    u1 = str(uuid.uuid4())
    u2 = "550e8400-e29b-41d4-a716-446655440000"
    upsert(api, name, points=[{"id": u1, "vector": [1, 0], "payload": {"u": 1}},
                              {"id": u2, "vector": [0, 1], "payload": {"u": 2}},
                              {"id": 3, "vector": [1, 1], "payload": {"u": 3}}])
    rec = ok(api.get(f"/collections/{name}/points/{u2}"))
    assert rec["id"] == u2 and rec["payload"] == {"u": 2}
    recs = retrieve(api, name, [u1, 3])
    assert sorted(map(str, (r["id"] for r in recs))) == sorted([u1, "3"])
    # Numeric ids come before UUIDs in scroll order.
    ids = [p["id"] for p in scroll_all(api, name)]
    assert ids[0] == 3
    assert sorted(ids[1:]) == sorted([u1, u2])
    assert count(api, name) == 3
    ok(api.post(f"/collections/{name}/points/delete", params={"wait": "true"},
                json={"points": [u1]}))
    assert count(api, name) == 2
    err(api.get(f"/collections/{name}/points/{u1}"), 404)


def test_uuid_ids_are_canonicalized(api):
    name = unique("uuidc")
    create_collection(api, name, size=2, distance="Dot")
    upper = "6BA7B810-9DAD-11D1-80B4-00C04FD430C8"
    upsert(api, name, points=[{"id": upper, "vector": [1, 0]}])
    ids = [p["id"] for p in scroll_all(api, name)]
    assert ids == [norm_id(upper)]
    # Both spellings address the same point.
    upsert(api, name, points=[{"id": upper.lower(), "vector": [0, 1]}])
    assert count(api, name) == 1


def test_large_u64_id(api):
    name = unique("u64")
    create_collection(api, name, size=2, distance="Dot")
    big = 2**64 - 1
    mid = 2**63 + 12345
    upsert(api, name, points=[{"id": big, "vector": [1, 0]}, {"id": mid, "vector": [0, 1]},
                              {"id": 0, "vector": [1, 1]}])
    assert [p["id"] for p in scroll_all(api, name)] == [0, mid, big]
    assert ok(api.get(f"/collections/{name}/points/{big}"))["id"] == big


def test_wait_false_is_acknowledged_then_visible(api):
    name = unique("nowait")
    create_collection(api, name, size=2, distance="Dot")
    r = api.put(f"/collections/{name}/points",
                json={"points": [{"id": i, "vector": [i, 0]} for i in range(1, 51)]})
    res = ok(r)
    assert res["status"] == "acknowledged", res
    assert isinstance(res["operation_id"], int)
    deadline = time.monotonic() + 10
    while count(api, name) != 50:
        assert time.monotonic() < deadline, "acknowledged upsert never became visible"
        time.sleep(0.05)
    # Explicit wait=false behaves the same.
    res = upsert(api, name, points=[{"id": 99, "vector": [9, 9]}], wait=False)
    deadline = time.monotonic() + 10
    while count(api, name) != 51:
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_retrieve_options_and_missing_ids(api):
    name = unique("ret")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": 1, "vector": [1, 2], "payload": {"a": 1, "b": 2}},
                              {"id": 2, "vector": [3, 4], "payload": {"a": 3}}])
    recs = retrieve(api, name, [1, 2, 404])
    assert sorted(r["id"] for r in recs) == [1, 2]
    r1 = retrieve(api, name, [1], with_payload=False, with_vector=False)[0]
    assert r1["id"] == 1 and not r1.get("payload") and not r1.get("vector")
    r1 = retrieve(api, name, [1], with_payload=True, with_vector=False)[0]
    assert r1["payload"] == {"a": 1, "b": 2} and not r1.get("vector")
    # Default for POST /points: payload on, vector off.
    recs = ok(api.post(f"/collections/{name}/points", json={"ids": [2]}))
    assert recs[0]["payload"] == {"a": 3} and not recs[0].get("vector")


def test_get_point_by_id(api):
    name = unique("getp")
    create_collection(api, name, size=4, distance="Cosine")
    upsert(api, name, points=[{"id": 42, "vector": [0, 3, 0, 4], "payload": {"x": "y"}}])
    rec = ok(api.get(f"/collections/{name}/points/42"))
    assert rec["id"] == 42
    assert rec["payload"] == {"x": "y"}
    assert_vec_close(rec["vector"], [0, 0.6, 0, 0.8])
    msg = err(api.get(f"/collections/{name}/points/43"), 404)
    assert "43" in msg, msg


def test_scroll_pagination(api):
    name = unique("scroll")
    create_collection(api, name, size=2, distance="Dot")
    ids = list(range(100, 125))  # 25 points, inserted out of order
    pts = [{"id": i, "vector": [i, 1], "payload": {"i": i}} for i in reversed(ids)]
    upsert(api, name, points=pts[:10])
    upsert(api, name, points=pts[10:])

    def page(limit, offset=None, **kw):
        body = {"limit": limit, "with_payload": True, **kw}
        if offset is not None:
            body["offset"] = offset
        return ok(api.post(f"/collections/{name}/points/scroll", json=body))

    p1 = page(10)
    assert [p["id"] for p in p1["points"]] == ids[:10]
    assert p1["next_page_offset"] == ids[10]
    p2 = page(10, p1["next_page_offset"])
    assert [p["id"] for p in p2["points"]] == ids[10:20]
    assert p2["next_page_offset"] == ids[20]
    p3 = page(10, p2["next_page_offset"])
    assert [p["id"] for p in p3["points"]] == ids[20:]
    assert p3["next_page_offset"] is None
    assert all(p["payload"] == {"i": p["id"]} for p in p1["points"] + p3["points"])

    # Offset is an inclusive start id, and need not exist.
    assert [p["id"] for p in page(3, 107)["points"]] == [107, 108, 109]
    assert [p["id"] for p in page(3, 0)["points"]] == [100, 101, 102]
    assert page(3, 1000)["points"] == []
    # Exactly-full last page: Qdrant gives next_page_offset null when nothing follows.
    assert page(25)["next_page_offset"] is None
    # Default limit is 10.
    res = ok(api.post(f"/collections/{name}/points/scroll", json={}))
    assert len(res["points"]) == 10

    # with_vector / with_payload switches.
    res = page(2, with_vector=True)
    assert [p["vector"] for p in res["points"]] == [[100, 1], [101, 1]]
    res = ok(api.post(f"/collections/{name}/points/scroll",
                      json={"limit": 2, "with_payload": False}))
    assert all(not p.get("payload") and not p.get("vector") for p in res["points"])


def test_scroll_with_filter(api):
    name = unique("scrollf")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [i, 1],
                               "payload": {"even": i % 2 == 0}} for i in range(1, 31)])
    flt = {"must": [{"key": "even", "match": {"value": True}}]}
    res = ok(api.post(f"/collections/{name}/points/scroll",
                      json={"limit": 5, "filter": flt}))
    assert [p["id"] for p in res["points"]] == [2, 4, 6, 8, 10]
    assert res["next_page_offset"] == 12
    assert [p["id"] for p in scroll_all(api, name, flt, page=4)] == list(range(2, 31, 2))


def test_count(api):
    name = unique("count")
    create_collection(api, name, size=2, distance="Dot")
    assert count(api, name) == 0
    upsert(api, name, points=[{"id": i, "vector": [1, i], "payload": {"g": i % 4}}
                              for i in range(40)])
    assert count(api, name) == 40
    assert count(api, name, {"must": [{"key": "g", "match": {"value": 3}}]}) == 10
    assert count(api, name, {"must_not": [{"key": "g", "match": {"value": 3}}]}) == 30
    res = ok(api.post(f"/collections/{name}/points/count", json={}))
    assert res == {"count": 40}


def test_delete_by_ids_and_filter(api):
    name = unique("del")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [1, i], "payload": {"g": i % 3}}
                              for i in range(1, 31)])
    res = ok(api.post(f"/collections/{name}/points/delete", params={"wait": "true"},
                      json={"points": [1, 2, 3, 999]}))
    assert res["status"] == "completed" and isinstance(res["operation_id"], int)
    assert count(api, name) == 27
    assert retrieve(api, name, [1, 2, 3]) == []
    err(api.get(f"/collections/{name}/points/1"), 404)

    res = ok(api.post(f"/collections/{name}/points/delete", params={"wait": "true"},
                      json={"filter": {"must": [{"key": "g", "match": {"value": 0}}]}}))
    assert res["status"] == "completed"
    left = [p["id"] for p in scroll_all(api, name)]
    assert left == [i for i in range(4, 31) if i % 3 != 0]

    # A deleted id can be inserted again.
    upsert(api, name, points=[{"id": 1, "vector": [5, 5], "payload": {"new": True}}])
    assert retrieve(api, name, [1])[0]["payload"] == {"new": True}


def test_many_points_in_one_request(api):
    name = unique("many")
    create_collection(api, name, size=16, distance="Cosine")
    vecs = rand_vectors(2000, 16, seed=11)
    upsert(api, name, batch={"ids": list(range(2000)),
                             "vectors": [as_json_vec(v) for v in vecs]})
    assert count(api, name) == 2000
    recs = {r["id"]: r for r in retrieve(api, name, [0, 999, 1999])}
    for i in (0, 999, 1999):
        assert_vec_close(recs[i]["vector"], normalized(vecs[i]))
    assert np.isclose(np.linalg.norm(recs[999]["vector"]), 1.0, atol=1e-4)


def test_concurrent_upserts_and_reads(qdb):
    """Parallel writers (wait=true) and readers: every acknowledged point is visible after."""
    from concurrent.futures import ThreadPoolExecutor

    api = qdb.api()
    name = unique("conc")
    create_collection(api, name, size=4, distance="Dot")
    vecs = rand_vectors(2000, 4, seed=31)

    def writer(w):
        a = qdb.api()
        for k in range(25):
            ids = [w * 1000 + k * 20 + j for j in range(20)]
            upsert(a, name, batch={"ids": ids,
                                   "vectors": [as_json_vec(vecs[(i % 1000) + (w % 2) * 1000])
                                               for i in ids],
                                   "payloads": [{"w": w} for _ in ids]})
        return w

    def reader(_):
        a = qdb.api()
        seen = 0
        for _ in range(30):
            n = count(a, name)
            assert n >= seen, "count went backwards"
            seen = n
            ok(a.post(f"/collections/{name}/points/query",
                      json={"query": [1, 0, 0, 0], "limit": 5}))
        return seen

    with ThreadPoolExecutor(max_workers=6) as ex:
        futs = [ex.submit(writer, w) for w in range(4)] + [ex.submit(reader, r)
                                                           for r in range(2)]
        for f in futs:
            f.result()
    assert count(api, name) == 4 * 25 * 20
    for w in range(4):
        assert count(api, name, {"must": [{"key": "w", "match": {"value": w}}]}) == 500
    ids = [p["id"] for p in scroll_all(api, name, page=333)]
    assert ids == sorted(w * 1000 + i for w in range(4) for i in range(500))
