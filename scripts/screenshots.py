"""Regenerate the screenshots in the docs: the HTML report and the notebook's ``report.map()``.

Needs chromium and chromium-driver (Debian packages) and selenium (the ``test`` extra).
Usage: ``python scripts/screenshots.py``; writes ``docs/images/report.png`` and
``docs/images/notebook-map.png``, then commit them.
"""

from __future__ import annotations

import html
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "interfaces"))

from browser import chromium  # noqa: E402

from cloudaudit import audit  # noqa: E402
from cloudaudit.demo import demo_policy, demo_providers  # noqa: E402
from cloudaudit.formats import render  # noqa: E402

OUT = ROOT / "docs" / "images"
NOTEBOOK = ROOT / "docs" / "notebooks" / "audit.ipynb"

# The notebook's output cell shown as Jupyter shows it: the prompt, then the output HTML.
_CELL = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body{{margin:0;padding:14px 18px;background:#fff;font-family:system-ui,sans-serif}}
.cell{{display:flex;gap:10px}}.prompt{{color:#303f9f;font-family:monospace;min-width:70px}}
.input{{flex:1;background:#f7f7f7;border:1px solid #e0e0e0;padding:6px 10px;
font-family:monospace}}.out{{margin:8px 0 0 80px}}.oprompt{{color:#d84315}}
</style></head><body><div class="cell"><div class="prompt">In [{n}]:</div>
<div class="input">{source}</div></div><div class="cell" style="margin-top:6px">
<div class="prompt oprompt">Out[{n}]:</div><div style="flex:1">{output}</div></div>
</body></html>"""


def _notebook_map_cell() -> str:
    import nbclient
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3").execute(
        cwd=str(NOTEBOOK.parent)
    )
    code = [c for c in nb.cells if c.cell_type == "code"]
    n, cell = next((i + 1, c) for i, c in enumerate(code) if c.source.strip() == "report.map()")
    output = next(o["data"]["text/html"] for o in cell.outputs if "text/html" in o.get("data", {}))
    return _CELL.format(n=n, source=html.escape(cell.source), output=output)


def main() -> None:
    """Write both screenshots."""
    OUT.mkdir(parents=True, exist_ok=True)
    report = audit(list(demo_providers()), demo_policy())
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(render(report, "html"), "utf-8")
        cell = Path(tmp) / "cell.html"
        cell.write_text(_notebook_map_cell(), "utf-8")
        driver = chromium(width=1280, height=1500)
        try:
            driver.get(page.as_uri())
            driver.save_screenshot(str(OUT / "report.png"))
            driver.set_window_size(1100, 880)
            driver.get(cell.as_uri())
            time.sleep(2)  # the frame's srcdoc page draws after the outer page's load event
            driver.save_screenshot(str(OUT / "notebook-map.png"))
        finally:
            driver.quit()
    print(f"wrote {OUT / 'report.png'} and {OUT / 'notebook-map.png'}")


if __name__ == "__main__":
    main()
