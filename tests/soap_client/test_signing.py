"""X.509 WS-Security signatures: requests signed with a key made in the test, signed replies
verified, tampered or unsigned replies rejected."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

import isa95kit as ik
from isa95kit.delivery import RetryPolicy
from isa95kit.soap import SoapClient, UsernameToken, X509Signing

from .conftest import B2MML, Answer, Partner, Request, ack_for

xmlsec = pytest.importorskip("xmlsec")
signature = pytest.importorskip("zeep.wsse.signature")
DS = "http://www.w3.org/2000/09/xmldsig#"


def keypair(directory: Path, name: str) -> tuple[bytes, bytes]:
    """An RSA key and self-signed certificate, made with ``cryptography`` or ``openssl``."""
    try:
        from cryptography import x509  # noqa: F401
    except ImportError:
        if shutil.which("openssl") is None:
            pytest.skip("neither cryptography nor the openssl command is available")
        key, cert = directory / f"{name}.key", directory / f"{name}.pem"
        subprocess.run(
            [
                *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
                *("-subj", f"/CN={name}", "-keyout", str(key), "-out", str(cert)),
            ],
            check=True,
            capture_output=True,
        )
        return key.read_bytes(), cert.read_bytes()
    return _with_cryptography(name)  # pragma: no cover - depends on the installation


def _with_cryptography(name: str) -> tuple[bytes, bytes]:  # pragma: no cover
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return pem_key, cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[bytes, bytes]]:
    d = tmp_path_factory.mktemp("keys")
    return {n: keypair(d, n) for n in ("mes", "erp", "intruder")}


def signed_ack(req: Request, key: bytes, cert: bytes, *, tamper: bool = False) -> bytes:
    env = etree.fromstring(ack_for(req.body))
    signature.MemorySignature(
        key, cert, None, xmlsec.Transform.RSA_SHA256, xmlsec.Transform.SHA256
    ).apply(env, {})
    if tamper:
        node = env.find(f".//{{{B2MML}}}WorkSchedule/{{{B2MML}}}ID")
        node.text = "WS-FORGED"  # type: ignore[union-attr]
    return etree.tostring(env)


def client(partner: Partner, signing: X509Signing, **kw: object) -> SoapClient:
    return SoapClient(
        partner.url,
        signing=signing,
        outbox=None,
        breaker=None,
        retry=RetryPolicy(max_attempts=1),
        **kw,  # type: ignore[arg-type]
    )


def test_request_signed_and_signed_reply_verified(
    partner: Partner, schedule: ik.B2MMLModel, keys: dict[str, tuple[bytes, bytes]]
) -> None:
    mes_key, mes_cert = keys["mes"]
    erp_key, erp_cert = keys["erp"]
    partner.respond = lambda r: Answer(body=signed_ack(r, erp_key, erp_cert))
    token = UsernameToken("mes", "pw", digest=True)
    signing = X509Signing(mes_key, mes_cert, reply_cert=erp_cert)
    with client(partner, signing, username_token=token) as c:
        reply = c.call(schedule)
    assert reply.message.data_area.work_schedule[0].id.value == "WS-1010-2026-W48"  # type: ignore[attr-defined]
    # the partner checks our signature with our certificate, as a real receiver would
    env = partner.requests[0].root
    signature.MemorySignature(None, mes_cert).verify(env)
    refs = env.findall(f".//{{{DS}}}Reference")
    assert len(refs) == 2  # Body and Timestamp
    assert env.find(f".//{{{DS}}}SignatureMethod").get("Algorithm").endswith("rsa-sha256")  # type: ignore[union-attr]
    # ... and the intruder's certificate does not verify it
    from zeep.exceptions import SignatureVerificationFailed

    with pytest.raises(SignatureVerificationFailed):
        signature.MemorySignature(None, keys["intruder"][1]).verify(env)


def test_tampered_reply_rejected(
    partner: Partner, schedule: ik.B2MMLModel, keys: dict[str, tuple[bytes, bytes]]
) -> None:
    erp_key, erp_cert = keys["erp"]
    partner.respond = lambda r: Answer(body=signed_ack(r, erp_key, erp_cert, tamper=True))
    signing = X509Signing(*keys["mes"], reply_cert=erp_cert)
    with client(partner, signing) as c, pytest.raises(ik.SignatureError, match="does not verify"):
        c.call(schedule)


def test_reply_signed_by_another_key_rejected(
    partner: Partner, schedule: ik.B2MMLModel, keys: dict[str, tuple[bytes, bytes]]
) -> None:
    partner.respond = lambda r: Answer(body=signed_ack(r, *keys["intruder"]))
    signing = X509Signing(*keys["mes"], reply_cert=keys["erp"][1])
    with client(partner, signing) as c, pytest.raises(ik.SignatureError):
        c.call(schedule)


def test_unsigned_reply_rejected(
    partner: Partner, schedule: ik.B2MMLModel, keys: dict[str, tuple[bytes, bytes]]
) -> None:
    signing = X509Signing(*keys["mes"], reply_cert=keys["erp"][1])
    with client(partner, signing) as c, pytest.raises(ik.SignatureError, match="not signed"):
        c.call(schedule)


def test_signature_over_timestamp_only_rejected(
    partner: Partner, schedule: ik.B2MMLModel, keys: dict[str, tuple[bytes, bytes]]
) -> None:
    """A valid signature that does not cover the Body protects nothing."""
    erp_key, erp_cert = keys["erp"]

    def answer(r: Request) -> Answer:
        env = etree.fromstring(signed_ack(r, erp_key, erp_cert))
        body = env[-1]
        for ref in env.iterfind(f".//{{{DS}}}Reference"):
            if ref.get("URI") == "#" + body.get(
                "{http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd}Id"
            ):
                ref.set("URI", "#elsewhere")
        return Answer(body=etree.tostring(env))

    partner.respond = answer
    signing = X509Signing(*keys["mes"], reply_cert=erp_cert)
    with client(partner, signing) as c, pytest.raises(ik.SignatureError, match="cover"):
        c.call(schedule)


def test_binary_token_and_x509data_forms(
    partner: Partner, schedule: ik.B2MMLModel, keys: dict[str, tuple[bytes, bytes]], tmp_path: Path
) -> None:
    key, cert = keys["mes"]
    (tmp_path / "k.pem").write_bytes(key)
    (tmp_path / "c.pem").write_bytes(cert)
    for binary in (True, False):
        signing = X509Signing(tmp_path / "k.pem", str(tmp_path / "c.pem"), binary=binary)
        with client(partner, signing) as c:
            c.call(schedule)
        env = partner.requests[-1].root
        has_token = env.find(".//{*}BinarySecurityToken") is not None
        assert has_token is binary
        signature.MemorySignature(None, cert).verify(env)
