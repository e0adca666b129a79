#!/usr/bin/env python3
"""Runs a battery of invented sentences (scripts/batteries/*.tsv) through kgsmith and reports
which expected relations the graph lacks (and which unwanted ones it holds).

    scripts/battery.py scripts/batteries/en.tsv                  # target/release/kgsmith, rules/
    scripts/battery.py --context scripts/batteries/fr.tsv        # names both entities first
    scripts/battery.py --bin OTHER --rules PACK FILE...          # another build or pack
    scripts/battery.py -v FILE                                   # every line, with its edges

Each sentence is built alone (`kgsmith build FILE -f json`), two at a time, so that no name of
one sentence merges with a name of another. A battery is a measuring tool for rule writers, not
a test: the lines that still fail are the constructions no rule reads yet.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def read_cases(path):
    cases = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            parts = line.split("\t")
            if len(parts) != 4:
                sys.exit(f"{path}:{number}: expected 4 tab-separated columns, found {len(parts)}")
            cases.append((f"{path}:{number}", *parts))
    return cases


def graph_of(binary, rules, text, work):
    """The relations of TEXT's graph as ((label, names), relation, (label, names))."""
    directory = tempfile.mkdtemp(dir=work)
    with open(os.path.join(directory, "a.txt"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    out = os.path.join(directory, "out")
    subprocess.run(
        [binary, "build", os.path.join(directory, "a.txt"), "-q", "-o", out, "-f", "json",
         "-r", rules, "-j", "1"],
        check=True, cwd=ROOT)
    with open(os.path.join(out, "kg.json"), encoding="utf-8") as f:
        g = json.load(f)
    names = {n["id"]: (n["label"], {n["label"], *(n.get("aliases") or [])}) for n in g["nodes"]}
    return [(names[e["source"]], e["relation"], names[e["target"]]) for e in g["links"]]


def holds(edges, relation, subject, obj):
    for (_, s), r, (_, o) in edges:
        if r != relation:
            continue
        if (subject in s and obj in o) or (relation == "partnerOf" and subject in o and obj in s):
            return True
    return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "kgsmith"))
    ap.add_argument("--rules", default=os.path.join(ROOT, "rules"))
    ap.add_argument("--context", action="store_true",
                    help="put 'Notes: SUBJECT; OBJECT.' before each sentence")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    cases = [c for path in args.files for c in read_cases(path)]
    with tempfile.TemporaryDirectory() as work:
        def run(case):
            _, _, subject, obj, text = case
            if args.context:
                text = f"Notes: {subject}; {obj}. {text}"
            return graph_of(args.bin, args.rules, text, work)

        with ThreadPoolExecutor(2) as pool:
            graphs = list(pool.map(run, cases))
    passed = 0
    for (where, relation, subject, obj, text), edges in zip(cases, graphs):
        negative = relation.startswith("!")
        found = holds(edges, relation.lstrip("!"), subject, obj)
        ok = found != negative
        passed += ok
        if not ok or args.verbose:
            mark = "ok  " if ok else ("FOUND" if negative else "MISS")
            print(f"{mark} {where}: {subject} {relation} {obj} | {text}")
            for (s, _), r, (o, _) in edges:
                print(f"         {s} {r} {o}")
    print(f"{passed}/{len(cases)} as expected")


if __name__ == "__main__":
    main()
