"""The EC2 Recycle Bin listings moto does not serve, answered in EC2's documented shape.

moto (5.x) has no ``ListSnapshotsInRecycleBin`` or ``ListImagesInRecycleBin``: without this, a
moto server answers them with an error, and every audit of EC2 over moto would carry a gap.
:func:`install` adds both operations to moto's EC2 responses, backed by :data:`BIN` (what
the Recycle Bin holds per account and region, empty unless a test puts something there).
The answers are serialized by moto from botocore's EC2 model, so they have EC2's XML shape
(``snapshotSet`` / ``imageSet`` items); the fields follow the API reference
(``SnapshotRecycleBinInfo``, ``ImageRecycleBinInfo``) and the AWS CLI reference's examples
for ``aws ec2 list-snapshots-in-recycle-bin`` ("Monthly data backup snapshot",
``snap-01234567890abcdef``, ``vol-abcdef09876543210``) and ``list-images-in-recycle-bin``
(``ami-01234567890abcdef``, "AMI_01", "Monthly AMI One"). Pages are served ``MaxResults``
at a time (``NextToken`` the index of the next item), as EC2 pages.

Used by the tests' moto servers (``tests/conftest.py`` installs it) and the benchmarks' one
(``benchmarks/_motoserver.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

BIN: dict[tuple[str, str], dict[str, list[dict[str, Any]]]] = {}
"""(account, region) -> {"Snapshots": [...], "Images": [...]}: what the Recycle Bin holds."""

_LOCK = threading.Lock()
_ENTERED = datetime(2026, 11, 20, 13, 0, tzinfo=UTC)


def recycle_snapshot(account: str, region: str, snapshot_id: str, **fields: Any) -> None:
    """Put a snapshot in ``region``'s Recycle Bin (as a deleted snapshot under a rule)."""
    item = {
        "SnapshotId": snapshot_id,
        "RecycleBinEnterTime": _ENTERED,
        "RecycleBinExitTime": _ENTERED + timedelta(days=14),
        "Description": "Monthly data backup snapshot",
        "VolumeId": "vol-abcdef09876543210",
        **fields,
    }
    with _LOCK:
        BIN.setdefault((account, region), {}).setdefault("Snapshots", []).append(item)


def recycle_image(account: str, region: str, image_id: str, **fields: Any) -> None:
    """Put an AMI in ``region``'s Recycle Bin (as a deregistered AMI under a rule)."""
    item = {
        "ImageId": image_id,
        "Name": "AMI_01",
        "Description": "Monthly AMI One",
        "RecycleBinEnterTime": _ENTERED,
        "RecycleBinExitTime": _ENTERED + timedelta(days=1),
        **fields,
    }
    with _LOCK:
        BIN.setdefault((account, region), {}).setdefault("Images", []).append(item)


def clear() -> None:
    """Empty every Recycle Bin."""
    with _LOCK:
        BIN.clear()


def _page(response: Any, key: str) -> Any:
    from moto.core.responses import ActionResult

    with _LOCK:
        held = list(BIN.get((response.current_account, response.region), {}).get(key, ()))
    wanted = response._get_param(f"{key[:-1]}Ids") or []
    if wanted:
        held = [i for i in held if i[f"{key[:-1]}Id"] in wanted]
    size = int(response._get_param("MaxResults") or 1000)
    start = int(response._get_param("NextToken") or 0)
    answer: Mapping[str, Any] = {key: held[start : start + size]}
    if start + size < len(held):
        answer = {**answer, "NextToken": str(start + size)}
    return ActionResult(dict(answer))


def install() -> None:
    """Teach moto's EC2 responses the two Recycle Bin listings (idempotent)."""
    from moto.ec2.responses import EC2Response

    def list_snapshots_in_recycle_bin(self: Any) -> Any:
        return _page(self, "Snapshots")

    def list_images_in_recycle_bin(self: Any) -> Any:
        return _page(self, "Images")

    EC2Response.list_snapshots_in_recycle_bin = list_snapshots_in_recycle_bin  # type: ignore[attr-defined]
    EC2Response.list_images_in_recycle_bin = list_images_in_recycle_bin  # type: ignore[attr-defined]
