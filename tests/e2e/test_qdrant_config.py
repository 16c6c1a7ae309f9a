"""Qdrant 1.19's own configuration starts `qdb serve`: every key of its shipped
config/config.yaml (the values below are its defaults, key for key) is accepted, those qdb has
no meaning for are logged once as ignored, and a key Qdrant does not know either is still exit
78 naming it. `log_level` takes Qdrant's spellings in any case, from the file and both env
prefixes."""

import math
import time

import pytest

from qdb_helpers import free_port, ok, run_qdb

# The keys and default values of Qdrant v1.19.0's config/config.yaml (uncommented part).
QDRANT_119_CONFIG = """\
log_level: INFO
storage:
  storage_path: ./storage
  snapshots_path: ./snapshots
  snapshots_config:
    snapshots_storage: local
  temp_path: null
  on_disk_payload: true
  update_concurrency: null
  wal:
    wal_capacity_mb: 32
    wal_segments_ahead: 0
  node_type: "Normal"
  performance:
    max_search_threads: 0
    optimizer_cpu_budget: 0
    update_rate_limit: null
  optimizers:
    deleted_threshold: 0.2
    vacuum_min_vector_number: 1000
    default_segment_number: 0
    max_segment_size_kb: null
    indexing_threshold_kb: 10000
    flush_interval_sec: 5
    max_optimization_threads: null
  hnsw_index:
    m: 16
    ef_construct: 100
    full_scan_threshold_kb: 10000
    max_indexing_threads: 0
    on_disk: false
    payload_m: null
  shard_transfer_method: null
  collection:
    replication_factor: 1
    write_consistency_factor: 1
    vectors:
      on_disk: null
    quantization: null
  max_collections: null
service:
  max_request_size_mb: 32
  max_workers: 0
  host: 0.0.0.0
  http_port: 6333
  grpc_port: 6334
  enable_cors: true
  enable_tls: false
  verify_https_client_certificate: false
cluster:
  enabled: false
  p2p:
    port: 6335
    enable_tls: false
  consensus:
    tick_period_ms: 100
    compact_wal_entries: 128
telemetry_disabled: false
tls:
  cert: ./tls/cert.pem
  key: ./tls/key.pem
  ca_cert: ./tls/cacert.pem
  cert_ttl: 3600
"""

# Keys from the commented part of the same file and from src/settings.rs.
QDRANT_119_OPTIONAL = """\
storage:
  mmap_advice: random
  recovery_mode: null
  update_queue_size: 100
  hnsw_global_config:
    healing_threshold: 0.3
  performance:
    search_timeout_sec: 60
    optimizer_io_budget: 0
  wal:
    wal_retain_closed: 1
  payload:
    memory: mmap
  collection:
    strict_mode:
      enabled: false
      max_query_limit: 100
  quotas:
    enabled: false
service:
  jwt_rbac: false
  hardware_reporting: false
  metrics_prefix: qdrant_
  enable_snapshot_url_recovery: true
cluster:
  consensus:
    bootstrap_timeout_sec: 15
gpu:
  indexing: false
"""


def test_qdrants_shipped_config_starts_qdb(server_factory, tmp_path):
    srv = server_factory(config_text=QDRANT_119_CONFIG, args=["--grpc-port", "0"])
    assert ok(srv.api().get("/collections")) == {"collections": []}
    log = srv.log_tail(20000)
    assert log.count("were ignored") == 1, log
    for key in ["cluster.consensus.compact_wal_entries", "telemetry_disabled", "tls.cert"]:
        assert key in log
    # storage.hnsw_index / storage.optimizers / storage.wal are applied: the defaults of new collections.
    for key in ["storage.hnsw_index.m", "storage.optimizers.indexing_threshold_kb", "storage.wal.wal_capacity_mb"]:
        assert key not in log


def test_wal_defaults_apply_to_new_collections(server_factory):
    """storage.wal (file and QDRANT__ env) becomes a new collection's wal_config; a create
    request's own wal_config wins field by field; a bad value is exit 78 naming the key."""
    srv = server_factory(config_text="storage:\n  wal:\n    wal_capacity_mb: 8\n    wal_retain_closed: 3\n",
                         env={"QDRANT__STORAGE__WAL__WAL_SEGMENTS_AHEAD": "2"})
    api = srv.api()
    ok(api.put("/collections/wa", json={"vectors": {"size": 4, "distance": "Dot"}}))
    ok(api.put("/collections/wb", json={"vectors": {"size": 4, "distance": "Dot"}, "wal_config": {"wal_capacity_mb": 64}}))
    wa = ok(api.get("/collections/wa"))["config"]["wal_config"]
    wb = ok(api.get("/collections/wb"))["config"]["wal_config"]
    assert (wa["wal_capacity_mb"], wa["wal_segments_ahead"], wa["wal_retain_closed"]) == (8, 2, 3)
    assert (wb["wal_capacity_mb"], wb["wal_segments_ahead"], wb["wal_retain_closed"]) == (64, 2, 3)
    r = api.put("/collections/wc", json={"vectors": {"size": 4, "distance": "Dot"}, "wal_config": {"wal_capacity_mb": 0}})
    assert r.status_code in (400, 422) and "wal_config.wal_capacity_mb" in r.json()["status"]["error"]


