"""The dedupe set of a streamed audit: a resource reported twice is judged once."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import Protocol

from cloudaudit._finding_table import speedups_module
from cloudaudit.models import Resource

__all__ = ["CHUNK", "Ids", "Seen", "unseen"]

CHUNK = 4096
"""Resources of a batch judged at a time (see :meth:`~cloudaudit.policies.Engine.stream`)."""


class Ids(Protocol):
    """The ids of one provider and account: a ``set[str]``, or the C loop's ``IdSet``."""

    def add(self, id_: str, /) -> None: ...
    def __len__(self) -> int: ...
    def __contains__(self, id_: object, /) -> bool: ...


Seen = dict[tuple[str, str], Ids]
"""The dedupe set of a stream: the ids seen so far, per provider and account."""


def unseen(resources: Sequence[Resource], seen: Seen) -> Sequence[Resource]:
    """The resources whose (provider, account, id) is not in ``seen`` yet; adds them to it.

    The C loop of :mod:`cloudaudit._speedups` when it runs, else :func:`_unseen`. The C loop
    keeps each provider and account's ids in an ``IdSet`` of its own: exact, like a set, in
    about three quarters of its memory (an 8-byte slot and an 8-byte reference per id, the
    table at most five-eighths full: 25-34 bytes an id against a set's 34-45, the ids
    themselves apart). It refuses a ``seen`` whose sets are Python sets; the Python loop
    takes either.
    """
    fast = speedups_module()
    if fast is not None:
        return fast.unseen(resources, seen)  # type: ignore[no-any-return]
    return _unseen(resources, seen)


def _unseen(resources: Sequence[Resource], seen: Seen) -> Sequence[Resource]:
    """The reference loop of :func:`unseen`.

    ``seen`` keeps one set of ids per provider and account: exact (the ids themselves), and
    per resource one probe of the set. Resources of a batch mostly share their provider and
    account objects, so the set is looked up again only when either object changes (an
    equal new object finds the same set). The list of new resources is started only at the
    first resource seen before: usually there is none, and ``resources`` is returned as it is.
    """
    out: list[Resource] | None = None
    provider: object = _UNSET
    account: object = _UNSET
    ids: Ids = set()
    size = 0
    for i, r in enumerate(resources):
        d = r.__dict__
        if d["account"] is not account or d["provider"] is not provider:
            provider, account = d["provider"], d["account"]
            ids = seen.setdefault((provider, account), set())  # type: ignore[arg-type]
            size = len(ids)
        ids.add(d["id"])
        if len(ids) != size:
            size += 1
            if out is not None:
                out.append(r)
        elif out is None:
            out = list(islice(resources, i))
    return resources if out is None else out


_UNSET = object()
