"""MinHasher signs as the command line does (the signatures `doppel index
build` stores), jaccard estimates as `scan --minhash-only` reports, and LSH
finds what the command line's banding finds."""

import json
import sqlite3
import threading
import time

import doppel
import numpy as np
import pytest


def stored_signatures(cli, tmp_path, *inputs, flags=()):
    """id → (text, signature) of an index the command line builds."""
    db = tmp_path / "sigs.db"
    cli("index", "build", *inputs, "--index", db, "--quiet", *flags, ok=(0,))
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT id, text, signature FROM documents ORDER BY doc").fetchall()
    return {i: (t, np.frombuffer(s, dtype="<u8")) for i, t, s in rows}


@pytest.mark.parametrize(
    "flags,settings",
    [
        ([], {}),
        (["--num-perm", "64", "--shingle-size", "3"], {"num_perm": 64, "shingle_size": 3}),
        (["--char-shingles", "--shingle-size", "4", "--num-perm", "200"],
         {"char_shingles": True, "shingle_size": 4, "num_perm": 200}),
    ],
)
def test_signatures_are_the_ones_the_cli_stores(cli, tmp_path, flags, settings):
    stored = stored_signatures(cli, tmp_path, "seeds/", flags=flags)
    texts = [t for t, _ in stored.values()]
    sigs = doppel.MinHasher(**settings).sign(texts)
    assert sigs.dtype == np.uint64 and sigs.shape == (len(texts), settings.get("num_perm", 128))
    assert np.array_equal(sigs, np.stack([s for _, s in stored.values()]))


HOSTILE = {
    "hyphen.txt": "A strate-\ngic plan, and a well-\n  known one: strate-\nGic is two words.",
    "invisible.txt": "pay\u200bpal ac\u00adcount pay\u200cment\u2060s and \ufeffmore words here",
    "lookalike.txt": "\u0440\u0430\u0443\u0440\u0430l account \u0441\u043e\u0440\u0443 of the \u0445 text",
    "accents.txt": "cafe\u0301 na\u00efve r\u00e9sum\u00e9 fa\u00e7ade \u00c5ngstr\u00f6m co\u00f6perate",
    "cjk.txt": "\u4e2d\u6587\u6587\u672c\u7684\u4f8b\u5b50\uff0c\u8fd9\u662f\u4e00\u4e2a\u6d4b\u8bd5\u3002\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3067\u3059\u3002",
    "emoji.txt": "\U0001f600\U0001f600\U0001f389\U0001f389 \u2728 \u2728",
    "punct.txt": "... --- !!! ??? ***",
    "short.txt": "one two",
    "ligature.txt": "\ufb01nance \u201cquoted\u201d \u2014 dash don't won\u2019t \uff21\uff22\uff23",
    "crlf.txt": "line one here\r\nline two there\r\n\tTabbed line three\r\n",
    "korean.txt": "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8 \uc785\ub2c8\ub2e4 \uadf8\ub9ac\uace0 \ub354",
    "numbers.txt": "In 2024, 3.5% of U.S. sales (1,234,567 units) were e-mail orders; Mr. Smith et al. agreed.",
}


@pytest.mark.parametrize(
    "flags,settings",
    [
        ([], {}),
        (["--shingle-size", "1"], {"shingle_size": 1}),
        (["--shingle-size", "3", "--num-perm", "32"], {"shingle_size": 3, "num_perm": 32}),
        (["--char-shingles", "--shingle-size", "3"], {"char_shingles": True, "shingle_size": 3}),
    ],
)
def test_signatures_of_hostile_texts_are_the_cli_ones(cli, tmp_path, flags, settings):
    src = tmp_path / "hostile"
    src.mkdir()
    for name, text in HOSTILE.items():
        (src / name).write_bytes(text.encode("utf-8"))
    stored = stored_signatures(cli, tmp_path, src, flags=flags)
    assert set(stored) == set(HOSTILE)
    # The index stores each text as read: exactly the text written.
    assert all(stored[n][0] == HOSTILE[n] for n in HOSTILE)
    names = sorted(HOSTILE)
    sigs = doppel.MinHasher(**settings).sign([HOSTILE[n] for n in names])
    for n, sig in zip(names, sigs):
        assert np.array_equal(sig, stored[n][1]), n


