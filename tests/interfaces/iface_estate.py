"""The estate the interface tests audit: the demo estate plus resources with hostile names."""

from __future__ import annotations

from cloudaudit import audit
from cloudaudit.demo import demo_policy, demo_providers
from cloudaudit.report import Report
from cloudaudit.testing import FakeProvider, make_resource

EVIL_NAME = "<script>alert(1)</script>"
FORMULA_NAME = '=HYPERLINK("http://x","y")'


def hostile_provider() -> FakeProvider:
    """Resources whose names try to break out of HTML, Markdown and spreadsheets."""
    return FakeProvider(
        [
            make_resource(
                "aws",
                "ap-east-1",
                name=EVIL_NAME,
                account="999988887777",
                tags={"owner": "<img src=x onerror=alert(2)>"},
                id="arn:aws:s3:::evil-bucket",
            ),
            make_resource(
                "aws", "eu-west-1", name=FORMULA_NAME, account="999988887777", id="arn:aws:s3:::f"
            ),
        ],
        name="aws-hostile",
    )


def demo_report() -> Report:
    """The demo audit, with hostile resources added: violations, unknowns, exempt and gaps."""
    return audit([*demo_providers(), hostile_provider()], demo_policy())
