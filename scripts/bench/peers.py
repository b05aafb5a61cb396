#!/usr/bin/env python3
"""The peers doppel is measured against, each timed on its own share of the work.

Run by bench.py inside the benchmark's virtual environment, one process per
tool and run, so each process's peak RSS is its own. Every subcommand prints
one JSON object on stdout; "seconds" is the timed section only.

  datasketch CORPUS [--pairs-out FILE]
      Times (1) tokenisation (lower case, \\w+ words, word 5-gram shingles)
      plus MinHash.bulk(num_perm=128): signing *including* tokenisation; and
      (2) MinHashLSH(threshold=0.5) insertion and queries, then verification
      of every candidate by the MinHash estimate >= 0.5. Reading the JSONL
      file is not timed.
  rensa CORPUS
      Pre-tokenises into word 5-gram shingle strings (not timed), then times
      each of rensa's ways of signing token sets with 128 permutations and
      reports the fastest: RMinHash/CMinHash update+digest per document, and
      the bulk RMinHash.digest_matrix_from_token_sets and
      CMinHash.digests64_from_token_sets.
  sdtopn VECDIR --doppel-pairs FILE --threads N
      Loads doppel's TF-IDF vectors (CSR arrays written by
      `doppel bench-stage tfidf --vectors`), times
      sp_matmul_topn(A, A.T, top_n=11, threshold=0.3, n_threads=N) (11: a
      row's best match is itself), then compares the top-10 neighbours with
      doppel's.
  sklearn TERMS VECDIR
      Times TfidfVectorizer(sublinear_tf=True) on doppel's analysed terms and
      compares its weights with doppel's vectors.
"""

import argparse
import json
import re
import sys
import time

import numpy as np

WORD = re.compile(r"\w+")
SHINGLE = 5
NUM_PERM = 128


def load_corpus(path):
    ids, texts = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                ids.append(rec["id"])
                texts.append(rec["text"])
    return ids, texts


def shingles(text):
    """Word 5-gram shingles of lower-cased \\w+ words (as doppel's tokens on
    the generated ASCII text); fewer than 5 words give one shingle."""
    words = WORD.findall(text.lower())
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def cmd_datasketch(args):
    from datasketch import MinHash, MinHashLSH

    ids, texts = load_corpus(args.corpus)
    t0 = time.perf_counter()
    sets = [[s.encode("utf-8") for s in shingles(t)] for t in texts]
    t_tok = time.perf_counter() - t0
    mhs = MinHash.bulk(sets, num_perm=NUM_PERM)
    t_sign = time.perf_counter() - t0
    del sets

    t1 = time.perf_counter()
    lsh = MinHashLSH(threshold=args.threshold, num_perm=NUM_PERM)
    with lsh.insertion_session() as session:
        for i, m in enumerate(mhs):
            session.insert(i, m)
    candidates = set()
    for i, m in enumerate(mhs):
        for j in lsh.query(m):
            if j != i:
                candidates.add((i, j) if i < j else (j, i))
    t_lsh = time.perf_counter() - t1
    t2 = time.perf_counter()
    verified = [(a, b) for a, b in candidates if mhs[a].jaccard(mhs[b]) >= args.threshold]
    t_verify = time.perf_counter() - t2
    if args.pairs_out:
        with open(args.pairs_out, "w", encoding="utf-8") as f:
            for a, b in sorted(verified):
                f.write(json.dumps({"a": ids[a], "b": ids[b]}) + "\n")
    print(
        json.dumps(
            {
                "tool": "datasketch",
                "docs": len(texts),
                "seconds_sign": t_sign,
                "seconds_tokenise": t_tok,
                "seconds_lsh": t_lsh,
                "seconds_verify": t_verify,
                "seconds_lsh_total": t_sign + t_lsh + t_verify,
                "bands": lsh.b,
                "rows": lsh.r,
                "candidates": len(candidates),
                "verified": len(verified),
            }
        )
    )


