"""doppel from Python: duplicated and paraphrased text across documents,
and exactly which passages correspond.

The same engine as the ``doppel`` command line, called in process (the
native module ``doppel._doppel``): a report made here is byte for byte the
one ``doppel scan --format json`` writes for the same documents and
settings.

>>> import doppel
>>> pair = doppel.compare(text_a, text_b)            # doctest: +SKIP
>>> pair.verdict, pair.coverage                      # doctest: +SKIP
('derivative', {'a': 0.838, 'b': 0.955})
>>> report = doppel.scan({"a.txt": text_a, "b.txt": text_b, "c.txt": text_c})  # doctest: +SKIP
>>> sigs = doppel.MinHasher(num_perm=128).sign([text_a, text_b])  # doctest: +SKIP
>>> doppel.jaccard(sigs[0], sigs[1])                 # doctest: +SKIP

Settings are keyword arguments named as the command line's flags, with
underscores (``--min-passage-words 40`` is ``min_passage_words=40``); their
defaults are the command line's, :data:`DEFAULTS`. A keyword a call does not
take raises :class:`TypeError`, a value of the wrong type :class:`TypeError`
and one out of range :class:`InvalidSetting` (a :class:`ValueError`), each
naming the keyword. Long calls release the GIL and run on all cores
(``threads=N`` where a call takes it).
"""

from __future__ import annotations

import copy
import json
import os
import types
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Optional, Union

import numpy as np

from . import _doppel
from ._errors import (
    DocumentError,
    DoppelError,
    IndexFileError,
    InvalidSetting,
    ParameterMismatch,
)

__all__ = [
    "DEFAULTS",
    "Checked",
    "DocumentError",
    "DoppelError",
    "Index",
    "IndexFileError",
    "InvalidSetting",
    "LSH",
    "MinHasher",
    "Pair",
    "ParameterMismatch",
    "Passage",
    "Report",
    "Span",
    "compare",
    "jaccard",
    "scan",
]

__version__: str = _doppel.__version__

#: The settings' defaults, by keyword: those of the command line, read from
#: the engine (``doppel::config::Config::default()``).
DEFAULTS: Mapping[str, Any] = types.MappingProxyType(_doppel.defaults())

Documents = Union[Mapping[str, str], Iterable["tuple[str, str]"]]


@dataclass(frozen=True)
class Span:
    """Where one side of a passage lies in its document, and its text.

    Offsets are 0-based and ends exclusive; ``byte_*`` count UTF-8 bytes,
    ``char_*`` Unicode code points (so ``text == doc[char_start:char_end]``
    for the Python string); lines are 1-based, ``line_end`` the line of
    the last character.
    """

    byte_start: int
    byte_end: int
    char_start: int
    char_end: int
    line_start: int
    line_end: int
    text: str

    @classmethod
    def _of(cls, d: Mapping[str, Any]) -> "Span":
        return cls(**d)


@dataclass(frozen=True)
class Passage:
    """A span of A and the span of B that corresponds to it.

    ``score`` is in [0, 1] (1 for a verbatim copy); ``kind`` is
    ``"verbatim"``, ``"near-verbatim"`` or ``"paraphrase"``.
    """

    a: Span
    b: Span
    score: float
    kind: str

    @classmethod
    def _of(cls, d: Mapping[str, Any]) -> "Passage":
        return cls(Span._of(d["a"]), Span._of(d["b"]), d["score"], d["kind"])


