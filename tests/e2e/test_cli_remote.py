"""The snapshot CLI against a running server (--url): pipes compose like tar."""

import json
import subprocess

from qdb_helpers import QDB_BIN, count, create_collection, scroll_all, unique, upsert


def run(args, input_bytes=None, env=None):
    return subprocess.run([QDB_BIN, *args], input=input_bytes, capture_output=True, timeout=120, env=env)


def test_remote_snapshot_pipeline(server_factory, tmp_path):
    srv = server_factory(api_key="k")
    api = srv.api()
    name = unique("rm")
    create_collection(api, name, size=2, distance="Dot", shard_number=2)
    upsert(api, name, points=[{"id": i, "vector": [i, 2], "payload": {"i": i}} for i in range(30)])
    want = [(p["id"], p["vector"], p["payload"]) for p in scroll_all(api, name, with_vector=True)]
    url = ["--url", srv.url, "--api-key", "k"]

    created = run(["snapshot", "create", name, "--json", *url])
    assert created.returncode == 0, created.stderr
    desc = json.loads(created.stdout)
    listed = json.loads(run(["snapshot", "list", name, "--json", *url]).stdout)
    assert [d["name"] for d in listed] == [desc["name"]]
    dl = run(["snapshot", "download", name, desc["name"], "-o", "-", *url])
    assert dl.returncode == 0 and len(dl.stdout) == desc["size"]
    assert run(["verify", "-", "--checksum", desc["checksum"]], input_bytes=dl.stdout).returncode == 0

    # qdb snapshot create --url … -o - | qdb restore - --url … --collection copy
    stream = run(["snapshot", "create", name, "-o", "-", *url])
    assert stream.returncode == 0
    r = run(["restore", "-", "--collection", "copy", *url], input_bytes=stream.stdout)
    assert r.returncode == 0, r.stderr
    assert [(p["id"], p["vector"], p["payload"]) for p in scroll_all(api, "copy", with_vector=True)] == want

    # A live shard stream, then recover the shard from stdin.
    shard = run(["shard", "snapshot", "create", name, "--shard", "1", "-o", "-", *url])
    assert shard.returncode == 0 and shard.stdout
    r = run(["shard", "snapshot", "recover", name, "-", "--shard", "1", *url], input_bytes=shard.stdout)
    assert r.returncode == 0, r.stderr
    assert count(api, name) == 30

    # The server fetches an http(s) source itself.
    src = f"{srv.url}/collections/{name}/snapshots/{desc['name']}"
    assert run(["restore", src, "--collection", "fetched", *url]).returncode != 0  # the server needs the key for its own URL
    assert run(["snapshot", "delete", name, desc["name"], *url]).returncode == 0

    # Exit codes from the server's answers.
    assert run(["snapshot", "list", name, "--url", srv.url]).returncode == 77
    assert run(["snapshot", "list", name, "--url", srv.url, "--api-key", "wrong"]).returncode == 77
    assert run(["snapshot", "list", "missing", *url]).returncode == 66
    r = run(["snapshot", "download", name, "nope.snapshot", "-o", str(tmp_path / "x"), *url])
    assert r.returncode == 66 and not (tmp_path / "x").exists()
    assert run(["restore", "-", "--collection", "bad", *url], input_bytes=b"garbage" * 100).returncode == 65
    assert run(["snapshot", "list", name, "--url", "http://127.0.0.1:1"]).returncode == 69
    assert run(["restore", "-", "--full", *url], input_bytes=stream.stdout).returncode == 64


def test_offline_restore_from_http_source(server_factory):
    peer = server_factory(api_key="pk")
    papi = peer.api()
    name = unique("src")
    create_collection(papi, name, size=2, distance="Dot")
    upsert(papi, name, points=[{"id": i, "vector": [i, 1]} for i in range(9)])
    desc = papi.post(f"/collections/{name}/snapshots").json()["result"]
    src = f"{peer.url}/collections/{name}/snapshots/{desc['name']}"
    local = server_factory(start=False)
    common = ["--storage", str(local.storage), "--snapshots-path", str(local.snapshots)]
    r = run(["restore", src, "--collection", "c", "--checksum", desc["checksum"], "--api-key", "pk", *common])
    assert r.returncode == 0, r.stderr
    r = run(["restore", src, "--collection", "d", *common])  # no key: the peer's 401 is reported
    assert r.returncode == 69 and b"401" in r.stderr
    local.start()
    assert count(local.api(), "c") == 9
    assert not local.api().get("/collections/d/exists").json()["result"]["exists"]
