"""Log records made while an audit runs never show a credential, even at DEBUG.

The masking reads the secrets at each record, so a credential learnt during the run (an
assumed role's keys, a refreshed token) is masked from the moment it is declared; SDK loggers
also get the patterns (an STS answer's ``<SecretAccessKey>`` before anyone declared it).
"""

from __future__ import annotations

import logging

import pytest

from cloudaudit.providers._logmask import masking_logs

LATE = "late-learnt-secret-4f6a8c0e2b"


@pytest.fixture
def debug(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.mark.parametrize("name", ["botocore.endpoint", "google.auth.transport", "azure.core.x"])
def test_secret_declared_during_the_run_is_masked(
    debug: pytest.LogCaptureFixture, name: str
) -> None:
    known: list[str] = []
    log = logging.getLogger(name)  # a logger the SDK creates after the block opened
    with masking_logs(lambda: known):
        log.debug("before: %s", "nothing secret")
        known.append(LATE)
        log.debug("Response headers: %s", {"x-token-echo": LATE})
        try:
            raise RuntimeError(f"refused {LATE}")
        except RuntimeError:
            log.exception("call failed")
    assert LATE not in debug.text
    assert "'x-token-echo': '***'" in debug.text and "refused ***" in debug.text
    log.debug("after: %s", LATE)  # the block is closed: the hook is gone
    assert logging.getLogRecordFactory() is logging.LogRecord
    assert debug.records[-1].getMessage() == f"after: {LATE}"


def test_sdk_bodies_are_masked_by_pattern_before_anyone_declares_them(
    debug: pytest.LogCaptureFixture,
) -> None:
    # the shape of botocore's DEBUG "Response body" of sts:AssumeRole
    # (AssumeRole response syntax, AWS STS API reference)
    body = (
        b"<AssumeRoleResponse><AssumeRoleResult><Credentials>"
        b"<AccessKeyId>ASIACANARY0123456789</AccessKeyId>"
        b"<SecretAccessKey>wJalrCanary/K7MDENG+bPxRfiCY</SecretAccessKey>"
        b"<SessionToken>FwoGZXIvYXdzECanaryToken==</SessionToken>"
        b"</Credentials></AssumeRoleResult></AssumeRoleResponse>"
    )
    with masking_logs(lambda: ()):
        logging.getLogger("botocore.parsers").debug("Response body:\n%r", body)
        logging.getLogger("google.auth._default").debug('{"access_token": "ya29.canary"}')
        logging.getLogger("myapp").debug("<SessionToken>kept</SessionToken>")  # not an SDK
    for secret in ("ASIACANARY", "wJalrCanary", "FwoGZXIv", "ya29.canary"):
        assert secret not in debug.text
    assert "<SecretAccessKey>***</SecretAccessKey>" in debug.text
    assert "<SessionToken>kept</SessionToken>" in debug.text


def test_nested_blocks_keep_masking_until_the_last_closes(
    debug: pytest.LogCaptureFixture,
) -> None:
    log = logging.getLogger("urllib3.connectionpool")
    with masking_logs(lambda: ["outer-secret-1"]):
        with masking_logs(lambda: ["inner-secret-2"]):
            log.debug("outer-secret-1 inner-secret-2")
        log.debug("outer-secret-1 inner-secret-2")
    first, second = (r.getMessage() for r in debug.records)
    assert first == "*** ***"
    assert second == "*** inner-secret-2"  # the inner block's secrets went with it
