"""Evidence bundles: write what an audit read, check it, and re-derive the report from it.

A bundle is a folder::

    manifest.json      format, tool and catalog versions, policy, times, SHA-256 of every file
    policy.json        the policy the audit ran with
    units/NNNNN.json   one file per unit of work: its scope and the masked records it read
    inventory.jsonl    every resource seen, each naming the SHA-256 of its records
    coverage.json      the scopes audited and the coverage gaps
    guardrails.json    the location guardrails read and the scopes checked (only when the
                       audit read guardrails), so a replay compares them again

It is written to a temporary folder beside the target and renamed into place when the audit
ends, so a bundle is whole or absent.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from cloudaudit._filemode import existing_folder, settle_mode, temp_prefix
from cloudaudit._guardrail_model import Guardrail, GuardrailScope
from cloudaudit._version import __version__
from cloudaudit.errors import ConfigurationError
from cloudaudit.evidence._record import Record, Recorder
from cloudaudit.models import Coverage, Resource
from cloudaudit.policies import Policy

__all__ = [
    "FORMAT",
    "Bundle",
    "BundleWriter",
    "EvidenceRun",
    "GuardrailReadings",
    "catalog_versions",
    "manifest_sha256",
    "read_bundle",
    "verify_bundle",
]

FORMAT = "cloudaudit-evidence/1"
GUARDRAILS = "guardrails.json"


class GuardrailReadings(BaseModel):
    """What the audit read of location guardrails: ``guardrails.json`` in a bundle."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    guardrails: tuple[Guardrail, ...] = ()
    scopes: tuple[GuardrailScope, ...] = ()


MANIFEST = "manifest.json"


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def catalog_versions() -> dict[str, dict[str, str]]:
    """Each packaged catalog file's review date and SHA-256 (what a bundle was judged with)."""
    from importlib import resources

    from cloudaudit.catalog._data import load_catalog_file
    from cloudaudit.models import ProviderId

    out: dict[str, dict[str, str]] = {}
    for pid in ProviderId:
        data = resources.files("cloudaudit.catalog").joinpath("data", f"{pid.value}.json")
        if not data.is_file():
            continue
        digest = hashlib.sha256(data.read_bytes()).hexdigest()
        out[pid.value] = {"reviewed": load_catalog_file(pid.value).reviewed, "sha256": digest}
    return out


def check_bundle_target(target: str | Path) -> None:
    """Refuse, before anything is read or written, a folder a bundle cannot go to.

    The folder must be new or empty (a bundle is never written over another), its name must
    be one the system can look up, and the nearest folder that exists above it must be a
    folder. Nothing is created.

    Raises:
        ConfigurationError: Naming the folder, what is wrong and the fix.
    """
    path = Path(target)
    try:  # looking the name up can fail too (a name too long, a loop of links)
        taken = path.exists() and (not path.is_dir() or any(path.iterdir()))
        above = existing_folder(path.parent)
        blocked = not above.is_dir()
    except OSError as exc:
        raise ConfigurationError(
            f"{path}: cannot use this evidence folder: {exc.strerror or exc}. "
            "Fix: name another folder."
        ) from None
    if taken:
        raise ConfigurationError(
            f"{path}: the evidence folder exists and is not empty. "
            "Fix: name a new folder (a bundle is never written over another)."
        )
    if blocked:
        raise ConfigurationError(
            f"{path}: cannot create the evidence folder: {above} is not a folder. "
            "Fix: choose another place."
        )


