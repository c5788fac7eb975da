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
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from cloudaudit.catalog._data import load_country_names
from cloudaudit.errors import ConfigurationError
from cloudaudit.models import Resource

__all__ = ["Arrangement", "DoraMapping", "Match", "ProviderEntity", "load_mapping"]

MAX_MAPPING_BYTES = 1_000_000
"""A mapping file larger than this is refused (it is a hand-written configuration file)."""

_STRICT = ConfigDict(frozen=True, extra="forbid")

CodeType = Literal["LEI", "EUID", "CRN", "VAT", "NATIONAL", "PASSPORT"]

_LEI_FIX = (
    "give the 20-character LEI as registered with GLEIF (search.gleif.org): 18 capital letters "
    "or digits, then 2 check digits"
)


class MappingValueError(ValueError):
    """A value of the mapping that is wrong, with the field (under the model) and the fix."""

    def __init__(self, message: str, fix: str, field: str = "") -> None:
        super().__init__(f"{field + ': ' if field else ''}{message}. Fix: {fix}")
        self.message = message
        self.fix = fix
        self.field = field


def lei_problem(code: str) -> str | None:
    """What is wrong with ``code`` as an ISO 17442 LEI, or ``None`` when it is one.

    An LEI is 18 capital letters or digits and 2 check digits; read as a base-36 number
    (A = 10 ... Z = 35), the 20 characters leave 1 when divided by 97.

    Example:
        >>> lei_problem("5493001KJTIIGC8Y1R12") is None
        True
    """
    if len(code) != 20:
        return f"{code!r} has {len(code)} characters; an LEI has 20"
    if not (code[:18].isascii() and code[:18].isalnum() and code[:18] == code[:18].upper()):
        return f"{code!r}: the first 18 characters of an LEI are capital letters or digits"
    if not (code[18:].isascii() and code[18:].isdigit()):
        return f"{code!r}: an LEI ends with 2 check digits"
    if int("".join(str(int(c, 36)) for c in code)) % 97 != 1:
        return f"{code!r}: its check digits do not match (ISO 17442, mod 97); a typo"
    return None


def _check_lei(code: str, field: str = "") -> str:
    problem = lei_problem(code)
    if problem is not None:
        raise MappingValueError(f"not a valid LEI: {problem}", _LEI_FIX, field)
    return code


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
        if v is not None and v not in load_country_names().countries:
            raise MappingValueError(
                f"{v!r} is not an ISO 3166-1 alpha-2 country code",
                "use the country's two capital letters, such as IE or LU",
            )
        return v

    @model_validator(mode="after")
    def _codes(self) -> ProviderEntity:
        if self.code_type == "LEI":
            _check_lei(self.code, "code")
        if self.parent_code is not None and (self.parent_code_type or self.code_type) == "LEI":
            _check_lei(self.parent_code, "parent_code")
        return self


class DoraMapping(BaseModel):
    """The whole mapping file."""

    model_config = _STRICT

    entity_lei: str = Field(description="B_02.02.0020: the financial entity's LEI")
    arrangements: tuple[Arrangement, ...] = Field(min_length=1)
    providers: tuple[ProviderEntity, ...] = ()

    @field_validator("entity_lei")
    @classmethod
    def _lei(cls, v: str) -> str:
        return _check_lei(v)

    @model_validator(mode="after")
    def _provider_codes(self) -> DoraMapping:
        """An arrangement's provider code is an LEI unless ``providers`` gives it another type.

        (The register is written with the type of the ``providers`` entry, else LEI.)
        """
        typed = {p.code: p.code_type for p in self.providers}
        for i, a in enumerate(self.arrangements):
            if typed.get(a.provider_code, "LEI") == "LEI":
                _check_lei(a.provider_code, f"arrangements.{i}.provider_code")
        return self

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
        where = ".".join(str(x) for x in err["loc"])
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, MappingValueError):
            where = ".".join(x for x in (where, cause.field) if x)
            raise _problem(p, where or "(file)", f"{cause.message}.", f"{cause.fix}.") from exc
        message, fix = f"{err['msg']}.", "see docs/dora.md for the fields."
        raise _problem(p, where or "(file)", message, fix) from exc
