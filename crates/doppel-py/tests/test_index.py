"""Index: the SQLite files of `doppel index`, checked as `doppel check`
checks them, grown and pruned where the command line sees it."""

import json
import shutil

import doppel
import pytest

from conftest import SEEDS, read_text

NEW = "seeds/001_8e21ef8ac6e0b3df.txt"


@pytest.fixture
def archive(tmp_path, cli):
    """An index the command line builds of the seeds but 001."""
    src = tmp_path / "archive"
    src.mkdir()
    for p in sorted(SEEDS.iterdir()):
        if not p.name.startswith("001"):
            shutil.copy(p, src / p.name)
    db = tmp_path / "archive.db"
    cli("index", "build", src, "--index", db, "--quiet", ok=(0,))
    return db, src


def cli_check(cli, db, *paths, flags=()):
    out = cli("check", "--index", db, *paths, "--format", "jsonl", "--quiet", *flags).stdout
    return [json.loads(line) for line in out.decode().splitlines()]


def test_check_is_the_cli_check(cli, archive, seeds):
    db, _ = archive
    with doppel.Index(db) as index:
        got = index.check({NEW: seeds["001_8e21ef8ac6e0b3df.txt"]})
    want = cli_check(cli, db, NEW)
    assert [c.to_dict() for c in got] == want
    assert got[0].flagged == 1 and got[0].pairs[0].verdict == "derivative"
    assert got[0].pairs[0].a == "000_51955296cd91fa83.txt" and got[0].id == NEW


def test_check_takes_the_cli_flags_as_keywords(cli, archive, seeds, tmp_path):
    db, src = archive
    new = tmp_path / "new"
    new.mkdir()
    for name in ("001_8e21ef8ac6e0b3df.txt", "000_51955296cd91fa83.txt"):
        (new / name).write_bytes((SEEDS / name).read_bytes())
    docs = {name: seeds[name] for name in sorted(p.name for p in new.iterdir())}
    want = cli_check(cli, db, new, flags=["--all", "--within", "--min-passage-words", "30",
                                         "--mode", "near-duplicate", "--top-k", "3"])
    with doppel.Index(db) as index:
        got = index.check(docs, all=True, within=True, min_passage_words=30,
                          mode="near-duplicate", top_k=3)
    assert [c.to_dict() for c in got] == want


def test_add_remove_and_stats_are_seen_by_the_cli(cli, archive, seeds):
    db, _ = archive
    index = doppel.Index(db)
    assert len(index) == 4
    assert index.stats() == json.loads(cli("index", "stats", "--index", db, "--json").stdout)
    assert index.add({"extra/001.txt": seeds["001_8e21ef8ac6e0b3df.txt"]}) == 1
    listed = [json.loads(line) for line in
              cli("index", "list", "--index", db, "--json").stdout.decode().splitlines()]
    assert "extra/001.txt" in [d["id"] for d in listed]
    assert index.list() == listed
    # The command line now finds the added copy of 001 as a duplicate.
    line = cli_check(cli, db, NEW)[0]
    assert {p["a"]: p["verdict"] for p in line["pairs"]}["extra/001.txt"] == "duplicate"
    assert [c.to_dict() for c in index.check({NEW: seeds["001_8e21ef8ac6e0b3df.txt"]})] == [line]
    assert index.remove(["extra/001.txt"]) == 1
    listed = [json.loads(line) for line in
              cli("index", "list", "--index", db, "--json").stdout.decode().splitlines()]
    assert "extra/001.txt" not in [d["id"] for d in listed] and len(listed) == 4
    assert "extra/001.txt" not in [p["a"] for p in cli_check(cli, db, NEW)[0]["pairs"]]
    assert index.stats() == json.loads(cli("index", "stats", "--index", db, "--json").stdout)
    index.close()
    assert index.closed


def test_an_index_made_from_python_answers_as_the_cli_one(cli, archive, seeds, tmp_path):
    db, src = archive
    mine = tmp_path / "mine.db"
    docs = {p.name: read_text(p) for p in sorted(src.iterdir())}
    with doppel.Index(mine, create=True) as index:
        assert index.add(docs) == 4
    assert cli_check(cli, mine, NEW) == cli_check(cli, db, NEW)
    stats = json.loads(cli("index", "stats", "--index", mine, "--json").stdout)
    assert stats["documents"] == 4
    assert stats["params"] == json.loads(cli("index", "stats", "--index", db, "--json").stdout)["params"]
    # Parameters at creation are the command line's flags.
    other = tmp_path / "other.db"
    with doppel.Index(other, create=True, num_perm=64, char_shingles=True, shingle_size=6) as index:
        p = index.stats()["params"]
    assert p["num_perm"] == 64 and p["shingle"] == {"kind": "chars", "size": 6}


def test_every_setting_of_check_is_a_keyword(cli, archive, seeds):
    import re

    from test_reports import NOT_SETTINGS

    help_text = cli("check", "--help", ok=(0,)).stdout.decode()
    flags = set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]+)", help_text))
    flags -= NOT_SETTINGS | {"index", "mode", "all", "within", "threads"}
    assert {"num-perm", "cosine-threshold", "min-passage-words"} <= flags
    db, _ = archive
    docs = {NEW: seeds["001_8e21ef8ac6e0b3df.txt"]}
    want = cli_check(cli, db, NEW)
    with doppel.Index(db) as index:
        for flag in sorted(flags):
            name = flag.replace("-", "_")
            # The default given (the index's own parameter, for those the
            # index fixes) changes nothing.
            got = index.check(docs, **{name: doppel.DEFAULTS[name]})
            assert [c.to_dict() for c in got] == want, flag


def test_sentence_bands_stored_from_python_serve_the_cli(cli, archive, seeds):
    db, _ = archive
    docs = {NEW: seeds["001_8e21ef8ac6e0b3df.txt"]}
    with doppel.Index(db) as index:
        assert index.stats()["sentence_bands"] is False
        with pytest.raises(doppel.IndexFileError, match="sentence band keys") as e:
            index.check(docs, rewrite_candidates=True)
        assert str(db) in str(e.value)
        index.store_sentence_bands()
        assert index.stats()["sentence_bands"] is True
        got = index.check(docs, rewrite_candidates=True)
    want = cli_check(cli, db, NEW, flags=["--rewrite-candidates"])
    assert [c.to_dict() for c in got] == want
    assert got[0].pairs[0].a == "000_51955296cd91fa83.txt"
