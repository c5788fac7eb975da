"""Google Cloud provider: organization → folders → projects, Cloud Asset search, fallback.

The Google SDKs are imported lazily, when the provider first builds a client.
:func:`search_result_to_resource` is the pure transform of one Cloud Asset search result
(also used to import ``gcloud asset`` output and exports without the SDK).
"""

from __future__ import annotations

from cloudaudit.providers.gcp._asset import to_resource as search_result_to_resource
from cloudaudit.providers.gcp._locations import parse_location
from cloudaudit.providers.gcp._provider import GcpProvider, default_retry

__all__ = [
    "GcpProvider",
    "default_retry",
    "parse_location",
    "search_result_to_resource",
]
