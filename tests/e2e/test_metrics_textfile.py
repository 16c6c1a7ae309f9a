"""`--metrics-textfile PATH` on `snapshot create`, `verify` and `prune` writes Prometheus text
for node_exporter's textfile collector, atomically, also when the run fails."""

import re

from qdb_helpers import create_collection, run_qdb, upsert


def value(text, name):
    m = re.search(rf"^{name}(?:{{[^}}]*}})? (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def test_snapshot_and_verify_textfiles(server_factory, tmp_path):
    srv = server_factory()
    api = srv.api()
    create_collection(api, "mt", size=4)
    upsert(api, "mt", points=[{"id": i, "vector": [1.0, 2.0, 3.0, float(i)]} for i in range(20)])
    srv.stop()
    common = ["--storage", str(srv.storage), "--snapshots-path", str(srv.snapshots)]
    prom = tmp_path / "snap.prom"
    out = tmp_path / "mt.snapshot"
    r = run_qdb(["snapshot", "create", "mt", "-o", str(out), "--metrics-textfile", str(prom), *common])
    assert r.returncode == 0, r.stderr
    text = prom.read_text()
    assert '# TYPE qdb_snapshot_success gauge' in text
    assert value(text, "qdb_snapshot_success") == 1.0
    assert value(text, "qdb_snapshot_bytes") == out.stat().st_size
    assert value(text, "qdb_snapshot_last_success_timestamp_seconds") > 1.7e9
    assert 'collection="mt"' in text
    r = run_qdb(["snapshot", "create", "missing", "--metrics-textfile", str(prom), *common])
    assert r.returncode == 66
    text = prom.read_text()
    assert value(text, "qdb_snapshot_success") == 0.0
    assert value(text, "qdb_snapshot_last_success_timestamp_seconds") is None
    assert not list(tmp_path.glob("*.tmp-*"))

    fprom = tmp_path / "full.prom"
    r = run_qdb(["snapshot", "full", "create", "--metrics-textfile", str(fprom), *common])
    assert r.returncode == 0, r.stderr
    assert value(fprom.read_text(), "qdb_snapshot_success") == 1.0 and 'scope="full"' in fprom.read_text()

    vprom = tmp_path / "verify.prom"
    r = run_qdb(["verify", str(out), "--metrics-textfile", str(vprom)])
    assert r.returncode == 0, r.stderr
    assert value(vprom.read_text(), "qdb_verify_ok") == 1.0
