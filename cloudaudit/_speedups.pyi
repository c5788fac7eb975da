"""Types of the optional C loops (cloudaudit/_speedups.c); see cloudaudit._finding_table."""

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from cloudaudit._dedupe import Seen
from cloudaudit.models import Finding, Resource

SOURCE_SHA256: str

class Findings(Iterator[Finding]):
    def __init__(self, pairs: Iterable[tuple[Resource, Any]], widened: dict[Any, Any]) -> None: ...
    def __next__(self) -> Finding: ...
    def close(self) -> None: ...

def configure(
    finding_cls: type[Finding],
    dict_descr: object,
    fields_descr: object,
    extra_descr: object,
    private_descr: object,
    finding_fields: set[str],
    widen: Callable[..., Any],
    build_one: Callable[..., Any],
    label: str,
) -> None: ...

class IdSet:
    def add(self, id_: str, /) -> None: ...
    def to_set(self) -> set[str]: ...
    @classmethod
    def tag(cls, id_: str, /) -> int: ...
    def __len__(self) -> int: ...
    def __contains__(self, id_: object, /) -> bool: ...

def unseen(
    resources: Sequence[Resource], seen: Seen, conflicts: list[Resource] | None = None, /
) -> Sequence[Resource]: ...
def value_rows(
    chunk: Sequence[Resource], by_value: dict[tuple[object, ...], int], fields: tuple[str, ...]
) -> list[int | None]: ...
