"""Qdrant's `storage.performance.optimizer_cpu_budget` and `max_optimization_runtime_threads`
are applied to qdb's background optimizer (issue 16), and `max_search_threads` caps the threads
of one batch search (0 = auto, one per CPU), from the file and from both env prefixes, with
Qdrant's meanings (0 = auto, negative = CPUs minus that many); bad values are exit 78 naming
the key; none of them is logged as ignored."""

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


def search_width(srv) -> tuple[int, int]:
    """(max_search_threads, batch_width) from the server's `search threads` line."""
    line = next((ln for ln in srv.log_tail(20000).splitlines() if "search threads" in ln), "")
    fields = dict(re.findall(r"(max_search_threads|batch_width)=(\d+)", line))
    assert len(fields) == 2, line
    return int(fields["max_search_threads"]), int(fields["batch_width"])


def test_performance_keys_are_applied_not_ignored(server_factory):
    srv = server_factory(config_text="storage:\n  performance:\n    max_search_threads: 1\n"
                                     "    optimizer_cpu_budget: 3\n    max_optimization_runtime_threads: 5\n")
    ok(srv.api().get("/collections"))
    assert started(srv) == (3, 5)
    assert search_width(srv) == (1, 1)
    log = srv.log_tail(20000)
    ignored = [line for line in log.splitlines() if "were ignored" in line]
    assert not any("storage.performance." in line for line in ignored), ignored


@pytest.mark.parametrize("env,want", [
    ({"QDRANT__STORAGE__PERFORMANCE__MAX_SEARCH_THREADS": "1"}, (1, 1)),
    ({"QDB__STORAGE__PERFORMANCE__MAX_SEARCH_THREADS": "64"}, (64, 64)),
    ({}, (0, CPUS)),
])
def test_max_search_threads_from_env(server_factory, env, want):
    srv = server_factory(env=env)
    ok(srv.api().get("/collections"))
    assert search_width(srv) == want


def test_batch_search_with_one_search_thread_answers_as_with_many(server_factory):
    """The cap changes only how many threads a batch runs on, never its answers or their order."""
    answers = []
    for threads in (1, 0):
        srv = server_factory(env={"QDB__STORAGE__PERFORMANCE__MAX_SEARCH_THREADS": str(threads)})
        api = srv.api()
        ok(api.put("/collections/c", json={"vectors": {"size": 2, "distance": "Dot"}}))
        ok(api.put("/collections/c/points?wait=true",
                   json={"points": [{"id": i, "vector": [float(i), 1.0]} for i in range(1, 30)]}))
        body = {"searches": [{"query": [1.0, float(k)], "limit": 3} for k in range(-8, 8)]}
        res = ok(api.post("/collections/c/points/query/batch", json=body))
        answers.append([[p["id"] for p in r["points"]] for r in res])
        srv.stop()
    assert answers[0] == answers[1]
    assert len(answers[0]) == 16


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
    "storage:\n  performance:\n    max_search_threads: -2\n",
])
def test_bad_values_exit_78_naming_the_key(tmp_path, text):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text)
    res = run_qdb(["serve", "--config", str(cfg), "--storage", str(tmp_path / "st"),
                   "--host", "127.0.0.1", "--http-port", str(free_port())], timeout=30)
    assert res.returncode == 78, res.stderr
    assert "storage.performance." in res.stderr
