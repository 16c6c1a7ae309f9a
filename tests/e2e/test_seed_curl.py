"""The seeds' curl commands (../shared/seeds/snapshots-overview.txt, snapshots-concepts.md), run
with the real curl binary against qdb serve, with only host, names and paths filled in."""

import json
import subprocess

from qdb_helpers import count, create_collection, unique, upsert


def curl(*args, cwd=None) -> bytes:
    r = subprocess.run(["curl", "-sS", "--fail-with-body", *args], capture_output=True, timeout=120, cwd=cwd)
    assert r.returncode == 0, (args, r.stdout, r.stderr)
    return r.stdout


def test_seed_collection_snapshot_commands(qdb, tmp_path):
    api = qdb.api()
    c = unique("my_collection")
    create_collection(api, c, size=4, distance="Dot")
    upsert(api, c, points=[{"id": i, "vector": [i, 1, 2, 3]} for i in range(12)])
    b = qdb.url

    name = json.loads(curl("-X", "POST", f"{b}/collections/{c}/snapshots"))["result"]["name"]
    assert json.loads(curl("-X", "POST", f"{b}/collections/{c}/snapshots?wait=false"))["status"] == "accepted"
    listed = json.loads(curl(f"{b}/collections/{c}/snapshots"))["result"]
    assert name in [s["name"] for s in listed]
    curl(f"{b}/collections/{c}/snapshots/{name}", "-H", "api-key: ********", "--output", "my_collection_backup.snapshot", cwd=tmp_path)
    checksum = next(s["checksum"] for s in listed if s["name"] == name)
    curl("-X", "POST", "-F", "snapshot=@my_collection_backup.snapshot", f"{b}/collections/{c}/snapshots/upload", cwd=tmp_path)
    curl("-X", "POST", "-F", "snapshot=@my_collection_backup.snapshot",
         f"{b}/collections/{c}/snapshots/upload?checksum={checksum}", cwd=tmp_path)
    curl("-X", "POST", f"{b}/collections/{c}/snapshots/upload?priority=snapshot",
         "-H", "Content-Type:multipart/form-data", "-F", "snapshot=@my_collection_backup.snapshot", cwd=tmp_path)
    body = json.dumps({"location": f"file://{qdb.snapshots / c / name}"})
    curl("-X", "PUT", f"{b}/collections/{c}/snapshots/recover", "-H", "Content-Type: application/json", "-d", body)
    body = json.dumps({"location": f"{b}/collections/{c}/snapshots/{name}", "priority": "replica"})
    curl("-X", "PUT", f"{b}/collections/{c}/snapshots/recover", "-H", "Content-Type: application/json", "-d", body)
    assert count(api, c) == 12
    curl("-X", "DELETE", f"{b}/collections/{c}/snapshots/{name}")

    curl("-X", "POST", f"{b}/collections/{c}/shards/0/snapshots")
    shard = json.loads(curl(f"{b}/collections/{c}/shards/0/snapshots"))["result"][0]["name"]
    curl(f"{b}/collections/{c}/shards/0/snapshots/{shard}", "--output", "shard-backup.snapshot", cwd=tmp_path)
    curl("-X", "POST", "-F", "snapshot=@shard-backup.snapshot", f"{b}/collections/{c}/shards/0/snapshots/upload", cwd=tmp_path)
    body = json.dumps({"location": f"{b}/collections/{c}/shards/0/snapshots/{shard}", "priority": "snapshot"})
    curl("-X", "PUT", f"{b}/collections/{c}/shards/0/snapshots/recover", "-H", "Content-Type: application/json", "-d", body)
    curl(f"{b}/collections/{c}/shards/0/snapshot", "--output", "live.snapshot", cwd=tmp_path)
    assert (tmp_path / "live.snapshot").stat().st_size > 0

    full = json.loads(curl("-X", "POST", f"{b}/snapshots"))["result"]["name"]
    assert full in [s["name"] for s in json.loads(curl(f"{b}/snapshots"))["result"]]
    curl(f"{b}/snapshots/{full}", "--output", "full.snapshot", cwd=tmp_path)
    curl("-X", "DELETE", f"{b}/snapshots/{full}")
    metrics = curl(f"{b}/metrics").decode()
    assert any(line.startswith("snapshot_") for line in metrics.splitlines())
    assert count(api, c) == 12