class Pair:
    """Two documents compared: verdict, scores, coverage, passages.

    ``verdict`` is ``"duplicate"``, ``"near-duplicate"``, ``"derivative"``
    or ``"unrelated"``; ``scores`` holds ``jaccard_est``, ``jaccard``,
    ``containment_a``, ``containment_b`` and ``cosine``; ``coverage`` the
    share of each document's sentence text inside passages (``{"a": …,
    "b": …}``, or None where nothing was aligned); ``passages`` are in the
    order of B. :meth:`to_dict` is the pair object of the JSON report.
    """

    __slots__ = ("_d", "passages")

    def __init__(self, d: Mapping[str, Any]):
        self._d = d
        self.passages: list[Passage] = [Passage._of(p) for p in d["passages"]]

    @property
    def a(self) -> str:
        """Id of document A."""
        return self._d["a"]

    @property
    def b(self) -> str:
        """Id of document B."""
        return self._d["b"]

    @property
    def verdict(self) -> str:
        """``duplicate``, ``near-duplicate``, ``derivative`` or ``unrelated``."""
        return self._d["verdict"]

    @property
    def scores(self) -> dict[str, Optional[float]]:
        """``jaccard_est``, ``jaccard``, ``containment_a``, ``containment_b``, ``cosine``."""
        return dict(self._d["scores"])

    @property
    def coverage(self) -> Optional[dict[str, float]]:
        """Share of A and of B inside passages (None where not aligned)."""
        c = self._d["coverage"]
        return None if c is None else dict(c)

    @property
    def flagged(self) -> bool:
        """Whether the verdict is anything but ``unrelated``."""
        return self.verdict != "unrelated"

    def to_dict(self) -> dict[str, Any]:
        """The pair object of the JSON report (``doppel compare --format json``)."""
        return copy.deepcopy(self._d)

    def __repr__(self) -> str:
        return (
            f"Pair(a={self.a!r}, b={self.b!r}, verdict={self.verdict!r}, "
            f"passages={len(self.passages)})"
        )


class Report:
    """A scan's report: every document, and the pairs found among them.

    :meth:`to_json` is byte for byte what ``doppel scan --format json``
    prints; ``pairs`` are flagged first (then by coverage, cosine, ids).
    """

    __slots__ = ("_json", "_d", "_pairs")

    def __init__(self, text: str):
        self._json = text
        self._d: dict[str, Any] = json.loads(text)
        self._pairs: Optional[list[Pair]] = None

    @property
    def pairs(self) -> list[Pair]:
        """The reported pairs."""
        if self._pairs is None:
            self._pairs = [Pair(p) for p in self._d["pairs"]]
        return self._pairs

    @property
    def documents(self) -> list[dict[str, Any]]:
        """Every document: id, bytes, chars, words, sentences (and disguise)."""
        return copy.deepcopy(self._d["documents"])

    @property
    def settings(self) -> dict[str, Any]:
        """Every setting of the run, as the engine names them."""
        return copy.deepcopy(self._d["settings"])

    @property
    def flagged(self) -> int:
        """Number of flagged pairs."""
        return sum(p["verdict"] != "unrelated" for p in self._d["pairs"])

    def to_json(self) -> str:
        """The JSON report, as ``doppel scan --format json`` prints it."""
        return self._json

    def to_dict(self) -> dict[str, Any]:
        """The JSON report as Python objects."""
        return copy.deepcopy(self._d)

    def __repr__(self) -> str:
        return (
            f"Report(documents={len(self._d['documents'])}, "
            f"pairs={len(self._d['pairs'])}, flagged={self.flagged})"
        )


def _documents(docs: Any, call: str) -> tuple[list[str], list[str]]:
    """Ids and texts of a mapping id → text or an iterable of (id, text)."""
    if isinstance(docs, (str, bytes)) or not isinstance(docs, (Mapping, Iterable)):
        raise TypeError(
            f"{call}(): docs must be a mapping of id to text or an iterable of "
            f"(id, text) pairs, not {type(docs).__name__}"
        )
    items = docs.items() if isinstance(docs, Mapping) else docs
    ids: list[str] = []
    texts: list[str] = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        try:
            doc_id, text = item
        except (TypeError, ValueError):
            raise TypeError(
                f"{call}(): document {n} is not an (id, text) pair"
            ) from None
        if not isinstance(doc_id, str):
            raise TypeError(
                f"{call}(): document {n}: its id must be a str, not {type(doc_id).__name__}"
            )
        if not isinstance(text, str):
            raise TypeError(
                f"{call}(): document {doc_id!r}: its text must be a str, "
                f"not {type(text).__name__}"
            )
        if doc_id in seen:
            raise DocumentError(f"{call}(): two documents have the id {doc_id!r}")
        seen.add(doc_id)
        ids.append(doc_id)
        texts.append(text)
    return ids, texts


