"""compare and scan give the command line's reports: the pair objects of
`doppel compare --format json`, and byte for byte the JSON of `doppel scan
--format json`, on the seeds and on a generated corpus."""

import json
import subprocess
import sys
from pathlib import Path

import doppel
import pytest

from conftest import ROOT, SEEDS, read_text

S000 = "seeds/000_51955296cd91fa83.txt"
S001 = "seeds/001_8e21ef8ac6e0b3df.txt"


def test_the_one_liner_prints_derivative_in_the_venv():
    code = (
        "import doppel; print(doppel.compare(open('seeds/000_51955296cd91fa83.txt').read(), "
        "open('seeds/001_8e21ef8ac6e0b3df.txt').read()).verdict)"
    )
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout == "derivative\n"


def test_the_package_is_the_installed_wheel_with_stubs_and_types():
    pkg = Path(doppel.__file__).parent
    assert Path(sys.prefix) in pkg.parents, pkg
    for name in ("py.typed", "_doppel.pyi", "_errors.py"):
        assert (pkg / name).is_file(), name
    assert doppel.__version__
    for obj in (doppel.compare, doppel.scan, doppel.MinHasher, doppel.MinHasher.sign,
                doppel.jaccard, doppel.LSH, doppel.LSH.insert, doppel.Index, doppel.Index.check):
        assert obj.__doc__ and len(obj.__doc__) > 40, obj


@pytest.mark.parametrize(
    "a,b",
    [
        ("000_51955296cd91fa83.txt", "001_8e21ef8ac6e0b3df.txt"),
        ("000_51955296cd91fa83.txt", "002_38f6590440b9d911.txt"),
        ("003_78536e3fa57423e4.txt", "001_8e21ef8ac6e0b3df.txt"),
    ],
)
def test_compare_is_the_cli_pair(cli, a, b):
    pa, pb = f"seeds/{a}", f"seeds/{b}"
    want = json.loads(cli("compare", pa, pb, "--format", "json").stdout)["pairs"][0]
    ta, tb = read_text(ROOT / pa), read_text(ROOT / pb)
    pair = doppel.compare(ta, tb, ids=(pa, pb))
    assert pair.to_dict() == want
    # The objects say what the dictionary says.
    assert (pair.a, pair.b, pair.verdict) == (want["a"], want["b"], want["verdict"])
    assert pair.scores == want["scores"] and pair.coverage == want["coverage"]
    assert len(pair.passages) == len(want["passages"])
    for p, w in zip(pair.passages, want["passages"]):
        assert (p.score, p.kind) == (w["score"], w["kind"])
        for side, text in ((p.a, ta), (p.b, tb)):
            assert side.text == text.encode()[side.byte_start:side.byte_end].decode()
            assert side.text == text[side.char_start:side.char_end]
            assert side.line_start == text[: side.char_start].count("\n") + 1
        assert p.a == doppel.Span(**w["a"]) and p.b == doppel.Span(**w["b"])


def test_compare_takes_the_cli_settings(cli):
    want = json.loads(
        cli("compare", S000, S001, "--format", "json", "--min-passage-words", "300",
            "--no-stem", "--seed-threshold", "0.4").stdout
    )["pairs"][0]
    pair = doppel.compare(read_text(ROOT / S000), read_text(ROOT / S001), ids=(S000, S001),
                          min_passage_words=300, no_stem=True, seed_threshold=0.4)
    assert pair.to_dict() == want
    default = doppel.compare(read_text(ROOT / S000), read_text(ROOT / S001))
    assert default.to_dict()["passages"] != want["passages"]


def test_scan_of_the_seeds_is_byte_identical(cli, seeds):
    want = cli("scan", "seeds/", "--format", "json").stdout
    report = doppel.scan(seeds)
    assert report.to_json().encode() == want
    assert report.to_dict() == json.loads(want)
    assert [p.to_dict() for p in report.pairs] == json.loads(want)["pairs"]
    assert report.flagged == sum(p.flagged for p in report.pairs) >= 1
    # An iterable of pairs is the same corpus.
    assert doppel.scan(list(seeds.items())).to_json() == report.to_json()


