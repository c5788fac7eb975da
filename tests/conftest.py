"""Suite-wide read-only proof: every call cloudaudit makes to any cloud must be an allowed read.

See ``readonly_proof.py``; the check runs at the end of the session (of each xdist worker).
AWS and Alibaba calls are recorded at the SDK; GCP and Azure requests by the fakes they reach.
"""

import ipaddress
import os
import socket
from collections.abc import Iterator

import pytest
from hypothesis import settings
from moto_recycle_bin import clear as clear_recycle_bin
from moto_recycle_bin import install as install_recycle_bin
from readonly_proof import (
    ALIBABA_CALLS,
    CALLS,
    alibaba_not_allowed,
    azure_not_allowed,
    fake_requests,
    gcp_not_allowed,
    install,
    install_alibaba,
    not_allowed,
)

# Tests talk only to this machine: every fake cloud listens on loopback. A test (or an SDK in
# the background) that tries to resolve or reach any other host fails loudly instead of sending
# traffic off the machine.
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "", socket.gethostname()}
_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect


def _is_local(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if not isinstance(host, str) or host in _LOCAL_NAMES:
        return True
    try:
        ip = ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified or str(ip) in _own_addresses()


def _own_addresses() -> set[str]:
    try:
        return {info[4][0] for info in _real_getaddrinfo(socket.gethostname(), None)}
    except OSError:
        return set()


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    if not _is_local(host):
        raise OSError(f"tests must not reach the network: lookup of {host!r} refused")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


def _guarded_connect(self: socket.socket, address: object) -> object:
    # A UDP connect() only sets the default peer and sends nothing (dask uses one to learn the
    # machine's own address), so only stream sockets are checked here.
    inet = self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple)
    stream = self.type == socket.SOCK_STREAM
    if inet and stream and not _is_local(address[0]):  # type: ignore[index]
        raise OSError(f"tests must not reach the network: connect to {address!r} refused")
    return _real_connect(self, address)  # type: ignore[arg-type]


socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]
socket.socket.connect = _guarded_connect  # type: ignore[method-assign]

# In CI the property-based tests replay a fixed sequence of examples, so that a green run stays
# green; on developers' machines they keep exploring new inputs (and store failures locally).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def aws_read_only_proof() -> Iterator[set[tuple[str, str]]]:
    """Record for the whole session; fail at its end if any call was not an allowed read."""
    install()
    install_alibaba()
    install_recycle_bin()  # moto's EC2 learns the Recycle Bin listings (empty unless seeded)
    yield CALLS
    bad = {
        "AWS (iam_policy.json)": not_allowed(CALLS),
        "Alibaba (ram_policy.json)": alibaba_not_allowed(ALIBABA_CALLS),
        "GCP (permissions.json)": gcp_not_allowed(fake_requests("gcp_fake")),
        "Azure (role.json)": azure_not_allowed(fake_requests("azure_fake")),
    }
    bad = {cloud: calls for cloud, calls in bad.items() if calls}
    assert not bad, f"cloudaudit made calls that are not allowed reads: {bad}"


@pytest.fixture
def recycle_bin() -> Iterator[None]:
    """Empty Recycle Bins for the test, emptied again after it (see moto_recycle_bin)."""
    clear_recycle_bin()
    yield
    clear_recycle_bin()


@pytest.fixture
def silent_endpoint() -> Iterator[str]:
    """``http://127.0.0.1:PORT``: a TCP port that accepts connections (the kernel's backlog)
    and never answers: a hung endpoint, for any cloud's client."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(scope="module", params=["c", "python"])
def loops(request: pytest.FixtureRequest) -> Iterator[str]:
    """Run a module's tests once on each version of the engine's hot loops.

    ``c``: the compiled loops of ``cloudaudit/_speedups.c`` (skipped where they are not
    built); ``python``: the reference loops, with the compiled ones turned off.
    """
    from cloudaudit import _finding_table

    built = _finding_table._SPEEDUPS
    if request.param == "c" and built is None:
        pytest.skip("the C loops are not built here (no compiler, or CLOUDAUDIT_PURE_PYTHON)")
    if request.param == "python":
        _finding_table._SPEEDUPS = None
    try:
        yield request.param
    finally:
        _finding_table._SPEEDUPS = built
