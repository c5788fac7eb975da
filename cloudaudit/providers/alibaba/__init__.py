"""Alibaba Cloud provider: ECS, OSS and ApsaraDB RDS, read-only.

Install with ``pip install 'cloudaudit[alibaba]'``. The SDKs are imported only when the provider
collects, so importing this package never needs them.
"""

from __future__ import annotations

from cloudaudit.providers.alibaba._clients import ClientFactory
from cloudaudit.providers.alibaba._errors import classify
from cloudaudit.providers.alibaba._provider import AlibabaProvider

__all__ = ["AlibabaProvider", "ClientFactory", "classify"]
