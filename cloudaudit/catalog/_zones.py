"""AWS zone names and zone IDs: the region a zone belongs to, and whether it is a zone group.

AWS names an availability zone ``<region><letter>`` (``us-east-1a``, ``eusc-de-east-1a``) and
gives it an AZ ID ``<short code>-az<n>`` (``use1-az1``). Local Zones and Wavelength Zones are
zone groups of a parent region, possibly in another country (``us-east-1-bue-1a`` in group
``us-east-1-bue-1`` is Buenos Aires; ``us-east-1-wl1-bos-wlz-1``), with zone IDs such as
``use1-bue1-az1``. Every partition names its regions the same way (``cn-north-1``,
``us-gov-west-1``, ``us-isob-east-1``, ``eusc-de-east-1``).

The short code of an AZ ID abbreviates the region code: its first part, the initials of each
compass word (``northeast`` is ``ne``, ``gov`` is ``g``) and the number: ``use1-az1`` is
``us-east-1``, ``euw1-az1`` ``eu-west-1``, ``apne1-az1`` ``ap-northeast-1``, ``usgw1-az1``
``us-gov-west-1``, ``cnnw1-az1`` ``cn-northwest-1`` (AWS documentation, "AWS Availability Zones":
the AZ ID, Region and Geography table of every Availability Zone; "AZ IDs"). A region with any
other word in its code (``us-iso-east-1``, ``eusc-de-east-1``) has no short code here, and its AZ
IDs are not mapped: they are unknown, never a guess.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["GROUP", "AwsZone", "aws_zone", "az_id_prefix", "short_codes"]

_REGION = r"[a-z]+(?:-[a-z]+)+-\d+"
_REGION_ONLY = re.compile(rf"^{_REGION}$")
_AZ = re.compile(rf"^(?P<region>{_REGION})[a-z]$")
GROUP = re.compile(
    rf"^(?P<group>(?P<region>{_REGION})-(?:[a-z]{{3}}-\d+|wl\d+-[a-z]+-wlz-\d+))[a-z]?$"
)
"""A Local Zone (``us-east-1-bue-1a``) or Wavelength Zone (``us-east-1-wl1-bos-wlz-1``) name."""
_OTHER_GROUP = re.compile(rf"^(?P<region>{_REGION})-[a-z0-9]+(?:-[a-z0-9]+)*$")
_AZ_ID = re.compile(r"^(?P<short>[a-z]+\d+)-az\d+$")
_ZONE_ID = re.compile(r"^(?P<short>[a-z]+\d+)-[a-z0-9]+(?:-[a-z0-9]+)*$")
_WORDS = {
    "east": "e",
    "west": "w",
    "north": "n",
    "south": "s",
    "central": "c",
    "northeast": "ne",
    "northwest": "nw",
    "southeast": "se",
    "southwest": "sw",
    "gov": "g",
}


@dataclass(frozen=True)
class AwsZone:
    """What an AWS zone string says about where it is.

    Attributes:
        region: The region the zone belongs to, or ``None`` when that cannot be told.
        plain: True for an ordinary availability zone of ``region`` (by name or AZ ID).
        group: The zone group of a Local or Wavelength Zone name (``us-east-1-bue-1``), or the
            zone itself for any other zone of a group (a zone ID such as ``use1-bue1-az1``);
            ``None`` for an ordinary availability zone and for an unrecognised string.
        by_id: True when the zone is written as a zone ID.
    """

    region: str | None
    plain: bool = False
    group: str | None = None
    by_id: bool = False


def az_id_prefix(region: str) -> str | None:
    """The short code of a region's AZ IDs (``us-east-1`` → ``use1``), or ``None``."""
    parts = region.split("-")
    if len(parts) < 3 or not parts[-1].isdigit():
        return None
    words = [_WORDS.get(w) for w in parts[1:-1]]
    if any(w is None for w in words):
        return None
    return parts[0] + "".join(w for w in words if w) + parts[-1]


def short_codes(regions: Iterable[str]) -> dict[str, str]:
    """Map each short code to its region, leaving out any code two regions would share."""
    found: dict[str, str | None] = {}
    for region in regions:
        code = az_id_prefix(region)
        if code is not None:
            found[code] = None if code in found else region
    return {code: region for code, region in found.items() if region is not None}


def aws_zone(zone: str, shorts: dict[str, str]) -> AwsZone:
    """Read an AWS zone name or zone ID.

    Args:
        zone: ``us-east-1a``, ``use1-az1``, ``us-east-1-bue-1a``, ``use1-bue1-az1`` ...
        shorts: Short code → region (:func:`short_codes` of the catalog's regions).

    Returns:
        The zone's region and kind; an unrecognised string has no region and no group.
    """
    match = _AZ.match(zone)
    if match:
        return AwsZone(region=match.group("region"), plain=True)
    if _REGION_ONLY.match(zone):  # a region given as the zone
        return AwsZone(region=zone, plain=True)
    match = GROUP.match(zone)
    if match:
        return AwsZone(region=match.group("region"), group=match.group("group"))
    match = _OTHER_GROUP.match(zone)
    if match:
        return AwsZone(region=match.group("region"), group=zone)
    match = _AZ_ID.match(zone)
    if match:
        return AwsZone(region=shorts.get(match.group("short")), plain=True, by_id=True)
    match = _ZONE_ID.match(zone)
    if match:
        return AwsZone(region=shorts.get(match.group("short")), group=zone, by_id=True)
    return AwsZone(region=None)
