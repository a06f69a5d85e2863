#!/usr/bin/env python3
"""Plain-text training corpus for the demo model: the King James Version of
the Bible as Debian's bible-kjv package prints it (public domain text; see
models/README.md). Chapter headings and verse numbers are dropped and each
verse becomes one line.

    bible Gen1:1-Rev22:21 | python3 models/prep_corpus.py > build/models/kjv.txt
"""
import re
import sys


def verses(lines):
    cur = []
    for line in lines:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        m = re.match(r"^\s+\d+ (.*)$", line)
        if m:  # a new verse
            if cur:
                yield " ".join(cur)
            cur = [m.group(1).strip()]
        elif re.match(r"^[1-3A-Z][A-Za-z ]* \d+$", line):  # "Genesis 1": chapter heading
            if cur:
                yield " ".join(cur)
            cur = []
        else:  # continuation of the current verse
            cur.append(line.strip())
    if cur:
        yield " ".join(cur)


def main():
    n = 0
    for v in verses(sys.stdin):
        sys.stdout.write(v + "\n")
        n += 1
    print(f"prep_corpus: {n} verses", file=sys.stderr)


if __name__ == "__main__":
    main()
