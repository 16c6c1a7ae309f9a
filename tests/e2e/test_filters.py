"""Filters: every condition kind, each checked against a Python re-implementation of Qdrant's
semantics (qdb_helpers.eval_filter) over the same data, through scroll, count and query.

Every test runs twice: on a collection without payload indexes and on one with indexes on
the filtered fields (an index must not change results).
"""

import pytest

from qdb_helpers import (as_json_vec, count, create_collection, eval_filter, ok, rand_vectors,
                         scroll_all, unique, upsert)

N = 120
CITIES = ["Berlin", "London", "Paris", "Moscow"]
TAGS = ["red", "green", "blue", "small", "large", "new"]
FRUIT = ["apple", "pear", "plum"]
ADJ = ["quick", "lazy", "blue", "shiny"]
NOUN = ["fox", "dog", "car", "house", "river"]


def make_payload(i: int) -> dict:
    p: dict = {}
    if i % 11 == 0:
        pass  # city missing
    elif i % 13 == 0:
        p["city"] = None
    elif i % 17 == 0:
        p["city"] = ["Berlin", "Rome"]  # multi-valued
    else:
        p["city"] = CITIES[i % 4]
    if i % 7 != 0:
        p["count"] = i % 20
    p["price"] = round(i * 1.25, 2) if i % 2 else i // 2  # floats and ints
    p["ok"] = i % 3 == 0
    if i % 9 == 0:
        p["tags"] = []
    elif i % 5 != 0:
        p["tags"] = sorted({TAGS[i % 6], TAGS[(i * 7 + 1) % 6], TAGS[(i // 3) % 6]})
    p["nums"] = [i % 4, 10 + i % 6]
    if i % 8 != 0:
        p["address"] = {"city": CITIES[(i + 1) % 4], "zip": 10000 + i}
    p["items"] = [{"name": FRUIT[i % 3], "qty": i % 5},
                  {"name": FRUIT[(i + 1) % 3], "qty": (i * 3) % 7}]
    p["description"] = f"a {ADJ[i % 4]} {NOUN[i % 5]} number {i}"
    return p


DATA = {i: make_payload(i) for i in range(1, N + 1)}
VECS = rand_vectors(N, 4, seed=99)

INDEXES = [("city", "keyword"), ("count", "integer"), ("price", "float"), ("ok", "bool"),
           ("tags", "keyword"), ("address.city", "keyword"), ("nums", "integer")]


@pytest.fixture(scope="module")
def colls(qdb):
    api = qdb.api()
    out = {}
    for kind in ("plain", "indexed"):
        name = unique(f"f_{kind}")
        create_collection(api, name, size=4, distance="Dot")
        if kind == "indexed":
            for field, schema in INDEXES:
                res = ok(api.put(f"/collections/{name}/index", params={"wait": "true"},
                                 json={"field_name": field, "field_schema": schema}))
                assert res["status"] == "completed", res
        ids = list(DATA)
        upsert(api, name, points=[{"id": i, "vector": as_json_vec(VECS[i - 1]),
                                   "payload": DATA[i]} for i in ids[:60]])
        upsert(api, name, batch={"ids": ids[60:],
                                 "vectors": [as_json_vec(VECS[i - 1]) for i in ids[60:]],
                                 "payloads": [DATA[i] for i in ids[60:]]})
        out[kind] = name
    return out


@pytest.fixture(params=["plain", "indexed"])
def coll(request, colls):
    return colls[request.param]


def expected_ids(flt):
    return sorted(i for i, p in DATA.items() if eval_filter(flt, i, p))


def check(api, name, flt, allow_all=False, allow_none=False):
    exp = expected_ids(flt)
    # The filter must discriminate, otherwise the test proves nothing.
    if not allow_none:
        assert exp, f"test data bug: filter matches nothing: {flt}"
    if not allow_all:
        assert len(exp) < N, f"test data bug: filter matches everything: {flt}"
    got = [p["id"] for p in scroll_all(api, name, flt, page=50)]
    assert got == exp, (f"scroll with filter {flt}\n missing: {sorted(set(exp) - set(got))}\n"
                        f" extra: {sorted(set(got) - set(exp))}")
    assert count(api, name, flt) == len(exp)
    res = ok(api.post(f"/collections/{name}/points/query",
                      json={"query": [0.5, -0.25, 1.0, 0.1], "limit": 20, "filter": flt}))
    qids = [p["id"] for p in res["points"]]
    assert set(qids) <= set(exp), f"query returned non-matching ids {set(qids) - set(exp)}"
    assert len(qids) == min(20, len(exp))
    return exp


# ---- match ------------------------------------------------------------------------------


def test_match_value_string(api, coll):
    check(api, coll, {"must": [{"key": "city", "match": {"value": "Berlin"}}]})


def test_match_value_int(api, coll):
    exp = check(api, coll, {"must": [{"key": "count", "match": {"value": 5}}]})
    assert all(DATA[i]["count"] == 5 for i in exp)


def test_match_value_bool(api, coll):
    check(api, coll, {"must": [{"key": "ok", "match": {"value": True}}]})
    check(api, coll, {"must": [{"key": "ok", "match": {"value": False}}]})


def test_match_any(api, coll):
    check(api, coll, {"must": [{"key": "city", "match": {"any": ["London", "Paris"]}}]})
    check(api, coll, {"must": [{"key": "count", "match": {"any": [1, 2, 3]}}]})


def test_match_except(api, coll):
    flt = {"must": [{"key": "city", "match": {"except": ["Berlin", "London"]}}]}
    exp = check(api, coll, flt)
    # Missing and null city never match; ["Berlin","Rome"] matches through "Rome".
    assert 11 not in exp and 13 not in exp
    assert 17 in exp
    check(api, coll, {"must": [{"key": "count", "match": {"except": [0, 1, 2, 3, 4, 5]}}]})


def test_match_text_tokens(api, coll):
    exp = check(api, coll, {"must": [{"key": "description", "match": {"text": "blue"}}]})
    assert all("blue" in DATA[i]["description"] for i in exp)
    check(api, coll, {"must": [{"key": "description", "match": {"text": "number 1"}}]})


# ---- range ------------------------------------------------------------------------------


def test_range_gt_lt(api, coll):
    check(api, coll, {"must": [{"key": "count", "range": {"gt": 5, "lt": 10}}]})


def test_range_gte_lte(api, coll):
    exp = check(api, coll, {"must": [{"key": "count", "range": {"gte": 5, "lte": 10}}]})
    assert any(DATA[i]["count"] == 5 for i in exp) and any(DATA[i]["count"] == 10 for i in exp)


def test_range_on_floats_and_mixed_numbers(api, coll):
    check(api, coll, {"must": [{"key": "price", "range": {"gte": 12.5, "lt": 40.1}}]})
    check(api, coll, {"must": [{"key": "price", "range": {"gt": 70.0}}]})
    check(api, coll, {"must": [{"key": "price", "range": {"lte": 3}}]})


def test_range_on_array_field(api, coll):
    check(api, coll, {"must": [{"key": "nums", "range": {"gte": 15}}]})


# ---- ids, emptiness, nulls, counts ----------------------------------------------------------


def test_has_id(api, coll):
    exp = check(api, coll, {"must": [{"has_id": [1, 5, 77, 119, 5000]}]})
    assert exp == [1, 5, 77, 119]
    check(api, coll, {"must_not": [{"has_id": [1, 2, 3]}]})


def test_is_empty(api, coll):
    exp = check(api, coll, {"must": [{"is_empty": {"key": "tags"}}]})
    assert 9 in exp and 5 in exp  # [] and missing
    exp = check(api, coll, {"must": [{"is_empty": {"key": "city"}}]})
    assert 11 in exp and 13 in exp  # missing and null
    check(api, coll, {"must_not": [{"is_empty": {"key": "tags"}}]})


def test_is_null(api, coll):
    exp = check(api, coll, {"must": [{"is_null": {"key": "city"}}]})
    assert 13 in exp and 11 not in exp  # present-and-null only
    check(api, coll, {"must_not": [{"is_null": {"key": "city"}}]})


def test_values_count(api, coll):
    check(api, coll, {"must": [{"key": "tags", "values_count": {"gte": 2}}]})
    check(api, coll, {"must": [{"key": "tags", "values_count": {"gt": 2}}]})
    # lt 1 also matches points without the field (count 0).
    exp = check(api, coll, {"must": [{"key": "tags", "values_count": {"lt": 1}}]})
    assert 5 in exp and 9 in exp


# ---- keys: dotted paths, arrays ------------------------------------------------------------


def test_nested_key_with_dots(api, coll):
    check(api, coll, {"must": [{"key": "address.city", "match": {"value": "Paris"}}]})
    check(api, coll, {"must": [{"key": "address.zip", "range": {"gte": 10050, "lt": 10090}}]})


def test_array_field_matches_any_element(api, coll):
    exp = check(api, coll, {"must": [{"key": "tags", "match": {"value": "red"}}]})
    assert all("red" in DATA[i]["tags"] for i in exp)
    check(api, coll, {"must": [{"key": "nums", "match": {"value": 12}}]})
    # A multi-valued city matches each of its values.
    exp = check(api, coll, {"must": [{"key": "city", "match": {"value": "Rome"}}]})
    assert exp == [i for i in DATA if i % 17 == 0 and i % 11 and i % 13]


def test_array_brackets_key(api, coll):
    check(api, coll, {"must": [{"key": "tags[]", "match": {"value": "green"}}]})
    check(api, coll, {"must": [{"key": "items[].name", "match": {"value": "plum"}}]})


def test_nested_object_filter(api, coll):
    inner = {"must": [{"key": "name", "match": {"value": "apple"}},
                      {"key": "qty", "range": {"gte": 3}}]}
    nested = check(api, coll, {"must": [{"nested": {"key": "items", "filter": inner}}]})
    # The flat version may match across different array elements; nested may not.
    flat = expected_ids({"must": [{"key": "items[].name", "match": {"value": "apple"}},
                                  {"key": "items[].qty", "range": {"gte": 3}}]})
    assert set(nested) < set(flat), "test data should tell nested from flat matching apart"
    check(api, coll, {"must_not": [{"nested": {"key": "items", "filter": inner}}]})


# ---- boolean structure ----------------------------------------------------------------------


def test_should(api, coll):
    check(api, coll, {"should": [{"key": "city", "match": {"value": "Berlin"}},
                                 {"key": "count", "range": {"gte": 18}}]})


def test_must_not(api, coll):
    exp = check(api, coll, {"must_not": [{"key": "city", "match": {"value": "Berlin"}}]})
    assert 11 in exp  # missing field: not Berlin


def test_must_with_several_conditions(api, coll):
    check(api, coll, {"must": [{"key": "ok", "match": {"value": True}},
                               {"key": "count", "range": {"lt": 12}},
                               {"key": "tags", "match": {"any": ["red", "blue"]}}]})


def test_must_should_must_not_combined(api, coll):
    check(api, coll, {"must": [{"key": "count", "range": {"gte": 2}}],
                      "should": [{"key": "city", "match": {"value": "London"}},
                                 {"key": "ok", "match": {"value": True}}],
                      "must_not": [{"has_id": [3, 6, 9]},
                                   {"key": "tags", "match": {"value": "new"}}]})


def test_nested_filter_objects_in_clauses(api, coll):
    flt = {"should": [
        {"must": [{"key": "city", "match": {"value": "Paris"}},
                  {"key": "ok", "match": {"value": False}}]},
        {"must_not": [{"key": "count", "range": {"lt": 18}}],
         "must": [{"key": "count", "range": {"gte": 0}}]},
    ], "must_not": [{"should": [{"has_id": [2, 4]}, {"is_null": {"key": "city"}}]}]}
    check(api, coll, flt)
    check(api, coll, {"must": [{"must_not": [{"key": "ok", "match": {"value": True}}]},
                               {"should": [{"key": "nums", "match": {"value": 0}},
                                           {"key": "nums", "match": {"value": 1}}]}]})


def test_empty_filter_matches_all(api, coll):
    check(api, coll, {}, allow_all=True)
    check(api, coll, {"must": []}, allow_all=True)
    check(api, coll, {"must_not": []}, allow_all=True)


def test_no_match(api, coll):
    check(api, coll, {"must": [{"key": "city", "match": {"value": "Atlantis"}}]},
          allow_none=True)
    check(api, coll, {"must": [{"key": "no_such_field", "range": {"gte": 0}}]}, allow_none=True)


def test_indexes_in_payload_schema(api, colls):
    info = ok(api.get(f"/collections/{colls['indexed']}"))
    schema = info["payload_schema"]
    for field, kind in INDEXES:
        assert schema.get(field, {}).get("data_type") == kind, schema
    assert ok(api.get(f"/collections/{colls['plain']}"))["payload_schema"] == {}