def _texts(texts: Any, call: str) -> list[str]:
    """A list of texts, each a str."""
    if isinstance(texts, (str, bytes)) or not isinstance(texts, Iterable):
        raise TypeError(
            f"{call}(): texts must be an iterable of str, not {type(texts).__name__}"
        )
    out = list(texts)
    for n, t in enumerate(out):
        if not isinstance(t, str):
            raise TypeError(f"{call}(): text {n} must be a str, not {type(t).__name__}")
    return out


def _native(call: str, names: list[str], texts: list[str], f, *args, **kwargs):
    """``f(*args, **kwargs)``, a text that is not valid Unicode (a lone
    surrogate) reported by its document's name."""
    try:
        return f(*args, **kwargs)
    except UnicodeEncodeError:
        for name, t in zip(names, texts):
            try:
                t.encode("utf-8")
            except UnicodeEncodeError as e:
                raise DocumentError(
                    f"{call}(): {name}: not valid Unicode text "
                    f"(lone surrogate at character {e.start})"
                ) from None
        raise


def compare(a: str, b: str, *, ids: tuple[str, str] = ("a", "b"), **settings: Any) -> Pair:
    """Compare two texts in full and align them, whatever their scores.

    ``ids`` name the two documents in the result (``Pair.a``, ``Pair.b``).
    The pair is the one ``doppel compare A B --format json`` reports.
    Settings: the engine's (see the module's help and :data:`DEFAULTS`).
    """
    for name, t in (("a", a), ("b", b)):
        if not isinstance(t, str):
            raise TypeError(f"compare(): {name} must be a str, not {type(t).__name__}")
    if (
        not isinstance(ids, tuple)
        or len(ids) != 2
        or not all(isinstance(i, str) for i in ids)
    ):
        raise TypeError("compare(): ids must be a tuple of two str")
    text = _native(
        "compare", ["a", "b"], [a, b], _doppel.compare, a, b, ids[0], ids[1], **settings
    )
    return Pair(json.loads(text))


def scan(docs: Documents, **settings: Any) -> Report:
    """Every overlapping pair of a corpus, found, scored and aligned.

    ``docs`` is a mapping id → text or an iterable of ``(id, text)``; ids
    must be distinct. Documents keep their order (the command line reads a
    directory in sorted order). ``all=True`` also reports the candidate
    pairs judged unrelated; ``threads=N`` runs on N threads (0: one per
    core). The report is the one ``doppel scan --format json`` writes.
    """
    ids, texts = _documents(docs, "scan")
    return Report(_native("scan", ids, texts, _doppel.scan, ids, texts, **settings))


def _signature(sig: Any, name: str, num_perm: Optional[int] = None) -> bytes:
    """A signature as little-endian u64 bytes."""
    try:
        arr = np.asarray(sig)
        if arr.dtype.kind not in "ui":
            raise TypeError(f"{name} must hold integers, not {arr.dtype}")
        if arr.dtype.kind == "i" and arr.size and arr.min() < 0:
            raise ValueError(f"{name} holds negative values: not a signature")
        arr = np.ascontiguousarray(arr, dtype="<u8")
    except OverflowError:
        raise ValueError(f"{name}: values outside 0..2**64-1") from None
    if arr.ndim != 1:
        raise ValueError(f"{name} must be one signature (1-D), not of shape {arr.shape}")
    if num_perm is not None and arr.shape[0] != num_perm:
        raise ValueError(f"{name} has {arr.shape[0]} values, not num_perm={num_perm}")
    return arr.tobytes()


