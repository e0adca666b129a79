#!/usr/bin/env python3
"""French text that repeats nothing, for measuring a matcher on text it has not read before.

    apt-get install manpages-fr man-db
    scripts/manpages-corpus.py /tmp/man-fr.jsonl

The benchmark corpora of `gen-corpus.py` repeat their articles (`--real` cycles the 30 articles
of the repository), so after the first few hundred kilobytes every automaton has already met
every sentence. This script writes the French manual pages installed on the machine as JSONL, one
record per page (`id`, `lang`, `text`), each paragraph on one line, without the pages' headers
and footers and without lines of 60 characters or fewer (synopses, option lists). It is not news,
but it is real French prose whose words and sentences do not come back (BENCHMARKS.md, "One
automaton per stage on text read for the first time").
"""
import glob
import json
import os
import subprocess
import sys


def page_text(path):
    """The page's paragraphs, one per line, rendered as wide as they are long."""
    env = dict(os.environ, MANWIDTH="10000", LANG="C.UTF-8")
    try:
        rendered = subprocess.run(
            ["man", "-E", "UTF-8", "-l", path], capture_output=True, env=env, timeout=20
        ).stdout
    except subprocess.TimeoutExpired:
        return ""
    plain = subprocess.run(["col", "-b"], input=rendered, capture_output=True).stdout
    lines = plain.decode("utf-8", "replace").splitlines()
    # headers and footers are laid out with runs of tabs
    paragraphs = [" ".join(line.split()) for line in lines if "\t\t" not in line]
    return "\n".join(p for p in paragraphs if len(p) > 60)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: manpages-corpus.py OUT.jsonl")
    pages = sorted(glob.glob("/usr/share/man/fr/man*/*"))
    if not pages:
        sys.exit("no French manual pages: apt-get install manpages-fr man-db")
    size = 0
    with open(sys.argv[1], "w", encoding="utf-8") as out:
        for i, path in enumerate(pages):
            text = page_text(path)
            if text:
                record = {"id": f"man{i}", "lang": "fr", "text": text}
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                size += len(text.encode())
    print(f"{len(pages)} pages, {size} bytes of text -> {sys.argv[1]}")


if __name__ == "__main__":
    main()
