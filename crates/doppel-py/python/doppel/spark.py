"""doppel on Spark: ``dedup`` and ``flag`` over DataFrames too large for
one machine, with the engine called inside the executors.

``dedup`` takes the shape the field gives corpus-scale MinHash work
(text-dedup's Spark recipe, datatrove, NeMo Curator), with doppel's engine
at each step that touches text:

1. **Sign.** Each partition is signed in Arrow batches (``mapInArrow``):
   :meth:`doppel.MinHasher.band_keys` gives each text's LSH band keys, the
   banding ``doppel dedup`` uses (tuned for recall). Rows ``(document,
   band key)`` leave the executors; texts do not.
2. **Candidates.** Spark groups the rows by band key (a key encodes its
   band, as in the command line, so the key alone is the bucket). A bucket
   of more than ``max_bucket`` documents pairs each member with its first
   only, as ``lsh::candidate_pairs_capped`` does.
3. **Verify.** Each candidate pair is joined with its two texts and scored
   in Arrow batches: the exact Jaccard of the two shingle sets
   (:meth:`doppel.MinHasher.exact_jaccard`, the score ``doppel dedup``
   verifies by).
4. **Clusters.** Connected components of the verified pairs in
   Spark, by iterative minimum-label propagation with pointer jumping (a
   document takes the least label of its neighbours and of its label's own
   label) until no label changes; each component's label is then its first
   document, the root union–find gives in the command line. The kept member
   is the first, or the longest (the first of those on a tie).

``flag`` takes steps 1 to 3 across two DataFrames — reference and new
documents sharing a band key — and compares each candidate pair in full
with :func:`doppel.compare` where its two texts are joined, keeping the
flagged pairs with their passages.

"First" is the order of the input: ``order_col`` if given (an integer
column, unique per row), else the DataFrame's own order
(``monotonically_increasing_id``: partition by partition, which for a file
read by Spark is the file's order). Ids must be unique.

pyspark is an optional dependency (``pip install doppel-text[spark]``);
``import doppel`` never imports it. Every executor must import ``doppel``:
install the wheel into the Python the workers run (``PYSPARK_PYTHON``).
"""

from __future__ import annotations

from typing import Any, Optional

import doppel

try:
    from pyspark.sql import DataFrame, functions as F
    from pyspark.storagelevel import StorageLevel
except ImportError as e:  # pragma: no cover - depends on the environment
    raise ImportError(
        "doppel.spark needs pyspark: pip install 'doppel-text[spark]'"
    ) from e

__all__ = ["dedup", "flag", "components", "MAX_BUCKET"]

#: Buckets of more documents than this become stars (each member paired
#: with the bucket's first only), as in the command line (``lsh::MAX_BUCKET``).
MAX_BUCKET = 1000

_ENTRIES = "doc long, key long"
_ID_ENTRIES = "doc string, key long"
_SCORED = "a long, b long, jaccard double"


def _signing(settings: dict, threshold: float, threads: int):
    """The function ``mapInArrow`` runs to sign a partition: batches of
    ``(doc, text)`` in, ``(doc, key)`` out, one row per band key (keys as
    signed 64-bit integers, the same bits)."""

    def sign(batches):
        import numpy as np
        import pyarrow as pa

        hasher = doppel.MinHasher(**settings)
        lsh = doppel.LSH(threshold=threshold, num_perm=hasher.num_perm)
        for batch in batches:
            texts = [t or "" for t in batch.column("text").to_pylist()]
            keys, keyed = hasher.band_keys(texts, lsh, threads=threads)
            rows = np.repeat(np.flatnonzero(keyed), keys.shape[1])
            yield pa.RecordBatch.from_arrays(
                [
                    batch.column("doc").take(pa.array(rows, pa.int64())),
                    pa.array(keys[keyed].reshape(-1).view(np.int64), pa.int64()),
                ],
                names=["doc", "key"],
            )

    return sign


def _verifying(settings: dict, threads: int):
    """The function ``mapInArrow`` runs to verify candidates: batches of
    ``(a, b, text_a, text_b)`` in, ``(a, b, jaccard)`` out."""

    def verify(batches):
        import pyarrow as pa

        hasher = doppel.MinHasher(**settings)
        for batch in batches:
            ta = [t or "" for t in batch.column("text_a").to_pylist()]
            tb = [t or "" for t in batch.column("text_b").to_pylist()]
            scores = hasher.exact_jaccard(ta, tb, threads=threads)
            yield pa.RecordBatch.from_arrays(
                [batch.column("a"), batch.column("b"), pa.array(scores, pa.float64())],
                names=["a", "b", "jaccard"],
            )

    return verify


