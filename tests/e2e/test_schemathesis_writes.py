"""schemathesis over Qdrant's OpenAPI (../shared/reference/qdrant-openapi-v1.19.0.json) for the
point-write and payload-index operations qdb serves (upsert, retrieve, delete, set/overwrite/
delete/clear payload, points/batch, PUT/DELETE index) and the collection and alias operations: generated valid requests get no 5xx and
responses that match the schema; generated schema-invalid requests are rejected. Bounded in time
(QDB_SCHEMATHESIS_SECONDS, default 15 s per mode)."""

import pytest

from schemathesis_helpers import MODES, run_schemathesis, seeded_target

OPERATIONS = (r"^/(collections/\{collection_name\}/(points|points/delete|points/payload|points/payload/delete|"
              r"points/payload/clear|points/batch|index|index/\{field_name\})|collections|collections/\{collection_name\}|"
              r"collections/\{collection_name\}/exists|collections/aliases|aliases|collections/\{collection_name\}/aliases)$")


@pytest.fixture(scope="module")
def target(qdb, tmp_path_factory):
    return seeded_target(qdb, tmp_path_factory, "sw", [
        {"id": i, "vector": [i % 3, 1, 0, i % 2], "payload": {"a": i}} for i in range(1, 20)])


@pytest.mark.parametrize("mode, checks", MODES)
def test_schemathesis_writes(target, mode, checks, tmp_path):
    run_schemathesis(target, OPERATIONS, mode, checks, tmp_path)
