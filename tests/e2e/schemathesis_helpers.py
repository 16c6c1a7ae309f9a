"""The schemathesis runs shared by test_schemathesis_query.py and test_schemathesis_writes.py:
Qdrant's OpenAPI (../shared/reference/qdrant-openapi-v1.19.0.json) against a module server with
one seeded collection, in a positive and a negative mode, each bounded in time
(QDB_SCHEMATHESIS_SECONDS, default 15 s per mode)."""

import os
import subprocess
import sys
from pathlib import Path

from qdb_helpers import create_collection, upsert

SPEC = Path(__file__).resolve().parents[2] / "../shared/reference/qdrant-openapi-v1.19.0.json"
if not SPEC.exists():
    SPEC = Path("/work/shared/reference/qdrant-openapi-v1.19.0.json")
SECONDS = os.environ.get("QDB_SCHEMATHESIS_SECONDS", "15")

# (mode, checks) for pytest.mark.parametrize("mode, checks", MODES): generated valid requests get
# no 5xx and responses that match the schema; generated schema-invalid requests are rejected.
MODES = [
    ("positive", "not_a_server_error,response_schema_conformance"),
    ("negative", "not_a_server_error,negative_data_rejection"),
]


def seeded_target(qdb, tmp_path_factory, name: str, points: list[dict]) -> tuple[str, Path]:
    """Creates collection `name` (4-d Cosine) holding `points` on `qdb`, and a schemathesis
    config that fills `{collection_name}` with it; returns (url, config path)."""
    api = qdb.api()
    create_collection(api, name, size=4, distance="Cosine")
    upsert(api, name, points=points)
    cfg = tmp_path_factory.mktemp(name) / "schemathesis.toml"
    cfg.write_text(f'[parameters]\n"path.collection_name" = "{name}"\n')
    return qdb.url, cfg


def run_schemathesis(target: tuple[str, Path], operations: str, mode: str, checks: str, cwd: Path) -> None:
    """Runs schemathesis on the operations matching the path regex `operations`; asserts success."""
    url, cfg = target
    exe = Path(sys.executable).parent / "schemathesis"
    cmd = [str(exe) if exe.exists() else "schemathesis", "--config-file", str(cfg), "run", str(SPEC), "--url", url,
           "--include-path-regex", operations, "--checks", checks, "--mode", mode, "--phases", "fuzzing",
           "-n", "10", "--max-time", SECONDS, "--request-timeout", "10", "--seed", "14"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=int(SECONDS) * 4 + 60, cwd=cwd)
    assert r.returncode == 0, r.stdout[-6000:] + r.stderr[-2000:]