class MinHasher:
    """Signs texts as the command line does (``scan --minhash-only``,
    ``dedup``, the index): word n-gram shingles of the normalised words
    (or character n-grams with ``char_shingles=True``), one-permutation
    MinHash with optimal densification.

    ``MinHasher(num_perm=128, shingle_size=5, char_shingles=False)`` — the
    defaults are :data:`DEFAULTS`'. An empty or wordless text is signed by
    its characters; the signature of an empty set is all ``2**64 - 1``.
    """

    __slots__ = ("_h",)

    def __init__(
        self,
        num_perm: Optional[int] = None,
        shingle_size: Optional[int] = None,
        char_shingles: Optional[bool] = None,
    ):
        given = {
            k: v
            for k, v in (
                ("num_perm", num_perm),
                ("shingle_size", shingle_size),
                ("char_shingles", char_shingles),
            )
            if v is not None
        }
        self._h = _doppel.MinHasher(**given)

    @property
    def num_perm(self) -> int:
        """Values per signature."""
        return self._h.num_perm

    @property
    def shingle_size(self) -> int:
        """Words (characters) per shingle."""
        return self._h.shingle_size

    @property
    def char_shingles(self) -> bool:
        """Whether shingles are character n-grams."""
        return self._h.char_shingles

    def sign(self, texts: Iterable[str], *, threads: Optional[int] = None) -> np.ndarray:
        """The signatures of ``texts``: an array of ``len(texts)`` rows of
        ``num_perm`` ``uint64`` values, signed in parallel without the GIL."""
        texts = _texts(texts, "sign")
        names = [f"text {n}" for n in range(len(texts))]
        buf = _native("sign", names, texts, self._h.sign, texts, threads)
        arr = np.frombuffer(buf, dtype="<u8").reshape(len(texts), self.num_perm)
        return arr.astype(np.uint64, copy=False)

    def band_keys(
        self, texts: Iterable[str], lsh: "LSH", *, threads: Optional[int] = None
    ) -> "tuple[np.ndarray, np.ndarray]":
        """The LSH band keys of ``texts`` under ``lsh``'s bands, as ``dedup``
        keys them: an array of ``len(texts)`` rows of ``lsh.bands``
        ``uint64`` keys, and a boolean array saying which texts have keys
        (an empty shingle set has none, its row is zeros, and it is never a
        candidate). A key encodes its band: texts sharing a key are
        candidates, whatever band it is."""
        if not isinstance(lsh, LSH):
            raise TypeError(f"band_keys(): lsh must be an LSH, not {type(lsh).__name__}")
        texts = _texts(texts, "band_keys")
        names = [f"text {n}" for n in range(len(texts))]
        buf, keyed = _native("band_keys", names, texts, self._h.band_keys, texts, lsh._t, threads)
        keys = np.frombuffer(buf, dtype="<u8").reshape(len(texts), lsh.bands)
        return keys.astype(np.uint64, copy=False), np.array(keyed, dtype=bool)

    def exact_jaccard(
        self, texts_a: Iterable[str], texts_b: Iterable[str], *, threads: Optional[int] = None
    ) -> np.ndarray:
        """The exact Jaccard similarity of the shingle sets of
        ``texts_a[i]`` and ``texts_b[i]``, for each ``i`` (float64): the
        score by which ``dedup`` and ``scan --minhash-only`` verify a
        candidate pair."""
        a, b = _texts(texts_a, "exact_jaccard"), _texts(texts_b, "exact_jaccard")
        names = [f"text {n} of texts_a" for n in range(len(a))]
        names += [f"text {n} of texts_b" for n in range(len(b))]
        scores = _native("exact_jaccard", names, a + b, self._h.exact_jaccard, a, b, threads)
        return np.array(scores, dtype=np.float64)

    def __repr__(self) -> str:
        return (
            f"MinHasher(num_perm={self.num_perm}, shingle_size={self.shingle_size}, "
            f"char_shingles={self.char_shingles})"
        )


def jaccard(sig_a: Any, sig_b: Any) -> float:
    """Estimated Jaccard similarity of two signatures of one
    :class:`MinHasher`: the share of positions where they agree (0 when
    either is the signature of an empty set)."""
    return _doppel.jaccard(_signature(sig_a, "sig_a"), _signature(sig_b, "sig_b"))


