"""One peer of one section, in a process of its own, timing batches on request.

``python -m bench.peer <peer> <section>`` prepares the section's cases, then
prints one JSON line ``{"cases": {case: null or {"skip": reason}}, "notes": [...]}``
and answers one JSON request per line on stdin, one JSON line each:

- ``{"calibrate": case}`` -> ``{"count": calls per batch, "sample": seconds per call or null}``
- ``{"batch": case, "count": n}`` -> ``{"seconds": seconds per call}``
- ``{"result": case}`` -> ``{"value": checksum of the last call's result}``

so that the runner can interleave the batches of all peers (the machine's
load then weighs on every peer alike). A peer named ``<peer>@all`` is
``<peer>`` on every core (the runner's environment says so).
"""

from __future__ import annotations

import importlib
import json
import sys

from bench.timing import ALL_CORES, calibrate, checksum

#: Peer name -> module; each module maps section letters to ``fn() -> {case: batch or skip record}``.
PEERS = {
    "fxn": "bench.peers.fxn_peer",
    "c": "bench.peers.c_peer",
    "numba": "bench.peers.numba_peer",
    "numpy": "bench.peers.numpy_peer",
    "cpython": "bench.peers.cpython_peer",
    "torch": "bench.peers.torch_peer",
    "inductor": "bench.peers.inductor_peer",
}


def answer(batches: dict, request: dict) -> dict:
    if "calibrate" in request:
        count, sample = calibrate(batches[request["calibrate"]])
        return {"count": count, "sample": sample}
    if "batch" in request:
        count = request["count"]
        return {"seconds": batches[request["batch"]](count) / count}
    return {"value": checksum(batches[request["result"]].result)}


def main(argv: list[str]) -> int:
    peer, section = argv
    peer = peer.removesuffix(ALL_CORES)
    prepared = importlib.import_module(PEERS[peer]).SECTIONS[section]()
    notes = prepared.pop("notes", [])
    batches = {case: item for case, item in prepared.items() if callable(item)}
    cases = {case: None if callable(item) else item for case, item in prepared.items()}
    print(json.dumps({"cases": cases, "notes": notes}), flush=True)
    for line in sys.stdin:
        print(json.dumps(answer(batches, json.loads(line))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
