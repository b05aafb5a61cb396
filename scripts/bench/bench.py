#!/usr/bin/env python3
"""Benchmark doppel against datasketch, rensa, scikit-learn and sparse_dot_topn.

Run through scripts/bench/run.sh (which builds the release binaries and the
virtual environment first). For each corpus size: generates the corpus with
doppel-gen, then runs every tool --runs times, interleaved (run 1 of every
tool, then run 2, ...), one process per tool and run, each with its wall time
and peak RSS (getrusage of that child, via os.wait4). Writes
reports/bench.json (every measurement), reports/bench.md (medians, ratios per
run, recall and precision on the planted pairs) and reports/bench.svg (doppel's
time and memory against corpus size).

Ratios compare tools measured in the same run (run r of A against run r of B);
the report gives the median of the per-run ratios.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


GNU_TIME = Path("/usr/bin/time")
# False-negative weight of the recall-tuned LSH banding (scan uses 0.5).
RECALL_WEIGHT = 0.9


def measure(cmd, env=None):
    """Run cmd; return its parsed JSON stdout, wall seconds and peak RSS in MB.

    Peak RSS comes from GNU time's %M when /usr/bin/time exists, else from
    getrusage of the child (os.wait4). Linux counts the memory a child had
    before exec in its peak, so a child forked from this Python process
    starts at this process's size; GNU time is a small parent."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as rss:
        full = [str(GNU_TIME), "-f", "%M", "-o", rss.name, *cmd] if GNU_TIME.exists() else list(cmd)
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
        rss_kb = usage.ru_maxrss  # KiB on Linux
        if GNU_TIME.exists():
            reported = [l for l in rss.read().split() if l.isdigit()]
            if reported:
                rss_kb = int(reported[-1])
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n{stderr}")
    lines = [l for l in stdout.splitlines() if l.strip()]
    result = json.loads(lines[-1]) if lines else {}
    return {"wall": wall, "rss_mb": rss_kb / 1024, "result": result}


def machine():
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass

    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "unknown"

    pkgs = {}
    for name in ["datasketch", "rensa", "scikit-learn", "sparse-dot-topn", "numpy", "scipy"]:
        try:
            from importlib.metadata import version as v

            pkgs[name] = v(name)
        except Exception:  # noqa: BLE001 - any failure means "not installed"
            pkgs[name] = "not installed"
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory": mem,
        "kernel": platform.release(),
        "load_average_start": list(os.getloadavg()),
        "rustc": version(["rustc", "--version"]),
        "python": platform.python_version(),
        "packages": pkgs,
    }


def load_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def corpus_ids(path):
    ids = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                # The id comes first in doppel-gen's lines; parse only up to it.
                ids.append(json.loads(line[: line.index(',"text"')] + "}")["id"])
    return ids


def accuracy(reported, true_j, planted, threshold):
    """Recall of planted pairs with true J >= threshold; precision of the
    reported pairs (true J >= threshold)."""
    want = {k for k, j in planted.items() if j >= threshold}
    found = want & reported
    good = sum(1 for k in reported if true_j.get(k, 0.0) >= threshold)
    return {
        "planted_ge_threshold": len(want),
        "found": len(found),
        "recall": len(found) / len(want) if want else None,
        "reported": len(reported),
        "true_positive": good,
        "precision": good / len(reported) if reported else None,
    }


def key(a, b):
    return (a, b) if a < b else (b, a)