class LSH:
    """Locality-sensitive hashing of MinHash signatures by bands, with the
    names datasketch users know: ``insert(key, sig)``, ``query(sig)``,
    ``remove(key)``.

    ``LSH(threshold=0.5, num_perm=128)`` bands signatures as ``dedup`` and
    ``scan --minhash-only`` do (tuned for recall: a missed pair weighs nine
    times a spurious candidate); ``weights=(fp, fn)`` chooses the bands by
    other weights of false positives and false negatives ((0.5, 0.5) is
    the banding of ``scan``'s candidates). Keys are any hashable objects.
    Candidates share at least one band; verify them (``jaccard``, or the
    exact measure of ``compare``).
    """

    __slots__ = ("_t", "_slot_of", "_key_of", "_next")

    def __init__(
        self,
        threshold: Optional[float] = None,
        num_perm: Optional[int] = None,
        weights: Optional[tuple[float, float]] = None,
    ):
        if weights is not None:
            ok = (
                isinstance(weights, (tuple, list))
                and len(weights) == 2
                and all(
                    isinstance(w, (int, float)) and not isinstance(w, bool) for w in weights
                )
            )
            if not ok:
                raise TypeError("weights must be a pair of numbers (false positives, false negatives)")
            weights = (float(weights[0]), float(weights[1]))
        self._t = _doppel.LshTable(threshold, num_perm, weights)
        self._slot_of: dict[Any, int] = {}
        self._key_of: dict[int, Any] = {}
        self._next = 0

    @property
    def threshold(self) -> float:
        """The Jaccard similarity the bands are tuned for."""
        return self._t.threshold

    @property
    def num_perm(self) -> int:
        """Values per signature."""
        return self._t.num_perm

    @property
    def bands(self) -> int:
        """Number of bands."""
        return self._t.bands

    @property
    def rows(self) -> int:
        """Signature values per band."""
        return self._t.rows

    def insert(self, key: Any, sig: Any) -> None:
        """File ``sig`` under ``key``; a key already there raises ValueError."""
        if key in self._slot_of:
            raise ValueError(f"insert(): the key {key!r} is already in the LSH")
        data = _signature(sig, "sig", self.num_perm)
        slot = self._next
        self._t.insert(slot, data)
        self._next += 1
        self._slot_of[key] = slot
        self._key_of[slot] = key

    def query(self, sig: Any) -> list[Any]:
        """The keys whose signatures share a band with ``sig``, in the
        order they were inserted."""
        return [self._key_of[s] for s in self._t.query(_signature(sig, "sig", self.num_perm))]

    def remove(self, key: Any) -> None:
        """Take ``key`` out; a key not there raises ValueError."""
        try:
            slot = self._slot_of.pop(key)
        except KeyError:
            raise ValueError(f"remove(): the key {key!r} is not in the LSH") from None
        del self._key_of[slot]
        self._t.remove(slot)

    def keys(self) -> list[Any]:
        """Every key, in the order inserted."""
        return list(self._slot_of)

    def __contains__(self, key: Any) -> bool:
        return key in self._slot_of

    def __len__(self) -> int:
        return len(self._slot_of)

    def __repr__(self) -> str:
        return (
            f"LSH(threshold={self.threshold}, num_perm={self.num_perm}, "
            f"bands={self.bands}, rows={self.rows}, keys={len(self)})"
        )


class Checked:
    """One new document checked against an index: the document, the
    reference documents it derives from and its pairs (reference as A, the
    new document as B). :meth:`to_dict` is its line of ``doppel check
    --format jsonl``."""

    __slots__ = ("_d", "pairs")

    def __init__(self, d: Mapping[str, Any]):
        self._d = d
        self.pairs: list[Pair] = [Pair(p) for p in d["pairs"]]

    @property
    def document(self) -> dict[str, Any]:
        """The new document: id, bytes, chars, words, sentences."""
        return copy.deepcopy(self._d["document"])

    @property
    def id(self) -> str:
        """The new document's id."""
        return self._d["document"]["id"]

    @property
    def flagged(self) -> int:
        """Number of flagged pairs."""
        return self._d["flagged"]

    @property
    def references(self) -> list[dict[str, Any]]:
        """The reference documents of its pairs."""
        return copy.deepcopy(self._d["references"])

    def to_dict(self) -> dict[str, Any]:
        """The line of ``doppel check --format jsonl`` for this document."""
        return copy.deepcopy(self._d)

    def __repr__(self) -> str:
        return f"Checked(id={self.id!r}, flagged={self.flagged}, pairs={len(self.pairs)})"