def cmd_rensa(args):
    import rensa

    _, texts = load_corpus(args.corpus)
    token_sets = [list(shingles(t)) for t in texts]
    seed = 42

    def per_doc(cls):
        out = []
        for toks in token_sets:
            m = cls(num_perm=NUM_PERM, seed=seed)
            m.update(toks)
            out.append(m.digest())
        return len(out)

    variants = {
        "RMinHash.update+digest": lambda: per_doc(rensa.RMinHash),
        "CMinHash.update+digest": lambda: per_doc(rensa.CMinHash),
        "RMinHash.digest_matrix_from_token_sets": lambda: rensa.RMinHash.digest_matrix_from_token_sets(
            token_sets, NUM_PERM, seed
        ).len(),
        "CMinHash.digests64_from_token_sets": lambda: len(
            rensa.CMinHash.digests64_from_token_sets(token_sets, NUM_PERM, seed)
        ),
    }
    times = {}
    for name, fn in variants.items():
        t0 = time.perf_counter()
        n = fn()
        times[name] = time.perf_counter() - t0
        if n != len(token_sets):
            sys.exit(f"rensa {name}: {n} digests for {len(token_sets)} documents")
    best = min(times, key=times.get)
    print(
        json.dumps(
            {
                "tool": "rensa",
                "docs": len(texts),
                "seconds": times[best],
                "fastest": best,
                "variants": times,
            }
        )
    )


def load_csr(vecdir):
    import scipy.sparse as sp

    with open(f"{vecdir}/meta.json", encoding="utf-8") as f:
        meta = json.load(f)
    indptr = np.fromfile(f"{vecdir}/indptr.u64", dtype="<u8").astype(np.int64)
    indices = np.fromfile(f"{vecdir}/indices.u32", dtype="<u4").astype(np.int32)
    data = np.fromfile(f"{vecdir}/data.f32", dtype="<f4")
    return sp.csr_matrix((data, indices, indptr), shape=(meta["rows"], meta["cols"]))


