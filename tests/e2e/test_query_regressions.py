"""One regression test per bug of issue 14's first paragraph (each failed before the fix), and
the strictness rules: unknown fields, out-of-range parameters, wrong methods."""

import pytest

from qdb_helpers import create_collection, err, ok, unique, upsert

POINTS = [
    {"id": 1, "vector": [1, 0, 0, 0], "payload": {"nested": {"id": 7, "x": 1}, "a": [[1, 2], [3]], "nest": [{"v": 1}, {"v": 2}],
                                                  "tags": [], "nulls": [None, None], "t": 1.5, "g": "a"}},
    {"id": 2, "vector": [0.9, 0.1, 0, 0], "payload": {"nested": {"id": 8}, "a": [[5]], "tags": ["x"], "nulls": [None, 1], "t": 2.5, "g": "b"}},
    {"id": 3, "vector": [0, 1, 0, 0], "payload": {"a": [], "tags": None, "t": 0.5, "g": "a"}},
    {"id": 4, "vector": [0, 0.9, 0.1, 0], "payload": {"t": 3.5, "g": "c"}},
    {"id": 5, "vector": [0, 0, 1, 0], "payload": {"t": 4.5, "g": "b"}},
]


@pytest.fixture(scope="module")
def coll(qdb):
    api = qdb.api()
    name = unique("reg")
    create_collection(api, name, size=4, distance="Cosine")
    upsert(api, name, points=POINTS)
    return name


def query(api, coll, body):
    return ok(api.post(f"/collections/{coll}/points/query", json=body))["points"]


def ids(points):
    return [p["id"] for p in points]


def scroll_ids(api, coll, flt):
    return ids(ok(api.post(f"/collections/{coll}/points/scroll", json={"filter": flt, "limit": 100}))["points"])


def test_prefetch_with_fusion_is_served(api, coll):
    res = query(api, coll, {"prefetch": [{"query": [1, 0, 0, 0], "limit": 3}, {"query": [0, 1, 0, 0], "limit": 3}],
                            "query": {"fusion": "rrf"}, "limit": 4})
    # prefetch 1 ranks 1, 2, 3 (3 ties with 4 and 5 at 0, by id); prefetch 2 ranks 3, 4, 2:
    # rrf (k=2) gives 3: 1/4 + 1/2, 2: 1/3 + 1/4, 1: 1/2, 4: 1/3
    assert ids(res) == [3, 2, 1, 4]
    assert [p["score"] for p in res] == pytest.approx([0.75, 7 / 12, 0.5, 1 / 3])


@pytest.mark.parametrize("q, first", [
    ({"recommend": {"positive": [1], "negative": [3]}}, 2),
    ({"discover": {"target": [0, 0, 1, 0], "context": [{"positive": 4, "negative": 1}]}}, 5),
    ({"context": [{"positive": [0, 0, 1, 0], "negative": [1, 0, 0, 0]}]}, 4),  # 4 and 5 tie at 0
    ({"order_by": {"key": "t", "direction": "desc"}}, 5),
    ({"formula": {"sum": ["$score", {"mult": [10, {"key": "g", "match": {"value": "c"}}]}]}}, 4),
    ({"relevance_feedback": {"target": [1, 0, 0, 0], "feedback": [{"example": 5, "score": 0.9}, {"example": 1, "score": 0.1}],
                             "strategy": {"naive": {"a": 0.1, "b": 1, "c": 5}}}}, 4),
])
def test_query_kinds_are_served(api, coll, q, first):
    body = {"query": q, "limit": 3}
    if "formula" in q:
        body["prefetch"] = {"query": [1, 0, 0, 0], "limit": 5}
    assert ids(query(api, coll, body))[0] == first


def test_order_by_reports_order_value(api, coll):
    res = query(api, coll, {"query": {"order_by": "t"}, "limit": 2})
    assert [(p["id"], p["order_value"]) for p in res] == [(3, 0.5), (1, 1.5)]


def test_sample_random_returns_distinct_points(api, coll):
    res = query(api, coll, {"query": {"sample": "random"}, "limit": 5})
    assert sorted(ids(res)) == [1, 2, 3, 4, 5]


