"""Make the fakes of the provider tests importable from the reliability tests."""

import logging
import sys
from pathlib import Path

_PROVIDERS = Path(__file__).resolve().parent.parent / "providers"
for _cloud in ("gcp", "azure", "alibaba"):
    _path = str(_PROVIDERS / _cloud)
    if _path not in sys.path:
        sys.path.append(_path)

logging.getLogger("werkzeug").setLevel(logging.ERROR)
