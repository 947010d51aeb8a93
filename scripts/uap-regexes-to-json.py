#!/usr/bin/env python3
"""Converts uap-core's regexes.yaml into the JSON file hearsay embeds.

Run once when the rules are updated:

    pip install pyyaml
    python3 scripts/uap-regexes-to-json.py path/to/regexes.yaml data/uap-core/regexes.json

The build and CI never run it: they read the committed JSON, so hearsay
needs no YAML parser at run time.
"""

import json
import sys

import yaml


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit("usage: uap-regexes-to-json.py REGEXES_YAML OUTPUT_JSON")
    source, target = sys.argv[1], sys.argv[2]
    with open(source, encoding="utf-8") as f:
        rules = yaml.safe_load(f)
    keep = ("user_agent_parsers", "os_parsers", "device_parsers")
    missing = [k for k in keep if k not in rules]
    if missing:
        sys.exit(f"{source}: missing sections {missing}")
    with open(target, "w", encoding="utf-8") as f:
        json.dump({k: rules[k] for k in keep}, f, ensure_ascii=False, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