def run_size(args, n, paths, results, acc_rows, info):
    """Measure every tool at size n: first the MinHash tools, run after run,
    then their accuracy; then the TF-IDF tools, run after run (the slowest
    part, last, so that a benchmark cut short still has everything else).
    bench.json is rewritten after every run."""
    work = Path(args.work)
    corpus, truth = work / f"corpus-{n}.jsonl", work / f"truth-{n}.jsonl"
    if not corpus.exists() or not truth.exists() or args.regenerate:
        log(f"generating {n} documents")
        m = measure([paths["gen"], "--docs", str(n), "--seed", str(args.seed), "--out", corpus, "--truth", truth])
        results.append({"size": n, "run": 0, "tool": "doppel-gen", **m})
    d, py, peers = paths["doppel"], paths["python"], HERE / "peers.py"
    j = str(args.threads)
    lsh_out, ds_out = work / f"doppel-lsh-{n}.jsonl", work / f"datasketch-{n}.jsonl"
    lsh_recall_out = work / f"doppel-lsh-recall-{n}.jsonl"
    scan_out = work / f"doppel-scan-{n}.json"
    tf_out, vec, terms = work / f"doppel-tfidf-{n}.jsonl", work / f"vectors-{n}", work / f"terms-{n}.txt"
    env2 = dict(os.environ, RAYON_NUM_THREADS=j, OMP_NUM_THREADS=j)
    peers_here = n <= args.peer_max
    tfidf_here = n <= args.tfidf_max

    def run_tools(r, tools):
        for name, cmd, env in tools:
            log(f"{n} docs, run {r}/{args.runs}: {name}")
            m = measure([str(c) for c in cmd], env)
            results.append({"size": n, "run": r, "tool": name, **m})
            log(f"  {m['wall']:.2f} s wall, {m['rss_mb']:.0f} MB peak RSS")
        dump(args, results, acc_rows, info)

    for r in range(1, args.runs + 1):
        tools = [("doppel sign", [d, "bench-stage", "sign", corpus, "-j", j], None)]
        if peers_here:
            tools.append(("doppel sign 1 thread", [d, "bench-stage", "sign", corpus, "-j", "1"], None))
        tools += [
            ("doppel lsh", [d, "bench-stage", "lsh", corpus, "-j", j, "--out", lsh_out], None),
            (
                "doppel lsh recall-tuned",
                [d, "bench-stage", "lsh", corpus, "-j", j, "--recall-weight", str(RECALL_WEIGHT), "--out", lsh_recall_out],
                None,
            ),
            (
                "doppel scan --minhash-only",
                [d, "scan", "--jsonl", "--minhash-only", "--quiet", "-j", j, corpus, "-o", scan_out],
                None,
            ),
        ]
        if peers_here:
            tools += [
                ("datasketch", [py, peers, "datasketch", corpus, "--pairs-out", ds_out], None),
                ("rensa", [py, peers, "rensa", corpus], env2),
            ]
        run_tools(r, tools)

    # Accuracy on the planted pairs (outputs of the last run; every tool is
    # deterministic, so all runs give the same pairs).
    acc = {"size": n}
    planted_rows = load_jsonl(truth)
    planted = {key(t["a"], t["b"]): t["jaccard"] for t in planted_rows}
    kind_of = {key(t["a"], t["b"]): t["kind"] for t in planted_rows}
    true_j = dict(planted)
    cand = load_jsonl(lsh_out)
    for c in cand:
        true_j.setdefault(key(c["a"], c["b"]), c["jaccard"])
    thr = 0.5
    doppel_exact = {key(c["a"], c["b"]) for c in cand if c["jaccard"] >= thr}
    doppel_est = {key(c["a"], c["b"]) for c in cand if c["estimate"] >= thr}
    acc["doppel (exact verification)"] = accuracy(doppel_exact, true_j, planted, thr)
    acc["doppel (estimate verification)"] = accuracy(doppel_est, true_j, planted, thr)
    cand_r = load_jsonl(lsh_recall_out)
    for c in cand_r:
        true_j.setdefault(key(c["a"], c["b"]), c["jaccard"])
    doppel_recall = {key(c["a"], c["b"]) for c in cand_r if c["jaccard"] >= thr}
    acc["doppel recall-tuned (exact verification)"] = accuracy(doppel_recall, true_j, planted, thr)
    # `doppel scan --minhash-only` reports the pairs whose exact Jaccard
    # reaches the threshold.
    with open(scan_out) as f:
        scan_pairs = json.load(f)["pairs"]
    for p in scan_pairs:
        true_j.setdefault(key(p["a"], p["b"]), p["scores"]["jaccard"])
    doppel_scan = {key(p["a"], p["b"]) for p in scan_pairs if p["scores"]["jaccard"] >= thr}
    acc["doppel scan --minhash-only"] = accuracy(doppel_scan, true_j, planted, thr)
    if peers_here:
        ds = {key(p["a"], p["b"]) for p in load_jsonl(ds_out)}
        unknown = sorted(k for k in ds if k not in true_j)
        if unknown:
            with tempfile.TemporaryDirectory() as tmp:
                pin, pout = Path(tmp) / "pairs.jsonl", Path(tmp) / "j.jsonl"
                pin.write_text("".join(json.dumps({"a": a, "b": b}) + "\n" for a, b in unknown))
                measure([str(d), "bench-stage", "jaccard", str(corpus), "--pairs", str(pin), "--out", str(pout)])
                for p in load_jsonl(pout):
                    true_j[key(p["a"], p["b"])] = p["jaccard"]
        acc["datasketch (estimate verification)"] = accuracy(ds, true_j, planted, thr)
    # Recall by kind (any Jaccard) for LSH; the TF-IDF column comes later.
    by_kind = {}
    for k, kind in kind_of.items():
        by_kind.setdefault(kind, {"planted": 0, "lsh_found": 0, "tfidf_found": 0, "jaccard": []})
        by_kind[kind]["planted"] += 1
        by_kind[kind]["lsh_found"] += k in doppel_exact
        by_kind[kind]["jaccard"].append(planted[k])
    for v in by_kind.values():
        js = sorted(v.pop("jaccard"))
        v["jaccard_median"] = js[len(js) // 2]
        v["jaccard_min"], v["jaccard_max"] = js[0], js[-1]
    acc["by_kind"] = by_kind
    acc["tfidf_measured"] = False
    acc_rows.append(acc)
    dump(args, results, acc_rows, info)

    if not tfidf_here:
        return
    for r in range(1, args.runs + 1):
        extra = ["--vectors", vec, "--terms", terms] if r == 1 else []
        tools = [
            ("doppel tfidf", [d, "bench-stage", "tfidf", corpus, "-j", j, "--out", tf_out, *extra], None),
            ("sparse_dot_topn", [py, peers, "sdtopn", vec, "--doppel-pairs", tf_out, "--threads", j], env2),
        ]
        if peers_here:
            tools.append(("scikit-learn", [py, peers, "sklearn", terms, vec], env2))
        run_tools(r, tools)
        if r == 1:
            ids = corpus_ids(corpus)
            neighbours = {key(ids[p["a"]], ids[p["b"]]) for p in load_jsonl(tf_out)}
            for k, kind in kind_of.items():
                by_kind[kind]["tfidf_found"] += k in neighbours
            acc["tfidf_measured"] = True
            dump(args, results, acc_rows, info)


def dump(args, results, accuracy_rows, info=None):
    out = Path(args.reports)
    data = {"results": results}
    if accuracy_rows is not None:
        data["accuracy"] = accuracy_rows
    if info is not None:
        data.update(info)
    (out / "bench.json").write_text(json.dumps(data, indent=1) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--peer-max", type=int, default=100000, help="largest size the Python peers run at")
    ap.add_argument("--tfidf-max", type=int, default=100000, help="largest size the TF-IDF stage runs at")
    ap.add_argument("--work", default=str(ROOT / "target" / "bench"))
    ap.add_argument("--reports", default=str(ROOT / "reports"))
    ap.add_argument("--bin", default=str(ROOT / "target" / "release"))
    ap.add_argument("--regenerate", action="store_true")
    ap.add_argument("--report-only", action="store_true", help="rewrite bench.md/svg from bench.json")
    args = ap.parse_args()
    Path(args.work).mkdir(parents=True, exist_ok=True)
    Path(args.reports).mkdir(parents=True, exist_ok=True)
    if args.report_only:
        data = json.loads((Path(args.reports) / "bench.json").read_text())
    else:
        if args.runs < 1:
            sys.exit("--runs must be at least 1")
        # In the order given: put the largest first to be sure of its figures.
        sizes = [int(s) for s in args.sizes.split(",")]
        paths = {"doppel": Path(args.bin) / "doppel", "gen": Path(args.bin) / "doppel-gen", "python": sys.executable}
        info = {
            "machine": machine(),
            "settings": {
                "sizes": sizes,
                "runs": args.runs,
                "seed": args.seed,
                "threads": args.threads,
                "peer_max": args.peer_max,
                "tfidf_max": args.tfidf_max,
                "command": os.environ.get("BENCH_COMMAND", "python3 scripts/bench/bench.py " + " ".join(sys.argv[1:])),
            },
        }
        log(f"machine: {info['machine']}")
        results, acc = [], []
        for n in sizes:
            run_size(args, n, paths, results, acc, info)
        info["machine"]["load_average_end"] = list(os.getloadavg())
        dump(args, results, acc, info)
        data = json.loads((Path(args.reports) / "bench.json").read_text())
    import report

    report.write(data, Path(args.reports))
    log(f"wrote {args.reports}/bench.md, bench.json, bench.svg")


if __name__ == "__main__":
    main()
