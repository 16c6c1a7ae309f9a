"""The CLI on S3: `qdb snapshot … --to/--from s3://bucket/prefix` offline, `qdb verify s3://…`
and `qdb restore s3://…` streaming without a local copy, with AWS_* credentials, and the exit
codes of ExitStatus for S3 failures."""

import hashlib
import json

import pytest

from qdb_helpers import create_collection, run_qdb, unique, upsert
from s3_helpers import Moto


@pytest.fixture(scope="module")
def moto(tmp_path_factory):
    m = Moto(tmp_path_factory.mktemp("moto-cli"))
    yield m
    m.stop()


def test_cli_create_list_download_verify_restore_delete(moto, server_factory, tmp_path):
    srv = server_factory()
    api = srv.api()
    name = unique("cli")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": i, "vector": [i, 1]} for i in range(25)])
    srv.stop()
    bucket = moto.bucket()
    env = moto.aws_env()
    where = ["--storage", str(srv.storage), "--to", f"s3://{bucket}/backups"]

    r = run_qdb(["snapshot", "create", name, *where, "--json"], env=env)
    assert r.returncode == 0, r.stderr
    desc = json.loads(r.stdout)
    key = f"backups/snapshots/{name}/{desc['name']}"
    objects = moto.keys(bucket)
    assert set(objects) == {key, key + ".checksum"}
    assert objects[key + ".checksum"].decode() == desc["checksum"] == hashlib.sha256(objects[key]).hexdigest()

    r = run_qdb(["snapshot", "list", name, "--storage", str(srv.storage), "--from", f"s3://{bucket}/backups", "--json"], env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == [desc]

    out = tmp_path / "copy.snapshot"
    r = run_qdb(["snapshot", "download", name, desc["name"], "-o", str(out), *where], env=env)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes() == objects[key]

    r = run_qdb(["verify", f"s3://{bucket}/{key}", "--json"], env=env)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)[0]
    assert report["ok"] and report["checksum"] == "match" and report["points"] == 25

    # A tampered object fails verify against its .checksum (65); a missing one is 66.
    tampered = bytearray(objects[key])
    tampered[512] ^= 0xFF  # first byte of the first entry's data
    moto.s3.put_object(Bucket=bucket, Key="t/x.snapshot", Body=bytes(tampered))
    moto.s3.put_object(Bucket=bucket, Key="t/x.snapshot.checksum", Body=desc["checksum"].encode())
    assert run_qdb(["verify", f"s3://{bucket}/t/x.snapshot"], env=env).returncode == 65
    r = run_qdb(["verify", f"s3://{bucket}/t/none.snapshot"], env=env)
    assert r.returncode == 66, r.stdout + r.stderr

    r = run_qdb(["restore", f"s3://{bucket}/{key}", "--collection", "restored", "--storage", str(srv.storage),
                 "--checksum", desc["checksum"], "--json"], env=env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["points"] == 25

    r = run_qdb(["snapshot", "delete", name, desc["name"], *where], env=env)
    assert r.returncode == 0, r.stderr
    assert set(moto.keys(bucket)) == {"t/x.snapshot", "t/x.snapshot.checksum"}
    r = run_qdb(["snapshot", "delete", name, desc["name"], *where], env=env)
    assert r.returncode == 66


def test_cli_s3_errors_have_exit_codes_and_hide_secrets(moto, server_factory):
    srv = server_factory()
    api = srv.api()
    name = unique("clie")
    create_collection(api, name, size=2, distance="Dot")
    srv.stop()
    bucket = moto.bucket()
    secret = "NotTheSecretNotTheSecretNotTheSecret0000"
    r = run_qdb(["snapshot", "create", name, "--storage", str(srv.storage), "--to", f"s3://{bucket}"],
                env=moto.aws_env(secret=secret))
    assert r.returncode == 77, r.stderr
    assert "refused" in r.stderr and secret not in r.stderr + r.stdout
    assert moto.keys(bucket) == {} and moto.pending_uploads(bucket) == []

    r = run_qdb(["snapshot", "list", name, "--storage", str(srv.storage), "--from", "s3://qdb-missing-bucket"],
                env=moto.aws_env())
    assert r.returncode == 66 and "does not exist" in r.stderr

    r = run_qdb(["restore", f"s3://{bucket}/no/such.snapshot", "--collection", "x", "--storage", str(srv.storage)],
                env=moto.aws_env())
    assert r.returncode == 66, r.stderr

    r = run_qdb(["snapshot", "download", name, "../../x.snapshot", "-o", "-", "--storage", str(srv.storage),
                 "--from", f"s3://{bucket}"], env=moto.aws_env())
    assert r.returncode == 66
