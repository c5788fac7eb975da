"""The organization fixtures of the scale tests (moto over real HTTP), for guardrails."""

from tests.scale.conftest import aws_env, moto_server, org_factory

__all__ = ["aws_env", "moto_server", "org_factory"]
