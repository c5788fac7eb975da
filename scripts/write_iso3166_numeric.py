"""Add ISO 3166-1 numeric codes to ``cloudaudit/catalog/data/iso3166.json`` (needs pycountry).

The map of the HTML report joins its geometry (world-atlas, keyed by ISO 3166-1 numeric code)
to the catalog's alpha-2 codes with this table. Usage:
``pip install pycountry && python scripts/write_iso3166_numeric.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pycountry  # type: ignore[import-not-found]

PATH = Path(__file__).resolve().parents[1] / "cloudaudit" / "catalog" / "data" / "iso3166.json"


def main() -> None:
    """Rewrite the file with a ``numeric`` table (alpha-2 to 3-digit code) for every country."""
    raw = json.loads(PATH.read_text("utf-8"))
    numeric = {c.alpha_2: c.numeric for c in pycountry.countries if c.alpha_2 in raw["countries"]}
    missing = sorted(set(raw["countries"]) - set(numeric))
    if missing:
        raise SystemExit(f"pycountry has no numeric code for {missing}")
    out = {
        "_source": raw["_source"],
        "countries": raw["countries"],
        "numeric": dict(sorted(numeric.items())),
        "subdivisions": raw["subdivisions"],
    }
    text = json.dumps(out, ensure_ascii=False, indent=0)
    PATH.write_text(text + "\n", "utf-8")
    print(f"wrote {len(numeric)} numeric codes")


if __name__ == "__main__":
    main()
