#!/usr/bin/env python3
"""A simple word-n-gram text-alignment baseline, measured beside doppel by
scripts/eval/pan13.sh.

Usage: baseline_ngrams.py PAIRS SRC_DIR SUSP_DIR > detections.jsonl

PAIRS holds one "suspicious source" pair a line (PAN's order). For each
pair: every word 4-gram (lower-cased letters and digits) shared by both
documents is a match; matches sorted by their place in the suspicious
document are joined while the next lies within GAP characters of the
detection on both sides; detections shorter than MIN_LEN characters on
either side are dropped. Output: JSON Lines as ../shared/tools/score_pan.py
reads them. Standard library only; parallel over pairs.
"""
import json
import os
import re
import sys
from multiprocessing import Pool

N, GAP, MIN_LEN = 4, 300, 150
WORD = re.compile(r"[^\W_]+", re.UNICODE)


def grams(text):
    words = [(m.start(), m.end(), m.group().lower()) for m in WORD.finditer(text)]
    out = {}
    for k in range(len(words) - N + 1):
        key = " ".join(w[2] for w in words[k:k + N])
        out.setdefault(key, []).append((words[k][0], words[k + N - 1][1]))
    return out


def align(args):
    susp_name, src_name, susp_dir, src_dir = args
    read = lambda p: open(p, encoding="utf-8", errors="replace").read()
    gs, gr = grams(read(os.path.join(susp_dir, susp_name))), grams(read(os.path.join(src_dir, src_name)))
    matches = sorted(
        (s, r) for key, spans in gs.items() if key in gr for s in spans for r in gr[key][:1]
    )
    dets = []
    for (s0, s1), (r0, r1) in matches:
        if dets:
            d = dets[-1]
            if s0 <= d[1] + GAP and d[2] - GAP <= r0 <= d[3] + GAP:
                d[1], d[2], d[3] = max(d[1], s1), min(d[2], r0), max(d[3], r1)
                continue
        dets.append([s0, s1, r0, r1])
    return [
        {"susp": susp_name, "src": src_name, "susp_offset": a, "susp_length": b - a,
         "src_offset": c, "src_length": d - c}
        for a, b, c, d in dets if b - a >= MIN_LEN and d - c >= MIN_LEN
    ]


def main(argv):
    if len(argv) != 4:
        sys.exit("usage: baseline_ngrams.py PAIRS SRC_DIR SUSP_DIR")
    pairs_file, src_dir, susp_dir = argv[1:]
    jobs = []
    with open(pairs_file) as f:
        for line in f:
            if line.strip():
                susp, src = line.split()
                jobs.append((susp, src, susp_dir, src_dir))
    with Pool(os.cpu_count() or 1) as pool:
        for dets in pool.imap(align, jobs, chunksize=16):
            for d in dets:
                sys.stdout.write(json.dumps(d) + "\n")


if __name__ == "__main__":
    main(sys.argv)
