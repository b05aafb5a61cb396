"""Bad arguments raise TypeError or ValueError naming them; the engine's
and the index's errors raise doppel.DoppelError subclasses naming the
input; nothing panics."""

import doppel
import pytest

A = "The committee approved the budget on Monday after a long debate. " * 5
B = "On Monday the budget was approved by the committee after long debate. " * 5


def test_an_unknown_keyword_is_a_type_error_naming_it():
    with pytest.raises(TypeError, match="nun_perm"):
        doppel.compare(A, B, nun_perm=64)
    with pytest.raises(TypeError, match="'all'"):
        doppel.compare(A, B, all=True)  # scan's, not compare's
    with pytest.raises(TypeError, match="lsh_threshold"):
        doppel.MinHasher(**{"lsh_threshold": 0.5})


@pytest.mark.parametrize(
    "settings,error,name",
    [
        ({"num_perm": "64"}, TypeError, "num_perm"),
        ({"num_perm": 64.0}, TypeError, "num_perm"),
        ({"num_perm": True}, TypeError, "num_perm"),
        ({"no_stem": 1}, TypeError, "no_stem"),
        ({"seed_threshold": "0.3"}, TypeError, "seed_threshold"),
        ({"num_perm": -1}, ValueError, "num_perm"),
        ({"top_k": 2**80}, ValueError, "top_k"),
        ({"lsh_threshold": float("nan")}, ValueError, "lsh_threshold"),
        ({"lsh_threshold": 1.5}, doppel.InvalidSetting, "lsh_threshold"),
        ({"min_passage_words": 0}, doppel.InvalidSetting, "min_passage_words"),
        ({"num_perm": 0}, doppel.InvalidSetting, "num_perm"),
        ({"min_copy_words": 3}, doppel.InvalidSetting, "min_copy_words"),
        ({"duplicate": 0.3, "near_duplicate": 0.6}, doppel.InvalidSetting, "near_duplicate"),
    ],
)
def test_a_bad_setting_is_refused_by_its_keyword(settings, error, name):
    for call in (lambda: doppel.compare(A, B, **settings), lambda: doppel.scan({"a": A}, **settings)):
        with pytest.raises(error, match=name) as e:
            call()
        assert "`" not in str(e.value)
    if error is doppel.InvalidSetting:
        assert issubclass(error, ValueError) and issubclass(error, doppel.DoppelError)


def test_bad_documents_are_refused_by_position_or_id():
    with pytest.raises(TypeError, match="mapping of id to text"):
        doppel.scan("not a corpus")
    with pytest.raises(TypeError, match="document 1 is not an"):
        doppel.scan([("a", A), "b"])
    with pytest.raises(TypeError, match="document 0: its id must be a str"):
        doppel.scan([(1, A)])
    with pytest.raises(TypeError, match="'b': its text must be a str"):
        doppel.scan({"a": A, "b": b"bytes"})
    with pytest.raises(doppel.DocumentError, match="two documents have the id 'a'"):
        doppel.scan([("a", A), ("a", B)])
    with pytest.raises(TypeError, match="b must be a str"):
        doppel.compare(A, None)
    with pytest.raises(doppel.DocumentError, match="'bad'.*surrogate|bad: not valid Unicode"):
        doppel.scan({"good": A, "bad": "text \ud800 with a lone surrogate"})
    with pytest.raises(TypeError, match="texts must be an iterable of str"):
        doppel.MinHasher().sign("one text, not a list")
    with pytest.raises(TypeError, match="text 1 must be a str"):
        doppel.MinHasher().sign([A, 3])


def test_bad_signatures_are_refused():
    sig = doppel.MinHasher().sign([A])[0]
    with pytest.raises(ValueError, match="sig_b"):
        doppel.jaccard(sig, [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="signatures of 128 and 64"):
        doppel.jaccard(sig, sig[:64])
    with pytest.raises(TypeError, match="integers"):
        doppel.jaccard(sig, ["a"] * 128)
    with pytest.raises(doppel.InvalidSetting, match="threshold"):
        doppel.LSH(threshold=0)
    with pytest.raises(TypeError, match="threshold"):
        doppel.LSH(threshold="high")
    with pytest.raises(TypeError, match="weights"):
        doppel.LSH(weights=(1,))


def test_index_errors_name_the_file(tmp_path):
    missing = tmp_path / "nowhere.db"
    with pytest.raises(doppel.IndexFileError, match="nowhere.db: no index here") as e:
        doppel.Index(missing)
    assert e.value.path == str(missing) and isinstance(e.value, doppel.DoppelError)
    junk = tmp_path / "junk.db"
    junk.write_text("not a database at all " * 100)
    with pytest.raises(doppel.IndexFileError, match="junk.db: not a doppel index"):
        doppel.Index(junk)
    with pytest.raises(doppel.IndexFileError, match="a directory"):
        doppel.Index(tmp_path)
    db = tmp_path / "a.db"
    with doppel.Index(db, create=True) as index:
        index.add({"a": A})
        with pytest.raises(doppel.DocumentError, match='id "a".*already in the index'):
            index.add({"a": B})
        with pytest.raises(doppel.DocumentError, match='no document with id "zzz"'):
            index.remove(["zzz"])
        with pytest.raises(ValueError, match="mode"):
            index.check({"b": B}, mode="fast")
        with pytest.raises(TypeError, match="nun_perm"):
            index.check({"b": B}, nun_perm=3)
    with pytest.raises(doppel.IndexFileError, match="closed"):
        index.check({"b": B})
    with pytest.raises(doppel.IndexFileError, match="already exists"):
        doppel.Index(db, create=True)
    with pytest.raises(doppel.ParameterMismatch, match="num_perm|--num-perm 64") as e:
        doppel.Index(db, num_perm=64)
    assert "a.db" in str(e.value)
    with doppel.Index(db, create=True, force=True, num_perm=64) as index:
        assert len(index) == 0 and index.stats()["params"]["num_perm"] == 64
    with pytest.raises(doppel.InvalidSetting, match="num_perm"):
        doppel.Index(tmp_path / "b.db", create=True, num_perm=0)
    with pytest.raises(TypeError, match="create must be True or False"):
        doppel.Index(db, create="yes")
