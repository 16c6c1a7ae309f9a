"""Aliases: POST /collections/aliases, GET /aliases, GET /collections/{c}/aliases, and point
routes addressed through an alias."""

from qdb_helpers import count, create_collection, err, ok, retrieve, scroll_all, unique, upsert


def _aliases(api, path="/aliases"):
    res = ok(api.get(path))
    assert isinstance(res, dict) and isinstance(res.get("aliases"), list), res
    out = {}
    for a in res["aliases"]:
        assert set(a) >= {"alias_name", "collection_name"}, a
        out[a["alias_name"]] = a["collection_name"]
    return out


def _actions(api, *actions):
    return api.post("/collections/aliases", json={"actions": list(actions)})


def test_create_rename_delete_alias(api):
    c = unique("col")
    a, b = unique("a"), unique("b")
    create_collection(api, c)

    assert ok(_actions(api, {"create_alias": {"collection_name": c, "alias_name": a}})) is True
    assert _aliases(api).get(a) == c
    assert _aliases(api, f"/collections/{c}/aliases") == {a: c}

    assert ok(_actions(api, {"rename_alias": {"old_alias_name": a, "new_alias_name": b}})) is True
    al = _aliases(api)
    assert a not in al and al.get(b) == c
    assert _aliases(api, f"/collections/{c}/aliases") == {b: c}

    assert ok(_actions(api, {"delete_alias": {"alias_name": b}})) is True
    assert b not in _aliases(api)
    assert _aliases(api, f"/collections/{c}/aliases") == {}


def test_several_actions_in_one_request(api):
    c = unique("col")
    a, b, d = unique("a"), unique("b"), unique("d")
    create_collection(api, c)
    r = _actions(api,
                 {"create_alias": {"collection_name": c, "alias_name": a}},
                 {"rename_alias": {"old_alias_name": a, "new_alias_name": b}},
                 {"create_alias": {"collection_name": c, "alias_name": d}},
                 {"delete_alias": {"alias_name": d}})
    assert ok(r) is True
    al = _aliases(api)
    assert al.get(b) == c and a not in al and d not in al
    assert _aliases(api, f"/collections/{c}/aliases") == {b: c}


def test_point_routes_through_alias(api):
    c = unique("col")
    a = unique("alias")
    create_collection(api, c, size=2, distance="Dot")
    ok(_actions(api, {"create_alias": {"collection_name": c, "alias_name": a}}))

    # Writes through the alias land in the collection.
    upsert(api, a, points=[{"id": i, "vector": [float(i), 1.0], "payload": {"i": i}}
                           for i in range(1, 6)])
    assert count(api, c) == 5
    assert count(api, a) == 5
    assert [p["id"] for p in scroll_all(api, a)] == [1, 2, 3, 4, 5]
    assert retrieve(api, a, [3])[0]["payload"] == {"i": 3}
    rec = ok(api.get(f"/collections/{a}/points/2"))
    assert rec["id"] == 2 and rec["payload"] == {"i": 2}

    res = ok(api.post(f"/collections/{a}/points/query", json={"query": [1.0, 0.0], "limit": 2}))
    assert [p["id"] for p in res["points"]] == [5, 4]
    res = ok(api.post(f"/collections/{a}/points/search", json={"vector": [1.0, 0.0], "limit": 1}))
    assert [p["id"] for p in res] == [5]

    ok(api.post(f"/collections/{a}/points/payload", params={"wait": "true"},
                json={"payload": {"via": "alias"}, "points": [1]}))
    assert retrieve(api, c, [1])[0]["payload"] == {"i": 1, "via": "alias"}
    ok(api.post(f"/collections/{a}/points/delete", params={"wait": "true"},
                json={"points": [1]}))
    assert count(api, c) == 4


def test_alias_to_missing_collection_fails(api):
    a = unique("a")
    r = _actions(api, {"create_alias": {"collection_name": unique("missing"), "alias_name": a}})
    err(r, 400, 404)
    assert a not in _aliases(api)


def test_deleted_alias_no_longer_resolves(api):
    c = unique("col")
    a = unique("a")
    create_collection(api, c)
    ok(_actions(api, {"create_alias": {"collection_name": c, "alias_name": a}}))
    assert count(api, a) == 0
    ok(_actions(api, {"delete_alias": {"alias_name": a}}))
    msg = err(api.post(f"/collections/{a}/points/count", json={"exact": True}), 404)
    assert "doesn't exist" in msg, msg


def test_deleting_collection_removes_its_aliases(api):
    c = unique("col")
    a = unique("a")
    create_collection(api, c)
    ok(_actions(api, {"create_alias": {"collection_name": c, "alias_name": a}}))
    ok(api.delete(f"/collections/{c}"))
    assert a not in _aliases(api)
    err(api.post(f"/collections/{a}/points/count", json={"exact": True}), 404)


def test_aliases_survive_restart(server_factory):
    srv = server_factory()
    api = srv.api()
    c, a = unique("col"), unique("a")
    create_collection(api, c)
    upsert(api, c, points=[{"id": 7, "vector": [1, 2, 3, 4]}])
    ok(_actions(api, {"create_alias": {"collection_name": c, "alias_name": a}}))
    srv.restart()
    assert _aliases(api).get(a) == c
    assert count(api, a) == 1
