"""Turns the measurements of bench.py (reports/bench.json) into
reports/bench.md and reports/bench.svg."""

import math
import statistics
from pathlib import Path

# Which number of a tool's result is "its time" for the comparisons.
TIMED = {
    "doppel sign": lambda r: r["result"]["seconds"],
    "doppel sign 1 thread": lambda r: r["result"]["seconds"],
    "doppel lsh": lambda r: r["result"]["seconds"],
    "doppel lsh recall-tuned": lambda r: r["result"]["seconds"],
    "doppel scan --minhash-only": lambda r: r["wall"],
    "doppel tfidf": lambda r: r["result"]["seconds"],
    "datasketch": lambda r: r["result"]["seconds_sign"],
    "rensa": lambda r: r["result"]["seconds"],
    "sparse_dot_topn": lambda r: r["result"]["seconds"],
    "scikit-learn": lambda r: r["result"]["seconds"],
    "doppel-gen": lambda r: r["wall"],
}

WHAT = {
    "doppel sign": "read JSONL → normalise → 5-gram shingles → 128-value signatures, 2 threads",
    "doppel sign 1 thread": "the same, 1 thread",
    "doppel lsh": "sign + LSH (t = 0.5, bands balancing false positives and negatives, as `scan` picks candidates for alignment) + exact-Jaccard verification (second pass), 2 threads",
    "doppel lsh recall-tuned": "the same with bands tuned for recall (false negatives weighted 0.9, as `scan --minhash-only` and `dedup` tune them)",
    "doppel scan --minhash-only": "the product's MinHash mode, whole process (wall time): stream JSONL, sign, band, verify every candidate by exact Jaccard (texts re-read by offset), write the JSON report, 2 threads",
    "doppel tfidf": "read → terms → TF-IDF vectors → all-pairs top-10 cosine ≥ 0.3, 2 threads",
    "datasketch": "tokenise (\\w+, 5-grams) + `MinHash.bulk` (128 perm), 1 thread (pure Python/numpy)",
    "rensa": "fastest of 4 signing APIs on pre-tokenised shingle strings, RAYON_NUM_THREADS=2",
    "sparse_dot_topn": "`sp_matmul_topn(A, A.T, top_n=11, threshold=0.3, n_threads=2)` on doppel's vectors",
    "scikit-learn": "`TfidfVectorizer(sublinear_tf=True)` fit_transform on doppel's analysed terms",
    "doppel-gen": "corpus generation (wall time)",
}


def runs(data, size, tool):
    return sorted(
        (r for r in data["results"] if r["size"] == size and r["tool"] == tool and r["run"] > 0),
        key=lambda r: r["run"],
    )


def med(xs):
    return statistics.median(xs) if xs else None


def per_run_ratio(data, size, num_tool, num_fn, den_tool, den_fn):
    """Median over runs r of num(run r) / den(run r)."""
    a = {r["run"]: num_fn(r) for r in runs(data, size, num_tool)}
    b = {r["run"]: den_fn(r) for r in runs(data, size, den_tool)}
    ratios = [a[k] / b[k] for k in sorted(a.keys() & b.keys()) if b[k] > 0]
    return med(ratios), ratios


def fmt_s(x):
    if x is None:
        return "–"
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def fmt_ratio(x):
    return "–" if x is None else (f"{x:.2f}×" if x < 10 else f"{x:.0f}×")


def sizes_of(data):
    return sorted({r["size"] for r in data["results"]})


def human(n):
    return f"{n // 1_000_000}M" if n >= 1_000_000 and n % 1_000_000 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)


