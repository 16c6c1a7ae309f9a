"""A full disk (a small tmpfs holding storage and snapshots) during every snapshot operation and
upserts: 507 on every route (exit 74 offline), nothing half-written listed or left behind, the
server still serving, and everything working again once space is freed.

Needs root to mount the tmpfs (CI runs as root); skipped only when mounting is impossible."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from qdb_helpers import count, create_collection, err, ok, run_qdb, upsert, wait_collection

SIZE_MB = 48


@pytest.fixture
def tmpfs(tmp_path):
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={SIZE_MB}m", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    yield mnt
    if subprocess.run(["umount", str(mnt)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(mnt: Path, leave: int) -> Path:
    """Fills the filesystem at mnt but for about `leave` bytes."""
    st = os.statvfs(mnt)
    free = st.f_bavail * st.f_frsize
    filler = mnt / "filler"
    with open(filler, "wb") as f:
        os.posix_fallocate(f.fileno(), 0, max(0, free - leave))
    return filler


def temps(root: Path) -> list[str]:
    """Temporary files and directories qdb could leave under root."""
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            rel = str(Path(dirpath, name).relative_to(root))
            if ".tmp" in name or rel.startswith("storage/tmp/") or rel.startswith("snapshots/tmp/"):
                out.append(rel)
    return out


def chunked_multipart(blob: bytes):
    yield b'--qdbB\r\nContent-Disposition: form-data; name="snapshot"; filename="u.snapshot"\r\n\r\n'
    for i in range(0, len(blob), 1 << 16):
        yield blob[i:i + (1 << 16)]
    yield b"\r\n--qdbB--\r\n"


def points(n: int, start: int = 0) -> list[dict]:
    return [{"id": start + i, "vector": [float((start + i) % 7)] * 128, "payload": {"i": start + i}} for i in range(n)]


def test_disk_full_on_every_snapshot_route_and_upserts(tmpfs, server_factory):
    srv = server_factory(start=False)
    srv.storage, srv.snapshots = tmpfs / "storage", tmpfs / "snapshots"
    srv.start()
    api = srv.api()
    create_collection(api, "c", size=128, distance="Dot")
    for k in range(4):
        upsert(api, "c", points=points(1000, k * 1000))
    desc = ok(api.post("/collections/c/snapshots"))
    blob = api.get(f"/collections/c/snapshots/{desc['name']}").content
    assert len(blob) > 2 << 20
    listed = {"c": ok(api.get("/collections/c/snapshots")), "shard": ok(api.get("/collections/c/shards/0/snapshots")),
              "full": ok(api.get("/snapshots"))}

    filler = fill(tmpfs, leave=256 << 10)
    full = [
        ("collection snapshot", lambda: api.post("/collections/c/snapshots")),
        ("shard snapshot", lambda: api.post("/collections/c/shards/0/snapshots")),
        ("full snapshot", lambda: api.post("/snapshots")),
        ("upload wait=true", lambda: api.post("/collections/c/snapshots/upload", files={"snapshot": ("u.snapshot", blob)})),
        ("upload wait=false", lambda: api.post("/collections/c/snapshots/upload?wait=false", files={"snapshot": ("u.snapshot", blob)})),
        ("shard upload", lambda: api.post("/collections/c/shards/0/snapshots/upload", files={"snapshot": ("u.snapshot", blob)})),
        # Chunked, so no size is declared up front: the unpacker must notice as it goes.
        ("chunked upload", lambda: api.post("/collections/c/snapshots/upload", data=chunked_multipart(blob),
                                             headers={"Content-Type": "multipart/form-data; boundary=qdbB"})),
        ("upsert", lambda: api.put("/collections/c/points?wait=true", json={"points": points(3000, 10_000)})),
    ]
    wrong = []
    for what, call in full:
        r = call()
        if r.status_code != 507:
            wrong.append(f"{what}: {r.status_code} {r.text[:200]}")
        else:
            assert "Insufficient storage" in r.json()["status"]["error"]
            assert str(tmpfs) not in r.text
        assert count(api, "c") == 4000, what
        assert temps(tmpfs) == [], (what, temps(tmpfs))
    assert not wrong, "\n".join(wrong)
    assert ok(api.get("/collections/c/snapshots")) == listed["c"]
    assert ok(api.get("/collections/c/shards/0/snapshots")) == listed["shard"]
    assert ok(api.get("/snapshots")) == listed["full"]
    assert srv.running()

    # Space back: everything works again, and what was written verifies.
    filler.unlink()
    upsert(api, "c", points=points(10, 20_000))
    assert count(api, "c") == 4010
    again = ok(api.post("/collections/c/snapshots"))
    r = run_qdb(["verify", str(srv.snapshots / "c" / again["name"])])
    assert r.returncode == 0, r.stderr

    # Offline: the CLI exits 74 (I/O error) on a full disk, and leaves no temp behind. The
    # optimizer goes idle first: a merge interrupted by the stop leaves its `<id>.tmp`, which
    # the CLI's open removes, freeing the space the fill below is meant to take away.
    wait_collection(api, "c", 120)
    srv.stop()
    filler = fill(tmpfs, leave=256 << 10)
    r = run_qdb(["snapshot", "create", "c", "--storage", str(srv.storage), "-o", str(tmpfs / "out.snapshot")], timeout=60)
    assert r.returncode == 74, (r.returncode, r.stderr)
    archive = Path(srv.root) / "c.snapshot"
    archive.write_bytes(blob)
    r = run_qdb(["restore", str(archive), "--storage", str(srv.storage), "--collection", "c2"], timeout=60)
    assert r.returncode == 74, (r.returncode, r.stderr)
    filler.unlink()
    srv.start()
    assert count(srv.api(), "c") == 4010
    assert not ok(srv.api().get("/collections/c2/exists"))["exists"]
    wait_collection(srv.api(), "c", 120)  # a merge the start began writes `<id>.tmp` meanwhile
    assert temps(tmpfs) == []
    assert not (tmpfs / "out.snapshot").exists(), "a half-written archive was left"
