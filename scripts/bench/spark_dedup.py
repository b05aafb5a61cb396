"""The measurement behind scripts/bench/spark_dedup.sh (run that): for each
size, a doppel-gen corpus (seed 1), `doppel dedup --emit ids` on it, then
doppel.spark.dedup on the loopback cluster (crates/doppel-py/tests/
loopback_spark.py), both with their defaults; wall times, and whether the
two give the same line for every document."""

import argparse
import os
import platform
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "crates" / "doppel-py" / "tests"))

import pyspark  # noqa: E402

import doppel  # noqa: E402
import doppel.spark  # noqa: E402
import loopback_spark  # noqa: E402

WORKERS = 2


def cli_dedup(doppel_bin, corpus, out):
    t = time.monotonic()
    subprocess.run([doppel_bin, "dedup", corpus, "--jsonl", "--emit", "ids", "-q", "-o", out], check=True)
    secs = time.monotonic() - t
    rows = [line.split("\t") for line in Path(out).read_text().splitlines()]
    return secs, {i: (a == "keep", rep) for a, i, rep in rows}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--doppel", required=True)
    ap.add_argument("--gen", required=True)
    ap.add_argument("--work", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("sizes", nargs="+", type=int)
    args = ap.parse_args()

    rows = []
    with loopback_spark.cluster(args.work / "cluster", workers=WORKERS, memory="3g") as url:
        t = time.monotonic()
        with loopback_spark.session(
            url,
            executors=WORKERS,
            executor_memory="2g",
            **{
                "spark.driver.memory": "2g",
                "spark.sql.shuffle.partitions": "8",
                "spark.sql.files.maxPartitionBytes": str(32 << 20),
            },
        ) as spark:
            startup = time.monotonic() - t
            # Stopped by TERM as by Ctrl-C: pyspark's handler cancels the
            # jobs, and leaving the blocks stops the cluster.
            signal.signal(signal.SIGTERM, signal.getsignal(signal.SIGINT))
            # A first job starts the executors' Python workers and warms
            # their JVMs: done once, on 1,000 documents, not counted.
            t = time.monotonic()
            warm = args.work / "c1000.jsonl"
            subprocess.run([args.gen, "--docs", "1000", "--seed", "2", "--out", warm,
                            "--truth", args.work / "t1000.jsonl"], check=True, capture_output=True)
            doppel.spark.dedup(spark.read.schema("id string, text string").json(str(warm))).count()
            warmup = time.monotonic() - t
            for n in args.sizes:
                corpus = args.work / f"c{n}.jsonl"
                if not corpus.exists() or corpus.stat().st_size == 0:
                    subprocess.run([args.gen, "--docs", str(n), "--seed", "1", "--out", corpus,
                                    "--truth", args.work / f"t{n}.jsonl"], check=True, capture_output=True)
                mb = corpus.stat().st_size / 1e6
                cli_secs, want = cli_dedup(args.doppel, corpus, args.work / f"ids{n}.txt")
                t = time.monotonic()
                df = spark.read.schema("id string, text string").json(str(corpus))
                result = doppel.spark.dedup(df)
                spark_secs = time.monotonic() - t
                t = time.monotonic()
                got = {r["id"]: (r["keep"], r["cluster"]) for r in result.collect()}
                collect_secs = time.monotonic() - t
                same = got == want
                differ = sum(1 for k in set(want) | set(got) if want.get(k) != got.get(k))
                dropped = sum(1 for k, _ in want.values() if not k)
                rows.append((n, mb, dropped, cli_secs, spark_secs, collect_secs, same, differ))
                print(f"{n} documents ({mb:.0f} MB): dedup {cli_secs:.1f} s, doppel.spark.dedup "
                      f"{spark_secs:.1f} s (+{collect_secs:.1f} s to collect), "
                      f"{'same clusters' if same else f'{differ} documents differ'}", file=sys.stderr)

    lines = [
        "# doppel.spark.dedup on a loopback cluster against `doppel dedup`",
        "",
        "`bash scripts/bench/spark_dedup.sh " + " ".join(map(str, args.sizes)) + "`: doppel-gen corpora "
        "(seed 1), `doppel dedup c.jsonl --jsonl --emit ids` (all cores) and "
        "`doppel.spark.dedup(spark.read.json(c.jsonl))` (defaults: threshold 0.7, keep first) "
        f"on a standalone master and {WORKERS} workers of one core and one executor each "
        "(2 GB), started on 127.0.0.1 by the run; driver in the same process, "
        "8 shuffle partitions, input split at 32 MB. Spark's time is the `dedup` call, "
        "which runs every job (signing, candidates, verification, components) and "
        "checkpoints the result on the executors; collecting it to the driver is "
        "counted apart. Same: every document has the line `doppel dedup` gives it "
        "(kept or dropped, its cluster's kept id).",
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}, "
        f"pyspark {pyspark.__version__}, doppel-text {doppel.__version__}; "
        f"session start-up (executors registered) {startup:.1f} s and a first "
        f"`dedup` of 1,000 documents {warmup:.1f} s, not counted.",
        "",
        "| documents | MB | dropped | `doppel dedup` s | `doppel.spark.dedup` s | collect s | ratio | same clusters |",
        "|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for n, mb, dropped, cli_s, sp_s, col_s, same, differ in rows:
        lines.append(
            f"| {n:,} | {mb:.0f} | {dropped:,} | {cli_s:.2f} | {sp_s:.1f} | {col_s:.1f} | "
            f"{sp_s / cli_s:.0f}× | {'yes' if same else f'no: {differ:,} documents differ'} |"
        )
    args.out.write_text("\n".join(lines) + "\n")
    if not all(r[6] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