class Index:
    """A reference index: the SQLite file of ``doppel index`` and ``doppel
    check``, which both can use.

    ``Index(path)`` opens an existing index; ``Index(path, create=True)``
    makes a new, empty one with the index parameters given (``num_perm``,
    ``shingle_size``, ``char_shingles``, ``lsh_threshold``, ``no_stem``,
    ``keep_stop_words``; the command line's defaults otherwise), refusing
    an existing file unless ``force=True``. Parameters given for an
    existing index must be the ones it was built with. Use it as a context
    manager, or call :meth:`close`.
    """

    __slots__ = ("_f",)

    def __init__(
        self,
        path: Union[str, "os.PathLike[str]"],
        *,
        create: bool = False,
        force: bool = False,
        **params: Any,
    ):
        for name, v in (("create", create), ("force", force)):
            if not isinstance(v, bool):
                raise TypeError(f"Index(): {name} must be True or False, not {type(v).__name__}")
        self._f = _doppel.IndexFile(os.fspath(path), create, force, **params)

    @property
    def path(self) -> str:
        """The index file."""
        return str(self._f.path)

    def add(self, docs: Documents) -> int:
        """Add documents (mapping id → text or iterable of (id, text)), in
        one transaction: all or none. Ids must be new to the index."""
        ids, texts = _documents(docs, "add")
        return _native("add", ids, texts, self._f.add, ids, texts)

    def store_sentence_bands(self) -> None:
        """Store the sentence band keys of every document, and of every
        document added from then on, so ``check(..., rewrite_candidates=True)``
        finds a paragraph rewritten from one (``doppel index add
        --rewrite-candidates``). Nothing to do when the index has them."""
        self._f.store_sentence_bands()

    def remove(self, ids: Union[str, Iterable[str]]) -> int:
        """Remove documents by id (one id, or an iterable of ids), in one
        transaction; an id not in the index removes nothing and raises."""
        ids = [ids] if isinstance(ids, str) else list(ids)
        for n, i in enumerate(ids):
            if not isinstance(i, str):
                raise TypeError(f"remove(): id {n} must be a str, not {type(i).__name__}")
        return self._f.remove(ids)

    def check(self, docs: Documents, **settings: Any) -> list[Checked]:
        """Check new documents against the index, one :class:`Checked` per
        document, in order.

        Settings: ``cosine_threshold``, ``top_k``, ``rewrite_candidates``,
        ``seed_threshold``, ``min_passage_words``, ``duplicate``,
        ``near_duplicate`` (free at check time), ``mode`` (``"full"`` or ``"near-duplicate"``), ``all``
        (also the candidates judged unrelated), ``within`` (also compare
        the new documents with each other), ``threads``; and the index
        parameters, which must be the index's own.
        """
        ids, texts = _documents(docs, "check")
        lines = _native("check", ids, texts, self._f.check, ids, texts, **settings)
        return [Checked(json.loads(line)) for line in lines]

    def stats(self) -> dict[str, Any]:
        """What ``doppel index stats --json`` prints: path, format version,
        counts, sizes, parameters, fingerprint."""
        return json.loads(self._f.stats())

    def list(self) -> list[dict[str, Any]]:
        """Every document (id, source, chars, added), as ``doppel index list
        --json`` lists them."""
        return [json.loads(line) for line in self._f.list()]

    def close(self) -> None:
        """Close the index; later calls raise :class:`IndexFileError`."""
        self._f.close()

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._f.closed

    def __len__(self) -> int:
        return len(self._f)

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else f"{len(self)} documents"
        return f"Index({self.path!r}, {state})"


def _settings_doc() -> str:
    lines = ["", "Settings and their defaults (:data:`DEFAULTS`):", ""]
    lines += [f"    {k} = {v!r}" for k, v in DEFAULTS.items()]
    return "\n".join(lines) + "\n"


compare.__doc__ = (compare.__doc__ or "") + _settings_doc()
scan.__doc__ = (scan.__doc__ or "") + _settings_doc()