class BundleWriter:
    """Writes one bundle as the audit runs; :meth:`close` puts it in place."""

    def __init__(self, target: str | Path) -> None:
        self.target = Path(target)
        check_bundle_target(self.target)
        parent = self.target.parent
        try:
            parent.mkdir(parents=True, exist_ok=True)
            self._tmp = Path(tempfile.mkdtemp(prefix=temp_prefix(self.target), dir=parent))
        except OSError as exc:
            raise ConfigurationError(
                f"{self.target}: cannot create the evidence folder: {exc.strerror or exc}. "
                "Fix: choose a writable place."
            ) from exc
        (self._tmp / "units").mkdir()
        self._inventory = (self._tmp / "inventory.jsonl").open("w", encoding="utf-8")
        self._lock = threading.Lock()
        self._units = 0

    def unit(self, scope: str, records: Sequence[Record]) -> None:
        """Write one unit's records (called by the recorder when a unit ends)."""
        with self._lock:
            self._units += 1
            name = self._tmp / "units" / f"{self._units:05d}.json"
        body = {"scope": scope, "records": [r.to_json() for r in records]}
        name.write_text(json.dumps(body, indent=1, ensure_ascii=False, default=str) + "\n")

    def resource(self, r: Resource) -> None:
        """Append one resource to the inventory."""
        line = r.model_dump_json() + "\n"
        with self._lock:
            self._inventory.write(line)

    def close(
        self,
        coverage: Coverage,
        policy: Policy,
        started: datetime,
        as_of: date | None,
        guardrails: GuardrailReadings | None = None,
    ) -> Path:
        """Write coverage, policy, guardrails and manifest, then move the bundle into place."""
        self._inventory.close()
        (self._tmp / "coverage.json").write_text(coverage.model_dump_json(indent=1) + "\n")
        (self._tmp / "policy.json").write_text(policy.model_dump_json(indent=1) + "\n")
        if guardrails is not None:
            (self._tmp / GUARDRAILS).write_text(guardrails.model_dump_json(indent=1) + "\n")
        files = {
            p.relative_to(self._tmp).as_posix(): _sha256(p)
            for p in sorted(self._tmp.rglob("*"))
            if p.is_file()
        }
        manifest = {
            "format": FORMAT,
            "tool_version": __version__,
            "catalog": catalog_versions(),
            "policy": {"id": policy.id, "version": policy.version},
            "started_at": started.isoformat(),
            "finished_at": datetime.now(UTC).isoformat(),
            "as_of": (as_of or started.date()).isoformat(),
            "files": files,
        }
        (self._tmp / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
        settle_mode(self._tmp, self.target, directory=True)  # not mkdtemp's 0700
        if self.target.exists():
            self.target.rmdir()  # empty, checked at the start
        os.replace(self._tmp, self.target)
        return self.target

    def abort(self) -> None:
        """Remove the partial bundle (the audit failed or was interrupted)."""
        if not self._inventory.closed:
            self._inventory.close()
        shutil.rmtree(self._tmp, ignore_errors=True)


@dataclass(frozen=True)
class Bundle:
    """A bundle read back: what replay needs."""

    manifest: dict[str, Any]
    policy: Policy
    resources: tuple[Resource, ...]
    coverage: Coverage
    guardrails: GuardrailReadings | None = None
    """The guardrails read, or ``None`` when the audit read none (or the bundle predates them)."""

    @property
    def as_of(self) -> date:
        """The date the audit judged by (exemptions, legal lists)."""
        return date.fromisoformat(self.manifest["as_of"])


def _bad(path: Path, problem: str) -> ConfigurationError:
    return ConfigurationError(
        f"{path}: not a valid evidence bundle: {problem}. Fix: give a folder written by "
        "`cloudaudit audit ... --evidence DIR` (run `cloudaudit verify DIR` for details)."
    )


def _manifest(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad(root, f"cannot read {MANIFEST} ({exc})") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise _bad(root, f"{MANIFEST} is not of format {FORMAT}")
    return data


def read_bundle(root: str | Path) -> Bundle:
    """Read a bundle (without checking hashes: see :func:`verify_bundle`)."""
    path = Path(root)
    manifest = _manifest(path)
    try:
        policy = Policy.model_validate_json((path / "policy.json").read_bytes())
        coverage = Coverage.model_validate_json((path / "coverage.json").read_bytes())
        with (path / "inventory.jsonl").open("rb") as fh:
            resources = tuple(Resource.model_validate_json(line) for line in fh if line.strip())
        readings = None
        if (path / GUARDRAILS).exists():
            readings = GuardrailReadings.model_validate_json((path / GUARDRAILS).read_bytes())
    except (OSError, ValidationError, ValueError) as exc:
        raise _bad(path, str(exc).splitlines()[0]) from exc
    return Bundle(manifest, policy, resources, coverage, readings)


def manifest_sha256(root: str | Path) -> str:
    """The SHA-256 of a bundle's ``manifest.json``: the digest to keep apart from the bundle.

    The manifest holds the SHA-256 of every other file, so this one digest stands for the
    whole bundle: kept with the audit's records (a ticket, a signed log), it shows later
    that nothing was rewritten, the manifest included (see :func:`verify_bundle`).
    """
    return _sha256(Path(root) / MANIFEST)


def verify_bundle(root: str | Path, *, expect_sha256: str | None = None) -> list[str]:
    """Check a bundle against its manifest. Returns the problems found (empty: intact).

    Args:
        root: The bundle's folder.
        expect_sha256: The manifest's SHA-256 kept when the audit wrote the bundle
            (:func:`manifest_sha256`). Without it, a bundle whose files were edited and whose
            manifest was rewritten to match checks as intact; with it, that is a problem.
    """
    path = Path(root)
    manifest = _manifest(path)
    listed: dict[str, str] = manifest.get("files") or {}
    problems: list[str] = []
    digest = manifest_sha256(path)
    if expect_sha256 is not None and digest != expect_sha256.lower():
        problems.append(
            f"{MANIFEST}: SHA-256 {digest} is not the {expect_sha256.lower()} kept from the "
            "audit (the manifest was rewritten)"
        )
    present = {p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file()}
    for name in sorted(present - set(listed) - {MANIFEST}):
        problems.append(f"{name}: not listed in the manifest")
    for name, digest in sorted(listed.items()):
        if name not in present:
            problems.append(f"{name}: listed in the manifest but missing")
        elif _sha256(path / name) != digest:
            problems.append(f"{name}: SHA-256 differs from the manifest")
    known = _record_hashes(path, problems)
    if not problems:
        for r in read_bundle(path).resources:
            problems += [
                f"inventory.jsonl: {r.id} names unknown record {h}"
                for h in r.records
                if h not in known
            ]
    return problems


def _record_hashes(path: Path, problems: list[str]) -> set[str]:
    """Every record's hash, re-computed from its data (a record edited in place is caught)."""
    from cloudaudit.evidence._record import canonical

    known: set[str] = set()
    for unit in sorted((path / "units").glob("*.json")):
        try:
            body = json.loads(unit.read_text(encoding="utf-8"))
            records: Iterable[dict[str, Any]] = body["records"]
            for rec in records:
                digest = hashlib.sha256(canonical(rec["data"]).encode()).hexdigest()
                if digest != rec["sha256"]:
                    problems.append(f"units/{unit.name}: a record's data does not match its hash")
                known.add(digest)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            problems.append(f"units/{unit.name}: unreadable ({exc})")
    return known


class EvidenceRun:
    """One audit's evidence: records units, links resources to records, writes the bundle.

    Created before any cloud call, so a bad folder is refused first.
    """

    def __init__(self, target: str | Path) -> None:
        self.writer = BundleWriter(target)
        self.started = datetime.now(UTC)
        self.recorder: Recorder | None = None

    def unit_context(self, redact: Callable[[str], str]) -> Callable[[str, bool], Any]:
        """The per-unit context manager for the fan-out; ``redact`` masks credentials."""
        self.recorder = Recorder(redact, on_unit=self.writer.unit)
        return self.recorder.unit

    def resource(self, r: Resource) -> Resource:
        """Link ``r`` to its records, write it to the inventory and return it."""
        if self.recorder is not None:
            r = self.recorder.link(r)
        self.writer.resource(r)
        return r

    def finish(
        self,
        coverage: Coverage,
        policy: Policy,
        as_of: date | None,
        guardrails: GuardrailReadings | None = None,
    ) -> Path:
        """Put the bundle in place (with the guardrails read, if the audit read any)."""
        return self.writer.close(coverage, policy, self.started, as_of, guardrails)

    def abort(self) -> None:
        """Remove the partial bundle."""
        self.writer.abort()