def cmd_sdtopn(args):
    from sparse_dot_topn import sp_matmul_topn

    a = load_csr(args.vecdir)
    t0 = time.perf_counter()
    c = sp_matmul_topn(
        a, a.T.tocsr(), top_n=args.top_k + 1, threshold=args.cosine, sort=True, n_threads=args.threads
    )
    seconds = time.perf_counter() - t0

    # Neighbours as doppel defines them: the top k other rows with cosine
    # >= threshold (ties to the lower row), the union over rows, a < b.
    c = c.tocsr()
    theirs = {}
    for row in range(c.shape[0]):
        lo, hi = c.indptr[row], c.indptr[row + 1]
        cand = [
            (float(v), int(j))
            for j, v in zip(c.indices[lo:hi], c.data[lo:hi])
            if j != row and v >= args.cosine
        ]
        cand.sort(key=lambda x: (-x[0], x[1]))
        for v, j in cand[: args.top_k]:
            key = (row, j) if row < j else (j, row)
            theirs[key] = v
    ours = {}
    with open(args.doppel_pairs, encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            ours[(p["a"], p["b"])] = p["cosine"]
    common = ours.keys() & theirs.keys()
    diffs = [abs(ours[k] - theirs[k]) for k in common]
    # Both against the cosine computed in float64 from the same vectors.
    keys = sorted(common)
    exact = []
    if keys:
        a64 = a.astype(np.float64)
        rows = np.array([k[0] for k in keys])
        cols = np.array([k[1] for k in keys])
        for lo in range(0, len(keys), 100_000):
            sl = slice(lo, lo + 100_000)
            exact.extend(np.asarray(a64[rows[sl]].multiply(a64[cols[sl]]).sum(axis=1)).ravel().tolist())
    ours_err = max((abs(ours[k] - e) for k, e in zip(keys, exact)), default=None)
    theirs_err = max((abs(theirs[k] - e) for k, e in zip(keys, exact)), default=None)
    only_ours = sorted(ours.keys() - theirs.keys())
    only_theirs = sorted(theirs.keys() - ours.keys())
    print(
        json.dumps(
            {
                "tool": "sparse_dot_topn",
                "docs": a.shape[0],
                "threads": args.threads,
                "seconds": seconds,
                "pairs": len(theirs),
                "doppel_pairs": len(ours),
                "common": len(common),
                "only_doppel": len(only_ours),
                "only_sdtopn": len(only_theirs),
                "max_cosine_diff": max(diffs) if diffs else None,
                "within_1e-6": sum(d <= 1e-6 for d in diffs),
                "max_doppel_error_vs_float64": ours_err,
                "max_sdtopn_error_vs_float64": theirs_err,
                "examples_only_doppel": [[a_, b_, ours[(a_, b_)]] for a_, b_ in only_ours[:5]],
                "examples_only_sdtopn": [[a_, b_, theirs[(a_, b_)]] for a_, b_ in only_theirs[:5]],
            }
        )
    )


def cmd_sklearn(args):
    from sklearn.feature_extraction.text import TfidfVectorizer

    with open(args.terms, encoding="utf-8") as f:
        docs = f.read().split("\n")
    if docs and docs[-1] == "":
        docs.pop()
    t0 = time.perf_counter()
    vec = TfidfVectorizer(analyzer=str.split, sublinear_tf=True)
    x = vec.fit_transform(docs)
    seconds = time.perf_counter() - t0

    # doppel numbers terms in first-seen order; compare the first rows.
    ours = load_csr(args.vecdir)
    first_seen = {}
    for d in docs:
        for t in d.split():
            if t not in first_seen:
                first_seen[t] = len(first_seen)
    vocab = vec.vocabulary_
    by_doppel_id = np.empty(len(first_seen), dtype=np.int64)
    for t, i in first_seen.items():
        by_doppel_id[i] = vocab[t]
    rows = min(args.rows, x.shape[0])
    max_diff = 0.0
    for r in range(rows):
        lo, hi = ours.indptr[r], ours.indptr[r + 1]
        mine = dict(zip(by_doppel_id[ours.indices[lo:hi]].tolist(), ours.data[lo:hi].tolist()))
        slo, shi = x.indptr[r], x.indptr[r + 1]
        theirs = dict(zip(x.indices[slo:shi].tolist(), x.data[slo:shi].tolist()))
        if mine.keys() != theirs.keys():
            sys.exit(f"row {r}: doppel and scikit-learn disagree on the terms")
        for k, v in mine.items():
            max_diff = max(max_diff, abs(v - theirs[k]))
    print(
        json.dumps(
            {
                "tool": "scikit-learn",
                "docs": x.shape[0],
                "seconds": seconds,
                "vocabulary": len(vocab),
                "rows_compared": rows,
                "max_weight_diff": max_diff,
            }
        )
    )


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("datasketch")
    p.add_argument("corpus")
    p.add_argument("--threshold", type=float, default=0.5)
    p.add_argument("--pairs-out")
    p = sub.add_parser("rensa")
    p.add_argument("corpus")
    p = sub.add_parser("sdtopn")
    p.add_argument("vecdir")
    p.add_argument("--doppel-pairs", required=True)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--cosine", type=float, default=0.3)
    p.add_argument("--top-k", type=int, default=10)
    p = sub.add_parser("sklearn")
    p.add_argument("terms")
    p.add_argument("vecdir")
    p.add_argument("--rows", type=int, default=2000)
    args = ap.parse_args()
    {"datasketch": cmd_datasketch, "rensa": cmd_rensa, "sdtopn": cmd_sdtopn, "sklearn": cmd_sklearn}[args.cmd](args)


if __name__ == "__main__":
    main()
