"""doppel.spark on a real multi-process Spark cluster on loopback: a
standalone master and two workers (each its own JVM, each running its own
executor) started here from pyspark's own scripts and stopped at the end,
whatever happens (loopback_spark); the driver is this process. Results are
held to the command line's on a doppel-gen corpus."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import doppel
import doppel.spark
import loopback_spark
from conftest import _binary

WORKERS = 2


@pytest.fixture(scope="module")
def spark(tmp_path_factory):
    """A session of this process on a standalone master and two one-core
    workers on 127.0.0.1, each executor a JVM of its own; all stopped at
    the end, whatever happens."""
    with loopback_spark.cluster(tmp_path_factory.mktemp("spark"), workers=WORKERS) as url:
        with loopback_spark.session(
            url,
            executors=WORKERS,
            **{
                "spark.sql.shuffle.partitions": "4",
                # Several partitions of the 5 MB corpus, so signing is spread.
                "spark.sql.files.maxPartitionBytes": str(1 << 20),
            },
        ) as session:
            yield session


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A doppel-gen corpus of 2,000 documents: (path, [(id, text)], truth)."""
    d = tmp_path_factory.mktemp("spark-corpus")
    path, truth = d / "c.jsonl", d / "t.jsonl"
    subprocess.run(
        [str(_binary("DOPPEL_GEN_BIN")), "--docs", "2000", "--seed", "1",
         "--out", str(path), "--truth", str(truth)],
        check=True, capture_output=True,
    )
    docs = [(r["id"], r["text"]) for r in map(json.loads, path.read_text().splitlines())]
    planted = [json.loads(line) for line in truth.read_text().splitlines()]
    return path, docs, planted


def _cli_dedup(cli, path, *flags):
    """`doppel dedup --emit ids`: id → (kept, its cluster's kept id)."""
    out = cli("dedup", path, "--jsonl", "--emit", "ids", *flags).stdout.decode()
    rows = [line.split("\t") for line in out.splitlines()]
    return {i: (action == "keep", rep) for action, i, rep in rows}


def _spark_dedup(df, **kwargs):
    rows = doppel.spark.dedup(df, **kwargs).collect()
    got = {r["id"]: (r["keep"], r["cluster"]) for r in rows}
    assert len(got) == len(rows), "an id twice in the result"
    return got


def test_the_cluster_runs_tasks_in_two_executor_processes(spark):
    """The executors are separate JVMs, each with its own Python workers."""
    import pyarrow as pa

    def where(batches):
        for b in batches:
            yield pa.RecordBatch.from_pydict({"pid": [os.getpid()] * b.num_rows})

    pids = {r["pid"] for r in spark.range(0, 64, numPartitions=8).mapInArrow(where, "pid long").collect()}
    assert os.getpid() not in pids
    assert len(pids) >= WORKERS
    assert loopback_spark.executor_count(spark) == WORKERS


def test_dedup_gives_the_clusters_dedup_gives(spark, cli, corpus):
    """Read as Spark reads a JSON Lines file (its order the file's), with
    the command line's defaults: the same kept documents and clusters."""
    path, docs, _ = corpus
    want = _cli_dedup(cli, path)
    assert sum(not k for k, _ in want.values()) > 20, "the corpus should hold near-duplicates"
    df = spark.read.schema("id string, text string").json(str(path))
    assert df.rdd.getNumPartitions() > 1
    got = _spark_dedup(df)
    assert got == want


def test_dedup_keeps_the_longest_in_the_order_given(spark, cli, corpus):
    """An explicit order column over shuffled partitions, --threshold 0.5
    --keep longest: the same as the command line."""
    path, docs, _ = corpus
    want = _cli_dedup(cli, path, "--threshold", "0.5", "--keep", "longest")
    df = spark.createDataFrame(
        [(n, i, t) for n, (i, t) in enumerate(docs)], "n long, id string, text string"
    ).repartition(5)
    got = _spark_dedup(df, threshold=0.5, keep="longest", order_col="n")
    assert want != _cli_dedup(cli, path, "--threshold", "0.5"), "longest should keep others than first"
    assert got == want


