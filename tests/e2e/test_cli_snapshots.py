"""The snapshot CLI offline: create/list/download/delete, restore, verify, pipes and exit codes."""

import json
import subprocess

from qdb_helpers import QDB_BIN, create_collection, ok, scroll_all, unique, upsert


def run(args, cwd, stdin=None, input_bytes=None):
    return subprocess.run([QDB_BIN, *args], cwd=cwd, stdin=stdin, input=input_bytes,
                          capture_output=True, timeout=120)


def prepared(server_factory):
    srv = server_factory()
    api = srv.api()
    name = unique("cli")
    create_collection(api, name, size=3, distance="Euclid")
    upsert(api, name, points=[{"id": i, "vector": [i, 0, 1], "payload": {"i": i}} for i in range(40)])
    want = [(p["id"], p["vector"], p["payload"]) for p in scroll_all(api, name, with_vector=True)]
    return srv, name, want


def test_offline_commands_refuse_a_locked_storage(server_factory):
    srv, name, _ = prepared(server_factory)
    r = run(["snapshot", "create", name, "--storage", str(srv.storage)], cwd=srv.root)
    assert r.returncode == 75 and b"locked" in r.stderr and r.stdout == b""


def test_create_list_verify_restore_pipeline(server_factory, tmp_path):
    srv, name, want = prepared(server_factory)
    srv.stop()
    common = ["--storage", str(srv.storage), "--snapshots-path", str(srv.snapshots)]
    r = run(["snapshot", "create", name, "--json", *common], cwd=srv.root)
    assert r.returncode == 0, r.stderr
    desc = json.loads(r.stdout)
    assert desc["name"].startswith(name) and len(desc["checksum"]) == 64
    listed = json.loads(run(["snapshot", "list", name, "--json", *common], cwd=srv.root).stdout)
    assert [d["name"] for d in listed] == [desc["name"]]
    stored = srv.snapshots / name / desc["name"]
    # Sidecar found and matched; --deep loads the archive and counts the points.
    r = run(["verify", str(stored), "--deep", "--json"], cwd=tmp_path)
    assert r.returncode == 0, r.stdout
    report = json.loads(r.stdout)[0]
    assert report["ok"] and report["checksum"] == "match" and report["loaded_points"] == 40

    # -o - streams to stdout; restore reads stdin: create | restore composes.
    snap = run(["snapshot", "create", name, "-o", "-", "-q", *common], cwd=srv.root)
    assert snap.returncode == 0 and snap.stdout[:100].startswith(b"version.info")
    r = run(["restore", "-", "--collection", "copy", "--json", *common], cwd=srv.root, input_bytes=snap.stdout)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["points"] == 40
    # Restoring over an existing collection needs --force.
    f = tmp_path / "c.snapshot"
    f.write_bytes(snap.stdout)
    r = run(["restore", str(f), "--collection", "copy", *common], cwd=srv.root)
    assert r.returncode == 73 and b"--force" in r.stderr
    assert run(["restore", f"file://{f}", "--collection", "copy", "--force", *common], cwd=srv.root).returncode == 0

    srv.start()
    api = srv.api()
    got = [(p["id"], p["vector"], p["payload"]) for p in scroll_all(api, "copy", with_vector=True)]
    assert got == want

    srv.stop()
    r = run(["snapshot", "download", name, desc["name"], "-o", str(tmp_path / "dl.snapshot"), *common], cwd=srv.root)
    assert r.returncode == 0 and (tmp_path / "dl.snapshot").read_bytes() == stored.read_bytes()
    assert run(["snapshot", "delete", name, desc["name"], *common], cwd=srv.root).returncode == 0
    assert run(["snapshot", "delete", name, desc["name"], *common], cwd=srv.root).returncode == 66