def test_signatures_of_a_generated_corpus_are_the_cli_ones(cli, tmp_path, generated):
    path, docs, _ = generated
    stored = stored_signatures(cli, tmp_path, path, flags=["--jsonl"])
    sigs = doppel.MinHasher().sign([t for _, t in docs])
    want = np.stack([stored[i][1] for i, _ in docs])
    assert np.array_equal(sigs, want)


def test_the_defaults_are_the_cli_defaults(cli):
    h = doppel.MinHasher()
    assert (h.num_perm, h.shingle_size, h.char_shingles) == (
        doppel.DEFAULTS["num_perm"], doppel.DEFAULTS["shingle_size"], False)
    # The defaults are those `scan` writes into a report's settings.
    settings = json.loads(cli("scan", "seeds/", "--format", "json").stdout)["settings"]
    d = doppel.DEFAULTS
    assert settings["num_perm"] == d["num_perm"]
    assert settings["shingle"] == {"kind": "words", "size": d["shingle_size"]}
    assert settings["lsh_threshold"] == d["lsh_threshold"]
    assert settings["top_k"] == d["top_k"] and settings["copy_words"] == d["min_copy_words"]
    assert settings["verdict"] == {"duplicate": d["duplicate"], "near_duplicate": d["near_duplicate"]}
    assert settings["align"]["min_passage_words"] == d["min_passage_words"]
    assert settings["stem"] is not d["no_stem"] and settings["stop_words"] is not d["keep_stop_words"]
    assert abs(settings["align"]["seed_threshold"] - d["seed_threshold"]) < 1e-6
    assert abs(settings["cosine_threshold"] - d["cosine_threshold"]) < 1e-6


def test_jaccard_is_the_estimate_minhash_mode_reports(cli, generated):
    path, docs, _ = generated
    report = json.loads(cli("scan", path, "--jsonl", "--minhash-only", "--all",
                            "--format", "json").stdout)
    assert len(report["pairs"]) > 20
    row = {i: n for n, (i, _) in enumerate(docs)}
    sigs = doppel.MinHasher().sign([t for _, t in docs])
    for p in report["pairs"]:
        est = doppel.jaccard(sigs[row[p["a"]]], sigs[row[p["b"]]])
        assert est == p["scores"]["jaccard_est"], p
    assert doppel.jaccard(sigs[0], sigs[0]) == 1.0
    empty = doppel.MinHasher().sign([""])[0]
    assert (empty == np.iinfo(np.uint64).max).all()
    assert doppel.jaccard(empty, empty) == 0.0


def test_lsh_candidates_are_the_cli_candidates(cli, generated):
    """With the default banding, the pairs LSH gives are exactly the
    candidates of `scan --minhash-only --all` (which reports every one)."""
    path, docs, planted = generated
    report = json.loads(cli("scan", path, "--jsonl", "--minhash-only", "--all",
                            "--format", "json").stdout)
    want = {frozenset((p["a"], p["b"])) for p in report["pairs"]}
    sigs = doppel.MinHasher().sign([t for _, t in docs])
    lsh = doppel.LSH(threshold=0.5, num_perm=128)
    for (i, _), s in zip(docs, sigs):
        lsh.insert(i, s)
    assert len(lsh) == len(docs)
    got = set()
    for (i, _), s in zip(docs, sigs):
        for j in lsh.query(s):
            if j != i:
                got.add(frozenset((i, j)))
    assert got == want
    # Every planted copy above 0.6 is a candidate.
    close = [t for t in planted if t["jaccard"] >= 0.6]
    assert close and all(frozenset((t["a"], t["b"])) in got for t in close)


