"""schemathesis over Qdrant's OpenAPI (../shared/reference/qdrant-openapi-v1.19.0.json) for the
point-write and payload-index operations qdb serves (upsert, retrieve, delete, set/overwrite/
delete/clear payload, points/batch, PUT/DELETE index) and the collection and alias operations: generated valid requests get no 5xx and
responses that match the schema; generated schema-invalid requests are rejected. Bounded in time
(QDB_SCHEMATHESIS_SECONDS, default 15 s per mode)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from qdb_helpers import create_collection, upsert

SPEC = Path(__file__).resolve().parents[2] / "../shared/reference/qdrant-openapi-v1.19.0.json"
if not SPEC.exists():
    SPEC = Path("/work/shared/reference/qdrant-openapi-v1.19.0.json")
OPERATIONS = (r"^/(collections/\{collection_name\}/(points|points/delete|points/payload|points/payload/delete|"
              r"points/payload/clear|points/batch|index|index/\{field_name\})|collections|collections/\{collection_name\}|"
              r"collections/\{collection_name\}/exists|collections/aliases|aliases|collections/\{collection_name\}/aliases)$")
SECONDS = os.environ.get("QDB_SCHEMATHESIS_SECONDS", "15")


@pytest.fixture(scope="module")
def target(qdb, tmp_path_factory):
    api = qdb.api()
    create_collection(api, "sw", size=4, distance="Cosine")
    upsert(api, "sw", points=[{"id": i, "vector": [i % 3, 1, 0, i % 2], "payload": {"a": i}} for i in range(1, 20)])
    cfg = tmp_path_factory.mktemp("sw") / "schemathesis.toml"
    cfg.write_text('[parameters]\n"path.collection_name" = "sw"\n')
    return qdb.url, cfg


@pytest.mark.parametrize("mode, checks", [
    ("positive", "not_a_server_error,response_schema_conformance"),
    ("negative", "not_a_server_error,negative_data_rejection"),
])
def test_schemathesis_writes(target, mode, checks, tmp_path):
    url, cfg = target
    exe = Path(sys.executable).parent / "schemathesis"
    cmd = [str(exe) if exe.exists() else "schemathesis", "--config-file", str(cfg), "run", str(SPEC), "--url", url,
           "--include-path-regex", OPERATIONS, "--checks", checks, "--mode", mode, "--phases", "fuzzing",
           "-n", "10", "--max-time", SECONDS, "--request-timeout", "10", "--seed", "14"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=int(SECONDS) * 4 + 60, cwd=tmp_path)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