def test_verify_exit_codes(server_factory, tmp_path):
    srv, name, _ = prepared(server_factory)
    srv.stop()
    snap = run(["snapshot", "create", name, "-o", "-", "-q", "--storage", str(srv.storage)], cwd=srv.root).stdout
    good = tmp_path / "good.snapshot"
    good.write_bytes(snap)
    assert run(["verify", str(good)], cwd=tmp_path).returncode == 0
    assert run(["verify", "-"], cwd=tmp_path, input_bytes=snap).returncode == 0
    # Entry data damaged: caught by qdb.json's hashes even without a sidecar.
    blob = bytearray(snap)
    header = blob.find(b"/matrix.dat\x00")
    header -= header % 512  # start of the entry's tar header
    blob[header + 512 + 4] ^= 0xFF  # inside the vectors' data
    bad = tmp_path / "bad.snapshot"
    bad.write_bytes(bytes(blob))
    r = run(["verify", str(good), str(bad), "--json"], cwd=tmp_path)
    assert r.returncode == 65
    reports = json.loads(r.stdout)
    assert [x["ok"] for x in reports] == [True, False] and "matrix.dat" in reports[1]["error"]
    # A wrong sidecar is a failure too.
    (tmp_path / "good.snapshot.checksum").write_text("0" * 64)
    assert run(["verify", str(good)], cwd=tmp_path).returncode == 65
    for junk in (b"", b"garbage" * 1000, snap[: len(snap) // 2]):
        assert run(["verify", "-"], cwd=tmp_path, input_bytes=junk).returncode == 65
    assert run(["verify", str(tmp_path / "missing.snapshot")], cwd=tmp_path).returncode == 66
    assert run(["verify"], cwd=tmp_path).returncode == 64
    # A failed restore leaves no collection behind.
    r = run(["restore", str(bad), "--collection", "x", "--storage", str(srv.storage)], cwd=srv.root)
    assert r.returncode == 65
    assert not (srv.storage / "collections" / "x").exists()


def test_manifest_and_partial_exit_codes(tmp_path):
    assert run(["manifest"], cwd=tmp_path).returncode == 64          # no SOURCE
    r = run(["manifest", "nope", "--shard", "0", "--storage", str(tmp_path / "s")], cwd=tmp_path)
    assert r.returncode == 66 and b"nope" in r.stderr                   # no such collection
    (tmp_path / "bad.json").write_text("{not json")
    r = run(["snapshot", "partial", "nope", "--shard", "0", "--manifest", str(tmp_path / "bad.json"),
             "--storage", str(tmp_path / "s")], cwd=tmp_path)
    assert r.returncode == 65 and b"JSON" in r.stderr                   # bad manifest: data error
    r = run(["manifest", "diff", str(tmp_path / "bad.json"), "-"], cwd=tmp_path, input_bytes=b"{}")
    assert r.returncode == 65
    r = run(["restore", "-", "--collection", "c", "--partial"], cwd=tmp_path)
    assert r.returncode == 64                                           # --partial needs --shard


def test_shard_and_full_snapshots_offline(server_factory, tmp_path):
    srv = server_factory()
    api = srv.api()
    name = unique("cs")
    create_collection(api, name, size=2, distance="Dot", shard_number=2)
    upsert(api, name, points=[{"id": i, "vector": [i, 1], "payload": {"i": i}} for i in range(50)])
    want = [(p["id"], p["vector"], p["payload"]) for p in scroll_all(api, name, with_vector=True)]
    srv.stop()
    common = ["--storage", str(srv.storage), "--snapshots-path", str(srv.snapshots)]
    shard0 = run(["shard", "snapshot", "create", name, "--shard", "0", "-o", "-", "-q", *common], cwd=srv.root)
    assert shard0.returncode == 0 and shard0.stdout
    stored = json.loads(run(["shard", "snapshot", "create", name, "--shard", "1", "--json", *common], cwd=srv.root).stdout)
    listed = json.loads(run(["shard", "snapshot", "list", name, "--shard", "1", "--json", *common], cwd=srv.root).stdout)
    assert [d["name"] for d in listed] == [stored["name"]]
    full = run(["snapshot", "full", "create", "-o", "-", "-q", *common], cwd=srv.root)
    assert full.returncode == 0
    assert run(["verify", "-", "--deep"], cwd=tmp_path, input_bytes=full.stdout).returncode == 0

    # Lose the data, then bring it back: shard by shard, and from the full snapshot.
    srv.start()
    ok(srv.api().post(f"/collections/{name}/points/delete?wait=true", json={"filter": {}}))
    srv.stop()
    r = run(["shard", "snapshot", "recover", name, "-", "--shard", "0", *common], cwd=srv.root, input_bytes=shard0.stdout)
    assert r.returncode == 0, r.stderr
    r = run(["shard", "snapshot", "recover", name, str(srv.snapshots / name / "shards" / "1" / stored["name"]),
             "--shard", "1", *common], cwd=srv.root)
    assert r.returncode == 0, r.stderr
    # The wrong kind of archive on the shard command: a data error, nothing changed.
    r = run(["shard", "snapshot", "recover", name, "-", "--shard", "0", *common], cwd=srv.root, input_bytes=full.stdout)
    assert r.returncode == 65
    srv.start()
    got = [(p["id"], p["vector"], p["payload"]) for p in scroll_all(srv.api(), name, with_vector=True)]
    assert got == want
    ok(srv.api().delete(f"/collections/{name}"))
    srv.stop()
    r = run(["restore", "-", "--full", *common], cwd=srv.root, input_bytes=full.stdout)
    assert r.returncode == 0, r.stderr
    assert run(["restore", "-", "--full", *common], cwd=srv.root, input_bytes=full.stdout).returncode == 73
    assert run(["restore", "-", *common], cwd=srv.root, input_bytes=full.stdout).returncode == 64
    srv.start()
    got = [(p["id"], p["vector"], p["payload"]) for p in scroll_all(srv.api(), name, with_vector=True)]
    assert got == want