def test_mmr_is_not_a_plain_search(api, coll):
    plain = ids(query(api, coll, {"query": [1, 0.8, 0, 0], "limit": 3}))
    mmr = ids(query(api, coll, {"query": {"nearest": [1, 0.8, 0, 0], "mmr": {"diversity": 1.0, "candidates_limit": 5}}, "limit": 3}))
    assert plain[:2] == [2, 1] and mmr[0] == plain[0] and mmr != plain


def test_groups_matrix_batch_and_facet_are_served(api, coll):
    g = ok(api.post(f"/collections/{coll}/points/query/groups",
                    json={"query": [1, 0, 0, 0], "group_by": "g", "group_size": 2, "limit": 2}))
    assert [x["id"] for x in g["groups"]] == ["a", "b"]
    assert [h["id"] for h in g["groups"][0]["hits"]] == [1, 3]
    m = ok(api.post(f"/collections/{coll}/points/search/matrix/pairs", json={"sample": 5, "limit": 1}))
    assert len(m["pairs"]) == 5 and {p["a"] for p in m["pairs"]} == {1, 2, 3, 4, 5}
    o = ok(api.post(f"/collections/{coll}/points/search/matrix/offsets", json={"sample": 5, "limit": 2}))
    assert o["ids"] == [1, 2, 3, 4, 5] and len(o["offsets_row"]) == len(o["scores"]) == 10
    f = ok(api.post(f"/collections/{coll}/facet", json={"key": "g"}))
    assert f["hits"] == [{"value": "a", "count": 2}, {"value": "b", "count": 2}, {"value": "c", "count": 1}]
    r = ok(api.post(f"/collections/{coll}/points/batch", params={"wait": "true"}, json={"operations": [
        {"set_payload": {"payload": {"z": 1}, "points": [5]}},
        {"delete_payload": {"keys": ["z"], "points": [5]}},
        {"set_payload": {"payload": {"z": 2}, "points": [5]}}]}))
    assert len(r) == 3
    assert ok(api.get(f"/collections/{coll}/points/5"))["payload"]["z"] == 2


def test_with_payload_selects_nested_paths(api, coll):
    res = ok(api.post(f"/collections/{coll}/points", json={"ids": [1], "with_payload": ["nested.id"]}))
    assert res[0]["payload"] == {"nested": {"id": 7}}
    res = ok(api.post(f"/collections/{coll}/points", json={"ids": [1], "with_payload": {"exclude": ["nested.id", "a", "nest", "tags", "nulls", "t", "g"]}}))
    assert res[0]["payload"] == {"nested": {"x": 1}}


def test_indexed_key_paths_match(api, coll):
    assert scroll_ids(api, coll, {"must": [{"key": "a[0][1]", "match": {"value": 2}}]}) == [1]
    assert scroll_ids(api, coll, {"must": [{"key": "a[][]", "match": {"value": 5}}]}) == [2]
    assert scroll_ids(api, coll, {"must": [{"key": "nest[1].v", "match": {"value": 2}}]}) == [1]


def test_set_payload_key_path_writes_into_array_element(api, qdb):
    name = unique("reg_set")
    create_collection(api, name, size=4)
    upsert(api, name, points=[{"id": 1, "vector": [1, 0, 0, 0], "payload": {"nest": [{"a": 1}, {"a": 2}]}}])
    ok(api.post(f"/collections/{name}/points/payload", params={"wait": "true"},
                json={"payload": {"b": 9}, "points": [1], "key": "nest[0]"}))
    assert ok(api.get(f"/collections/{name}/points/1"))["payload"] == {"nest": [{"a": 1, "b": 9}, {"a": 2}]}
    ok(api.post(f"/collections/{name}/points/payload/delete", params={"wait": "true"},
                json={"keys": ["nest[].a"], "points": [1]}))
    assert ok(api.get(f"/collections/{name}/points/1"))["payload"] == {"nest": [{"b": 9}, {}]}


