"""A hung endpoint: accepts TCP connections, reads nothing and never answers; counts them."""

from __future__ import annotations

import contextlib
import socket
import threading


class HungServer:
    """Listen on a loopback port; hold every connection open without a byte of answer.

    ``url`` is ``http://127.0.0.1:PORT``; ``connections`` counts the connections made (a
    request that reached it); ``connected`` is set at the first. :meth:`close` drops them all,
    so that clients left waiting by an abandoned audit see the connection close and finish.
    """

    def __init__(self) -> None:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.url = f"http://127.0.0.1:{self._sock.getsockname()[1]}"
        self.connections = 0
        self.connected = threading.Event()
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            self._held.append(conn)
            self.connections += 1
            self.connected.set()

    def close(self) -> None:
        """Stop listening and close every held connection."""
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        for conn in self._held:
            with contextlib.suppress(OSError):
                conn.close()
