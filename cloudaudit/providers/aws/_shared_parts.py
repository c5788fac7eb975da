"""What clients of one opted-in session share besides class and model: handlers, endpoint rules.

Three more per-client costs of botocore that depend on nothing per client
(:func:`~cloudaudit.providers.aws._clients.cache_client_classes` opts a session in):

* **The copy of the session's handlers.** Each client gets ``copy.copy`` of the session's event
  emitter, which copies its handler trie node by node (every handler botocore and boto3
  register, about 3 ms of CPU per client), only for the client to add a dozen handlers of its
  own (signer, retries, answer checks). :class:`SharedTrie` shares the nodes instead and copies
  a node only when one side registers or unregisters a handler under it (path copying): each
  client still has its own handlers, in botocore's order, and a handler registered on one
  client or on the session after the copy is seen by it alone, as before.
* **The parsed endpoint rule set.** Each client parses its service's endpoint rule set into a
  new ``EndpointProvider``. The provider is a pure function of the rule set, the partitions
  and the call's parameters (region, FIPS, dual-stack, endpoint URL, bucket...), which the
  client's own resolver passes on every call; it is already shared by every thread calling a
  client. Clients of one service now share one provider (its parsed rules and its cache of
  resolved endpoints).
* **The check of each handler's signature.** botocore inspects every handler registered (a
  dozen per client) for ``**kwargs`` with ``inspect.getfullargspec``; for a function or a
  bound method one flag of its code object says the same (:func:`_verify_accepts_kwargs`,
  anything else still goes to botocore's check). About 3% of an audit's instructions.

They replace botocore internals (``_PrefixTrie``, ``HierarchicalEmitter._handlers`` and
``_verify_accept_kwargs``, ``botocore.regions.EndpointProvider``,
``ClientArgsCreator._build_endpoint_resolver``) only for opted-in sessions;
``tests/providers/aws/test_aws_clients.py`` pins them.
"""

from __future__ import annotations

import copy
import functools
import inspect
import threading
import types
from collections.abc import Callable, MutableMapping
from typing import Any

__all__ = ["SharedTrie", "install_shared_endpoints", "share_handlers"]

Node = dict[str, Any]


@functools.cache
def _botocore_verify() -> Callable[[Any], None]:
    """The handler check of botocore, bound to a bare emitter (it reads nothing of it)."""
    from botocore.hooks import HierarchicalEmitter

    verify: Callable[[Any], None] = getattr(HierarchicalEmitter(), "_verify_accept_kwargs")  # noqa: B009
    return verify


def _trie_base() -> type:
    import botocore.hooks

    base: type = getattr(botocore.hooks, "_PrefixTrie")  # noqa: B009 (private in botocore)
    return base


def share_handlers(events: Any) -> bool:
    """Make the copies of ``events`` (a session's emitter) share its handler nodes.

    Returns:
        True if the session's handlers are (now) in a :class:`SharedTrie`.
    """
    inner = getattr(events, "_emitter", None)
    trie = getattr(inner, "_handlers", None)
    if isinstance(trie, SharedTrie):
        return True
    if inner is None or type(trie) is not _trie_base() or not hasattr(trie, "_root"):
        return False
    inner._handlers = SharedTrie.adopt(trie)
    if callable(getattr(inner, "_verify_accept_kwargs", None)):
        inner._verify_accept_kwargs = _verify_accepts_kwargs  # copied into every client's
    return True


def _verify_accepts_kwargs(func: Any) -> None:
    """The check of botocore that an event handler takes ``**kwargs``, without ``inspect``.

    botocore builds each handler's full signature (``inspect.getfullargspec``) at every
    registration, a dozen per client. For a function or a bound method the answer is one
    flag of its code object; anything else (a ``functools.partial``, a callable object, a
    function without ``**kwargs``) goes to botocore's own check and its error.
    """
    code = getattr(getattr(func, "__func__", func), "__code__", None)
    if type(func) in _PLAIN and code is not None and code.co_flags & inspect.CO_VARKEYWORDS:
        return
    _botocore_verify()(func)


_PLAIN = (types.FunctionType, types.MethodType)