def test_values_count_is_empty_is_null_on_arrays(api, coll):
    assert scroll_ids(api, coll, {"must": [{"is_empty": {"key": "tags"}}]}) == [1, 3, 4, 5]
    assert scroll_ids(api, coll, {"must": [{"is_empty": {"key": "a[]"}}]}) == [3, 4, 5]
    assert scroll_ids(api, coll, {"must": [{"is_null": {"key": "nulls"}}]}) == [1, 2]
    assert scroll_ids(api, coll, {"must": [{"is_null": {"key": "tags"}}]}) == [3]
    assert scroll_ids(api, coll, {"must": [{"key": "nulls", "values_count": {"gte": 2}}]}) == [1, 2]
    assert scroll_ids(api, coll, {"must": [{"key": "a", "values_count": {"gte": 2}}]}) == [1]


def test_upsert_update_mode_and_update_filter(api):
    name = unique("reg_mode")
    create_collection(api, name, size=4)
    upsert(api, name, points=[{"id": 1, "vector": [1, 0, 0, 0], "payload": {"v": 1}}])
    put = lambda body: ok(api.put(f"/collections/{name}/points", params={"wait": "true"}, json=body))  # noqa: E731
    put({"points": [{"id": 1, "vector": [1, 0, 0, 0], "payload": {"v": 2}}, {"id": 2, "vector": [0, 1, 0, 0], "payload": {"v": 2}}],
         "update_mode": "insert_only"})
    put({"points": [{"id": 3, "vector": [1, 0, 0, 0], "payload": {"v": 3}}, {"id": 2, "vector": [0, 1, 0, 0], "payload": {"v": 3}}],
         "update_mode": "update_only"})
    put({"points": [{"id": 1, "vector": [1, 0, 0, 0], "payload": {"v": 4}}, {"id": 2, "vector": [0, 1, 0, 0], "payload": {"v": 4}}],
         "update_filter": {"must": [{"key": "v", "match": {"value": 3}}]}})
    pts = ok(api.post(f"/collections/{name}/points/scroll", json={"limit": 10}))["points"]
    assert [(p["id"], p["payload"]["v"]) for p in pts] == [(1, 1), (2, 4)]


def test_lookup_from_takes_vectors_from_another_collection(api, coll):
    other = unique("reg_lookup")
    create_collection(api, other, size=4)
    upsert(api, other, points=[{"id": 1, "vector": [0, 0, 1, 0]}])
    res = query(api, coll, {"query": 1, "lookup_from": {"collection": other}, "limit": 2})
    assert ids(res) == [5, 4]  # the other collection's point 1, and this collection's 1 is not excluded
    res = query(api, coll, {"query": {"recommend": {"positive": [1]}}, "lookup_from": {"collection": other}, "limit": 1})
    assert ids(res) == [5]


@pytest.mark.parametrize("body, field", [
    ({"query": [1, 0, 0, 0], "shard_key": "a"}, "shard_key"),
    ({"query": [1, 0, 0, 0], "bogus": 1}, "bogus"),
    ({"query": {"nearest": [1, 0, 0, 0], "extra": True}}, "extra"),
    ({"query": {"recommend": {"positive": [1], "stategy": "best_score"}}}, "stategy"),
    ({"prefetch": {"query": [1, 0, 0, 0], "with_payload": True}, "query": {"fusion": "rrf"}}, "with_payload"),
    ({"query": [1, 0, 0, 0], "filter": {"must": [{"key": "t", "match": {"value": 1}, "typo": 1}]}}, "typo"),
])
def test_fields_qdb_does_not_serve_are_refused_by_name(api, coll, body, field):
    assert field in err(api.post(f"/collections/{coll}/points/query", json=body), 400)


@pytest.mark.parametrize("params", [{"timeout": "-1"}, {"timeout": "0"}, {"timeout": "x"}, {"consistency": "most"}, {"consistency": "0"}])
def test_out_of_range_parameters(api, coll, params):
    err(api.post(f"/collections/{coll}/points/query", params=params, json={"query": [1, 0, 0, 0]}), 400)


def test_valid_parameters_are_accepted(api, coll):
    ok(api.post(f"/collections/{coll}/points/query", params={"timeout": "5", "consistency": "majority"}, json={"query": [1, 0, 0, 0]}))


def test_limits_are_validated(api, coll):
    err(api.post(f"/collections/{coll}/points/query", json={"query": [1, 0, 0, 0], "limit": 0}), 422)
    err(api.post(f"/collections/{coll}/points/query", json={"query": [1, 0, 0, 0], "offset": -1}), 422)
    err(api.post(f"/collections/{coll}/points/query", json={"prefetch": {"query": [1, 0, 0, 0]}}), 400)
    err(api.post(f"/collections/{coll}/points/query", json={"query": {"order_by": "t"}, "score_threshold": 1}), 400)


