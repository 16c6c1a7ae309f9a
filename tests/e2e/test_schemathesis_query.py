"""schemathesis over Qdrant's OpenAPI (../shared/reference/qdrant-openapi-v1.19.0.json) for the
query, legacy search/recommend/discover (single, batch, groups), retrieve-by-id, scroll, count,
facet and distance-matrix operations qdb serves: generated valid requests
get no 5xx and responses that match the schema; generated schema-invalid requests are rejected.
Each run is bounded in time (QDB_SCHEMATHESIS_SECONDS, default 15 s per mode)."""

import pytest

from schemathesis_helpers import MODES, run_schemathesis, seeded_target

OPERATIONS = (r"/collections/\{collection_name\}/(points/(query|query/batch|query/groups|search/matrix/pairs|search|search/batch|"
              r"search/groups|recommend|recommend/batch|recommend/groups|discover|discover/batch|\{id\}|"
              r"search/matrix/offsets|scroll|count)|facet)$")


@pytest.fixture(scope="module")
def target(qdb, tmp_path_factory):
    return seeded_target(qdb, tmp_path_factory, "st", [
        {"id": i, "vector": [i % 3, 1, 0, i % 2], "payload": {"a": i, "t": ["x", "y"][i % 2]}} for i in range(1, 20)])


@pytest.mark.parametrize("mode, checks", MODES)
def test_schemathesis(target, mode, checks, tmp_path):
    run_schemathesis(target, OPERATIONS, mode, checks, tmp_path)
