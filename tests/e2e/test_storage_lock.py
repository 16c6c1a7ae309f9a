"""A second `qdb serve` on the same --storage must fail fast while the first one runs."""

import subprocess
import time

import pytest

from qdb_helpers import count, create_collection, free_port, run_qdb, unique, upsert


def test_second_server_on_same_storage_fails(server_factory):
    first = server_factory()
    api = first.api()
    name = unique("lock")
    create_collection(api, name, size=2, distance="Dot")
    upsert(api, name, points=[{"id": 1, "vector": [1, 2]}])

    t0 = time.monotonic()
    try:
        res = run_qdb(["serve", "--storage", str(first.storage), "--snapshots-path",
                       str(first.root / "snapshots2"), "--host", "127.0.0.1",
                       "--http-port", str(free_port())], timeout=20)
    except subprocess.TimeoutExpired:
        pytest.fail("second qdb serve on the same storage did not exit")
    assert time.monotonic() - t0 < 15, "should fail fast"
    assert res.returncode != 0
    assert "lock" in (res.stderr + res.stdout).lower(), res.stderr[-2000:]

    # The first server is unaffected.
    assert first.running()
    assert count(api, name) == 1
    upsert(api, name, points=[{"id": 2, "vector": [2, 1]}])
    assert count(api, name) == 2


def test_lock_released_after_stop(server_factory):
    srv = server_factory()
    create_collection(srv.api(), unique("lk"))
    srv.stop()
    srv.start()  # same storage, must be able to lock again
    srv.kill()
    srv.start()  # also after SIGKILL (no stale lock file blocks startup)
    assert srv.running()