@pytest.mark.parametrize("method, path", [
    ("PUT", "/points/query"), ("DELETE", "/points/search"), ("GET", "/facet"), ("PATCH", "/points"), ("PUT", "/points/batch"),
])
def test_wrong_method_on_known_path_is_405(api, coll, method, path):
    r = api.request(method, f"/collections/{coll}{path}")
    assert r.status_code == 405, r.text
    assert r.json()["status"]["error"].startswith("Method Not Allowed")
    assert "Allow" in r.headers


def test_unknown_path_is_still_404(api, coll):
    assert api.get(f"/collections/{coll}/points/nope/deeper").status_code == 404


@pytest.mark.parametrize("path, body, field", [
    ("/points/scroll", {"limit": 1, "bogus": 1}, "bogus"),
    ("/points/count", {"exact": False, "filters": {}}, "filters"),
    ("/points", {"ids": [1], "with_payloads": True}, "with_payloads"),
    ("/points/count", {"shard_key": "s"}, "shard_key"),
])
def test_read_bodies_refuse_unknown_fields(api, coll, path, body, field):
    assert field in err(api.post(f"/collections/{coll}{path}", json=body), 400)


def test_count_accepts_exact_false_and_an_empty_body(api, coll):
    assert ok(api.post(f"/collections/{coll}/points/count", json={"exact": False}))["count"] == 5
    assert ok(api.post(f"/collections/{coll}/points/count", data=b"", headers={"content-type": "application/json"}))["count"] == 5


def test_scroll_with_order_by(api, coll):
    res = ok(api.post(f"/collections/{coll}/points/scroll", json={"order_by": {"key": "t", "direction": "desc"}, "limit": 2}))
    assert [p["id"] for p in res["points"]] == [5, 4] and res["next_page_offset"] is None
    assert "offset" in err(api.post(f"/collections/{coll}/points/scroll", json={"order_by": "t", "offset": 1}), 400)


@pytest.mark.parametrize("body", [
    {"query": [1, 0, 0, 0], "limit": 2**62, "offset": 2**62},
    {"query": {"recommend": {"positive": [1], "strategy": "best_score"}}, "limit": 2**62},
    {"query": {"order_by": "t"}, "limit": 2**62, "offset": 2**62},
    {"prefetch": {"query": [1, 0, 0, 0], "limit": 2**62}, "query": {"fusion": "rrf"}, "limit": 2**62, "offset": 1},
    {"query": {"nearest": [1, 0, 0, 0], "mmr": {"candidates_limit": 16384}}, "limit": 2**62},
])
def test_huge_limits_and_offsets_are_answered(api, coll, body):
    """Limits come from requests: nothing may be sized by them, nor overflow when added."""
    assert isinstance(query(api, coll, body), list)
    pts = ok(api.post(f"/collections/{coll}/points/scroll", json={"limit": 2**63 - 1}))["points"]
    assert len(pts) == 5


def test_payload_index_types_are_qdrants(api, coll):
    for schema in ["keyword", "integer", "float", "bool", "geo", "datetime", "uuid", "text",
                   {"type": "text", "tokenizer": "word", "lowercase": True}, {"type": "integer", "lookup": True, "range": False}]:
        ok(api.put(f"/collections/{coll}/index", params={"wait": "true"}, json={"field_name": "g", "field_schema": schema}))
        info = ok(api.get(f"/collections/{coll}"))
        want = schema if isinstance(schema, str) else schema["type"]
        assert info["payload_schema"]["g"]["data_type"] == want
    for bad in ["strng", {"type": "nope"}, 5]:
        err(api.put(f"/collections/{coll}/index", json={"field_name": "g", "field_schema": bad}), 400)
    err(api.put(f"/collections/{coll}/index", json={"field_name": "a[x]", "field_schema": "keyword"}), 400)
    assert scroll_ids(api, coll, {"must": [{"key": "g", "match": {"value": "a"}}]}) == [1, 3]  # same answer with the index
    ok(api.delete(f"/collections/{coll}/index/g", params={"wait": "true"}))
