"""Azure provider: subscriptions, Resource Graph (or ARM listing), locations and copies.

Example:
    >>> from cloudaudit.providers.azure import AzureProvider
    >>> provider = AzureProvider(subscriptions=["00000000-0000-0000-0000-000000000000"])
    >>> provider.name
    'azure'
"""

from __future__ import annotations

from cloudaudit.providers.azure._auth import StaticTokenCredential
from cloudaudit.providers.azure._clouds import CLOUDS, AzureCloud
from cloudaudit.providers.azure._geo import Geo, location_info
from cloudaudit.providers.azure._provider import AzureProvider
from cloudaudit.providers.azure._types import to_resource as row_to_resource

__all__ = [
    "CLOUDS",
    "AzureCloud",
    "AzureProvider",
    "Geo",
    "StaticTokenCredential",
    "location_info",
    "row_to_resource",
]
