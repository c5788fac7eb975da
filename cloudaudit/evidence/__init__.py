"""Evidence an auditor can replay: what each unit of work read, hashed, and the report re-derived.

``audit(..., evidence="DIR")`` (CLI: ``--evidence DIR``) writes a bundle; :func:`verify_bundle`
checks it against its manifest; :func:`replay` re-derives the report offline, under the same or
another policy. Providers call :func:`record` with each answer they read. See ``docs/evidence.md``.

Each public name is imported on first use: a provider that imports the recorder
(``cloudaudit.evidence._record``) loads neither the bundle format nor replay (which re-runs the
audit).
"""

from __future__ import annotations

from cloudaudit._lazy import lazy_export as _lazy_export

TYPE_CHECKING = False  # not typing's: see cloudaudit/__init__.py
if TYPE_CHECKING:
    from typing import Any

    from cloudaudit.evidence._bundle import (
        FORMAT,
        Bundle,
        BundleWriter,
        EvidenceRun,
        GuardrailReadings,
        catalog_versions,
        check_bundle_target,
        manifest_sha256,
        read_bundle,
        verify_bundle,
    )
    from cloudaudit.evidence._record import (
        Record,
        Recorder,
        canonical,
        mask,
        record,
        recorded,
        recording,
    )
    from cloudaudit.evidence._replay import replay

__all__ = [
    "FORMAT",
    "Bundle",
    "BundleWriter",
    "EvidenceRun",
    "GuardrailReadings",
    "Record",
    "Recorder",
    "canonical",
    "catalog_versions",
    "check_bundle_target",
    "manifest_sha256",
    "mask",
    "read_bundle",
    "record",
    "recorded",
    "recording",
    "replay",
    "verify_bundle",
]

_BUNDLE = "cloudaudit.evidence._bundle"
_RECORD = "cloudaudit.evidence._record"
_EXPORTS: dict[str, str] = {
    "FORMAT": _BUNDLE,
    "Bundle": _BUNDLE,
    "BundleWriter": _BUNDLE,
    "EvidenceRun": _BUNDLE,
    "check_bundle_target": _BUNDLE,
    "GuardrailReadings": _BUNDLE,
    "Record": _RECORD,
    "Recorder": _RECORD,
    "canonical": _RECORD,
    "catalog_versions": _BUNDLE,
    "manifest_sha256": _BUNDLE,
    "mask": _RECORD,
    "read_bundle": _BUNDLE,
    "record": _RECORD,
    "recorded": _RECORD,
    "recording": _RECORD,
    "replay": "cloudaudit.evidence._replay",
    "verify_bundle": _BUNDLE,
}
"""Where each public name lives, imported on first use of the name."""


if not TYPE_CHECKING:  # type checkers see the imports above: a misspelt name is an error

    def __getattr__(name: str) -> Any:
        return _lazy_export("cloudaudit.evidence", _EXPORTS, globals(), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
