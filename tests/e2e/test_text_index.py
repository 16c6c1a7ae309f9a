"""Issue 14: `match: {text | text_any | phrase}` follows the field's text index (tokenizer word/
whitespace/prefix/multilingual, lowercase, min/max_token_len, stopwords, stemmer, ascii_folding)
as Qdrant 1.19's full-text index does, and keeps the default word tokenizer without one.

Differential part: against qdrant-client's local mode, which evaluates every text condition with
the default word tokenizer, lowercased (it builds no index): qdb agrees with it on unindexed
fields and on fields with a default text index (single strings). Local mode ignores non-default
index params, so those cases are checked against Qdrant's semantics written out below (from
`lib/segment/src/index/field_index/full_text_index/tokenizers/`). Server Qdrant 1.19.0 matched
unindexed text as raw substrings; 1.19.1 (qdrant#10341) tokenizes, as local mode and qdb do.
"""

from __future__ import annotations

import os
import random

import pytest
from qdrant_client import QdrantClient, models

from qdb_helpers import create_collection, err, ok, unique, upsert

WORDS = ["Red", "red", "fox", "foxes", "Running", "runs", "café", "cafe", "the", "The", "hello", "world", "hello-world", "ok!"]
SEED = int(os.environ.get("QDB_DIFF_SEED", "21"))


def scroll_ids(api, coll, flt):
    res = ok(api.post(f"/collections/{coll}/points/scroll", json={"filter": flt, "limit": 1000, "with_payload": False}))
    return sorted(p["id"] for p in res["points"])


def cond(key, kind, q):
    return {"must": [{"key": key, "match": {kind: q}}]}


@pytest.fixture(scope="module")
def docs():
    r = random.Random(SEED)
    return [" ".join(r.choice(WORDS) for _ in range(r.randint(0, 5))) for _ in range(60)]


def test_default_index_and_unindexed_agree_with_local_mode(qdb, docs):
    api = qdb.api()
    name = unique("txt")
    create_collection(api, name, size=2, distance="Dot")
    points = [{"id": i, "vector": [1, 0], "payload": {"t": d, "u": d}} for i, d in enumerate(docs)]
    upsert(api, name, points=points)
    # phrase_matching: a phrase on a text index without positions matches nothing (below)
    ok(api.put(f"/collections/{name}/index", params={"wait": "true"},
               json={"field_name": "t", "field_schema": {"type": "text", "phrase_matching": True}}))
    local = QdrantClient(":memory:")
    local.create_collection(name, vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    local.upsert(name, [models.PointStruct(**p) for p in points])
    local.create_payload_index(name, "t", models.TextIndexParams(type=models.TextIndexType.TEXT, phrase_matching=True))
    r = random.Random(SEED + 1)
    for case in range(80):
        q = " ".join(r.choice(WORDS) for _ in range(r.randint(0, 3)))
        kind = r.choice(["text", "text_any", "phrase"])
        for key in ("t", "u"):
            flt = cond(key, kind, q)
            want = sorted(p.id for p in local.scroll(name, scroll_filter=models.Filter(**flt), limit=1000)[0])
            got = scroll_ids(api, name, flt)
            assert got == want, f"seed {SEED} case {case}: {key} {kind} {q!r}"


def indexed(api, schema, texts):
    name = unique("tok")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [1, 0], "payload": {"t": t}} for i, t in enumerate(texts)])
    ok(api.put(f"/collections/{name}/index", params={"wait": "true"}, json={"field_name": "t", "field_schema": {"type": "text", **schema}}))
    return name


