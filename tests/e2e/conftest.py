"""Fixtures for the qdb end-to-end tests.

* `server_factory(**kw)`: start a fresh `qdb serve` (fresh temp dir, free port) with the
  given flags/env/config; every server it started is stopped at teardown. The returned
  QdbServer can be stopped (SIGTERM/SIGKILL) and started again on the same storage.
* `qdb`: one plain server shared by all tests of a module (tests use unique collection names).
* `api`: an Api (requests session) bound to `qdb`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from qdb_helpers import QDB_BIN, Api, QdbServer  # noqa: E402


def _check_binary():
    if not Path(QDB_BIN).exists():
        pytest.fail(f"qdb binary not found at {QDB_BIN}; build it (swift build) or set QDB_BIN",
                    pytrace=False)


class _Factory:
    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.servers: list[QdbServer] = []

    def __call__(self, start: bool = True, **kw) -> QdbServer:
        _check_binary()
        srv = QdbServer(self.tmp.mktemp("qdb"), **kw)
        self.servers.append(srv)
        if start:
            srv.start()
        return srv

    def cleanup(self):
        for srv in self.servers:
            try:
                srv.stop()
            except Exception:  # never let a stuck server hide the real test result
                try:
                    srv.kill()
                except Exception:
                    pass


@pytest.fixture
def server_factory(tmp_path_factory):
    f = _Factory(tmp_path_factory)
    yield f
    f.cleanup()


@pytest.fixture(scope="module")
def module_server_factory(tmp_path_factory):
    f = _Factory(tmp_path_factory)
    yield f
    f.cleanup()


@pytest.fixture(scope="module")
def qdb(module_server_factory) -> QdbServer:
    return module_server_factory()


@pytest.fixture
def api(qdb) -> Api:
    return qdb.api()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failure, attach the tail of the server log(s) the test used."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when != "call" or not rep.failed:
        return
    servers = []
    for name in ("qdb", "server_factory", "module_server_factory"):
        obj = item.funcargs.get(name) if hasattr(item, "funcargs") else None
        if isinstance(obj, QdbServer):
            servers.append(obj)
        elif isinstance(obj, _Factory):
            servers.extend(obj.servers)
    seen = set()
    for srv in servers:
        if id(srv) in seen:
            continue
        seen.add(id(srv))
        rep.sections.append((f"qdb log ({srv.root})", srv.log_tail(3000)))