def _documents(df: DataFrame, id_col: str, text_col: str, order_col: Optional[str]) -> DataFrame:
    """``(doc, id, text)``: ``doc`` a long that follows the input order."""
    doc = F.monotonically_increasing_id() if order_col is None else F.col(order_col)
    return df.select(
        doc.cast("long").alias("doc"),
        F.col(id_col).cast("string").alias("id"),
        F.col(text_col).cast("string").alias("text"),
    )


def _candidates(entries: DataFrame, max_bucket: int) -> DataFrame:
    """Pairs ``(a, b)``, ``a < b``, of documents sharing a band key: every
    pair of a bucket, or, in a bucket of more than ``max_bucket`` documents
    (0: no cap), each member with its first."""
    buckets = (
        entries.groupBy("key")
        .agg(F.array_sort(F.collect_set("doc")).alias("docs"))
        .where(F.size("docs") > 1)
    )
    star = F.size("docs") > max_bucket if max_bucket > 0 else F.lit(False)
    every = (
        buckets.where(~star)
        .select(F.explode("docs").alias("a"), "docs")
        .select("a", F.explode("docs").alias("b"))
        .where(F.col("a") < F.col("b"))
    )
    stars = (
        buckets.where(star)
        .select(F.col("docs")[0].alias("a"), F.explode("docs").alias("b"))
        .where(F.col("a") < F.col("b"))
    )
    return every.unionByName(stars).distinct()


def _with_texts(pairs: DataFrame, docs: DataFrame) -> DataFrame:
    """Each pair ``(a, b)`` with its two texts. Only the candidates' texts
    are read: their numbers, broadcast to every executor, pick them out
    where they lie, so the joins shuffle those texts and not the corpus."""
    needed = (
        pairs.select(F.col("a").alias("doc"))
        .unionByName(pairs.select(F.col("b").alias("doc")))
        .distinct()
    )
    texts = docs.join(F.broadcast(needed), "doc", "left_semi").select("doc", "text")
    ta = texts.select(F.col("doc").alias("a"), F.col("text").alias("text_a"))
    tb = texts.select(F.col("doc").alias("b"), F.col("text").alias("text_b"))
    return pairs.join(ta, "a").join(tb, "b")


def components(edges: DataFrame) -> DataFrame:
    """Connected components of an undirected graph given as ``(a, b)``
    rows of longs: ``(doc, label)`` for every document on an edge, the label
    its component's least document.

    Minimum-label propagation with pointer jumping: each round a document
    takes the least of its label, its neighbours' labels and its label's
    label; a label is always a document of the same component and never
    above the document itself, so when a round changes nothing every edge
    joins equal labels and each component carries its least member. Each
    round's labels are checkpointed (lineage stays one round long).
    """
    both = edges.select(F.col("a").alias("src"), F.col("b").alias("dst")).unionByName(
        edges.select(F.col("b").alias("src"), F.col("a").alias("dst"))
    )
    both = both.persist(StorageLevel.MEMORY_AND_DISK)
    labels = (
        both.groupBy("src")
        .agg(F.min("dst").alias("m"))
        .select(F.col("src").alias("doc"), F.least("src", "m").alias("label"))
        .localCheckpoint()
    )
    while True:
        spread = both.join(labels.withColumnRenamed("doc", "src"), "src").select(
            F.col("dst").alias("doc"), "label"
        )
        jumped = (
            labels.alias("l")
            .join(labels.alias("m"), F.col("l.label") == F.col("m.doc"))
            .select(F.col("l.doc").alias("doc"), F.col("m.label").alias("label"))
        )
        new = (
            labels.unionByName(spread)
            .unionByName(jumped)
            .groupBy("doc")
            .agg(F.min("label").alias("label"))
            .localCheckpoint()
        )
        changed = (
            new.alias("n")
            .join(labels.alias("o"), "doc")
            .where(F.col("n.label") != F.col("o.label"))
            .limit(1)
            .count()
        )
        labels = new
        if changed == 0:
            break
    both.unpersist()
    return labels


