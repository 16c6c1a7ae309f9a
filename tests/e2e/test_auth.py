"""API keys (reference §1.2): --api-key secret --read-only-api-key ro."""

import pytest
import requests

from qdb_helpers import Api, count, create_collection, err, ok, scroll_all, unique, upsert

ADMIN = "secret"
RO = "ro"


@pytest.fixture(scope="module")
def srv(module_server_factory):
    return module_server_factory(api_key=ADMIN, read_only_api_key=RO)


@pytest.fixture(scope="module")
def admin(srv):
    return Api(srv, api_key=ADMIN)


@pytest.fixture(scope="module")
def ro(srv):
    return Api(srv, api_key=RO)


@pytest.fixture(scope="module")
def anon(srv):
    return Api(srv)


@pytest.fixture(scope="module")
def coll(admin):
    name = unique("auth")
    create_collection(admin, name, size=2, distance="Dot")
    upsert(admin, name, points=[{"id": i, "vector": [i, 1], "payload": {"i": i}}
                                for i in range(1, 6)])
    return name


def _deny(r, code):
    assert r.status_code == code, (r.status_code, r.text)


def test_no_key_is_401(anon, coll):
    for method, path, body in [("GET", "/collections", None),
                               ("GET", f"/collections/{coll}", None),
                               ("POST", f"/collections/{coll}/points/scroll", {}),
                               ("PUT", f"/collections/{coll}/points",
                                {"points": [{"id": 9, "vector": [1, 1]}]}),
                               ("PUT", f"/collections/{unique('x')}",
                                {"vectors": {"size": 2, "distance": "Dot"}})]:
        _deny(anon.request(method, path, json=body), 401)


def test_wrong_key_is_401(srv, coll):
    for headers in ({"api-key": "wrong"}, {"Authorization": "Bearer wrong"},
                    {"api-key": ""}, {"Authorization": "secret"},
                    {"api-key": ADMIN + "x"}, {"api-key": ADMIN[:-1]}):
        r = requests.get(srv.url + "/collections", headers=headers, timeout=10)
        _deny(r, 401)


def test_open_routes_need_no_key(anon):
    r = anon.get("/")
    assert r.status_code == 200 and r.json()["version"] == "1.19.0"
    for path in ("/healthz", "/livez", "/readyz"):
        assert anon.get(path).status_code == 200, path


def test_metrics_need_a_key(anon, ro):
    _deny(anon.get("/metrics"), 401)
    r = ro.get("/metrics")
    assert r.status_code == 200 and "collections_total" in r.text


def test_admin_key_full_access(admin):
    name = unique("adm")
    create_collection(admin, name)
    upsert(admin, name, points=[{"id": 1, "vector": [1, 2, 3, 4]}])
    assert count(admin, name) == 1
    ok(admin.post(f"/collections/{name}/points/delete", params={"wait": "true"},
                  json={"points": [1]}))
    assert count(admin, name) == 0
    assert ok(admin.delete(f"/collections/{name}")) is True


def test_bearer_token_full_access(srv):
    bearer = Api(srv, api_key=ADMIN, bearer=True)
    name = unique("bear")
    create_collection(bearer, name, size=2, distance="Dot")
    upsert(bearer, name, points=[{"id": 1, "vector": [1, 2]}])
    assert count(bearer, name) == 1
    assert ok(bearer.delete(f"/collections/{name}")) is True


def test_header_name_is_case_insensitive(srv, coll):
    r = requests.get(srv.url + "/collections", headers={"Api-Key": ADMIN}, timeout=10)
    assert r.status_code == 200
    r = requests.get(srv.url + "/collections", headers={"authorization": f"Bearer {ADMIN}"},
                     timeout=10)
    assert r.status_code == 200


def test_read_only_key_reads(ro, coll):
    names = [c["name"] for c in ok(ro.get("/collections"))["collections"]]
    assert coll in names
    assert ok(ro.get(f"/collections/{coll}"))["points_count"] == 5
    assert ok(ro.get(f"/collections/{coll}/exists")) == {"exists": True}
    assert [p["id"] for p in scroll_all(ro, coll)] == [1, 2, 3, 4, 5]
    assert count(ro, coll) == 5
    res = ok(ro.post(f"/collections/{coll}/points/query", json={"query": [1, 0], "limit": 2}))
    assert [p["id"] for p in res["points"]] == [5, 4]
    res = ok(ro.post(f"/collections/{coll}/points/search", json={"vector": [1, 0], "limit": 1}))
    assert [p["id"] for p in res] == [5]
    assert ok(ro.get(f"/collections/{coll}/points/3"))["payload"] == {"i": 3}
    assert len(ok(ro.post(f"/collections/{coll}/points", json={"ids": [1, 2]}))) == 2
    assert "aliases" in ok(ro.get("/aliases"))
    assert "aliases" in ok(ro.get(f"/collections/{coll}/aliases"))


def test_read_only_key_cannot_write(ro, admin, coll):
    before = scroll_all(admin, coll, with_vector=True)
    new = unique("ro")
    writes = [
        ("PUT", f"/collections/{coll}/points", {"points": [{"id": 9, "vector": [1, 1]}]}),
        ("POST", f"/collections/{coll}/points/delete", {"points": [1]}),
        ("POST", f"/collections/{coll}/points/delete",
         {"filter": {"must": [{"has_id": [2]}]}}),
        ("POST", f"/collections/{coll}/points/payload", {"payload": {"x": 1}, "points": [1]}),
        ("PUT", f"/collections/{coll}/points/payload", {"payload": {"x": 1}, "points": [1]}),
        ("POST", f"/collections/{coll}/points/payload/delete", {"keys": ["i"], "points": [1]}),
        ("POST", f"/collections/{coll}/points/payload/clear", {"points": [1]}),
        ("PUT", f"/collections/{coll}/index", {"field_name": "i", "field_schema": "integer"}),
        ("PUT", f"/collections/{new}", {"vectors": {"size": 2, "distance": "Dot"}}),
        ("PATCH", f"/collections/{coll}", {}),
        ("DELETE", f"/collections/{coll}", None),
        ("POST", "/collections/aliases",
         {"actions": [{"create_alias": {"collection_name": coll, "alias_name": new}}]}),
    ]
    for method, path, body in writes:
        r = ro.request(method, path, params={"wait": "true"}, json=body)
        assert r.status_code == 403, (method, path, r.status_code, r.text)
        if r.headers.get("content-type", "").startswith("application/json"):
            err(r, 403)
    # Nothing changed.
    assert scroll_all(admin, coll, with_vector=True) == before
    assert ok(admin.get(f"/collections/{new}/exists")) == {"exists": False}
    assert ok(admin.get(f"/collections/{coll}"))["payload_schema"] == {}
    assert ok(admin.get("/aliases"))["aliases"] == []
