"""Collection routes: create / list / info / exists / update / delete, named vectors, shards."""

import numpy as np

from qdb_helpers import (as_json_vec, check_scored, count, create_collection, err, ok,
                         rand_vectors, retrieve, scroll_all, unique, upsert)


def _names(api):
    res = ok(api.get("/collections"))
    assert isinstance(res, dict) and isinstance(res.get("collections"), list), res
    for c in res["collections"]:
        assert isinstance(c.get("name"), str), c
    return [c["name"] for c in res["collections"]]


def _info(api, name):
    return ok(api.get(f"/collections/{name}"))


def test_create_get_exists_list_delete(api):
    name = unique("col")
    assert ok(api.get(f"/collections/{name}/exists")) == {"exists": False}
    assert name not in _names(api)

    r = api.put(f"/collections/{name}", json={"vectors": {"size": 4, "distance": "Cosine"}})
    assert ok(r) is True

    assert ok(api.get(f"/collections/{name}/exists")) == {"exists": True}
    assert name in _names(api)

    info = _info(api, name)
    assert info["status"] == "green", info
    assert info["optimizer_status"] == "ok", info
    assert info.get("points_count") == 0, info
    assert isinstance(info["segments_count"], int) and info["segments_count"] >= 0, info
    assert info["payload_schema"] == {}, info
    params = info["config"]["params"]
    assert params["vectors"]["size"] == 4, params
    assert params["vectors"]["distance"] == "Cosine", params
    # Fields the Python client requires (reference §8).
    cfg = info["config"]
    assert {"m", "ef_construct", "full_scan_threshold"} <= set(cfg["hnsw_config"]), cfg
    assert {"default_segment_number", "flush_interval_sec"} <= set(cfg["optimizer_config"]), cfg
    assert {"wal_capacity_mb", "wal_segments_ahead"} <= set(cfg["wal_config"]), cfg

    assert ok(api.delete(f"/collections/{name}")) is True
    assert ok(api.get(f"/collections/{name}/exists")) == {"exists": False}
    assert name not in _names(api)
    msg = err(api.get(f"/collections/{name}"), 404)
    assert "doesn't exist" in msg, msg


def test_create_twice_is_409(api):
    name = unique("dup")
    create_collection(api, name)
    upsert(api, name, points=[{"id": 1, "vector": [0.1, 0.2, 0.3, 0.4]}])
    msg = err(api.put(f"/collections/{name}", json={"vectors": {"size": 8, "distance": "Dot"}}),
              409)
    assert "already exists" in msg, msg
    # The existing collection is untouched.
    info = _info(api, name)
    vec = info["config"]["params"]["vectors"]
    assert (vec["size"], vec["distance"]) == (4, "Cosine"), vec
    assert count(api, name) == 1


def test_delete_missing_collection(api):
    r = api.delete(f"/collections/{unique('nope')}")
    if r.status_code == 200:
        assert ok(r) is False
    else:
        err(r, 404)


def test_all_distances_accepted(api):
    for dist in ("Cosine", "Dot", "Euclid", "Manhattan"):
        name = unique(dist.lower())
        create_collection(api, name, size=3, distance=dist)
        assert _info(api, name)["config"]["params"]["vectors"]["distance"] == dist
        ok(api.delete(f"/collections/{name}"))


def test_named_vectors_collection(api):
    name = unique("named")
    vectors = {"img": {"size": 4, "distance": "Dot"}, "txt": {"size": 2, "distance": "Euclid"}}
    assert ok(api.put(f"/collections/{name}", json={"vectors": vectors})) is True
    got = _info(api, name)["config"]["params"]["vectors"]
    assert set(got) == {"img", "txt"}, got
    assert got["img"]["size"] == 4 and got["img"]["distance"] == "Dot", got
    assert got["txt"]["size"] == 2 and got["txt"]["distance"] == "Euclid", got

    upsert(api, name, points=[
        {"id": 1, "vector": {"img": [1, 2, 3, 4], "txt": [0.5, 0.5]}, "payload": {"k": 1}},
        {"id": 2, "vector": {"img": [0, 1, 0, 1], "txt": [3, 4]}},
    ])
    recs = {r["id"]: r for r in retrieve(api, name, [1, 2])}
    assert recs[1]["vector"]["img"] == [1, 2, 3, 4]  # Dot: stored as is
    assert recs[2]["vector"]["txt"] == [3, 4]
    assert recs[1]["payload"] == {"k": 1}
    assert _info(api, name)["points_count"] == 2


