"""Issue 14's strictness for point writes: every write body (upsert, delete, set/overwrite/delete/
clear payload, points/batch operations, payload index creation) refuses a field qdb does not
serve with a 400 naming it, and changes nothing; and a POST-only path reached by GET (which the
`points/{id}` route would otherwise answer) is a 405 with `Allow`."""

import pytest

from qdb_helpers import create_collection, err, ok, unique, upsert


@pytest.fixture(scope="module")
def coll(qdb):
    api = qdb.api()
    name = unique("strict")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": 1, "vector": [1, 0], "payload": {"a": 1}}, {"id": 2, "vector": [0, 1], "payload": {"a": 2}}])
    return name


def state(api, coll):
    return ok(api.post(f"/collections/{coll}/points/scroll", json={"limit": 10, "with_vector": True}))["points"]


@pytest.mark.parametrize("method, path, body, field", [
    ("POST", "/points/delete", {"points": [1], "filtr": {}}, "filtr"),
    ("POST", "/points/payload", {"payload": {"b": 1}, "points": [1], "keyy": "x"}, "keyy"),
    ("PUT", "/points/payload", {"payload": {"b": 1}, "points": [1], "wait": True}, "wait"),
    ("POST", "/points/payload/delete", {"keys": ["a"], "points": [1], "key": "a"}, "key"),
    ("POST", "/points/payload/clear", {"points": [1], "payload": {}}, "payload"),
    ("PUT", "/points", {"points": [{"id": 1, "vector": [0, 0]}], "upsert_mode": "insert_only"}, "upsert_mode"),
    ("PUT", "/points", {"points": [{"id": 1, "vector": [0, 0], "paylod": {"x": 1}}]}, "paylod"),
    ("PUT", "/points", {"batch": {"ids": [1], "vectors": [[0, 0]], "payload": [{}]}}, "payload"),
    ("POST", "/points/batch", {"operations": [{"set_payload": {"payload": {"b": 1}, "points": [1], "filters": {}}}]}, "filters"),
    ("POST", "/points/batch", {"operations": [{"upsert": {"points": [{"id": 1, "vector": [0, 0]}], "mode": "x"}}]}, "mode"),
    ("POST", "/points/batch", {"operations": [{"clear_payload": {"points": [1], "keys": []}}]}, "keys"),
    ("PUT", "/index", {"field_name": "a", "field_schema": "integer", "type": "integer"}, "type"),
])
def test_unknown_field_in_a_write_body_is_a_400_naming_it(api, coll, method, path, body, field):
    before = state(api, coll)
    msg = err(api.request(method, f"/collections/{coll}{path}", params={"wait": "true"}, json=body), 400)
    assert f"`{field}`" in msg, msg
    assert state(api, coll) == before
    if path == "/index":
        assert "a" not in ok(api.get(f"/collections/{coll}"))["payload_schema"]


def test_shard_key_in_a_write_body_is_refused(api, coll):
    msg = err(api.post(f"/collections/{coll}/points/payload", json={"payload": {"b": 1}, "points": [1], "shard_key": "s"}), 400)
    assert "shard_key" in msg


@pytest.mark.parametrize("method, path, body", [
    ("POST", "/points/delete", {"points": [99], "shard_key": None}),
    ("POST", "/points/payload", {"payload": {"a": 1}, "points": [1], "key": None}),
    ("PUT", "/points/payload", {"payload": {"a": 1}, "points": [1], "key": "ignored"}),  # Qdrant ignores key here
    ("POST", "/points/payload/delete", {"keys": ["b"], "filter": {"must": [{"key": "a", "match": {"value": 1}}]}}),
    ("POST", "/points/payload/clear", {"filter": {"must": [{"key": "a", "match": {"value": 3}}]}}),
    ("PUT", "/points", {"points": [{"id": 2, "vector": [0, 1], "payload": {"a": 2}}], "update_mode": "upsert", "update_filter": None}),
])
def test_every_qdrant_field_is_still_accepted(api, coll, method, path, body):
    ok(api.request(method, f"/collections/{coll}{path}", params={"wait": "true"}, json=body))
    assert [p["payload"] for p in state(api, coll)] == [{"a": 1}, {"a": 2}]


@pytest.mark.parametrize("path", ["/points/query", "/points/scroll", "/points/count", "/points/search", "/points/batch",
                                  "/points/delete", "/points/query/batch"])
def test_get_on_a_post_only_points_path_is_405(api, coll, path):
    r = api.get(f"/collections/{coll}{path}")
    assert r.status_code == 405, r.text
    assert r.headers["Allow"] == "POST"
    assert r.json()["status"]["error"].startswith("Method Not Allowed")


def test_get_point_by_id_still_served(api, coll):
    assert ok(api.get(f"/collections/{coll}/points/1"))["id"] == 1
    assert "point id" in err(api.get(f"/collections/{coll}/points/not-an-id"), 400)


@pytest.mark.parametrize("method, path, body", [
    ("DELETE", "/index/a", None),
    ("POST", "/points/payload", {"payload": {"b": 1}, "points": [1]}),
    ("PUT", "/points", {"points": [{"id": 1, "vector": [1, 0]}]}),
])
def test_ordering_is_validated_on_writes(api, coll, method, path, body):
    # found by schemathesis (tests/e2e/test_schemathesis_writes.py): `ordering=` was accepted
    before = state(api, coll)
    assert "ordering" in err(api.request(method, f"/collections/{coll}{path}", params={"ordering": "", "wait": "true"}, json=body), 400)
    assert state(api, coll) == before
    ok(api.request("POST", f"/collections/{coll}/points/payload", params={"ordering": "strong", "wait": "true"},
                   json={"payload": {"a": 1}, "points": [1]}))


@pytest.mark.parametrize("method, path, body", [
    ("PATCH", "", {}), ("POST", "/../aliases", {"actions": []}), ("PUT", "/points/payload", {"payload": {"a": 1}, "points": [1]}),
])
@pytest.mark.parametrize("timeout", ["", "-5", "0", "x"])
def test_timeout_is_validated_on_writes(api, coll, method, path, body, timeout):
    # found by schemathesis (tests/e2e/test_schemathesis_writes.py): `timeout=-717586` was accepted
    url = f"/collections/{coll}{path}" if not path.startswith("/..") else "/collections/aliases"
    assert "timeout" in err(api.request(method, url, params={"timeout": timeout}, json=body), 400)