def dedup(
    df: DataFrame,
    id_col: str = "id",
    text_col: str = "text",
    threshold: float = 0.7,
    num_perm: Optional[int] = None,
    shingle_size: Optional[int] = None,
    char_shingles: Optional[bool] = None,
    keep: str = "first",
    *,
    order_col: Optional[str] = None,
    max_bucket: int = MAX_BUCKET,
    threads: int = 1,
) -> DataFrame:
    """Near-duplicate clusters of a DataFrame's texts, and the member kept
    of each: what ``doppel dedup --threshold T --keep K --emit ids`` gives
    for the same documents in the same order.

    Returns ``DataFrame[id string, cluster string, keep boolean]``, a row
    per input row: ``cluster`` is the id of the document its cluster keeps
    (its own id when it is kept or alone). Pairs are LSH candidates (bands
    tuned for ``threshold``, as ``dedup`` tunes them) whose exact shingle
    Jaccard is at least ``threshold``; clusters are their connected
    components; ``keep`` is ``"first"`` (in input order, see the module's
    help for ``order_col``) or ``"longest"`` (most characters, the first on
    a tie). ``num_perm``, ``shingle_size`` and ``char_shingles`` are the
    command line's (defaults: :data:`doppel.DEFAULTS`). ``threads``: the
    engine's threads in each task (Spark already runs one task per core).

    The clusters are computed when this is called (the components need
    Spark jobs until no label changes); the result is checkpointed on the
    executors.
    """
    if keep not in ("first", "longest"):
        raise ValueError(f'keep must be "first" or "longest", not {keep!r}')
    if not isinstance(max_bucket, int) or isinstance(max_bucket, bool) or max_bucket < 0:
        raise ValueError(f"max_bucket must be a non-negative integer (0: no cap), not {max_bucket!r}")
    # Checked here, on the driver, so a bad setting fails before any job.
    hasher = doppel.MinHasher(num_perm, shingle_size, char_shingles)
    doppel.LSH(threshold=threshold, num_perm=hasher.num_perm)
    settings = {
        "num_perm": hasher.num_perm,
        "shingle_size": hasher.shingle_size,
        "char_shingles": hasher.char_shingles,
    }
    threshold = float(threshold)

    # Read once: signing and verification see the same documents under the
    # same numbers. On the executors' disks, as the command line reads the
    # texts of candidates again from its input: held in memory, a corpus
    # larger than the executors' heaps fails (2.6 GB on two of 2 GB).
    docs = _documents(df, id_col, text_col, order_col).persist(StorageLevel.DISK_ONLY)
    entries = docs.select("doc", "text").mapInArrow(_signing(settings, threshold, threads), _ENTRIES)
    pairs = _candidates(entries, max_bucket).localCheckpoint()
    edges = (
        _with_texts(pairs, docs)
        .select("a", "b", "text_a", "text_b")
        .mapInArrow(_verifying(settings, threads), _SCORED)
        .where(F.col("jaccard") >= F.lit(threshold))
        .select("a", "b")
        .localCheckpoint()
    )
    labels = components(edges)

    members = (
        docs.select("doc", "id", F.length("text").alias("chars"))
        .join(labels, "doc", "left")
        .select("doc", "id", "chars", F.coalesce("label", "doc").alias("label"))
    )
    if keep == "first":
        kept = members.select("doc", F.col("label").alias("rep"))
    else:
        best = members.groupBy("label").agg(
            F.min(F.struct((-F.col("chars")).alias("c"), F.col("doc").alias("d")))["d"].alias("rep")
        )
        kept = members.select("doc", "label").join(best, "label").select("doc", "rep")
    ids = docs.select(F.col("doc").alias("rep"), F.col("id").alias("cluster"))
    out = (
        members.select("doc", "id")
        .join(kept, "doc")
        .join(ids, "rep")
        .select("id", "cluster", (F.col("doc") == F.col("rep")).alias("keep"))
        .localCheckpoint()
    )
    docs.unpersist()
    return out


_SPAN = (
    "struct<byte_start:long, byte_end:long, char_start:long, char_end:long, "
    "line_start:long, line_end:long, text:string>"
)
_FLAGGED = (
    "reference_id string, new_id string, verdict string, "
    "scores struct<jaccard_est:double, jaccard:double, containment_a:double, "
    "containment_b:double, cosine:double>, "
    "coverage struct<reference:double, new:double>, "
    f"passages array<struct<reference:{_SPAN}, new:{_SPAN}, score:double, kind:string>>"
)


def _aligning(settings: dict, all_pairs: bool):
    """The function ``mapInArrow`` runs to compare candidates: batches of
    ``(id_a, id_b, text_a, text_b)`` (A the reference) in, the flagged
    pairs out (every pair with ``all_pairs``)."""

    def align(batches):
        import pyarrow as pa

        schema = None
        for batch in batches:
            rows = []
            cols = batch.to_pydict()
            for ra, nb, ta, tb in zip(cols["id_a"], cols["id_b"], cols["text_a"], cols["text_b"]):
                pair = doppel.compare(ta or "", tb or "", ids=(ra, nb), **settings).to_dict()
                if pair["verdict"] == "unrelated" and not all_pairs:
                    continue
                rows.append(
                    {
                        "reference_id": ra,
                        "new_id": nb,
                        "verdict": pair["verdict"],
                        "scores": pair["scores"],
                        "coverage": {"reference": pair["coverage"]["a"], "new": pair["coverage"]["b"]},
                        "passages": [
                            {"reference": p["a"], "new": p["b"], "score": p["score"], "kind": p["kind"]}
                            for p in pair["passages"]
                        ],
                    }
                )
            if schema is None:
                schema = _arrow_schema()
            yield pa.RecordBatch.from_pylist(rows, schema=schema)

    return align


