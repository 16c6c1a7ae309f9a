"""Optional zstd compression: `--compress zstd` on CLI outputs and
`storage.snapshots_config.compression: zstd` for stored snapshots; every reader (verify,
manifest, restore, upload, recovery of a stored snapshot) detects zstd by its magic. The
default stays plain tar."""

import hashlib
import json
import shutil
import subprocess
import tarfile

import pytest

from qdb_helpers import count, create_collection, ok, run_qdb, scroll_all, upsert

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
BOUNDARY = "qdbzstd"


def fill(api, name, n=200):
    create_collection(api, name, size=8)
    upsert(api, name, points=[{"id": i, "vector": [float(i % 5), 1.0, 0.0, 2.0, float(i), 0.0, 1.0, 3.0],
                               "payload": {"i": i, "text": "the same words compress well " * 4}} for i in range(n)])


def upload(api, name, blob):
    body = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"snapshot\"; filename=\"s\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode() + blob + f"\r\n--{BOUNDARY}--\r\n".encode()
    return api.post(f"/collections/{name}/snapshots/upload?wait=true", data=body,
                    headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})


def test_cli_output_with_compress_zstd_is_read_everywhere(server_factory, tmp_path):
    srv = server_factory()
    api = srv.api()
    fill(api, "z")
    srv.stop()
    plain, packed = tmp_path / "plain.snapshot", tmp_path / "packed.snapshot"
    common = ["--storage", str(srv.storage), "--snapshots-path", str(srv.snapshots)]
    assert run_qdb(["snapshot", "create", "z", "-o", str(plain), *common]).returncode == 0
    r = run_qdb(["snapshot", "create", "z", "-o", str(packed), "--compress", "zstd", "--json", *common])
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    data = packed.read_bytes()
    assert data[:4] == ZSTD_MAGIC and plain.read_bytes()[:4] != ZSTD_MAGIC
    assert result["size"] == len(data) and result["sha256"] == hashlib.sha256(data).hexdigest()
    assert len(data) < plain.stat().st_size
    if shutil.which("zstd"):  # a standard zstd frame holding a standard tar
        out = subprocess.run(["zstd", "-dc", str(packed)], capture_output=True, check=True).stdout
        (tmp_path / "un.tar").write_bytes(out)
        assert "qdb.json" in tarfile.open(tmp_path / "un.tar").getnames()
    v = run_qdb(["verify", "--deep", "--json", str(packed)])
    assert v.returncode == 0, v.stdout + v.stderr
    assert json.loads(v.stdout)[0]["loaded_points"] == 200
    assert run_qdb(["manifest", "show", str(packed), "--file", "--shard", "0"]).returncode == 0
    assert run_qdb(["manifest", "show", str(packed), "--file", "--shard", "0"]).stdout == run_qdb(["manifest", "show", str(plain), "--file", "--shard", "0"]).stdout
    r = run_qdb(["restore", str(packed), "--collection", "z2", *common])
    assert r.returncode == 0, r.stderr
    srv.start()
    api = srv.api()
    assert scroll_all(api, "z2") == scroll_all(api, "z")
    assert ok(upload(api, "z3", data)) is True
    assert count(api, "z3") == 200


def test_server_stores_zstd_snapshots_when_configured(server_factory):
    srv = server_factory(config_text="storage:\n  snapshots_config:\n    compression: zstd\n")
    api = srv.api()
    fill(api, "zs")
    d = ok(api.post("/collections/zs/snapshots"))
    stored = (srv.snapshots / "zs" / d["name"]).read_bytes()
    assert stored[:4] == ZSTD_MAGIC
    assert d["checksum"] == hashlib.sha256(stored).hexdigest() and d["size"] == len(stored)
    upsert(api, "zs", points=[{"id": 999, "vector": [0.0] * 8}])
    r = api.put("/collections/zs/snapshots/recover", json={"location": d["name"]})
    assert ok(r) is True and count(api, "zs") == 200


def test_default_is_plain_tar_and_bad_values_are_refused(server_factory, tmp_path):
    srv = server_factory()
    api = srv.api()
    fill(api, "pl", n=5)
    d = ok(api.post("/collections/pl/snapshots"))
    assert (srv.snapshots / "pl" / d["name"]).read_bytes()[:4] != ZSTD_MAGIC
    r = run_qdb(["snapshot", "create", "pl", "--url", srv.url, "--compress", "zstd"])
    assert r.returncode == 64 and "-o" in r.stderr
    r = run_qdb(["snapshot", "create", "pl", "--url", srv.url, "--compress", "gzip", "-o", str(tmp_path / "x")])
    assert r.returncode == 64
