"""schemathesis against ``reader serve``'s own OpenAPI document: no 5xx, no answer outside the schema.

The server runs in its own process on the toy model. Examples are bounded per operation. Fetching a
URL is left out: generated URLs would reach for the network (tests/test_serve.py checks that route).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.support import serve

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory, toy_model_dir: Path):
    with serve.reader_serve(tmp_path_factory.mktemp("fuzz"), toy_model_dir, timeout=30.0) as served:
        yield schemathesis.openapi.from_url(f"{served.url}/openapi.json").exclude(path="/v1/translate/url")


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


def test_api_answers_within_its_schema(api):
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def answers_within_schema(case: schemathesis.Case) -> None:
            case.call_and_validate(checks=CHECKS)

        answers_within_schema()
