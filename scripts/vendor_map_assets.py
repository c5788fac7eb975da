"""Re-vendor the world map used by the HTML report and the notebook map.

The report draws its map with d3-geo (projection, paths, great-circle flows) and
topojson-client (TopoJSON to GeoJSON) over the Natural Earth 1:110m countries of world-atlas.
All of it is embedded in the report, so the page makes no request. This script fetches the
pinned packages with ``npm pack`` (npm and node must be installed), copies the minified
builds, the geometry and each package's LICENSE into ``cloudaudit/formats/assets/vendor/``,
computes one point per country that the 1:110m geometry leaves out (Hong Kong, Singapore,
Bahrain, Malta...) from the 1:50m geometry with d3-geo, and writes ``MANIFEST.json`` with
versions and SHA-256 digests (``tests/interfaces/test_html_map.py`` checks them).

Usage: ``python scripts/vendor_map_assets.py`` (then commit the changed files).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "cloudaudit" / "formats" / "assets" / "vendor"

PACKAGES = {
    "d3-array": ("3.2.5", {"dist/d3-array.min.js": "d3-array.min.js"}),
    "d3-geo": ("3.1.2", {"dist/d3-geo.min.js": "d3-geo.min.js"}),
    "topojson-client": ("3.1.0", {"dist/topojson-client.min.js": "topojson-client.min.js"}),
    "world-atlas": ("2.0.2", {"countries-110m.json": "countries-110m.json"}),
}
"""Package name: (pinned version, {file in the package: vendored name})."""

SMALL_COUNTRIES_JS = r"""
const fs = require("fs"), vm = require("vm");
const [lib, p110, p50] = process.argv.slice(1);
const ctx = {}; vm.createContext(ctx);
for (const f of ["d3-array.min.js", "d3-geo.min.js", "topojson-client.min.js"])
  vm.runInContext(fs.readFileSync(lib + "/" + f, "utf8"), ctx);
const {d3, topojson} = ctx;
const a = JSON.parse(fs.readFileSync(p110)), b = JSON.parse(fs.readFileSync(p50));
const have = new Set(a.objects.countries.geometries.map(g => g.id));
const out = {};
for (const f of topojson.feature(b, b.objects.countries).features) {
  if (!f.id || have.has(f.id)) continue;
  let g = f.geometry;
  if (g.type === "MultiPolygon") {  // the largest island stands for the country
    const polys = g.coordinates.map(c => ({type: "Polygon", coordinates: c}));
    g = polys.reduce((x, y) => d3.geoArea(y) > d3.geoArea(x) ? y : x);
  }
  const [lon, lat] = d3.geoCentroid(g);
  out[f.id] = [Math.round(lon * 100) / 100, Math.round(lat * 100) / 100];
}
process.stdout.write(JSON.stringify(out, Object.keys(out).sort()));
"""


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pack(name: str, version: str, work: Path) -> Path:
    """``npm pack`` one package and unpack it; return its ``package/`` folder."""
    out = subprocess.run(
        ["npm", "pack", f"{name}@{version}", "--silent"],
        cwd=work,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    target = work / name
    with tarfile.open(work / out.splitlines()[-1]) as tar:
        tar.extractall(target, filter="data")
    return target / "package"


def main() -> None:
    """Fetch, copy, compute the small-country points and write the manifest."""
    OUT.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, object] = {"packages": {}, "files": {}}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        unpacked: dict[str, Path] = {}
        for name, (version, files) in PACKAGES.items():
            pkg = _pack(name, version, work)
            unpacked[name] = pkg
            for src, dst in files.items():
                shutil.copyfile(pkg / src, OUT / dst)
            shutil.copyfile(pkg / "LICENSE", OUT / f"LICENSE.{name}")
            meta = json.loads((pkg / "package.json").read_text("utf-8"))
            manifest["packages"][name] = {  # type: ignore[index]
                "version": meta["version"],
                "license": meta.get("license"),
                "files": sorted(files.values()),
            }
        points = subprocess.run(
            [
                "node",
                "-e",
                SMALL_COUNTRIES_JS,
                str(OUT),
                str(OUT / "countries-110m.json"),
                str(unpacked["world-atlas"] / "countries-50m.json"),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        (OUT / "small-countries.json").write_text(points + "\n", "utf-8")
    manifest["small-countries.json"] = (
        "one [lon, lat] per country that countries-110m.json leaves out: the d3-geo centroid of "
        "its largest polygon in world-atlas countries-50m.json, keyed by ISO 3166-1 numeric code"
    )
    for f in sorted(OUT.iterdir()):
        if f.name != "MANIFEST.json":
            manifest["files"][f.name] = _sha256(f)  # type: ignore[index]
    (OUT / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    print(f"vendored {len(manifest['files'])} files")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