def test_importing_doppel_does_not_import_pyspark():
    code = "import sys, doppel; assert 'pyspark' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)


def _as_pair(row: dict) -> dict:
    """A row of `flag` as the pair object of the CLI's JSON (A the
    reference)."""
    return {
        "a": row["reference_id"],
        "b": row["new_id"],
        "verdict": row["verdict"],
        "scores": row["scores"],
        "coverage": {"a": row["coverage"]["reference"], "b": row["coverage"]["new"]},
        "passages": [
            {"a": p["reference"], "b": p["new"], "score": p["score"], "kind": p["kind"]}
            for p in row["passages"]
        ],
    }


def test_flag_flags_what_the_cli_flags_among_the_band_candidates(spark, cli, corpus, tmp_path):
    """600 reference and 400 new documents: `flag` reports exactly the
    pairs of its band candidates that `doppel compare --pairs` flags, each as
    it reports it (verdict, scores, coverage, passages); and of the pairs
    `doppel check` flags, exactly those the bands propose, with check's
    verdicts and passages (check also proposes pairs by TF-IDF neighbours
    and copied passages, and weighs cosine by the index's documents)."""
    path, docs, _ = corpus
    lines = path.read_text().splitlines(keepends=True)
    ref_path, new_path = tmp_path / "ref.jsonl", tmp_path / "new.jsonl"
    ref_path.write_text("".join(lines[:600]))
    new_path.write_text("".join(lines[600:1000]))
    ref, new = docs[:600], docs[600:1000]

    read = spark.read.schema("id string, text string").json
    # Bands tuned for 0.2: more of check's pairs among the candidates.
    rows = doppel.spark.flag(read(str(new_path)), read(str(ref_path)), lsh_threshold=0.2).collect()
    got = {(r["reference_id"], r["new_id"]): _as_pair(r.asDict(recursive=True)) for r in rows}
    assert len(got) == len(rows)

    # The band candidates, on the driver.
    hasher, lsh = doppel.MinHasher(), doppel.LSH(threshold=0.2)
    refs_of = {}
    for (i, _), keys in zip(ref, hasher.band_keys([t for _, t in ref], lsh)[0]):
        for k in keys:
            refs_of.setdefault(int(k), set()).add(i)
    candidates = sorted(
        {(r, n) for (n, _), keys in zip(new, hasher.band_keys([t for _, t in new], lsh)[0])
         for k in keys for r in refs_of.get(int(k), ())}
    )
    assert len(candidates) >= len(got) > 10

    # The command line's full comparison of each candidate.
    for side, part in (("ref", ref), ("new", new)):
        (tmp_path / side).mkdir()
        for i, t in part:
            (tmp_path / side / f"{i}.txt").write_bytes(t.encode("utf-8"))
    (tmp_path / "pairs.tsv").write_text("".join(f"{r}.txt\t{n}.txt\n" for r, n in candidates))
    out = cli("compare", "--pairs", tmp_path / "pairs.tsv",
              "--a-dir", tmp_path / "ref", "--b-dir", tmp_path / "new").stdout.decode()
    compared = {}
    for line in out.splitlines():
        p = json.loads(line)
        p["a"], p["b"] = Path(p["a"]).stem, Path(p["b"]).stem
        compared[(p["a"], p["b"])] = p
    assert len(compared) == len(candidates)
    assert got == {k: p for k, p in compared.items() if p["verdict"] != "unrelated"}

    # doppel check against an index of the references.
    index = tmp_path / "ref.db"
    cli("index", "build", ref_path, "--jsonl", "--index", index, "--quiet")
    checked = {}
    for line in cli("check", "--index", index, new_path, "--jsonl", "--format", "jsonl").stdout.splitlines():
        for p in json.loads(line)["pairs"]:
            checked[(p["a"], p["b"])] = p
    assert set(got) == set(checked) & set(candidates)
    for k, p in got.items():
        assert (p["verdict"], p["passages"]) == (checked[k]["verdict"], checked[k]["passages"]), k
