"""Suite-wide read-only proof: every call cloudaudit makes to any cloud must be an allowed read.

See ``readonly_proof.py``; the check runs at the end of the session (of each xdist worker).
AWS and Alibaba calls are recorded at the SDK; GCP and Azure requests by the fakes they reach.
"""

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings
from readonly_proof import (
    ALIBABA_CALLS,
    CALLS,
    alibaba_not_allowed,
    azure_not_allowed,
    fake_requests,
    gcp_not_allowed,
    install,
    install_alibaba,
    not_allowed,
)

# In CI the property-based tests replay a fixed sequence of examples, so that a green run stays
# green; on developers' machines they keep exploring new inputs (and store failures locally).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def aws_read_only_proof() -> Iterator[set[tuple[str, str]]]:
    """Record for the whole session; fail at its end if any call was not an allowed read."""
    install()
    install_alibaba()
    yield CALLS
    bad = {
        "AWS (iam_policy.json)": not_allowed(CALLS),
        "Alibaba (ram_policy.json)": alibaba_not_allowed(ALIBABA_CALLS),
        "GCP (permissions.json)": gcp_not_allowed(fake_requests("gcp_fake")),
        "Azure (role.json)": azure_not_allowed(fake_requests("azure_fake")),
    }
    bad = {cloud: calls for cloud, calls in bad.items() if calls}
    assert not bad, f"cloudaudit made calls that are not allowed reads: {bad}"
