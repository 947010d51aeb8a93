#!/usr/bin/env python3
"""Extracts the patterns of crawler-user-agents.json (MIT) into the plain
list hearsay embeds, one regular expression a line, in upstream order.

    python3 scripts/crawler-patterns.py path/to/crawler-user-agents.json \
        data/crawler-user-agents/patterns.txt

Only the standard library is needed. hearsay's overrides of upstream
patterns live in the code (src/classify/crawler_list.rs), not here.
"""

import json
import sys


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: crawler-patterns.py CRAWLER_USER_AGENTS_JSON OUTPUT_TXT")
    with open(sys.argv[1], encoding="utf-8") as f:
        entries = json.load(f)
    with open(sys.argv[2], "w", encoding="utf-8") as out:
        for entry in entries:
            pattern = entry["pattern"]
            if "\n" in pattern:
                sys.exit(f"pattern spans lines: {pattern!r}")
            out.write(pattern + "\n")


if __name__ == "__main__":
    main()
