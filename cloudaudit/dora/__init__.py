"""DORA register of information: location data points derived from what really runs.

EU financial entities file a register of information every year (Regulation (EU) 2022/2554,
Art. 28(3); templates of Commission Implementing Regulation (EU) 2024/2956). Template B_02.02
asks, per ICT service, for the countries of provision, storage and processing; B_05.01 for each
provider's headquarters country and ultimate parent. This package fills those data points from a
:class:`~cloudaudit.models.Report` and a small mapping file, and compares a filed register with
what the audit found.

Example:
    >>> from cloudaudit.dora import DoraMapping, roi_tables
    >>> mapping = DoraMapping.model_validate({
    ...     "entity_lei": "5299000J2N45DDNE4Y28",
    ...     "arrangements": [{"reference": "AWS-1", "provider_code": "5493001KJTIIGC8Y1R12",
    ...                       "function": "F1", "match": {"provider": "aws"}}]})
    >>> from cloudaudit import Report
    >>> roi_tables(Report(tool_version="x", policy_id="p", policy_version="1"), mapping).b_02_02
    []
"""

from cloudaudit.dora._diff import Declared, RegisterDiff, parse_register, register_diff
from cloudaudit.dora._mapping import (
    Arrangement,
    DoraMapping,
    Match,
    ProviderEntity,
    load_mapping,
)
from cloudaudit.dora._roi import (
    B_02_02_COLUMNS,
    B_05_01_COLUMNS,
    RoiTables,
    Unresolved,
    finding_countries,
    roi_tables,
    scope_feed,
)

__all__ = [
    "B_02_02_COLUMNS",
    "B_05_01_COLUMNS",
    "Arrangement",
    "Declared",
    "DoraMapping",
    "Match",
    "ProviderEntity",
    "RegisterDiff",
    "RoiTables",
    "Unresolved",
    "finding_countries",
    "load_mapping",
    "parse_register",
    "register_diff",
    "roi_tables",
    "scope_feed",
]
