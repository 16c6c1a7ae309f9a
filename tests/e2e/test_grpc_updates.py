"""Issue 14's gRPC additions, through qdrant-client with prefer_grpc=True against a real
`qdb serve`, each compared with what REST serves for the same data: UpdateBatch, upserts with
update_mode/update_filter, CreateFieldIndex/DeleteFieldIndex (text index params included), the
formula query, and the Collections additions (Update, UpdateAliases, ListAliases,
ListCollectionAliases)."""

from __future__ import annotations

import grpc
import pytest
from qdrant_client import QdrantClient, models

from qdb_helpers import ok, unique

pytestmark = pytest.mark.filterwarnings("ignore:Api key is used with an insecure connection")


@pytest.fixture(scope="module")
def client(qdb):
    c = QdrantClient(host="127.0.0.1", port=qdb.port, grpc_port=qdb.grpc_port, prefer_grpc=True, https=False,
                     timeout=60, check_compatibility=False)
    yield c
    c.close()


@pytest.fixture
def coll(client):
    name = unique("gu")
    client.create_collection(name, vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    client.upsert(name, [models.PointStruct(id=i, vector=[1, i], payload={"n": i, "t": f"hello world {i}"}) for i in range(1, 6)])
    return name


def rest_points(api, name):
    res = ok(api.post(f"/collections/{name}/points/scroll", json={"limit": 100}))
    return {p["id"]: p["payload"] for p in res["points"]}


def test_update_batch_applies_every_operation_in_order(api, client, coll):
    res = client.batch_update_points(coll, [
        models.UpsertOperation(upsert=models.PointsList(points=[models.PointStruct(id=9, vector=[0, 1], payload={"n": 9})])),
        models.SetPayloadOperation(set_payload=models.SetPayload(payload={"x": 1}, points=[1, 9])),
        models.OverwritePayloadOperation(overwrite_payload=models.SetPayload(payload={"only": True}, points=[2])),
        models.DeletePayloadOperation(delete_payload=models.DeletePayload(keys=["t"], points=[1])),
        models.ClearPayloadOperation(clear_payload=models.PointIdsList(points=[3])),
        models.DeleteOperation(delete=models.FilterSelector(filter=models.Filter(must=[
            models.FieldCondition(key="n", match=models.MatchValue(value=5))]))),
        models.SetPayloadOperation(set_payload=models.SetPayload(payload={"deep": 2}, key="nest", points=[4])),
    ])
    assert len(res) == 7 and all(r.status == models.UpdateStatus.COMPLETED for r in res)
    pts = rest_points(api, coll)
    assert pts == {1: {"n": 1, "x": 1}, 2: {"only": True}, 3: {}, 4: {"n": 4, "t": "hello world 4", "nest": {"deep": 2}},
                   9: {"n": 9, "x": 1}}


def test_update_batch_reads_every_operation_first(api, client, coll):
    before = rest_points(api, coll)
    with pytest.raises(Exception) as e:
        client.batch_update_points(coll, [
            models.SetPayloadOperation(set_payload=models.SetPayload(payload={"x": 1}, points=[1])),
            models.DeletePayloadOperation(delete_payload=models.DeletePayload(keys=["a[x"], points=[1])),
        ])
    assert getattr(e.value, "code", lambda: None)() == grpc.StatusCode.INVALID_ARGUMENT
    assert rest_points(api, coll) == before


def test_upsert_with_update_mode_and_filter(api, client, coll):
    client.upsert(coll, [models.PointStruct(id=1, vector=[1, 0], payload={"n": 100}), models.PointStruct(id=7, vector=[1, 0], payload={"n": 7})],
                  update_mode=models.UpdateMode.UPDATE_ONLY)
    client.upsert(coll, [models.PointStruct(id=i, vector=[1, 0], payload={"n": -i}) for i in (2, 3)],
                  update_filter=models.Filter(must=[models.FieldCondition(key="n", match=models.MatchValue(value=2))]))
    pts = rest_points(api, coll)
    assert pts[1] == {"n": 100} and 7 not in pts
    assert pts[2] == {"n": -2} and pts[3]["n"] == 3


def test_text_field_index_over_grpc(api, client, coll):
    client.create_payload_index(coll, "t", field_schema=models.TextIndexParams(
        type=models.TextIndexType.TEXT, tokenizer=models.TokenizerType.PREFIX, min_token_len=2, lowercase=True), wait=True)
    schema = ok(api.get(f"/collections/{coll}"))["payload_schema"]
    assert schema["t"]["data_type"] == "text" and schema["t"]["params"]["tokenizer"] == "prefix"
    flt = models.Filter(must=[models.FieldCondition(key="t", match=models.MatchText(text="hel wor"))])
    assert client.count(coll, count_filter=flt).count == 5
    client.create_payload_index(coll, "n", field_schema=models.PayloadSchemaType.INTEGER, wait=True)
    assert ok(api.get(f"/collections/{coll}"))["payload_schema"]["n"]["data_type"] == "integer"
    client.delete_payload_index(coll, "t", wait=True)
    assert "t" not in ok(api.get(f"/collections/{coll}"))["payload_schema"]
    assert client.count(coll, count_filter=flt).count == 0  # the word tokenizer again: no "hel" token


def test_bad_text_index_over_grpc_is_invalid_argument(client, coll):
    with pytest.raises(Exception) as e:
        client.create_payload_index(coll, "t", field_schema=models.TextIndexParams(
            type=models.TextIndexType.TEXT, stemmer=models.SnowballParams(type=models.Snowball.SNOWBALL, language="klingon")))
    assert "klingon" in str(e.value)


def test_formula_query_over_grpc_matches_rest(api, client, coll):
    formula = models.FormulaQuery(formula=models.SumExpression(sum=[
        "$score", models.MultExpression(mult=[0.5, "n"]),
        models.MultExpression(mult=[10, models.FieldCondition(key="n", match=models.MatchValue(value=2))]),
        models.GaussDecayExpression(gauss_decay=models.DecayParamsExpression(x="n", target=3, scale=2))]),
        defaults={"n": 0})
    prefetch = models.Prefetch(query=[1, 0], limit=5)
    got = client.query_points(coll, prefetch=prefetch, query=formula, limit=5).points
    body = {"prefetch": {"query": [1, 0], "limit": 5}, "limit": 5, "query": {"formula": {"sum": [
        "$score", {"mult": [0.5, "n"]}, {"mult": [10, {"key": "n", "match": {"value": 2}}]},
        {"gauss_decay": {"x": "n", "target": 3, "scale": 2}}]}, "defaults": {"n": 0}}}
    want = ok(api.post(f"/collections/{coll}/points/query", json=body))["points"]
    assert [p.id for p in got] == [p["id"] for p in want] and got[0].id == 2
    assert [p.score for p in got] == pytest.approx([p["score"] for p in want], abs=1e-4)


def test_collection_update_and_aliases_over_grpc(api, client, coll):
    assert client.update_collection(coll) is True
    with pytest.raises(Exception) as e:
        client.update_collection(coll, optimizers_config=models.OptimizersConfigDiff(indexing_threshold=10))
    assert "field" in str(e.value)
    alias = coll + "_a"
    client.update_collection_aliases([models.CreateAliasOperation(create_alias=models.CreateAlias(collection_name=coll, alias_name=alias))])
    assert [(a.alias_name, a.collection_name) for a in client.get_collection_aliases(coll).aliases] == [(alias, coll)]
    assert (alias, coll) in [(a.alias_name, a.collection_name) for a in client.get_aliases().aliases]
    assert ok(api.get(f"/collections/{coll}/aliases"))["aliases"] == [{"alias_name": alias, "collection_name": coll}]
    client.update_collection_aliases([models.RenameAliasOperation(rename_alias=models.RenameAlias(old_alias_name=alias, new_alias_name=alias + "2"))])
    assert [a.alias_name for a in client.get_collection_aliases(coll).aliases] == [alias + "2"]
    client.update_collection_aliases([models.DeleteAliasOperation(delete_alias=models.DeleteAlias(alias_name=alias + "2"))])
    assert client.get_collection_aliases(coll).aliases == []


def test_read_only_key_lists_aliases_but_cannot_batch_update(module_server_factory):
    srv = module_server_factory(api_key="admin-key", read_only_api_key="reader-key")
    reader = QdrantClient(host="127.0.0.1", port=srv.port, grpc_port=srv.grpc_port, prefer_grpc=True, https=False,
                          api_key="reader-key", timeout=60, check_compatibility=False)
    admin = QdrantClient(host="127.0.0.1", port=srv.port, grpc_port=srv.grpc_port, prefer_grpc=True, https=False,
                         api_key="admin-key", timeout=60, check_compatibility=False)
    name = unique("ro")
    admin.create_collection(name, vectors_config=models.VectorParams(size=2, distance=models.Distance.DOT))
    assert reader.get_aliases().aliases == []
    with pytest.raises(Exception) as e:
        reader.batch_update_points(name, [models.SetPayloadOperation(set_payload=models.SetPayload(payload={"x": 1}, points=[1]))])
    assert e.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(Exception):
        reader.create_payload_index(name, "x", field_schema=models.PayloadSchemaType.KEYWORD)
    reader.close()
    admin.close()