def _arrow_schema():
    """The Arrow schema of :data:`_FLAGGED`."""
    import pyarrow as pa

    span = pa.struct(
        [(n, pa.int64()) for n in ("byte_start", "byte_end", "char_start", "char_end", "line_start", "line_end")]
        + [("text", pa.string())]
    )
    return pa.schema(
        [
            ("reference_id", pa.string()),
            ("new_id", pa.string()),
            ("verdict", pa.string()),
            (
                "scores",
                pa.struct(
                    [(n, pa.float64()) for n in ("jaccard_est", "jaccard", "containment_a", "containment_b", "cosine")]
                ),
            ),
            ("coverage", pa.struct([("reference", pa.float64()), ("new", pa.float64())])),
            (
                "passages",
                pa.list_(
                    pa.struct([("reference", span), ("new", span), ("score", pa.float64()), ("kind", pa.string())])
                ),
            ),
        ]
    )


def flag(
    new_df: DataFrame,
    reference_df: DataFrame,
    id_col: str = "id",
    text_col: str = "text",
    *,
    all: bool = False,
    max_bucket: int = MAX_BUCKET,
    threads: int = 1,
    **settings: Any,
) -> DataFrame:
    """New documents that derive from reference documents: every pair of a
    reference and a new document that share an LSH band, compared in full
    by :func:`doppel.compare` where the two texts are joined, and kept when
    flagged (every candidate with ``all=True``).

    Returns ``DataFrame[reference_id, new_id, verdict, scores, coverage,
    passages]``: ``scores`` and ``coverage`` as :class:`doppel.Pair` has
    them (the reference is A, the new document B), ``passages`` an array of
    structs ``(reference, new, score, kind)`` whose spans carry byte,
    character and line offsets and the text. Settings are
    :func:`doppel.compare`'s keyword arguments (:data:`doppel.DEFAULTS`);
    the bands are those of ``doppel dedup`` tuned for ``lsh_threshold``,
    signed with ``num_perm``, ``shingle_size`` and ``char_shingles``.
    Candidates come from these bands alone: ``doppel check`` also takes
    TF-IDF neighbours and shared copied passages, so it can flag a pair of
    little shingle overlap (a paraphrase, an excerpt) that this does not
    propose; and ``compare`` weighs the cosine score by the two documents
    alone, ``check`` by the index's, so a verdict that hangs on the cosine
    can differ. ``id_col`` and ``text_col`` name the columns of both
    DataFrames; ids must be unique in each. A band key of more than
    ``max_bucket`` references proposes only the least of their ids
    (0: no cap).
    """
    if not isinstance(max_bucket, int) or isinstance(max_bucket, bool) or max_bucket < 0:
        raise ValueError(f"max_bucket must be a non-negative integer (0: no cap), not {max_bucket!r}")
    # Checked on the driver: a keyword compare does not take raises here.
    doppel.compare("", "", **settings)
    sign_settings = {k: settings[k] for k in ("num_perm", "shingle_size", "char_shingles") if k in settings}
    hasher = doppel.MinHasher(**sign_settings)
    sign_settings = {
        "num_perm": hasher.num_perm,
        "shingle_size": hasher.shingle_size,
        "char_shingles": hasher.char_shingles,
    }
    threshold = float(settings.get("lsh_threshold", doppel.DEFAULTS["lsh_threshold"]))

    def texts(df: DataFrame, id_name: str, text_name: str) -> DataFrame:
        return df.select(
            F.col(id_col).cast("string").alias(id_name), F.col(text_col).cast("string").alias(text_name)
        )

    refs, news = texts(reference_df, "doc", "text"), texts(new_df, "doc", "text")
    signing = _signing(sign_settings, threshold, threads)
    ref_keys = refs.mapInArrow(signing, _ID_ENTRIES).withColumnRenamed("doc", "a")
    new_keys = news.mapInArrow(signing, _ID_ENTRIES).withColumnRenamed("doc", "b")
    buckets = ref_keys.groupBy("key").agg(F.array_sort(F.collect_set("a")).alias("refs"))
    if max_bucket > 0:
        # A key of more than max_bucket references (boilerplate) proposes
        # only the least of their ids, as dedup's buckets become stars.
        buckets = buckets.select(
            "key", F.when(F.size("refs") > max_bucket, F.slice("refs", 1, 1)).otherwise(F.col("refs")).alias("refs")
        )
    pairs = (
        buckets.join(new_keys, "key")
        .select(F.explode("refs").alias("a"), "b")
        .distinct()
    )
    out = (
        pairs.join(texts(reference_df, "a", "text_a"), "a")
        .join(texts(new_df, "b", "text_b"), "b")
        .select(F.col("a").alias("id_a"), F.col("b").alias("id_b"), "text_a", "text_b")
        .mapInArrow(_aligning(settings, all), _FLAGGED)
    )
    return out
