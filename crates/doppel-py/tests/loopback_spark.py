"""A Spark standalone cluster on loopback, for doppel.spark's test and
scripts/bench/spark_dedup.py: a master and N workers (each its own JVM,
each starting its own executor) run from pyspark's bin/spark-class, each in
a process group of its own, and a driver session of this process on it.
Leaving the `with` block stops the session, the driver's JVM, the workers
(and the executors they started) and the master, by their ids, whatever
happened inside it."""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyspark
from pyspark import SparkContext
from pyspark.sql import SparkSession

STARTUP_SECONDS = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(log: Path, text: str, count: int, proc: subprocess.Popen, what: str) -> None:
    """Wait until `text` is in `log` `count` times; fail if `proc` ends."""
    deadline = time.monotonic() + STARTUP_SECONDS
    body = ""
    while time.monotonic() < deadline:
        body = log.read_text(errors="replace") if log.exists() else ""
        if body.count(text) >= count:
            return
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{body[-3000:]}")
        time.sleep(0.5)
    raise RuntimeError(f"{what}: no {text!r} in {STARTUP_SECONDS} s:\n{body[-3000:]}")


def _signal_group(pgid: int, sig: int) -> bool:
    """Send `sig` to a process group; False when it has no process left."""
    try:
        os.killpg(pgid, sig)
        return True
    except ProcessLookupError:
        return False


def _stop(procs: list) -> None:
    """End the processes started here (each its own process group), by
    their ids: TERM, then KILL what still runs after 30 s. A worker's
    executor is a JVM it started, in its group: it ends after the worker
    (killed if it has not within 10 s)."""
    for p in procs:
        if p.poll() is None:
            _signal_group(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    for p in procs:
        try:
            p.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(p.pid, signal.SIGKILL)
            p.wait()
    for p in procs:
        deadline = time.monotonic() + 10
        while _signal_group(p.pid, 0):
            if time.monotonic() > deadline:
                _signal_group(p.pid, signal.SIGKILL)
            time.sleep(0.1)


@contextlib.contextmanager
def cluster(workdir: Path, workers: int = 2, cores: int = 1, memory: str = "1g"):
    """A standalone master and `workers` workers of `cores` cores and
    `memory` each on 127.0.0.1, logs and work directories in `workdir`;
    yields the master's URL."""
    home = Path(pyspark.__file__).parent
    spark_class = str(home / "bin" / "spark-class")
    workdir.mkdir(parents=True, exist_ok=True)
    env = dict(
        os.environ,
        SPARK_HOME=str(home),
        SPARK_LOCAL_IP="127.0.0.1",
        SPARK_LOG_DIR=str(workdir),
        PYSPARK_PYTHON=sys.executable,
    )
    port = _free_port()
    url = f"spark://127.0.0.1:{port}"
    procs = []

    def start(args, log):
        with open(log, "wb") as out:
            procs.append(subprocess.Popen(
                [spark_class, *args], stdout=out, stderr=subprocess.STDOUT, env=env,
                stdin=subprocess.DEVNULL, start_new_session=True,
            ))
        return procs[-1]

    try:
        log = workdir / "master.log"
        master = start(["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
                        "--port", str(port), "--webui-port", str(_free_port())], log)
        _wait_for(log, "I have been elected leader", 1, master, "the Spark master")
        for n in range(workers):
            start(["org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                   "--cores", str(cores), "--memory", memory,
                   "--work-dir", str(workdir / f"work{n}"),
                   "--webui-port", str(_free_port()), url],
                  workdir / f"worker{n}.log")
        _wait_for(log, "Registering worker", workers, master, "the Spark master")
        yield url
    finally:
        _stop(procs)


@contextlib.contextmanager
def session(url: str, executors: int, executor_memory: str = "768m", **conf):
    """A driver session of this process on the cluster at `url`, with
    `executors` one-core executors registered before it is yielded (the
    workers' Python is this one, `sys.executable`); `conf`: more Spark
    settings by their names."""
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"
    os.environ.pop("SPARK_HOME", None)
    builder = (
        SparkSession.builder.master(url)
        .appName("doppel-spark")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executor.memory", executor_memory)
        .config("spark.executor.cores", "1")
        .config("spark.cores.max", str(executors))
        .config("spark.pyspark.python", sys.executable)
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
    )
    for k, v in conf.items():
        builder = builder.config(k, v)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while spark.sparkContext._jsc.sc().getExecutorIds().size() < executors:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{executors} executors did not register in {STARTUP_SECONDS} s")
            time.sleep(0.5)
        yield spark
    finally:
        spark.stop()
        # The driver's JVM, which pyspark started, would end with this
        # process: end it now, by its id.
        gateway = SparkContext._gateway
        proc = getattr(gateway, "proc", None)
        if gateway is not None:
            gateway.shutdown()
            SparkContext._gateway = SparkContext._jvm = None
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)


def executor_count(spark) -> int:
    """Executors registered with the driver."""
    return spark.sparkContext._jsc.sc().getExecutorIds().size()
