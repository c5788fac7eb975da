"""Google Cloud provider: organization → folders → projects, Cloud Asset search, fallback.

The Google SDKs are imported lazily, when the provider first builds a client.
"""

from __future__ import annotations

from cloudaudit.providers.gcp._provider import GcpProvider, default_retry

__all__ = ["GcpProvider", "default_retry"]