# Measurements of their own scripts, gathered at the end of bench.md:
# (report file, the command that writes it).
OWN_SCRIPTS = [
    ("short_lines.md", "bash scripts/bench/short_lines.sh"),
    ("report_size.md", "bash scripts/bench/report_size.sh"),
    ("planted.md", "bash scripts/eval/planted.sh"),
    ("planted-100k.md", "OUT=reports/planted-100k.md bash scripts/eval/planted.sh 100000"),
    ("full_memory.md", "bash scripts/bench/full_memory.sh"),
    ("genre_rewrites.md", "bash scripts/eval/genre_rewrites.sh"),
    ("spark_dedup.md", "bash scripts/bench/spark_dedup.sh"),
]


def appendix(outdir: Path):
    """The reports of OWN_SCRIPTS found in outdir, their headings one level
    down, each under the command that wrote it (and rewrites it)."""
    parts = []
    for name, command in OWN_SCRIPTS:
        path = outdir / name
        if not path.exists():
            continue
        lines = []
        for line in path.read_text().splitlines():
            if line.startswith("#"):
                line = "##" + line
            lines.append(line)
        parts.append(f"\n`{command}` writes `reports/{name}`, copied here as it stands:\n\n" + "\n".join(lines) + "\n")
    if not parts:
        return ""
    return "\n## Measured by their own scripts\n" + "".join(parts)


def write(data, outdir: Path):
    (outdir / "bench.md").write_text(markdown(data) + appendix(outdir))
    (outdir / "bench.svg").write_text(svg(data))


