"""Shared fixtures: the command-line binaries the package is compared with
(DOPPEL_BIN, DOPPEL_GEN_BIN, set by scripts/test_python.sh), the seeds, and
a generated corpus with its ground truth."""

import json
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
SEEDS = ROOT / "seeds"


def _binary(var: str) -> Path:
    value = os.environ.get(var)
    if not value or not Path(value).is_file():
        raise RuntimeError(
            f"{var} must name the release binary (run bash scripts/test_python.sh)"
        )
    return Path(value)


@pytest.fixture(scope="session")
def doppel_bin() -> Path:
    return _binary("DOPPEL_BIN")


@pytest.fixture(scope="session")
def cli(doppel_bin):
    """Run the command line; returns the finished process (stdout as bytes)."""

    def run(*args, ok=(0, 1), cwd=ROOT):
        p = subprocess.run(
            [str(doppel_bin), *map(str, args)],
            cwd=cwd,
            capture_output=True,
        )
        assert p.returncode in ok, (args, p.returncode, p.stderr.decode())
        return p

    return run


def read_text(path: Path) -> str:
    """A file's text exactly (no newline translation)."""
    return path.read_bytes().decode("utf-8")


@pytest.fixture(scope="session")
def seeds() -> dict:
    """The seeds, id → text, in the order `doppel scan seeds/` reads them."""
    return {p.name: read_text(p) for p in sorted(SEEDS.iterdir()) if p.is_file()}


@pytest.fixture(scope="session")
def generated(tmp_path_factory):
    """A doppel-gen corpus of 1,000 documents: (path of the JSONL file,
    [(id, text)], [truth pairs])."""
    gen = _binary("DOPPEL_GEN_BIN")
    d = tmp_path_factory.mktemp("gen")
    corpus, truth = d / "corpus.jsonl", d / "truth.jsonl"
    subprocess.run(
        [str(gen), "--docs", "1000", "--seed", "11", "--out", str(corpus), "--truth", str(truth)],
        check=True,
        capture_output=True,
    )
    docs = []
    with open(corpus, encoding="utf-8", newline="") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                docs.append((r["id"], r["text"]))
    planted = [json.loads(line) for line in truth.read_text().splitlines() if line.strip()]
    return corpus, docs, planted
