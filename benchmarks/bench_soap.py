"""SOAP round trips per second on loopback for a ~50 KB ProcessWorkSchedule (issue 12).

    python benchmarks/bench_soap.py [--seconds S] [--size KB] [--repeat R]

One isa95kit server (waitress on 127.0.0.1, the mock ERP, validation on) answers every
client, in the same run:

- **isa95kit** — ``SoapClient.call(model)``: our codec writes the message, zeep's Transport
  carries it, the reply is decoded into the model (retry policy and breaker on, no outbox);
- **isa95kit+outbox** — the same with the durable SQLite outbox (3 writes per message);
- **zeep** — ``zeep.Client(wsdl).service.ProcessWorkSchedule(...)``: zeep builds the message
  from its own objects and parses the reply into them;
- **floor** — hand-written ``requests`` + ``lxml``: a prebuilt envelope tree serialized and
  posted, the reply only parsed.

Every round trip carries a fresh BODID (so the server's idempotency store never short-cuts);
the clients' runs are interleaved, in rotating order.
Prints round trips per second and ratios; targets: isa95kit >= 2x zeep, floor within 1.5x.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

import isa95kit as ik
from isa95kit.soap import SoapClient, create_server, make_app, stop_server, wsdl_path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "data" / "process-work-schedule.xml"
B2MML = "http://www.mesa.org/xml/B2MML"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
ACTION = "urn:isa95kit:wsdl:B2MML:V0701:ProcessWorkSchedule"


def document(kb: int) -> bytes:
    """The sample schedule with its work requests repeated (new IDs) to about ``kb`` KB."""
    root = etree.parse(str(SAMPLE)).getroot()
    schedule = root.find(f"{{{B2MML}}}DataArea/{{{B2MML}}}WorkSchedule")
    assert schedule is not None
    requests = schedule.findall(f"{{{B2MML}}}WorkRequest")
    n = 0
    while len(etree.tostring(root)) < kb * 1024:
        n += 1
        for req in requests:
            dup = copy.deepcopy(req)
            for ident in dup.iter(f"{{{B2MML}}}ID"):
                if ident.getparent().tag in (f"{{{B2MML}}}WorkRequest", f"{{{B2MML}}}JobOrder"):
                    ident.text = f"{ident.text}-{n}"
            schedule.append(dup)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


def rates(
    clients: dict[str, Callable[[int], None]], seconds: float, repeat: int
) -> dict[str, float]:
    """Round trips per second of each client: the median of ``repeat`` runs of about
    ``seconds``. The runs are interleaved, the order rotating each round, so whatever
    drifts during the run (the server's store grows with every message) affects all alike."""
    counter = [0]
    for fn in clients.values():  # warm up (connections, caches)
        fn(-1)
    samples: dict[str, list[float]] = {name: [] for name in clients}
    names = list(clients)
    for round_ in range(repeat):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            n, start = 0, time.perf_counter()
            while (elapsed := time.perf_counter() - start) < seconds:
                counter[0] += 1
                clients[name](counter[0])
                n += 1
            samples[name].append(n / elapsed)
            print(f"  {name}: {samples[name][-1]:.1f}/s", file=sys.stderr)
    return {name: statistics.median(values) for name, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=3.0, help="per run (default 3)")
    ap.add_argument("--size", type=int, default=50, help="message size in KB (default 50)")
    ap.add_argument("--repeat", type=int, default=4, help="runs per client, median (4)")
    args = ap.parse_args(argv)

    import requests
    import zeep

    data = document(args.size)
    model = ik.read_xml(data)
    area: Any = model.application_area  # type: ignore[attr-defined]
    print(f"message: ProcessWorkSchedule, {len(data) / 1024:.1f} KB", file=sys.stderr)

    server = create_server(make_app(), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.effective_port}/b2mml"
    tmp = tempfile.TemporaryDirectory()
    results: dict[str, float] = {}
    try:
        ours = SoapClient(url, outbox=None, action=ACTION)

        def isa95kit_call(i: int) -> None:
            area.bodid = f"BENCH-IK-{i}"
            reply = ours.call(model)
            assert type(reply.message).__name__ == "AcknowledgeWorkSchedule"

        boxed = SoapClient(url, outbox=Path(tmp.name) / "outbox.sqlite", action=ACTION)

        def outbox_call(i: int) -> None:
            area.bodid = f"BENCH-OB-{i}"
            boxed.call(model)

        zc = zeep.Client(str(wsdl_path("1.1")))
        service = zc.create_service("{urn:isa95kit:wsdl:B2MML:V0701}B2MMLBindingSoap11", url)
        element = zc.get_element(f"{{{B2MML}}}ProcessWorkSchedule")
        zobj = element.parse(etree.fromstring(data), zc.wsdl.types)
        fields = {k: zobj[k] for k in zobj}

        def zeep_call(i: int) -> None:
            fields["ApplicationArea"].BODID = {"_value_1": f"BENCH-Z-{i}"}
            reply = service.ProcessWorkSchedule(**fields)
            assert reply is not None

        session = requests.Session()
        env = etree.Element(f"{{{SOAP11}}}Envelope", nsmap={"soap": SOAP11})
        etree.SubElement(env, f"{{{SOAP11}}}Body").append(etree.fromstring(data))
        bodid = env.find(f".//{{{B2MML}}}BODID")
        assert bodid is not None
        headers = {"Content-Type": 'text/xml; charset="utf-8"', "SOAPAction": f'"{ACTION}"'}

        def floor_call(i: int) -> None:
            bodid.text = f"BENCH-F-{i}"
            body = etree.tostring(env, xml_declaration=True, encoding="utf-8")
            r = session.post(url, data=body, headers=headers, timeout=(5, 30))
            assert r.status_code == 200
            etree.fromstring(r.content)

        clients = {
            "floor": floor_call,
            "isa95kit": isa95kit_call,
            "isa95kit+outbox": outbox_call,
            "zeep": zeep_call,
        }
        results = rates(clients, args.seconds, args.repeat)
        ours.close()
        boxed.close()
    finally:
        stop_server(server)
        thread.join(timeout=10)
        tmp.cleanup()

    print("\n| client | round trips/s | vs zeep | floor / client |\n|---|---:|---:|---:|")
    for name, value in results.items():
        print(
            f"| {name} | {value:.1f} | {value / results['zeep']:.2f}x |"
            f" {results['floor'] / value:.2f}x |"
        )
    speedup = results["isa95kit"] / results["zeep"]
    floor = results["floor"] / results["isa95kit"]
    print(
        f"\nisa95kit vs zeep's builder: {speedup:.2f}x (target >= 2x: "
        f"{'PASS' if speedup >= 2 else 'FAIL'})"
    )
    print(f"floor vs isa95kit: {floor:.2f}x (target <= 1.5x: {'PASS' if floor <= 1.5 else 'FAIL'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
