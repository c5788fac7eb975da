"""Review the region catalog against the region lists shipped in installed cloud SDKs.

Usage: ``python scripts/check_catalog.py``. For each SDK that is installed (``oci``,
``huaweicloudsdkecs``), prints the region ids the SDK knows but the catalog does not, and the
catalog regions of Tencent and Huawei whose operator is not Chinese. Exits 1 if anything is
missing, so it can run in CI after an SDK upgrade.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

from cloudaudit.catalog import default_catalog


def oci_regions() -> set[str]:
    """Every region id in the OCI SDK's regions_definitions."""
    rd = importlib.import_module("oci.regions_definitions")
    return set(rd.REGIONS) | set(rd.REGION_REALMS) | set(rd.REGIONS_SHORT_NAMES.values())


def huawei_regions() -> set[str]:
    """Every region id the Huawei Cloud ECS SDK knows."""
    mod = importlib.import_module("huaweicloudsdkecs.v2.region.ecs_region")
    return set(mod.EcsRegion.static_fields)


SOURCES: dict[str, Callable[[], set[str]]] = {"oci": oci_regions, "huawei": huawei_regions}


def main() -> int:
    """Print what is missing; return 1 if anything is."""
    catalog = default_catalog()
    bad = 0
    for provider, source in SOURCES.items():
        try:
            sdk = source()
        except ModuleNotFoundError as exc:
            print(f"{provider}: SDK not installed ({exc.name}); skipped")
            continue
        missing = sorted(sdk - set(catalog.regions(provider)))
        bad += len(missing)
        print(f"{provider}: {len(sdk)} SDK regions, missing from catalog: {missing or 'none'}")
    for provider in ("tencent", "huawei"):
        for region in sorted(catalog.regions(provider)):
            place = catalog.locate(provider, region)
            if place.operator_country != "CN":
                bad += 1
                print(f"{provider} {region}: operator country {place.operator_country}, not CN")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