def test_band_keys_and_exact_jaccard_give_minhash_modes_candidates_and_scores(cli, generated):
    """The pairs sharing a key of `MinHasher.band_keys` are the candidates
    of `scan --minhash-only --all`, each scored by `exact_jaccard` as the
    command line verifies it; the keys are `LSH`'s, an empty text has
    none."""
    path, docs, _ = generated
    report = json.loads(cli("scan", path, "--jsonl", "--minhash-only", "--all",
                            "--format", "json").stdout)
    hasher, lsh = doppel.MinHasher(), doppel.LSH(threshold=0.5)
    texts = [t for _, t in docs] + ["", "   "]
    keys, keyed = hasher.band_keys(texts, lsh)
    assert keys.shape == (len(texts), lsh.bands) and keys.dtype == np.uint64
    assert keyed[: len(docs)].all() and not keyed[len(docs):].any()
    assert (keys[len(docs):] == 0).all()
    sigs = hasher.sign(texts[:50])
    for row, s in zip(keys, sigs):
        assert list(row) == lsh._t.band_keys(doppel._signature(s, "sig"))
    buckets = {}
    for n, row in enumerate(keys[: len(docs)]):
        for k in row:
            buckets.setdefault(int(k), set()).add(n)
    got = {(a, b) for b_ in buckets.values() for a in b_ for b in b_ if a < b}
    row_of = {i: n for n, (i, _) in enumerate(docs)}
    want = {tuple(sorted((row_of[p["a"]], row_of[p["b"]]))): p for p in report["pairs"]}
    assert got == set(want)
    pairs = sorted(want)
    scores = hasher.exact_jaccard([texts[a] for a, _ in pairs], [texts[b] for _, b in pairs])
    assert scores.dtype == np.float64
    assert list(scores) == [want[p]["scores"]["jaccard"] for p in pairs]
    with pytest.raises(ValueError, match="as many"):
        hasher.exact_jaccard(["a"], [])
    with pytest.raises(ValueError, match="num_perm"):
        doppel.MinHasher(num_perm=64).band_keys(["a"], lsh)


def test_lsh_insert_query_remove():
    texts = {
        "x": "the cat sat on the mat and looked out of the window at the rain " * 4,
        "x2": "the cat sat on the mat and looked out of the window at the rain " * 4 + "end",
        "y": "quarterly revenue rose sharply as the company sold more phones abroad " * 4,
    }
    h = doppel.MinHasher()
    sigs = dict(zip(texts, h.sign(list(texts.values()))))
    lsh = doppel.LSH()
    for k in ("x", "y"):
        lsh.insert(k, sigs[k])
    assert lsh.query(sigs["x2"]) == ["x"]
    assert lsh.query(sigs["y"]) == ["y"]
    assert "x" in lsh and len(lsh) == 2
    with pytest.raises(ValueError, match="already"):
        lsh.insert("x", sigs["x"])
    lsh.remove("x")
    assert lsh.query(sigs["x2"]) == [] and "x" not in lsh and len(lsh) == 1
    with pytest.raises(ValueError, match="not in the LSH"):
        lsh.remove("x")
    lsh.insert(("tuple", 1), sigs["x"])
    assert lsh.query(sigs["x2"]) == [("tuple", 1)]
    with pytest.raises(ValueError, match="num_perm"):
        lsh.query(sigs["x"][:64])
    # Weights choose another banding: equal weights are scan's.
    assert (doppel.LSH(weights=(0.5, 0.5)).bands, doppel.LSH().bands) != (None, None)
    assert doppel.LSH(weights=(0.5, 0.5)).rows * doppel.LSH(weights=(0.5, 0.5)).bands <= 128


def test_signing_releases_the_gil():
    texts = [f"document {n} " + "words of a long enough text to take a while " * 400
             for n in range(3000)]
    h = doppel.MinHasher()
    spins = []
    done = threading.Event()

    def sign():
        h.sign(texts, threads=1)
        done.set()

    t = threading.Thread(target=sign)
    start = time.perf_counter()
    t.start()
    while not done.is_set():
        spins.append(time.perf_counter())
    t.join()
    elapsed = time.perf_counter() - start
    # The main thread ran all along: had the GIL been held, it would have
    # waited for the whole signing.
    assert elapsed > 0.05, elapsed
    assert len(spins) > 1000, (len(spins), elapsed)
