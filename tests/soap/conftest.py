"""Real loopback HTTP for the SOAP tests: servers on 127.0.0.1, started and stopped here."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

pytest.importorskip("zeep")
pytest.importorskip("waitress")


@contextmanager
def serving(app: Callable[..., Any], *, threads: int = 4) -> Iterator[str]:
    """Run ``app`` on waitress at 127.0.0.1 (a free port); yield its URL; stop it."""
    from isa95kit.soap import create_server, stop_server

    server = create_server(app, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}/b2mml"
    finally:
        stop_server(server)
        thread.join(timeout=10)
        assert not thread.is_alive(), "the server did not stop"


class OfflineTransport:
    """A zeep Transport that refuses every URL not on 127.0.0.1 (no test touches the network)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from zeep.transports import Transport

        class _Offline(Transport):  # type: ignore[misc]
            def load(self, url: str) -> bytes:
                if url.startswith(("http:", "https:")) and not url.startswith("http://127.0.0.1:"):
                    raise AssertionError(f"network access refused: {url}")
                return super().load(url)  # type: ignore[no-any-return]

            def post(self, address: str, message: Any, headers: Any) -> Any:
                assert address.startswith("http://127.0.0.1:"), address
                return super().post(address, message, headers)

        return _Offline(*args, **kwargs)


@pytest.fixture
def offline() -> Any:
    return OfflineTransport()
