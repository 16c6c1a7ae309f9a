"""Payload routes: set (merge), overwrite, delete keys, clear — by ids and by filter — and
payload indexes (PUT /collections/{c}/index)."""

import pytest

from qdb_helpers import count, create_collection, err, ok, retrieve, unique, upsert


@pytest.fixture
def coll(api):
    name = unique("pl")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[
        {"id": 1, "vector": [1, 0], "payload": {"city": "Berlin", "n": 1, "keep": True}},
        {"id": 2, "vector": [0, 1], "payload": {"city": "London", "n": 2}},
        {"id": 3, "vector": [1, 1], "payload": {"city": "Berlin", "n": 3, "tags": ["x"]}},
        {"id": 4, "vector": [2, 1]},
    ])
    return name


def payloads(api, name, ids=(1, 2, 3, 4)):
    return {r["id"]: r.get("payload") or {} for r in retrieve(api, name, list(ids),
                                                              with_vector=False)}


def _update(api, method, path, body):
    res = ok(api.request(method, path, params={"wait": "true"}, json=body))
    assert res["status"] == "completed" and isinstance(res["operation_id"], int), res
    return res


def test_set_payload_merges_by_ids(api, coll):
    _update(api, "POST", f"/collections/{coll}/points/payload",
            {"payload": {"n": 10, "extra": {"deep": [1, 2]}}, "points": [1, 4]})
    p = payloads(api, coll)
    assert p[1] == {"city": "Berlin", "n": 10, "keep": True, "extra": {"deep": [1, 2]}}
    assert p[4] == {"n": 10, "extra": {"deep": [1, 2]}}
    assert p[2] == {"city": "London", "n": 2}  # untouched


def test_set_payload_by_filter(api, coll):
    _update(api, "POST", f"/collections/{coll}/points/payload",
            {"payload": {"country": "DE"},
             "filter": {"must": [{"key": "city", "match": {"value": "Berlin"}}]}})
    p = payloads(api, coll)
    assert p[1]["country"] == "DE" and p[3]["country"] == "DE"
    assert "country" not in p[2] and "country" not in p[4]
    assert p[3]["tags"] == ["x"]
    assert count(api, coll, {"must": [{"key": "country", "match": {"value": "DE"}}]}) == 2


def test_overwrite_payload(api, coll):
    _update(api, "PUT", f"/collections/{coll}/points/payload",
            {"payload": {"only": "this"}, "points": [1, 2]})
    p = payloads(api, coll)
    assert p[1] == {"only": "this"} and p[2] == {"only": "this"}
    assert p[3] == {"city": "Berlin", "n": 3, "tags": ["x"]}
    _update(api, "PUT", f"/collections/{coll}/points/payload",
            {"payload": {"z": 0}, "filter": {"must": [{"has_id": [3]}]}})
    assert payloads(api, coll)[3] == {"z": 0}


def test_delete_payload_keys(api, coll):
    _update(api, "POST", f"/collections/{coll}/points/payload/delete",
            {"keys": ["n", "keep", "missing_key"], "points": [1, 2]})
    p = payloads(api, coll)
    assert p[1] == {"city": "Berlin"} and p[2] == {"city": "London"}
    assert p[3]["n"] == 3
    _update(api, "POST", f"/collections/{coll}/points/payload/delete",
            {"keys": ["city"], "filter": {"must": [{"key": "n", "match": {"value": 3}}]}})
    assert payloads(api, coll)[3] == {"n": 3, "tags": ["x"]}


def test_clear_payload(api, coll):
    _update(api, "POST", f"/collections/{coll}/points/payload/clear", {"points": [1, 3]})
    p = payloads(api, coll)
    assert p[1] == {} and p[3] == {}
    assert p[2] == {"city": "London", "n": 2}
    _update(api, "POST", f"/collections/{coll}/points/payload/clear",
            {"filter": {"must": [{"key": "city", "match": {"value": "London"}}]}})
    assert payloads(api, coll)[2] == {}
    # Vectors are untouched by payload operations.
    recs = {r["id"]: r for r in retrieve(api, coll, [1, 2, 3])}
    assert recs[1]["vector"] == [1, 0] and recs[3]["vector"] == [1, 1]
    assert count(api, coll) == 4


def test_payload_ops_are_visible_to_filters(api, coll):
    flt = {"must": [{"key": "flag", "match": {"value": True}}]}
    assert count(api, coll, flt) == 0
    _update(api, "POST", f"/collections/{coll}/points/payload",
            {"payload": {"flag": True}, "points": [2, 4]})
    assert count(api, coll, flt) == 2
    _update(api, "POST", f"/collections/{coll}/points/payload/delete",
            {"keys": ["flag"], "points": [4]})
    assert count(api, coll, flt) == 1


def test_set_payload_on_missing_point_fails(api, coll):
    before = payloads(api, coll)
    r = api.post(f"/collections/{coll}/points/payload", params={"wait": "true"},
                 json={"payload": {"x": 1}, "points": [12345]})
    err(r, 400, 404)
    assert payloads(api, coll) == before
    assert count(api, coll) == 4


def test_create_field_index(api, coll):
    res = _update(api, "PUT", f"/collections/{coll}/index",
                  {"field_name": "city", "field_schema": "keyword"})
    assert res["status"] == "completed"
    _update(api, "PUT", f"/collections/{coll}/index", {"field_name": "n", "field_schema": "integer"})
    schema = ok(api.get(f"/collections/{coll}"))["payload_schema"]
    assert schema["city"]["data_type"] == "keyword", schema
    assert schema["city"].get("points") == 3, schema
    assert schema["n"]["data_type"] == "integer", schema
    # Filters keep working, and new points are indexed.
    flt = {"must": [{"key": "city", "match": {"value": "Berlin"}}]}
    assert count(api, coll, flt) == 2
    upsert(api, coll, points=[{"id": 5, "vector": [0, 0], "payload": {"city": "Berlin"}}])
    assert count(api, coll, flt) == 3
    assert count(api, coll, {"must": [{"key": "n", "range": {"gte": 2}}]}) == 2
    # Index survives a payload overwrite of an indexed point.
    _update(api, "PUT", f"/collections/{coll}/points/payload",
            {"payload": {"city": "Paris"}, "points": [1]})
    assert count(api, coll, flt) == 2


def test_field_index_on_missing_collection(api):
    err(api.put(f"/collections/{unique('nope')}/index", params={"wait": "true"},
                json={"field_name": "a", "field_schema": "keyword"}), 404)
