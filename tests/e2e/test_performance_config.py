"""Qdrant's `storage.performance.optimizer_cpu_budget` and `max_optimization_runtime_threads`
are applied to qdb's background optimizer (issue 16), from the file and from both env
prefixes, with Qdrant's meanings (0 = auto, negative = CPUs minus that many); bad values are
exit 78 naming the key; `max_search_threads` (no search pool in qdb) stays logged as ignored."""

import os
import re

import pytest

from qdb_helpers import free_port, ok, run_qdb

CPUS = os.cpu_count() or 1


def started(srv) -> tuple[int, int]:
    """(cpu_budget, workers) from the server's `optimizer started` line."""
    line = next((ln for ln in srv.log_tail(20000).splitlines() if "optimizer started" in ln), "")
    fields = dict(re.findall(r"(cpu_budget|workers)=(\d+)", line))
    assert len(fields) == 2, line
    return int(fields["cpu_budget"]), int(fields["workers"])


def test_performance_keys_are_applied_not_ignored(server_factory):
    srv = server_factory(config_text="storage:\n  performance:\n    max_search_threads: 0\n"
                                     "    optimizer_cpu_budget: 3\n    max_optimization_runtime_threads: 5\n")
    ok(srv.api().get("/collections"))
    assert started(srv) == (3, 5)
    log = srv.log_tail(20000)
    ignored = next(line for line in log.splitlines() if "were ignored" in line)
    assert "storage.performance.max_search_threads" in ignored
    assert "optimizer_cpu_budget" not in ignored and "max_optimization_runtime_threads" not in ignored


@pytest.mark.parametrize("env,want", [
    ({"QDRANT__STORAGE__PERFORMANCE__OPTIMIZER_CPU_BUDGET": "-100"}, (1, 1)),
    ({"QDB__STORAGE__PERFORMANCE__OPTIMIZER_CPU_BUDGET": "2"}, (2, 2)),
    ({}, (max(1, CPUS - (1 if CPUS >= 3 else 0)),) * 2),
])
def test_budget_from_env_with_qdrants_meaning(server_factory, env, want):
    srv = server_factory(env=env)
    ok(srv.api().get("/collections"))
    assert started(srv) == want


@pytest.mark.parametrize("text", [
    "storage:\n  performance:\n    optimizer_cpu_budget: lots\n",
    "storage:\n  performance:\n    max_optimization_runtime_threads: -1\n",
])
def test_bad_values_exit_78_naming_the_key(tmp_path, text):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    res = run_qdb(["serve", "--config", str(cfg), "--storage", str(tmp_path / "st"),
                   "--host", "127.0.0.1", "--http-port", str(free_port())], timeout=30)
    assert res.returncode == 78, res.stderr
    assert "storage.performance." in res.stderr
