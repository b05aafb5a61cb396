#!/usr/bin/env python3
"""Signing from Python: doppel.MinHasher.sign against the command line's
signing stage and the Python peers, in one run on one corpus.

    bash scripts/test_python.sh            # the venv with the wheel: target/python-venv
    target/python-venv/bin/pip install datasketch==2.0.0 rensa==0.5.0
    target/release/doppel-gen --docs 50000 --seed 3 --out /tmp/c.jsonl --truth /tmp/t.jsonl
    target/python-venv/bin/python scripts/bench/python_sign.py /tmp/c.jsonl \
        --doppel target/release/doppel --runs 3

Times, each the best of --runs (wall, and CPU time of every thread: what a
document costs whatever else the machine runs), 128 values a signature,
word 5-grams:
  - ``doppel bench-stage sign`` (the command line: reading the JSON Lines
    file, normalising, shingling and signing; all cores, and ``-j 1``);
  - ``doppel.MinHasher().sign(texts)`` on the texts already in memory
    (normalising, shingling, signing; all cores, and ``threads=1``);
  - datasketch (tokenising and ``MinHash.bulk``) and rensa (its fastest
    way, on shingles made beforehand and not timed), as
    scripts/bench/peers.py measures them — if installed.
Prints a Markdown table. The CLI's CPU time includes reading and parsing
the file and its start; MinHasher.sign's includes taking the texts from
Python.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peers  # noqa: E402  (the peers' tokenisation, shared with bench.py)


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn, runs):
    """(wall seconds, CPU seconds of every thread), the best of `runs`: the
    CPU time is what a document costs, whatever else the machine runs."""
    walls, cpus = [], []
    for _ in range(runs):
        c0, t0 = cpu(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(cpu() - c0)
    return min(walls), min(cpus)


def cli_timed(cmd, runs):
    """(the stage's own seconds, the process's CPU seconds), best of `runs`."""
    walls, cpus = [], []
    for _ in range(runs):
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
        out = p.stdout.read()
        _, status, usage = os.wait4(p.pid, 0)
        if status != 0:
            sys.exit(f"{cmd}: exit status {status}")
        walls.append(json.loads(out)["seconds"])
        cpus.append(usage.ru_utime + usage.ru_stime)
    return min(walls), min(cpus)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", help="JSON Lines corpus ({'id', 'text'} a line)")
    ap.add_argument("--doppel", required=True, help="the release doppel binary")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    import doppel

    _, texts = peers.load_corpus(args.corpus)
    n = len(texts)
    rows = []

    for threads, label in (("0", "all cores"), ("1", "-j 1")):
        rows.append((
            f"doppel bench-stage sign (CLI, reading included; {label})",
            cli_timed([args.doppel, "bench-stage", "sign", args.corpus, "-j", threads], args.runs),
        ))

    h = doppel.MinHasher()
    rows.append(("doppel.MinHasher.sign (all cores)", timed(lambda: h.sign(texts), args.runs)))
    rows.append(("doppel.MinHasher.sign (threads=1)",
                 timed(lambda: h.sign(texts, threads=1), args.runs)))

    try:
        from datasketch import MinHash

        def ds():
            sets = [[s.encode("utf-8") for s in peers.shingles(t)] for t in texts]
            MinHash.bulk(sets, num_perm=peers.NUM_PERM)

        rows.append(("datasketch MinHash.bulk (tokenising included)", timed(ds, args.runs)))
    except ImportError:
        print("datasketch not installed: left out", file=sys.stderr)
    try:
        import rensa

        token_sets = [list(peers.shingles(t)) for t in texts]
        rows.append((
            "rensa CMinHash.digests64_from_token_sets (shingles made beforehand)",
            timed(lambda: rensa.CMinHash.digests64_from_token_sets(
                token_sets, peers.NUM_PERM, 42), args.runs),
        ))
    except ImportError:
        print("rensa not installed: left out", file=sys.stderr)

    base_wall, base_cpu = rows[2][1]
    print(f"{n} documents, {sum(len(t.encode()) for t in texts) / 1e6:.1f} MB, "
          f"best of {args.runs} runs\n")
    print("| signing | wall s | CPU s | CPU µs per document | CPU × doppel.MinHasher.sign |")
    print("|---|---|---|---|---|")
    for name, (wall, c) in rows:
        print(f"| {name} | {wall:.3f} | {c:.3f} | {c / n * 1e6:.1f} | {c / base_cpu:.2f} |")

if __name__ == "__main__":
    main()
