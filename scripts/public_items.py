#!/usr/bin/env python3
"""Count the public items of the engine crate `doppel`, from rustdoc JSON.

Build the JSON first (nightly output format, on a stable toolchain):

    RUSTC_BOOTSTRAP=1 RUSTDOCFLAGS="-Zunstable-options --output-format json" \
        cargo doc -p doppel --no-deps -q
    python3 scripts/public_items.py [target/doc/doppel.json] [--list]

Counted: items of the crate itself (crate_id 0) with public visibility, of
kind module, struct, enum, free function, constant, trait, type alias or
static. Not counted: impls, `use` re-exports, struct fields, variants, and
methods (functions listed in some impl's items). Items marked
`#[doc(hidden)]` (test references) are counted apart; rustdoc leaves them
out of the JSON unless `--document-hidden-items` is passed, so they are
counted only then. Root re-exports (`pub use` in lib.rs) are counted apart.
"""

import json
import sys
from collections import Counter

KINDS = {"module", "struct", "enum", "function", "constant", "trait", "type_alias", "static"}


def kind_of(item):
    inner = item.get("inner") or {}
    return next(iter(inner), None) if isinstance(inner, dict) else inner


def main(argv):
    args = [a for a in argv if not a.startswith("--")]
    path = args[0] if args else "target/doc/doppel.json"
    with open(path) as f:
        doc = json.load(f)
    index = doc["index"]
    methods = set()
    for item in index.values():
        if kind_of(item) == "impl":
            methods.update(str(i) for i in item["inner"]["impl"]["items"])
    counted = Counter()
    hidden = Counter()
    listing = []
    for id_, item in index.items():
        if item.get("crate_id") != 0 or item.get("visibility") != "public":
            continue
        kind = kind_of(item)
        if kind not in KINDS or (kind == "function" and str(id_) in methods):
            continue
        is_hidden = any("doc(hidden)" in str(a) for a in item.get("attrs", []))
        (hidden if is_hidden else counted)[kind] += 1
        path_ = doc["paths"].get(str(id_), {}).get("path") or [item.get("name")]
        listing.append(("hidden " if is_hidden else "") + f"{kind} {'::'.join(path_)}")
    root = index[str(doc["root"])]
    reexports = [
        index[str(i)]
        for i in root["inner"]["module"]["items"]
        if kind_of(index[str(i)]) == "use" and index[str(i)].get("visibility") == "public"
    ]
    if "--list" in argv:
        print("\n".join(sorted(listing)))
    total = sum(counted.values())
    detail = ", ".join(f"{k} {counted[k]}" for k in sorted(counted))
    print(f"public items: {total} ({detail})")
    print(f"of which modules: {counted['module']}; other items: {total - counted['module']}")
    if hidden:
        print(f"hidden (doc(hidden)) items: {sum(hidden.values())}")
    print(f"root re-exports: {len(reexports)}")


if __name__ == "__main__":
    main(sys.argv[1:])