def test_optimizers_overwrite_applies_over_every_collection(server_factory):
    """storage.optimizers_overwrite (file or QDRANT__ env) wins over the optimizer config of a
    collection, even one created with indexing disabled, and is not written into its config."""
    srv = server_factory(config_text="storage:\n  optimizers_overwrite:\n    indexing_threshold_kb: 1\n")
    api = srv.api()
    for name in ["own", "plain"]:
        body = {"vectors": {"size": 8, "distance": "Cosine"}}
        if name == "own":
            body["optimizers_config"] = {"indexing_threshold": 0}  # indexing disabled by its own config
        ok(api.put(f"/collections/{name}", json=body))
        points = [{"id": i, "vector": [math.sin(i * 8 + k) for k in range(8)]} for i in range(2000)]
        ok(api.put(f"/collections/{name}/points?wait=true", json={"points": points}))
    deadline = time.time() + 60
    while time.time() < deadline:
        infos = [ok(api.get(f"/collections/{n}")) for n in ["own", "plain"]]
        if all(i["indexed_vectors_count"] == 2000 and i["status"] == "green" for i in infos):
            break
        time.sleep(0.3)
    assert [i["indexed_vectors_count"] for i in infos] == [2000, 2000]
    assert infos[0]["config"]["optimizer_config"]["indexing_threshold"] == 0, "its own config is kept"


def test_bad_optimizers_overwrite_is_exit_78(tmp_path):
    res = run_qdb(["serve", "--storage", str(tmp_path / "st"), "--host", "127.0.0.1", "--http-port", str(free_port())],
                  env={"QDRANT__STORAGE__OPTIMIZERS_OVERWRITE__VACUUM_MIN_VECTOR_NUMBER": "5"}, timeout=30)
    assert res.returncode == 78 and "storage.optimizers_overwrite.vacuum_min_vector_number" in res.stderr


def test_bad_wal_default_is_exit_78(tmp_path):
    res = run_qdb(["serve", "--storage", str(tmp_path / "st"), "--host", "127.0.0.1",
                   "--http-port", str(free_port())], env={"QDB__STORAGE__WAL__WAL_RETAIN_CLOSED": "0"}, timeout=30)
    assert res.returncode == 78 and "storage.wal.wal_retain_closed" in res.stderr


def test_optional_qdrant_keys_are_accepted(server_factory):
    srv = server_factory(config_text=QDRANT_119_OPTIONAL)
    ok(srv.api().get("/collections"))


@pytest.mark.parametrize("text,key", [
    ("cluster:\n  consensus:\n    compact_wal_entriez: 1\n", "cluster.consensus.compact_wal_entriez"),
    ("storage:\n  hnsw_index:\n    mm: 16\n", "storage.hnsw_index.mm"),
    ("telemetry_disable: true\n", "telemetry_disable"),
    ("service:\n  enable_tls: true\n", "enable_tls"),  # known, but serving plain HTTP instead would mislead
])
def test_keys_neither_knows_still_exit_78(tmp_path, text, key):
    cfg = tmp_path / "typo.yaml"
    cfg.write_text(text)
    res = run_qdb(["serve", "--config", str(cfg), "--storage", str(tmp_path / "st"),
                   "--host", "127.0.0.1", "--http-port", str(free_port())], timeout=30)
    assert res.returncode == 78, res.stderr
    assert key in res.stderr


@pytest.mark.parametrize("how,level", [
    ("file", "warn"), ("file", "WARN"), ("file", "warn,hyper=info"), ("file", "trace"), ("QDB__LOG_LEVEL", "Info"),
    ("QDRANT__LOG_LEVEL", "warn"), ("QDRANT__LOG_LEVEL", "ERROR"), ("flag", "DEBUG"),
])
def test_log_level_takes_qdrants_spellings(server_factory, how, level):
    if how == "file":
        srv = server_factory(config_text=f"log_level: \"{level}\"\n")
    elif how == "flag":
        srv = server_factory(args=["--log-level", level])
    else:
        srv = server_factory(env={how: level})
    ok(srv.api().get("/collections"))


def test_bad_log_level_is_exit_78(tmp_path):
    res = run_qdb(["serve", "--storage", str(tmp_path / "st"), "--host", "127.0.0.1",
                   "--http-port", str(free_port())], env={"QDRANT__LOG_LEVEL": "loud"}, timeout=30)
    assert res.returncode == 78 and "log_level" in res.stderr
