"""doppel.spark on a real multi-process Spark cluster on loopback: a
standalone master and two workers (each its own JVM, each running its own
executor) started here from pyspark's own scripts and stopped at the end,
whatever happens; the driver is this process. Results are held to the
command line's on a doppel-gen corpus."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyspark
import pytest
from pyspark.sql import SparkSession

import doppel
import doppel.spark

from conftest import _binary

WORKERS = 2
STARTUP_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(log: Path, text: str, count: int, proc: subprocess.Popen, what: str) -> None:
    """Wait until `text` is in `log` `count` times; fail if `proc` ends."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        body = log.read_text(errors="replace") if log.exists() else ""
        if body.count(text) >= count:
            return
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{body[-3000:]}")
        time.sleep(0.5)
    raise RuntimeError(f"{what}: no {text!r} in {STARTUP_SECONDS} s:\n{body[-3000:]}")


def _stop(procs: list) -> None:
    """End the processes this test started (each its own process group),
    by their ids: TERM, then KILL what still runs after 30 s."""
    for p in procs:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 30
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            p.wait()
    # A worker's executor is a JVM it started, in its group: it ends after
    # the worker (killed if it has not within 10 s).
    for p in procs:
        deadline = time.monotonic() + 10
        while _signal_group(p.pid, 0):
            if time.monotonic() > deadline:
                _signal_group(p.pid, signal.SIGKILL)
            time.sleep(0.1)


def _signal_group(pgid: int, sig: int) -> bool:
    """Send `sig` to a process group; False when it has no process left."""
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A standalone master and two one-core workers on 127.0.0.1, started
    with pyspark's spark-class; yields the master's URL."""
    home = Path(pyspark.__file__).parent
    spark_class = home / "bin" / "spark-class"
    d = tmp_path_factory.mktemp("spark")
    env = dict(
        os.environ,
        SPARK_HOME=str(home),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_LOG_DIR=str(d),
        PYSPARK_PYTHON=sys.executable,
    )
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    procs = []
    try:
        log = d / "master.log"
        master = subprocess.Popen(
            [str(spark_class), "org.apache.spark.deploy.master.Master",
             "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(_free_port())],
            stdout=open(log, "wb"), stderr=subprocess.STDOUT, env=env,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        procs.append(master)
        _wait_for(log, "I have been elected leader", 1, master, "the Spark master")
        for n in range(WORKERS):
            wlog = d / f"worker{n}.log"
            procs.append(subprocess.Popen(
                [str(spark_class), "org.apache.spark.deploy.worker.Worker",
                 "--host", "127.0.0.1", "--cores", "1", "--memory", "1g",
                 "--work-dir", str(d / f"work{n}"), "--webui-port", str(_free_port()), url],
                stdout=open(wlog, "wb"), stderr=subprocess.STDOUT, env=env,
                stdin=subprocess.DEVNULL, start_new_session=True,
            ))
        _wait_for(log, "Registering worker", WORKERS, master, "the Spark master")
        yield url
    finally:
        _stop(procs)


@pytest.fixture(scope="module")
def spark(cluster):
    """A session of this process on the cluster, with one executor per
    worker; stopped before the cluster is."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ.pop("SPARK_HOME", None)
    session = (
        SparkSession.builder.master(cluster)
        .appName("doppel-spark-test")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executor.memory", "768m")
        .config("spark.executor.cores", "1")
        .config("spark.cores.max", str(WORKERS))
        .config("spark.pyspark.python", sys.executable)
        .config("spark.sql.shuffle.partitions", "4")
        # Several partitions of the 5 MB corpus, so signing is spread.
        .config("spark.sql.files.maxPartitionBytes", str(1 << 20))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    try:
        sc = session.sparkContext
        deadline = time.monotonic() + STARTUP_SECONDS
        while sc._jsc.sc().getExecutorIds().size() < WORKERS:
            assert time.monotonic() < deadline, "the executors did not register"
            time.sleep(0.5)
        yield session
    finally:
        session.stop()
        # The driver's JVM, which pyspark started, would end with this
        # process: end it now, by its id.
        from pyspark import SparkContext

        gateway = SparkContext._gateway
        proc = getattr(gateway, "proc", None)
        if gateway is not None:
            gateway.shutdown()
            SparkContext._gateway = SparkContext._jvm = None
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)


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
    assert spark.sparkContext._jsc.sc().getExecutorIds().size() == WORKERS


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