# (index params, stored strings, condition kind, query, ids that match)
CASES = [
    ({"tokenizer": "whitespace"}, ["hello, world", "hello world"], "text", "hello", [1]),  # "hello," is one token
    ({"tokenizer": "whitespace"}, ["hello, world", "hello world"], "text", "hello,", [0]),
    ({"tokenizer": "word"}, ["hello, world", "hello world"], "text", "hello", [0, 1]),
    ({"tokenizer": "prefix"}, ["hello world", "help"], "text", "hel", [0, 1]),
    ({"tokenizer": "prefix"}, ["hello world", "help"], "text", "hello wo", [0]),
    ({"tokenizer": "prefix", "max_token_len": 3}, ["hello", "help", "he"], "text", "helping", [0, 1]),  # query cut to "hel"
    ({"tokenizer": "word", "lowercase": False}, ["Red fox", "red fox"], "text", "Red", [0]),
    ({"tokenizer": "word", "lowercase": True}, ["Red fox", "red fox"], "text", "RED", [0, 1]),
    ({"min_token_len": 3}, ["an ox ran", "ox"], "text", "ran", [0]),
    ({"min_token_len": 3}, ["an ox ran", "ox"], "text_any", "ox", []),  # "ox" is dropped on both sides
    ({"max_token_len": 4}, ["fox foxes", "foxes"], "text", "fox", [0]),
    ({"stopwords": {"custom": ["the"]}, "phrase_matching": True}, ["The fox", "a fox"], "phrase", "the fox", [0, 1]),
    ({"stopwords": {"custom": ["the"]}}, ["The fox", "a dog"], "text", "the", []),
    ({"stemmer": {"type": "snowball", "language": "english"}}, ["Running fast", "runs", "runner"], "text", "run", [0, 1]),
    ({"ascii_folding": True}, ["Café crème", "cafe"], "text", "cafe creme", [0]),
    ({"ascii_folding": True}, ["Café crème", "cafe"], "text_any", "CAFÉ", [0, 1]),
    ({"phrase_matching": True}, ["quick brown fox", "fox brown quick"], "phrase", "brown fox", [0]),
    ({}, ["quick brown fox", "fox brown quick"], "phrase", "brown fox", []),  # no positions kept: no phrase match
    ({"tokenizer": "multilingual"}, ["Crème brûlée", "日本語"], "text", "creme", [0]),
    ({"tokenizer": "multilingual"}, ["Crème brûlée", "日本語"], "text", "本", [1]),
]


@pytest.mark.parametrize("schema, texts, kind, q, want", CASES)
def test_text_index_params_decide_matching(api, schema, texts, kind, q, want):
    name = indexed(api, schema, texts)
    assert scroll_ids(api, name, cond("t", kind, q)) == want


def test_index_applies_to_existing_points_and_its_removal_restores_the_default(api):
    name = unique("tok")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": 1, "vector": [1, 0], "payload": {"t": ["hello", "world"]}}])
    flt = cond("t", "text", "hel wor")
    assert scroll_ids(api, name, flt) == []
    ok(api.put(f"/collections/{name}/index", params={"wait": "true"}, json={"field_name": "t", "field_schema": {"type": "text", "tokenizer": "prefix"}}))
    assert scroll_ids(api, name, flt) == [1]  # the strings of an array form one document
    assert ok(api.get(f"/collections/{name}"))["payload_schema"]["t"]["params"]["tokenizer"] == "prefix"
    ok(api.delete(f"/collections/{name}/index/t", params={"wait": "true"}))
    assert scroll_ids(api, name, flt) == []
    count = ok(api.post(f"/collections/{name}/points/count", json={"filter": cond("t", "text_any", "hello")}))["count"]
    assert count == 1


@pytest.mark.parametrize("schema, word", [
    ({"type": "text", "tokenizer": "ngram"}, "tokenizer"),
    ({"type": "text", "min_token_len": "2"}, "min_token_len"),
    ({"type": "text", "stemmer": {"type": "snowball", "language": "klingon"}}, "klingon"),
    ({"type": "text", "tokenzier": "word"}, "tokenzier"),
    ({"type": "text", "stopwords": "english"}, "stopword"),
])
def test_bad_text_index_params_are_a_400(api, schema, word):
    name = unique("tok")
    create_collection(api, name, size=2, distance="Dot")
    msg = err(api.put(f"/collections/{name}/index", json={"field_name": "t", "field_schema": schema}), 400)
    assert word in msg, msg
    assert "t" not in ok(api.get(f"/collections/{name}"))["payload_schema"]