class SharedTrie(_trie_base()):  # type: ignore[misc]
    """botocore's handler trie, whose copies share nodes until one of them changes.

    A trie owns the nodes it created or copied since it was last copied; every other node may
    be shared with another trie and is never changed in place. Registering or unregistering
    copies the nodes on the key's path that this trie does not own (a few small dicts), so a
    copy costs nothing and a change stays in the trie that made it. Reads are botocore's own.
    Ownership is kept by ``id``: a node a trie owns was made after the trie's last copy, while
    every shared node it holds was alive since then, so their ids cannot collide.
    """

    _root: Node
    _owned: set[int]

    @classmethod
    def adopt(cls, trie: Any) -> SharedTrie:
        """Take over the nodes of a botocore ``_PrefixTrie`` (which must not be used after)."""
        new = cls.__new__(cls)
        new._root = trie._root
        new._owned = set()
        return new

    def __copy__(self) -> SharedTrie:
        new = self.adopt(self)
        self._owned = set()  # from now on both tries hold these nodes: neither changes them
        return new

    def append_item(self, key: str, value: Any, section: int = 1) -> None:
        """Add ``value`` under ``key`` in ``section`` (botocore's first, middle or last)."""
        node = self._writable(key.split("."))
        if node["values"] is None:
            from botocore.hooks import NodeList

            node["values"] = NodeList([], [], [])
        node["values"][section].append(value)

    def remove_item(self, key: str, value: Any) -> None:
        """Remove ``value`` from ``key``; ``ValueError`` if the key is not in the trie."""
        parts = key.split(".")
        node: Node | None = self._root
        for part in parts:
            node = node["children"].get(part) if node is not None else None
        if node is None:
            raise ValueError(f"key is not in trie: {key}")
        self._writable(parts)
        super().remove_item(key, value)

    def _writable(self, parts: list[str]) -> Node:
        """Own every node on the path of ``parts`` (creating missing ones); return the last."""
        if id(self._root) not in self._owned:
            self._root = self._own(self._root)
        node: Node = self._root
        for part in parts:
            children = node["children"]
            child = children.get(part)
            if child is None:
                child = children[part] = {"chunk": part, "values": None, "children": {}}
                self._owned.add(id(child))
            elif id(child) not in self._owned:
                child = children[part] = self._own(child)
            node = child
        return node

    def _own(self, node: Node) -> Node:
        values = node["values"]
        mine = {
            "chunk": node["chunk"],
            "values": copy.copy(values) if values is not None else None,
            "children": dict(node["children"]),
        }
        self._owned.add(id(mine))
        return mine


_local = threading.local()


def install_shared_endpoints(store_of: Callable[[Any], MutableMapping[Any, Any] | None]) -> bool:
    """Let clients of an opted-in session share their service's ``EndpointProvider``.

    Args:
        store_of: Maps a session's event emitter to its store of shared parts, or None for
            a session that did not opt in.

    Returns:
        True if installed (now or before), False if botocore no longer has the parts.
    """
    import botocore.regions
    from botocore.args import ClientArgsCreator

    build: Any = getattr(ClientArgsCreator, "_build_endpoint_resolver", None)
    base: Any = getattr(botocore.regions, "EndpointProvider", None)
    if build is None or base is None:
        return False
    if getattr(build, "_cloudaudit_shared", False):
        return True

    class SharedEndpointProvider(base):  # type: ignore[misc]
        """Returns the opted-in session's provider for these rules, else a new one."""

        def __new__(
            cls, ruleset_data: Any, partition_data: Any, excluded_params: Any = None
        ) -> Any:
            store = getattr(_local, "store", None)
            if store is None:
                return base(ruleset_data, partition_data, excluded_params)
            key = (
                "endpoints",
                id(ruleset_data),
                id(partition_data),
                frozenset(excluded_params or ()),
            )
            hit = store.get(key)
            if hit is None or hit[0] is not ruleset_data or hit[1] is not partition_data:
                made = base(ruleset_data, partition_data, excluded_params)
                hit = store[key] = (ruleset_data, partition_data, made)
            return hit[2]  # a plain EndpointProvider: Python does not call __init__ again

    def build_endpoint_resolver(self: Any, *args: Any, **kwargs: Any) -> Any:
        before = getattr(_local, "store", None)
        _local.store = store_of(getattr(self, "_event_emitter", None))
        try:
            return build(self, *args, **kwargs)
        finally:
            _local.store = before

    build_endpoint_resolver._cloudaudit_shared = True  # type: ignore[attr-defined]
    setattr(ClientArgsCreator, "_build_endpoint_resolver", build_endpoint_resolver)  # noqa: B010
    setattr(botocore.regions, "EndpointProvider", SharedEndpointProvider)  # noqa: B010
    return True
