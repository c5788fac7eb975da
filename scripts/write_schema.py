"""Write the Report JSON Schema to docs/report.schema.json."""

import json
from pathlib import Path

from cloudaudit.report import Report

out = Path(__file__).resolve().parents[1] / "docs" / "report.schema.json"
out.write_text(json.dumps(Report.model_json_schema(mode="serialization"), indent=2) + "\n")
print(f"wrote {out.name}")
