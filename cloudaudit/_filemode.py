"""The permissions a file or folder written through a temporary one ends up with.

Reports and evidence bundles are written to a temporary file or folder (``mkstemp`` and
``mkdtemp`` create them readable by their owner only) and renamed into place. Renamed as they
are, a report would stay 0600 and a bundle 0700 whatever the user's umask: a report meant for a
shared folder or a web server could not be read there. They get what ``open()`` or ``mkdir()``
would have given instead: the mode of the file replaced, or the umask's default.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

__all__ = ["existing_folder", "settle_mode", "temp_prefix"]

_LOCK = threading.Lock()


def temp_prefix(target: Path) -> str:
    """The prefix of ``target``'s temporary sibling: its name, shortened.

    A name the file system allows (255 bytes) is then never refused for the length of its
    temporary sibling's (``.NAME.xxxxxxxx.partial``).
    """
    return f".{target.name[:64]}."


def existing_folder(path: Path) -> Path:
    """``path``, or the nearest folder above it that exists (what ``mkdir -p`` starts from).

    Raises:
        OSError: A name on the way cannot be looked up (too long, a loop of links).
    """
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def settle_mode(temporary: Path, target: Path, *, directory: bool = False) -> None:
    """Give ``temporary`` the permissions ``target`` would have had if written directly.

    Args:
        temporary: The temporary file or folder, about to be renamed to ``target``.
        target: Where it goes: a regular file there keeps its own permissions.
        directory: ``temporary`` is a folder (default mode 0777, less the umask).
    """
    mode = None
    if not directory:
        try:
            st = target.stat()
        except OSError:
            st = None
        if st is not None and stat.S_ISREG(st.st_mode):
            mode = stat.S_IMODE(st.st_mode)
    if mode is None:
        mode = (0o777 if directory else 0o666) & ~_umask()
    os.chmod(temporary, mode)


def _umask() -> int:
    try:  # Linux: read it, without changing it even for a moment
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    with _LOCK:  # elsewhere: set and restore it (the lock keeps two readers apart)
        mask = os.umask(0o022)
        os.umask(mask)
    return mask
