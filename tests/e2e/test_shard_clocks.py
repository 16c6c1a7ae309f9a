"""Clock maps in shard archives as Qdrant writes them (`LocalShardClocks::archive_data_from`):
WAL-less shard-level archives (stored shard snapshots, shard streams, partial snapshots) carry
`newest_clocks.json` and `oldest_clocks.json`, `{"clocks":[]}` for a shard that applied no clock
tags, as every qdb shard; collection snapshots carry none (a single node persists no clocks).
Restores read them back tolerantly: a clock map is kept in the shard directory, anything else
is dropped, and neither stops the restore."""

import io
import json
import tarfile

from qdb_helpers import count, create_collection, ok, upsert

CLOCKS = ("newest_clocks.json", "oldest_clocks.json")


def members(blob):
    with tarfile.open(fileobj=io.BytesIO(blob)) as t:
        return {m.name: (t.extractfile(m).read() if m.isfile() else None) for m in t.getmembers()}


def qdrant_form(blob, replace):
    """The archive without qdb.json (as Qdrant sends it), with some members replaced."""
    out = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(blob)) as src, tarfile.open(fileobj=out, mode="w", format=tarfile.GNU_FORMAT) as t:
        for m in src.getmembers():
            if m.name == "qdb.json":
                continue
            data = src.extractfile(m).read() if m.isfile() else None
            if m.name in replace:
                data = replace[m.name]
                m.size = len(data)
            t.addfile(m, io.BytesIO(data) if data is not None else None)
    return out.getvalue()


def filled(api, name):
    create_collection(api, name, size=4, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [1.0, float(i), 0.5, 2.0], "payload": {"i": i}} for i in range(30)])


def test_shard_level_archives_carry_empty_clock_maps(qdb):
    api = qdb.api()
    filled(api, "clk")
    stored = ok(api.post("/collections/clk/shards/0/snapshots"))["name"]
    for blob in (api.get(f"/collections/clk/shards/0/snapshots/{stored}").content,
                 api.get("/collections/clk/shards/0/snapshot").content,
                 api.post("/collections/clk/shards/0/snapshot/partial/create", json={}).content):
        files = members(blob)
        for name in CLOCKS:
            assert json.loads(files[name]) == {"clocks": []}, sorted(files)
        assert name in json.loads(files["qdb.json"])["files"]
    snap = ok(api.post("/collections/clk/snapshots"))["name"]
    files = members(api.get(f"/collections/clk/snapshots/{snap}").content)
    assert not [n for n in files if n.endswith(CLOCKS)], sorted(files)


def test_clock_files_are_read_back_tolerantly(qdb):
    api = qdb.api()
    filled(api, "clkr")
    stored = ok(api.post("/collections/clkr/shards/0/snapshots"))["name"]
    blob = api.get(f"/collections/clkr/shards/0/snapshots/{stored}").content
    shard_dir = qdb.storage / "collections" / "clkr" / "0"
    real = json.dumps({"clocks": [{"peer_id": 7987473354490347, "clock_id": 1, "current_tick": 67,
                                   "token": 16188549191842447547}]}).encode()
    for newest, kept in ((real, True), (b"not a clock map", False), (b'{"clocks": 5}', False)):
        archive = qdrant_form(blob, {"newest_clocks.json": newest})
        r = api.post("/collections/clkr/shards/0/snapshots/upload", files={"snapshot": ("s.snapshot", archive)})
        assert r.status_code == 200, r.text
        assert count(api, "clkr") == 30
        path = shard_dir / "newest_clocks.json"
        assert path.exists() == kept, newest
        if kept:
            assert path.read_bytes() == real
        assert json.loads((shard_dir / "oldest_clocks.json").read_text()) == {"clocks": []}
