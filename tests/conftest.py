"""Suite-wide read-only proof: every AWS call cloudaudit makes must be an allowed read.

See ``readonly_proof.py``; the check runs at the end of the session (of each xdist worker).
"""

from collections.abc import Iterator

import pytest
from readonly_proof import CALLS, install, not_allowed


@pytest.fixture(scope="session", autouse=True)
def aws_read_only_proof() -> Iterator[set[tuple[str, str]]]:
    """Record for the whole session; fail at its end if any call was not an allowed read."""
    install()
    yield CALLS
    bad = not_allowed(CALLS)
    assert not bad, f"cloudaudit made calls that are not allowed reads: {bad}"