@pytest.mark.parametrize(
    "flags,settings",
    [
        (["--all"], {"all": True}),
        (["--all", "--num-perm", "64", "--shingle-size", "3", "--lsh-threshold", "0.3"],
         {"all": True, "num_perm": 64, "shingle_size": 3, "lsh_threshold": 0.3}),
        (["--char-shingles", "--shingle-size", "7", "--keep-stop-words", "--top-k", "2",
          "--cosine-threshold", "0.1"],
         {"char_shingles": True, "shingle_size": 7, "keep_stop_words": True, "top_k": 2,
          "cosine_threshold": 0.1}),
        (["--min-copy-words", "0", "--duplicate", "0.95", "--near-duplicate", "0.2",
          "--min-passage-words", "40"],
         {"min_copy_words": 0, "duplicate": 0.95, "near_duplicate": 0.2,
          "min_passage_words": 40}),
    ],
)
def test_scan_takes_the_cli_flags_as_keywords(cli, seeds, flags, settings):
    want = cli("scan", "seeds/", "--format", "json", *flags).stdout
    assert doppel.scan(seeds, **settings).to_json().encode() == want


def test_scan_of_a_generated_corpus_is_byte_identical(cli, generated):
    path, docs, _ = generated
    want = cli("scan", path, "--jsonl", "--format", "json").stdout
    report = doppel.scan(docs, threads=2)
    assert report.to_json().encode() == want
    assert len(report.documents) == 1000 and report.flagged > 50
    # The thread count changes nothing.
    assert doppel.scan(docs, threads=1).to_json() == report.to_json()


def test_scan_finds_the_planted_pairs(generated):
    _, docs, planted = generated
    found = {frozenset((p.a, p.b)) for p in doppel.scan(docs).pairs}
    copies = [t for t in planted if t["jaccard"] >= 0.5]
    assert copies
    assert all(frozenset((t["a"], t["b"])) in found for t in copies)


def test_the_readme_quick_start_runs(tmp_path):
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("\n## Python\n"):]
    code = section[section.index("```python\n") + 10:]
    code = code[: code.index("```")]
    (tmp_path / "seeds").symlink_to(SEEDS)
    p = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("derivative {'a': 0.838")
    assert json.loads((tmp_path / "report.json").read_text())["pairs"][0]["verdict"] == "derivative"


def test_empty_corpora_and_documents_are_reported_as_the_cli_does(cli, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    assert doppel.scan({}).to_json().encode() == cli("scan", empty, "--format", "json").stdout
    some = tmp_path / "some"
    some.mkdir()
    docs = {"a.txt": "", "b.txt": "Hello there world. This is short.", "c.txt": "   \n\n "}
    for name, text in docs.items():
        (some / name).write_text(text)
    want = cli("scan", some, "--format", "json", "--all").stdout
    assert doppel.scan(docs, all=True).to_json().encode() == want
    assert doppel.compare("", "").verdict == "unrelated"
    assert doppel.MinHasher(num_perm=16).sign([]).shape == (0, 16)


# Flags of `scan` about reading files, writing reports or the streamed
# mode: nothing for documents already in memory.
NOT_SETTINGS = {
    "align", "color", "encoding", "exclude", "format", "glob", "help", "id-field",
    "id-prefix", "jsonl", "max-doc-bytes", "max-html-pairs", "minhash-only", "output",
    "quiet", "stats", "strict", "text-field",
}


def test_every_setting_of_scan_is_a_keyword_with_the_cli_default(cli, seeds):
    import re

    help_text = cli("scan", "--help", ok=(0,)).stdout.decode()
    flags = set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]+)", help_text)) - NOT_SETTINGS
    assert {"num-perm", "min-passage-words", "no-stem", "all", "threads"} <= flags
    want = cli("scan", "seeds/", "--format", "json").stdout
    for flag in sorted(flags - {"all", "threads"}):
        name = flag.replace("-", "_")
        assert name in doppel.DEFAULTS, flag
        # The default given explicitly changes nothing.
        report = doppel.scan(seeds, **{name: doppel.DEFAULTS[name]})
        assert report.to_json().encode() == want, flag
    assert set(doppel.DEFAULTS) == {f.replace("-", "_") for f in flags - {"all", "threads"}}
