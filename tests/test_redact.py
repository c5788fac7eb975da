"""Credentials are masked in the forms the SDKs log them, known to the audit or not.

A token learnt during a run (a refreshed SSO or assumed-role session) may not be among the
secrets the audit declared when a log record is written: the patterns must then catch it in
the form the SDK writes. The request below is botocore's own: signed with SigV4 and logged as
botocore logs it at DEBUG (``Sending http request: <AWSPreparedRequest ... headers={...}>``).
"""

from __future__ import annotations

import re

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from cloudaudit.providers import redact

KEY = "ASIAEXAMPLEKEY123456"
SECRET = "wJalrXUtnFEMIEXAMPLESECRETKEY0123456789"
TOKEN = "IQoJb3JpZ2luX2VjEXAMPLETOKENabcdefghijklmnopqrstuvwxyz0123456789"


def _logged_request() -> str:
    request = AWSRequest(
        method="POST", url="https://sts.amazonaws.com/", data=b"Action=GetCallerIdentity"
    )
    SigV4Auth(Credentials(KEY, SECRET, TOKEN), "sts", "us-east-1").add_auth(request)
    return f"Sending http request: {request.prepare()!r}"


def test_botocore_debug_request_is_masked_without_knowing_the_secrets() -> None:
    logged = _logged_request()
    assert TOKEN in logged and KEY in logged  # the record really carries them
    masked = redact(logged)
    assert TOKEN not in masked and KEY not in masked
    signature = re.search(r"Signature=([0-9a-f]{64})", logged)
    assert signature is not None and signature.group(1) not in masked


def test_form_and_query_fields_with_a_prefix_are_masked() -> None:
    for field in ("client_secret", "access_token", "refresh_token", "api_key"):
        text = f"grant_type=client_credentials&{field}=s3cr3tvalue123&scope=x"
        assert "s3cr3tvalue123" not in redact(text), field


def test_header_line_and_query_forms_stay_masked() -> None:
    assert TOKEN not in redact(f"X-Amz-Security-Token: {TOKEN}")
    assert TOKEN not in redact(f"https://b.s3.amazonaws.com/k?X-Amz-Security-Token={TOKEN}&a=1")
    assert "abc123signature" not in redact(
        "Authorization: AWS4-HMAC-SHA256 Signature=abc123signature"
    )
