"""Property-based fuzzing of the live app from the committed spec (schemathesis).

Every generated request, valid or not, must get a documented status code, media type
and headers, and never a 5xx. In CI the cases are derandomized (the same every run, so
a red run is a regression, not luck); `FUZZ_RANDOM=1` explores new ones, and
`HYPOTHESIS_MAX_EXAMPLES` sets the cases per operation (default 40).
"""

import os
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.conftest import API_ACCEPT

SPEC = Path(__file__).resolve().parent.parent / "openapi" / "openapi.json"
MAX_EXAMPLES = int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "40"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"
# Invalid requests must be refused. schemathesis' default list of refusals lacks 413
# (body too large) and 414 (query too long), which is how this server refuses
# oversized input before parsing it; the rest of its default list stays.
REFUSALS = ["400", "401", "403", "404", "405", "406", "409", "413", "414", "415", "422"]
CONFIG = SchemathesisConfig.from_dict(
    {"checks": {"negative_data_rejection": {"expected-statuses": [*REFUSALS, "5xx"]}}}
)
schema = schemathesis.openapi.from_path(SPEC, config=CONFIG)


def schema_valid_requests_fail_only_on_stated_limits(ctx, response, case):
    """Stricter than schemathesis' positive_data_acceptance where JSON Schema cannot say
    everything: a request the schema allows may still break a cross-field limit (QR
    capacity for the data at that ECC, width × height × scale² pixels). Such a request
    must get a 422 in which every problem names its parameter and the limit broken;
    any other refusal of schema-valid data is a bug (e.g. a stricter parser than spec).
    """
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    if response.status_code < 400:
        return None
    body = response.json() if response.status_code == 422 else {}
    problems = body.get("parameters") or []
    if not problems or any(p.get("limit") is None for p in problems):
        raise AssertionError(
            f"schema-valid request refused with {response.status_code}: {response.text[:500]}"
        )
    return None


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=DERANDOMIZE,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_response_conforms_to_the_spec(case, live_server):
    host, port = live_server
    case.call_and_validate(
        base_url=f"http://{host}:{port}",
        # As a client generated from the spec would: JSON errors, not drawn ones (the
        # compatibility routes draw them for an Accept that names no JSON).
        headers={"Accept": API_ACCEPT},
        excluded_checks=[positive_data_acceptance],
        additional_checks=[schema_valid_requests_fail_only_on_stated_limits],
    )
