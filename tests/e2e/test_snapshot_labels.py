"""A description and labels on snapshots: `?description=` and `?label=k=v` on the create routes,
`--description` and `--label k=v` on `qdb snapshot create`; kept beside the snapshot
(FILE.info.json, or the object KEY.info.json on S3), shown by list (REST, CLI) as extra fields that qdrant-client ignores, removed
with the snapshot."""

import json

from qdrant_client import QdrantClient

from qdb_helpers import create_collection, err, ok, run_qdb, upsert


def fill(api, name):
    create_collection(api, name, size=4)
    upsert(api, name, points=[{"id": i, "vector": [1.0, 0.0, float(i), 2.0]} for i in range(10)])


def test_rest_description_and_labels_are_listed_and_client_still_parses(qdb):
    api = qdb.api()
    fill(api, "lab")
    d = ok(api.post("/collections/lab/snapshots", params=[("description", "before the migration: v2 → v3"),
                                                          ("label", "env=prod"), ("label", "ticket=OPS-12")]))
    assert d["description"] == "before the migration: v2 → v3"
    assert d["labels"] == {"env": "prod", "ticket": "OPS-12"}
    plain = ok(api.post("/collections/lab/snapshots"))
    assert "description" not in plain and "labels" not in plain  # only when given
    listed = {s["name"]: s for s in ok(api.get("/collections/lab/snapshots"))}
    assert listed[d["name"]]["labels"] == {"env": "prod", "ticket": "OPS-12"}
    assert "labels" not in listed[plain["name"]]
    client = QdrantClient(url=qdb.url, timeout=30)
    names = sorted(s.name for s in client.list_snapshots("lab"))
    assert names == sorted(listed)
    full = ok(api.post("/snapshots", params={"description": "nightly"}))
    assert full["description"] == "nightly"
    assert [s.name for s in client.list_full_snapshots()]
    ok(api.delete(f"/collections/lab/snapshots/{d['name']}"))
    assert not (qdb.snapshots / "lab" / (d["name"] + ".info.json")).exists()


def test_bad_labels_are_refused(qdb):
    api = qdb.api()
    fill(api, "badlab")
    assert "KEY=VALUE" in err(api.post("/collections/badlab/snapshots", params={"label": "novalue"}), 400)
    err(api.post("/collections/badlab/snapshots", params={"label": "bad key=x"}), 400)
    assert ok(api.get("/collections/badlab/snapshots")) == []


def test_cli_labels_offline_and_remote(qdb, tmp_path):
    api = qdb.api()
    fill(api, "clilab")
    r = run_qdb(["snapshot", "create", "clilab", "--url", qdb.url, "--label", "env=test", "--description", "cli", "--json"])
    assert r.returncode == 0, r.stderr
    made = json.loads(r.stdout)
    assert made["labels"] == {"env": "test"} and made["description"] == "cli"
    r = run_qdb(["snapshot", "list", "clilab", "--url", qdb.url])
    line = [x for x in r.stdout.splitlines() if x.startswith(made["name"])][0]
    assert line.endswith("\tcli\tenv=test")
    r = run_qdb(["snapshot", "create", "clilab", "--url", qdb.url, "--label", "oops"])
    assert r.returncode == 64 and "KEY=VALUE" in r.stderr
    r = run_qdb(["snapshot", "create", "clilab", "--url", qdb.url, "--label", "a=b", "-o", str(tmp_path / "x")])
    assert r.returncode == 64


def test_labels_on_an_s3_store_are_kept_listed_and_removed(tmp_path_factory, server_factory):
    """On S3 the annotation is the object `<key>.info.json` beside the snapshot's: list shows it
    (collection, shard, full), and delete and prune (through the server) remove it."""
    import time

    from s3_helpers import Moto

    moto = Moto(tmp_path_factory.mktemp("moto"))
    try:
        bucket = moto.bucket()
        srv = server_factory(config_text=moto.config(bucket))
        api = srv.api()
        fill(api, "s3lab")
        made = ok(api.post("/collections/s3lab/snapshots", params=[("description", "on S3"), ("label", "env=prod")]))
        assert made["labels"] == {"env": "prod"} and made["description"] == "on S3"
        key = f"snapshots/s3lab/{made['name']}"
        stored = json.loads(moto.keys(bucket)[key + ".info.json"])
        assert stored == {"description": "on S3", "labels": {"env": "prod"}}
        listed = {s["name"]: s for s in ok(api.get("/collections/s3lab/snapshots"))}
        assert listed[made["name"]]["labels"] == {"env": "prod"} and listed[made["name"]]["description"] == "on S3"
        shard = ok(api.post("/collections/s3lab/shards/0/snapshots", params={"label": "kind=shard"}))
        assert [s.get("labels") for s in ok(api.get("/collections/s3lab/shards/0/snapshots"))] == [{"kind": "shard"}]
        assert shard["labels"] == {"kind": "shard"}
        full = ok(api.post("/snapshots", params={"description": "nightly"}))
        assert {s["name"]: s.get("description") for s in ok(api.get("/snapshots"))}[full["name"]] == "nightly"
        ok(api.delete(f"/snapshots/{full['name']}"))
        assert not any(k.startswith(f"snapshots/{full['name']}") for k in moto.keys(bucket))
        time.sleep(1.1)
        newer = ok(api.post("/collections/s3lab/snapshots", params={"label": "env=staging"}))
        r = run_qdb(["prune", "s3lab", "--url", srv.url, "--keep-last", "1", "--json"])
        assert r.returncode == 0, r.stderr
        keys = moto.keys(bucket, "snapshots/s3lab/")
        assert key not in keys and key + ".info.json" not in keys  # pruned with its annotation
        assert json.loads(keys[f"snapshots/s3lab/{newer['name']}.info.json"]) == {"labels": {"env": "staging"}}
        assert [s["labels"] for s in ok(api.get("/collections/s3lab/snapshots"))] == [{"env": "staging"}]
    finally:
        moto.stop()
