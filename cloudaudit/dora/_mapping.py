"""The DORA mapping file: which resources belong to which contractual arrangement.

A register of information is keyed by the financial entity's own identifiers (contractual
arrangement reference numbers, provider codes, function identifiers); an audit knows accounts,
services and regions. This small file joins the two. See ``docs/dora.md``.
"""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from cloudaudit.errors import ConfigurationError
from cloudaudit.models import Resource

__all__ = ["Arrangement", "DoraMapping", "Match", "ProviderEntity", "load_mapping"]

MAX_MAPPING_BYTES = 1_000_000
"""A mapping file larger than this is refused (it is a hand-written configuration file)."""

_STRICT = ConfigDict(frozen=True, extra="forbid")

CodeType = Literal["LEI", "EUID", "CRN", "VAT", "NATIONAL", "PASSPORT"]


class Match(BaseModel):
    """Which resources an arrangement covers. Every field given must match; empty: any."""

    model_config = _STRICT

    provider: str
    accounts: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    types: tuple[str, ...] = ()

    def covers(self, r: Resource) -> bool:
        """True when ``r`` belongs to this arrangement."""
        return (
            r.provider.value == self.provider
            and (not self.accounts or r.account in self.accounts)
            and (not self.services or r.service in self.services)
            and (not self.types or r.type in self.types)
        )


class Arrangement(BaseModel):
    """One B_02.02 line's identifiers: an ICT service under a contractual arrangement."""

    model_config = _STRICT

    reference: str = Field(min_length=1, description="B_02.02.0010 arrangement reference number")
    provider_code: str = Field(min_length=1, description="B_02.02.0030 provider's code")
    function: str = Field(min_length=1, description="B_02.02.0050 function identifier")
    service_type: str = Field(
        default="eba_TA:S17", pattern=r"^eba_TA:S\d\d$", description="B_02.02.0060"
    )
    match: Match


class ProviderEntity(BaseModel):
    """One B_05.01 line: the ICT third-party service provider (the contracting entity)."""

    model_config = _STRICT

    code: str = Field(min_length=1, description="B_05.01.0010 identification code")
    code_type: CodeType = "LEI"
    name: str = Field(min_length=1, description="B_05.01.0050 legal name")
    latin_name: str | None = None
    headquarters: str | None = Field(
        default=None, description="B_05.01.0080 ISO 3166-1 alpha-2 of the headquarters"
    )
    parent_code: str | None = Field(default=None, description="B_05.01.0110 ultimate parent")
    parent_code_type: CodeType | None = None

    @field_validator("headquarters")
    @classmethod
    def _iso(cls, v: str | None) -> str | None:
        if v is not None and (len(v) != 2 or not v.isalpha() or not v.isupper()):
            raise ValueError("use an ISO 3166-1 alpha-2 code such as IE or LU")
        return v


class DoraMapping(BaseModel):
    """The whole mapping file."""

    model_config = _STRICT

    entity_lei: str = Field(pattern=r"^[A-Z0-9]{18}[0-9]{2}$", description="B_02.02.0020")
    arrangements: tuple[Arrangement, ...] = Field(min_length=1)
    providers: tuple[ProviderEntity, ...] = ()

    def arrangement_of(self, r: Resource) -> Arrangement | None:
        """The first arrangement whose ``match`` covers ``r``, if any."""
        return next((a for a in self.arrangements if a.match.covers(r)), None)


def _problem(path: Path, field: str, message: str, fix: str) -> ConfigurationError:
    return ConfigurationError(f"{path}: invalid DORA mapping\n  - {field}: {message} Fix: {fix}")


def _read(path: Path) -> str:
    try:
        info = path.stat()
    except OSError as exc:
        raise _problem(
            path, "(file)", f"cannot read it: {exc.strerror}.", "check the path."
        ) from exc
    if not stat.S_ISREG(info.st_mode):
        raise _problem(path, "(file)", "not a regular file.", "give the path of a .yaml file.")
    if info.st_size > MAX_MAPPING_BYTES:
        raise _problem(
            path,
            "(file)",
            f"{info.st_size} bytes; the limit is {MAX_MAPPING_BYTES}.",
            "shorten it.",
        )
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _problem(path, "(file)", f"cannot read it: {exc}.", "save it as UTF-8.") from exc


def load_mapping(path: str | Path) -> DoraMapping:
    """Read and validate a DORA mapping file (YAML or JSON).

    Raises:
        ConfigurationError: the file is missing, unreadable or invalid; the message names the
            file, the field and the fix.
    """
    p = Path(path)
    text = _read(p)
    try:
        data: Any = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        raise _problem(p, "(file)", f"does not parse: {exc}.", "fix the syntax.") from exc
    if not isinstance(data, dict):
        raise _problem(p, "(file)", "the top level is not a mapping.", "see docs/dora.md.")
    try:
        return DoraMapping.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(x) for x in err["loc"]) or "(file)"
        raise _problem(p, where, f"{err['msg']}.", "see docs/dora.md for the fields.") from exc
