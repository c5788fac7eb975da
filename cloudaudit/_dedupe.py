"""The dedupe set of a streamed audit: a resource reported twice is judged once."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice

from cloudaudit._finding_table import speedups_module
from cloudaudit.models import Resource

__all__ = ["CHUNK", "unseen"]

CHUNK = 4096
"""Resources of a batch judged at a time (see :meth:`~cloudaudit.policies.Engine.stream`)."""


def unseen(
    resources: Sequence[Resource], seen: dict[tuple[str, str], set[str]]
) -> Sequence[Resource]:
    """The resources whose (provider, account, id) is not in ``seen`` yet; adds them to it.

    The C loop of :mod:`cloudaudit._speedups` when it runs, else :func:`_unseen`.
    """
    fast = speedups_module()
    if fast is not None:
        return fast.unseen(resources, seen)  # type: ignore[no-any-return]
    return _unseen(resources, seen)


def _unseen(
    resources: Sequence[Resource], seen: dict[tuple[str, str], set[str]]
) -> Sequence[Resource]:
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
    ids: set[str] = set()
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
