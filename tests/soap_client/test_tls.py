"""TLS on loopback: verification on by default, a CA bundle, mutual TLS with a client
certificate (keys made with the openssl command in a temporary directory)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

import isa95kit as ik
from isa95kit.delivery import RetryPolicy
from isa95kit.soap import SoapClient

from .conftest import Partner

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")
ONCE = RetryPolicy(max_attempts=1)


def make_cert(d: Path, name: str, san: str | None = None) -> tuple[Path, Path]:
    key, cert = d / f"{name}.key", d / f"{name}.pem"
    cmd = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
    cmd += ["-subj", f"/CN={name}", "-keyout", str(key), "-out", str(cert)]
    if san:
        cmd += ["-addext", f"subjectAltName={san}"]
    subprocess.run(cmd, check=True, capture_output=True)
    return key, cert


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    d = tmp_path_factory.mktemp("tls")
    return {"erp": make_cert(d, "erp", "IP:127.0.0.1"), "mes": make_cert(d, "mes")}


def server_context(certs: dict[str, tuple[Path, Path]], *, mutual: bool = False) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    key, cert = certs["erp"]
    ctx.load_cert_chain(str(cert), str(key))
    if mutual:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(str(certs["mes"][1]))
    return ctx


@pytest.fixture
def tls_partner(certs: dict[str, tuple[Path, Path]]) -> Iterator[Partner]:
    with Partner(server_context(certs)) as p:
        yield p


def test_verification_is_on_by_default(tls_partner: Partner, schedule: ik.B2MMLModel) -> None:
    c = SoapClient(tls_partner.url, outbox=None, breaker=None)
    with c, pytest.raises(ik.DeliveryFailedError) as info:
        c.call(schedule)
    assert "TLS failure" in info.value.last_error
    assert info.value.attempts == 1  # a certificate problem is not retried
    assert tls_partner.requests == []


def test_ca_bundle_accepts(
    tls_partner: Partner, schedule: ik.B2MMLModel, certs: dict[str, tuple[Path, Path]]
) -> None:
    with SoapClient(tls_partner.url, verify=str(certs["erp"][1]), outbox=None) as c:
        assert type(c.send(schedule)).__name__ == "AcknowledgeWorkSchedule"


def test_mutual_tls(schedule: ik.B2MMLModel, certs: dict[str, tuple[Path, Path]]) -> None:
    ca = str(certs["erp"][1])
    key, cert = certs["mes"]
    with Partner(server_context(certs, mutual=True)) as p:
        opts = {"verify": ca, "outbox": None, "breaker": None, "retry": ONCE}
        with SoapClient(p.url, cert=(str(cert), str(key)), **opts) as c:  # type: ignore[arg-type]
            assert type(c.send(schedule)).__name__ == "AcknowledgeWorkSchedule"
        anonymous = SoapClient(p.url, **opts)  # type: ignore[arg-type]
        with anonymous, pytest.raises(ik.DeliveryFailedError):
            anonymous.send(schedule)
        assert len(p.requests) == 1
