"""Evidence an auditor can replay: what each unit of work read, hashed, and the report re-derived.

``audit(..., evidence="DIR")`` (CLI: ``--evidence DIR``) writes a bundle; :func:`verify_bundle`
checks it against its manifest; :func:`replay` re-derives the report offline, under the same or
another policy. Providers call :func:`record` with each answer they read. See ``docs/evidence.md``.
"""

from cloudaudit.evidence._bundle import (
    FORMAT,
    Bundle,
    BundleWriter,
    EvidenceRun,
    GuardrailReadings,
    catalog_versions,
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
    "mask",
    "read_bundle",
    "record",
    "recorded",
    "recording",
    "replay",
    "verify_bundle",
]