def markdown(data):
    m, s = data["machine"], data["settings"]
    sizes = sizes_of(data)
    acc = {a["size"]: a for a in data.get("accuracy", [])}
    L = []
    L.append("# doppel against datasketch, rensa, scikit-learn and sparse_dot_topn")
    L.append("")
    L.append(f"Produced by `{s['command']}` (see README, “Benchmarks against peers”). "
             f"Every number below is in `reports/bench.json`, with each run's wall time and peak RSS.")
    L.append("")
    L.append("## Machine and settings")
    L.append("")
    la0 = ", ".join(f"{x:.2f}" for x in m["load_average_start"])
    la1 = ", ".join(f"{x:.2f}" for x in m.get("load_average_end", [])) or "–"
    L.append(f"- {m['nproc']} cores ({m['cpu']}), {m['memory']} RAM, Linux {m['kernel']}")
    L.append(f"- load average at start: {la0}; at end: {la1}. "
             "The machine is shared: a load above 2 means other processes competed for the "
             "two cores, so absolute times are inflated and noisy; ratios between tools measured "
             "in the same run are more stable than absolute times.")
    L.append(f"- {m['rustc']}; Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["packages"].items()))
    L.append(f"- corpus sizes {', '.join(human(x) for x in s['sizes'])}, seed {s['seed']}, "
             f"{s['runs']} runs of every tool per size, interleaved; {s['threads']} threads wherever a tool takes a thread count")
    L.append(f"- the Python peers run at sizes ≤ {human(s['peer_max'])} only and the TF-IDF stage at sizes ≤ "
             f"{human(s['tfidf_max'])} (three runs of pure-Python MinHash on a million documents would take hours); "
             "doppel runs at every size (its one-thread signing only where the peers run)")
    short = sorted({r["tool"] for r in data["results"] if r["run"] > 0
                    and len(runs(data, r["size"], r["tool"])) < s["runs"]})
    if short:
        L.append(f"- **fewer than {s['runs']} runs** (the benchmark was cut short): "
                 + ", ".join(f"{t} ({', '.join(human(n) + ': ' + str(len(runs(data, n, t))) for n in sizes if 0 < len(runs(data, n, t)) < s['runs'])})" for t in short)
                 + "; their medians are of the runs made")
    L.append("- times are each tool's timed section (see “What is timed”); “peak RSS” is the whole process's "
             "(getrusage of the child), Python interpreter and loaded corpus included")
    L.append("")

    # Headline figures.
    L.append("## The issue's figures")
    L.append("")
    L.append("| figure | target | measured | met |")
    L.append("|---|---|---|---|")
    for n in sizes:
        if not runs(data, n, "rensa"):
            continue
        r, _ = per_run_ratio(data, n, "rensa", TIMED["rensa"], "doppel sign", TIMED["doppel sign"])
        L.append(f"| signing, {human(n)} docs: rensa's fastest signing ÷ doppel end-to-end | ≥ 1× | {fmt_ratio(r)} | {yes(r is not None and r >= 1)} |")
        r, _ = per_run_ratio(data, n, "datasketch", TIMED["datasketch"], "doppel sign", TIMED["doppel sign"])
        L.append(f"| signing, {human(n)} docs: datasketch (tokenise + bulk) ÷ doppel end-to-end | ≥ 30× | {fmt_ratio(r)} | {yes(r is not None and r >= 30)} |")
    for n in sizes:
        a = acc.get(n)
        if not a:
            continue
        for tool, label in [("doppel scan --minhash-only", "`doppel scan --minhash-only` (bands tuned for recall, exact verification)"),
                            ("doppel (exact verification)", "doppel, bands tuned for t alone"),
                            ("doppel recall-tuned (exact verification)", "doppel, recall-tuned bands")]:
            e = a.get(tool)
            if not e:
                continue
            L.append(f"| LSH t = 0.5, {human(n)} docs, {label}: recall of planted pairs with J ≥ 0.5 | ≥ 0.95 | {fmt_p(e['recall'])} ({e['found']}/{e['planted_ge_threshold']}) | {yes(e['recall'] is not None and e['recall'] >= 0.95)} |")
            L.append(f"| LSH t = 0.5, {human(n)} docs, {label}: precision after verification | ≥ 0.95 | {fmt_p(e['precision'])} ({e['true_positive']}/{e['reported']}) | {yes(e['precision'] is not None and e['precision'] >= 0.95)} |")
    for n in sizes:
        if not runs(data, n, "sparse_dot_topn"):
            continue
        r, _ = per_run_ratio(data, n, "sparse_dot_topn", TIMED["sparse_dot_topn"], "doppel tfidf", lambda x: x["result"]["phases"]["top_k"])
        agree = runs(data, n, "sparse_dot_topn")[-1]["result"]
        # The neighbours must be the same; the cosines equal to 1e-6, or,
        # where sparse_dot_topn's own single-precision sums stray further
        # from the exact (float64) cosines, doppel's must be within 1e-6 of
        # those and the difference no more than the two errors together.
        de, se = agree.get("max_doppel_error_vs_float64"), agree.get("max_sdtopn_error_vs_float64")
        close = agree["within_1e-6"] == agree["common"] or (
            de is not None and se is not None and de <= 1e-6 and agree["max_cosine_diff"] <= de + se + 1e-9)
        same = agree["only_doppel"] == 0 and agree["only_sdtopn"] == 0 and close
        # The issue sets the fivefold lead on the 100k corpus; other sizes
        # are shown for the trend.
        if n == 100000:
            target, met = "≥ 5×", yes(r is not None and r >= 5)
        else:
            target, met = "– (set at 100k)", "–"
        L.append(f"| TF-IDF top-10 ≥ 0.3, {human(n)} docs: sparse_dot_topn ÷ doppel, same vectors, 2 threads | {target} | {fmt_ratio(r)} | {met} |")
        L.append(f"| TF-IDF, {human(n)} docs: same neighbours, cosines equal to 1e-6 | all | {agree['common']} common, {agree['only_doppel']} only doppel, {agree['only_sdtopn']} only sparse_dot_topn; max cosine difference {fmt_e(agree['max_cosine_diff'])} (against float64 cosines of the same vectors: doppel {fmt_e(agree.get('max_doppel_error_vs_float64'))}, sparse_dot_topn {fmt_e(agree.get('max_sdtopn_error_vs_float64'))}) | {yes(same)} |")
    big = max(sizes)
    scan = "doppel scan --minhash-only"
    lr = runs(data, big, scan)
    if lr:
        w = med([x["wall"] for x in lr])
        rss = med([x["rss_mb"] for x in lr])
        L.append(f"| {human(big)} docs through `doppel scan --minhash-only`: time (whole process) | < 120 s | {fmt_s(w)} s | {yes(w < 120)} |")
        L.append(f"| {human(big)} docs through `doppel scan --minhash-only`: peak RSS | < 4 GB | {rss / 1024:.2f} GiB | {yes(rss < 4096)} |")
        small = min(sizes)
        ls = runs(data, small, scan)
        if ls and big > small:
            g = w / med([x["wall"] for x in ls])
            L.append(f"| growth of that time from {human(small)} to {human(big)} docs | close to {big // small}× (linear) | {g:.0f}× | {yes(g <= 1.5 * big / small)} |")
    L.append("")
    L.append("The growth is measured on whole-process wall times, so the smallest size's includes "
             "start-up and the fixed costs of a run; see “doppel against corpus size” for each stage.")
    L.append("")

    # Per-size timing tables.
    L.append("## Times per tool")
    L.append("")
    for n in sizes:
        L.append(f"### {human(n)} documents")
        L.append("")
        L.append("| tool | what is timed | median s | runs (s) | median wall s | median peak RSS MB |")
        L.append("|---|---|---|---|---|---|")
        for tool in TIMED:
            rs = runs(data, n, tool)
            if tool == "doppel-gen":
                rs = [r for r in data["results"] if r["size"] == n and r["tool"] == tool]
            if not rs:
                continue
            ts = [TIMED[tool](r) for r in rs]
            L.append(f"| {tool} | {WHAT[tool]} | {fmt_s(med(ts))} | {', '.join(fmt_s(t) for t in ts)} | "
                     f"{fmt_s(med([r['wall'] for r in rs]))} | {med([r['rss_mb'] for r in rs]):.0f} |")
        extra = []
        for r in runs(data, n, "doppel lsh")[-1:]:
            p = r["result"]["phases"]
            extra.append(f"doppel lsh phases (last run): sign {fmt_s(p['sign'])} s, bands and candidates "
                         f"{fmt_s(p['lsh'])} s, verification by estimate {fmt_s(p['verify_estimate'])} s, exact "
                         f"verification {fmt_s(p['verify_exact'])} s; {r['result']['bands']} bands × "
                         f"{r['result']['rows']} rows, {r['result']['candidates']} candidates")
        for r in runs(data, n, "datasketch")[-1:]:
            x = r["result"]
            extra.append(f"datasketch LSH (last run): tokenise {fmt_s(x['seconds_tokenise'])} s of the signing; "
                         f"MinHashLSH insert + query {fmt_s(x['seconds_lsh'])} s, verification {fmt_s(x['seconds_verify'])} s, "
                         f"whole LSH pipeline {fmt_s(x['seconds_lsh_total'])} s; {x['bands']} bands × {x['rows']} rows, "
                         f"{x['candidates']} candidates")
        for r in runs(data, n, "rensa")[-1:]:
            v = r["result"]["variants"]
            extra.append("rensa variants (last run): " + ", ".join(f"`{k}` {fmt_s(t)} s" for k, t in v.items()))
        for r in runs(data, n, "doppel tfidf")[-1:]:
            p = r["result"]["phases"]
            extra.append(f"doppel tfidf phases (last run): analyse {fmt_s(p['analyse'])} s, vectorise "
                         f"{fmt_s(p['vectorise'])} s, top-k {fmt_s(p['top_k'])} s; {r['result']['nnz']} non-zeros, "
                         f"vocabulary {r['result']['vocabulary']}")
        for r in runs(data, n, "scikit-learn")[-1:]:
            extra.append(f"scikit-learn's weights equal doppel's to {r['result']['max_weight_diff']:.1e} "
                         f"(first {r['result']['rows_compared']} rows compared)")
        if extra:
            L.append("")
            L.extend(f"- {e}" for e in extra)
        L.append("")

    # Ratios per run.
    L.append("## Ratios, run by run")
    L.append("")
    L.append("Each ratio divides one tool's time by another's measured in the same run; the median is over runs.")
    L.append("")
    L.append("| size | ratio | per run | median |")
    L.append("|---|---|---|---|")
    pairs = [
        ("datasketch", TIMED["datasketch"], "doppel sign", TIMED["doppel sign"], "datasketch signing ÷ doppel signing"),
        ("rensa", TIMED["rensa"], "doppel sign", TIMED["doppel sign"], "rensa signing ÷ doppel signing"),
        ("rensa", TIMED["rensa"], "doppel sign 1 thread", TIMED["doppel sign 1 thread"], "rensa signing ÷ doppel signing on 1 thread"),
        ("doppel sign 1 thread", TIMED["doppel sign 1 thread"], "doppel sign", TIMED["doppel sign"], "doppel signing, 1 thread ÷ 2 threads (2× if both cores were free)"),
        ("datasketch", lambda r: r["result"]["seconds_lsh_total"], "doppel lsh", TIMED["doppel lsh"], "datasketch LSH pipeline ÷ doppel LSH pipeline"),
        ("sparse_dot_topn", TIMED["sparse_dot_topn"], "doppel tfidf", lambda r: r["result"]["phases"]["top_k"], "sparse_dot_topn ÷ doppel top-k"),
        ("scikit-learn", TIMED["scikit-learn"], "doppel tfidf", lambda r: r["result"]["phases"]["vectorise"], "scikit-learn vectorising ÷ doppel vectorising"),
    ]
    for n in sizes:
        for a, fa, b, fb, label in pairs:
            r, rs = per_run_ratio(data, n, a, fa, b, fb)
            if rs:
                L.append(f"| {human(n)} | {label} | {', '.join(fmt_ratio(x) for x in rs)} | {fmt_ratio(r)} |")
    L.append("")

    # Accuracy.
    L.append("## Accuracy on the planted pairs")
    L.append("")
    L.append("Recall: share of the planted pairs whose true word 5-gram Jaccard (from the truth file) is ≥ 0.5 "
             "that a tool reports. Precision: share of the reported pairs whose true Jaccard is ≥ 0.5 (for a "
             "reported pair that was not planted, doppel measures the exact Jaccard). doppel verifies candidates "
             "by exact Jaccard (and, for comparison, by the signature estimate); datasketch by `MinHash.jaccard`. "
             "With bands balancing false positives and negatives (25 × 5, the same as datasketch picks; `scan` "
             "uses them to pick pairs for alignment) a pair of Jaccard 0.5 becomes a candidate with probability "
             "0.55 only, so pairs just above the threshold are missed by design; the recall-tuned bands (32 × 4, "
             "what `scan --minhash-only` and `dedup` use) raise that to 0.87 at the cost of more candidates, which "
             "exact verification removes.")
    L.append("")
    L.append("| size | tool | planted with J ≥ 0.5 | found | recall | reported | true J ≥ 0.5 | precision |")
    L.append("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        a = acc.get(n)
        if not a:
            continue
        for tool in ["doppel scan --minhash-only", "doppel (exact verification)", "doppel (estimate verification)",
                     "doppel recall-tuned (exact verification)", "datasketch (estimate verification)"]:
            if tool in a:
                x = a[tool]
                L.append(f"| {human(n)} | {tool} | {x['planted_ge_threshold']} | {x['found']} | {fmt_p(x['recall'])} | "
                         f"{x['reported']} | {x['true_positive']} | {fmt_p(x['precision'])} |")
    L.append("")
    for n in sizes:
        a = acc.get(n)
        if not a:
            continue
        L.append(f"Planted pairs by kind, {human(n)} documents (LSH: pairs doppel reports at J ≥ 0.5; "
                 f"TF-IDF: pairs among the top-10 neighbours with cosine ≥ 0.3{'' if a['tfidf_measured'] else ', not run at this size'}):")
        L.append("")
        L.append("| kind | planted | true J median (min–max) | found by LSH | in TF-IDF neighbours |")
        L.append("|---|---|---|---|---|")
        for kind, v in sorted(a["by_kind"].items()):
            tf = f"{v['tfidf_found']} ({v['tfidf_found'] / v['planted']:.1%})" if a["tfidf_measured"] else "–"
            L.append(f"| {kind} | {v['planted']} | {v['jaccard_median']:.3f} ({v['jaccard_min']:.3f}–{v['jaccard_max']:.3f}) | "
                     f"{v['lsh_found']} ({v['lsh_found'] / v['planted']:.1%}) | {tf} |")
        L.append("")

    # Scale.
    L.append("## doppel against corpus size")
    L.append("")
    L.append("![time and memory against corpus size](bench.svg)")
    L.append("")
    L.append("| stage | size | median s | µs per document | growth from the smallest size (linear = size ratio) | median peak RSS MB |")
    L.append("|---|---|---|---|---|---|")
    for tool in ["doppel sign", "doppel lsh", "doppel lsh recall-tuned", "doppel scan --minhash-only", "doppel tfidf"]:
        base = None
        for n in sizes:
            rs = runs(data, n, tool)
            if not rs:
                continue
            t = med([TIMED[tool](r) for r in rs])
            if base is None:
                base = (n, t)
            growth = f"{t / base[1]:.1f}× for {n / base[0]:.0f}× the documents"
            L.append(f"| {tool} | {human(n)} | {fmt_s(t)} | {t / n * 1e6:.1f} | {growth} | {med([r['rss_mb'] for r in rs]):.0f} |")
    L.append("")
    L.append("## What is timed")
    L.append("")
    L.append("- doppel: from opening the JSONL file to the result in memory (`doppel bench-stage`, which calls the "
             "library: `shingle::text_word_shingles`, `minhash::MinHasher`, `lsh`, `text::Analyzer`, `tfidf`); "
             "writing outputs is not timed. doppel's times include reading and parsing the JSON Lines; the "
             "Python peers' do not (the corpus is loaded into memory first), which favours the peers.")
    L.append("- datasketch: lower-casing, `\\w+` words, word 5-gram shingle sets encoded to bytes, `MinHash.bulk` "
             "(num_perm = 128). On this ASCII corpus `\\w+` finds the same words as doppel, so both sign the "
             "same shingle sets. LSH: `MinHashLSH(threshold=0.5)` insertion session, one query per document, "
             "verification of each candidate by `MinHash.jaccard` ≥ 0.5.")
    L.append("- rensa: signing only, from pre-tokenised shingle strings (tokenisation not timed), the fastest of "
             "`RMinHash`/`CMinHash` update + digest per document and the bulk "
             "`RMinHash.digest_matrix_from_token_sets` / `CMinHash.digests64_from_token_sets`.")
    L.append("- sparse_dot_topn: transposing and multiplying doppel's L2-normalised float32 vectors, keeping 11 per "
             "row (a row's best match is itself; it is dropped, ties broken by the lower row as doppel does). "
             "Its threshold keeps values > 0.3, doppel's ≥ 0.3.")
    L.append("- scikit-learn: `TfidfVectorizer(analyzer=str.split, sublinear_tf=True)` on doppel's analysed terms "
             "(stemmed, stop words dropped), the weighting doppel reproduces; against doppel's vectorise phase.")
    L.append("")
    return "\n".join(L) + "\n"


def yes(ok):
    return "yes" if ok else "**no**"


def fmt_e(x):
    return "–" if x is None else f"{x:.1e}"


def fmt_p(x):
    return "–" if x is None else f"{x:.4f}"


def svg(data):
    """Two log-log panels: time and peak RSS of doppel's stages against corpus size."""
    sizes = sizes_of(data)
    series = [
        ("doppel sign", "#1f77b4", "sign (2 threads)"),
        ("doppel lsh", "#d62728", "sign + LSH + verify"),
        ("doppel scan --minhash-only", "#9467bd", "scan --minhash-only (wall)"),
        ("doppel tfidf", "#2ca02c", "TF-IDF top-10"),
    ]
    W, H = 860, 400
    pw, ph = 330, 270  # panel size
    panels = [(70, 60, "time (s)", lambda r, t: TIMED[t](r)), (500, 60, "peak RSS (MB)", lambda r, t: r["rss_mb"])]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
           'font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="15">doppel: time and memory against corpus size '
           '(medians, log-log; dashed: linear growth from the smallest size)</text>']
    xs = [math.log10(n) for n in sizes]
    xlo, xhi = (min(xs) - 0.15, max(xs) + 0.15) if xs else (0, 1)
    for x0, y0, label, value in panels:
        pts = {}
        for tool, _, _ in series:
            p = []
            for n in sizes:
                rs = runs(data, n, tool)
                if rs:
                    p.append((n, med([value(r, tool) for r in rs])))
            pts[tool] = p
        vals = [v for p in pts.values() for _, v in p if v > 0]
        if not vals:
            continue
        ylo, yhi = math.floor(math.log10(min(vals))), math.ceil(math.log10(max(vals)) + 0.3)
        if yhi <= ylo:
            yhi = ylo + 1

        def X(n):
            return x0 + (math.log10(n) - xlo) / (xhi - xlo) * pw

        def Y(v):
            return y0 + ph - (math.log10(v) - ylo) / (yhi - ylo) * ph

        out.append(f'<rect x="{x0}" y="{y0}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
        for e in range(ylo, yhi + 1):
            y = Y(10**e)
            out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + pw}" y2="{y:.1f}" stroke="#ddd"/>')
            txt = f"{10**e:g}" if e >= 0 else f"{10**e:.{-e}f}"
            out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end">{txt}</text>')
        for n in sizes:
            x = X(n)
            out.append(f'<line x1="{x:.1f}" y1="{y0}" x2="{x:.1f}" y2="{y0 + ph}" stroke="#eee"/>')
            out.append(f'<text x="{x:.1f}" y="{y0 + ph + 16}" text-anchor="middle">{human(n)}</text>')
        out.append(f'<text x="{x0 + pw / 2}" y="{y0 + ph + 34}" text-anchor="middle">documents</text>')
        out.append(f'<text x="{x0}" y="{y0 - 8}" font-weight="bold">{label}</text>')
        for tool, colour, _ in series:
            p = [(n, v) for n, v in pts[tool] if v > 0]
            if not p:
                continue
            if label.startswith("time") and len(p) > 1:
                n0, v0 = p[0]
                n1 = p[-1][0]
                out.append(f'<line x1="{X(n0):.1f}" y1="{Y(v0):.1f}" x2="{X(n1):.1f}" y2="{Y(v0 * n1 / n0):.1f}" '
                           f'stroke="{colour}" stroke-dasharray="4 4" opacity="0.6"/>')
            out.append('<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>'.format(
                colour, " ".join(f"{X(n):.1f},{Y(v):.1f}" for n, v in p)))
            for n, v in p:
                out.append(f'<circle cx="{X(n):.1f}" cy="{Y(v):.1f}" r="3.5" fill="{colour}"/>')
                value = f"{v:.2f}" if v < 10 else f"{v:.0f}"
                out.append(f'<text x="{X(n) + 6:.1f}" y="{Y(v) - 6:.1f}" font-size="10" fill="{colour}">'
                           f'{value}</text>')
    lx = 70
    for tool, colour, name in series:
        out.append(f'<rect x="{lx}" y="{H - 22}" width="14" height="4" fill="{colour}"/>')
        out.append(f'<text x="{lx + 20}" y="{H - 16}">{name}</text>')
        lx += 190
    out.append("</svg>")
    return "\n".join(out) + "\n"