def test_points_count_and_info_after_upsert(api):
    name = unique("cnt")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [i, 1]} for i in range(1, 8)])
    info = _info(api, name)
    assert info["points_count"] == 7, info
    assert info["segments_count"] >= 1, info
    assert info["status"] == "green"
    ok(api.post(f"/collections/{name}/points/delete", params={"wait": "true"},
                json={"points": [1, 2]}))
    assert _info(api, name)["points_count"] == 5


def test_patch_collection(api):
    name = unique("patch")
    create_collection(api, name)
    upsert(api, name, points=[{"id": 1, "vector": [1, 0, 0, 0], "payload": {"a": 1}}])
    r = api.patch(f"/collections/{name}",
                  json={"optimizers_config": {"indexing_threshold": 20000}})
    assert ok(r) is True
    assert ok(api.patch(f"/collections/{name}", json={})) is True
    info = _info(api, name)
    assert info["status"] == "green"
    assert info["points_count"] == 1
    assert retrieve(api, name, [1])[0]["payload"] == {"a": 1}
    err(api.patch(f"/collections/{unique('nope')}", json={}), 404)


def test_shard_number_3_works_across_shards(api):
    name = unique("shards")
    create_collection(api, name, size=8, distance="Euclid", shard_number=3)
    info = _info(api, name)
    assert info["config"]["params"].get("shard_number") == 3, info["config"]["params"]

    n = 300
    vecs = rand_vectors(n, 8, seed=3)
    ids = list(range(1, n + 1))
    for start in range(0, n, 100):
        upsert(api, name, points=[
            {"id": ids[i], "vector": as_json_vec(vecs[i]), "payload": {"g": ids[i] % 3,
                                                                      "n": ids[i]}}
            for i in range(start, start + 100)])
    assert count(api, name) == n
    assert _info(api, name)["points_count"] == n

    # Scroll pages merge all shards, in id order.
    pts = scroll_all(api, name, page=37)
    assert [p["id"] for p in pts] == ids
    assert all(p["payload"]["n"] == p["id"] for p in pts)

    # Filtered count and scroll across shards.
    flt = {"must": [{"key": "g", "match": {"value": 1}}]}
    expect = [i for i in ids if i % 3 == 1]
    assert count(api, name, flt) == len(expect)
    assert [p["id"] for p in scroll_all(api, name, flt, page=10)] == expect

    # Query merges per-shard top-k.
    q = np.random.default_rng(5).standard_normal(8).astype(np.float32)
    res = ok(api.post(f"/collections/{name}/points/query",
                      json={"query": as_json_vec(q), "limit": 15}))
    check_scored(res["points"], ids, vecs, q, "Euclid", 15)
    res = ok(api.post(f"/collections/{name}/points/query",
                      json={"query": as_json_vec(q), "limit": 7, "offset": 20}))
    check_scored(res["points"], ids, vecs, q, "Euclid", 7, offset=20)

    # Retrieve across shards, delete by filter across shards.
    recs = retrieve(api, name, [1, 2, 3, 150, 299, 1000])
    assert sorted(r["id"] for r in recs) == [1, 2, 3, 150, 299]
    ok(api.post(f"/collections/{name}/points/delete", params={"wait": "true"},
                json={"filter": flt}))
    assert count(api, name) == n - len(expect)
    assert count(api, name, flt) == 0


def test_shard_number_zero_rejected(api):
    name = unique("bad")
    r = api.put(f"/collections/{name}",
                json={"vectors": {"size": 4, "distance": "Cosine"}, "shard_number": 0})
    err(r, 400, 422)
    assert ok(api.get(f"/collections/{name}/exists")) == {"exists": False}


def test_percent_encoded_name_is_decoded(api):
    """Path parameters are percent-decoded, as in Qdrant (actix): "x%20y" names "x y"."""
    name = unique("sp") + " ace"
    r = api.put(f"/collections/{name.replace(' ', '%20')}",
                json={"vectors": {"size": 2, "distance": "Dot"}})
    assert ok(r) is True
    assert name in _names(api), _names(api)
    assert ok(api.get(f"/collections/{name.replace(' ', '%20')}/exists")) == {"exists": True}
    upsert(api, name.replace(" ", "%20"), points=[{"id": 1, "vector": [1, 2]}])
    assert count(api, name.replace(" ", "%20")) == 1
    assert ok(api.delete(f"/collections/{name.replace(' ', '%20')}")) is True


def test_trailing_slash_is_trimmed(api):
    """Qdrant normalizes paths by trimming trailing slashes (reference §1.1)."""
    name = unique("slash")
    create_collection(api, name)
    assert name in [c["name"] for c in ok(api.get("/collections/"))["collections"]]
    assert ok(api.get(f"/collections/{name}/"))["status"] == "green"
    assert ok(api.post(f"/collections/{name}/points/count/", json={})) == {"count": 0}
