#!/usr/bin/env python3
"""PAN detection XML files (one per pair, as `doppel compare --pairs --format
pan` writes them) to the JSON Lines that ../shared/tools/score_pan.py reads.

Usage: pan_xml_to_jsonl.py DIR > detections.jsonl

Every *.xml file of DIR is read; each <feature name="detected-plagiarism">
becomes one line. A file that is not well-formed stops the run, naming it.
"""
import glob
import json
import os
import sys
import xml.etree.ElementTree as ET


def main(argv):
    if len(argv) != 2 or not os.path.isdir(argv[1]):
        sys.exit("usage: pan_xml_to_jsonl.py DIR (a directory of PAN XML files)")
    files = sorted(glob.glob(os.path.join(argv[1], "*.xml")))
    out = sys.stdout
    for path in files:
        try:
            root = ET.parse(path).getroot()
        except ET.ParseError as e:
            sys.exit(f"{path}: not well-formed XML: {e}")
        susp = root.get("reference")
        for f in root.iter("feature"):
            if f.get("name") != "detected-plagiarism":
                continue
            out.write(json.dumps({
                "susp": susp,
                "src": f.get("source_reference"),
                "susp_offset": int(f.get("this_offset")),
                "susp_length": int(f.get("this_length")),
                "src_offset": int(f.get("source_offset")),
                "src_length": int(f.get("source_length")),
            }) + "\n")
    print(f"{len(files)} files", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
