#!/usr/bin/env python3
"""Copies the public corpora the classification tests read into
tests/fixtures/, converting YAML to JSON and sampling the large ones
deterministically (every Nth entry, in file order). See
tests/fixtures/README.md for sources and licences.

    pip install pyyaml
    python3 scripts/make-test-fixtures.py CARGO_REGISTRY_SRC NPM_UNPACKED

CARGO_REGISTRY_SRC holds the unpacked crates uaparser-0.6.4, isbot-0.1.3
and url-2.5.9; NPM_UNPACKED holds crawler-user-agents-1.60.0/package and
top-user-agents-2.1.138/package. Tests never run this script.
"""

import json
import os
import shutil
import sys

import yaml

DEVICE_SAMPLE_EVERY = 4
ISBOT_BROWSERS_TXT_SAMPLE_EVERY = 40


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=0)
        f.write("\n")


def uap_cases(path, fields):
    with open(path, encoding="utf-8") as f:
        cases = yaml.safe_load(f)["test_cases"]
    return [{k: case.get(k) for k in ("user_agent_string",) + fields} for case in cases]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    crates, npm = sys.argv[1], sys.argv[2]
    out = "tests/fixtures"

    uap = os.path.join(crates, "uaparser-0.6.4/src/core")
    write_json(f"{out}/uap-core/test_ua.json", uap_cases(f"{uap}/tests/test_ua.yaml", ("family",)))
    write_json(f"{out}/uap-core/test_os.json", uap_cases(f"{uap}/tests/test_os.yaml", ("family",)))
    device = uap_cases(f"{uap}/tests/test_device.yaml", ("family", "brand", "model"))
    write_json(f"{out}/uap-core/test_device.json", device[::DEVICE_SAMPLE_EVERY])
    shutil.copy(f"{uap}/LICENSE", f"{out}/uap-core/LICENSE")

    cua = os.path.join(npm, "crawler-user-agents-1.60.0/package")
    with open(f"{cua}/crawler-user-agents.json", encoding="utf-8") as f:
        entries = json.load(f)
    instances = [
        {"pattern": e["pattern"], "instance": i} for e in entries for i in e.get("instances", [])
    ]
    write_json(f"{out}/crawler-user-agents/instances.json", instances)
    shutil.copy(f"{cua}/LICENSE", f"{out}/crawler-user-agents/LICENSE")

    isbot = os.path.join(crates, "isbot-0.1.3")
    os.makedirs(f"{out}/isbot", exist_ok=True)
    for name in ("bots.txt", "omrilotan-browsers.json", "ua-parser-bots.json"):
        shutil.copy(f"{isbot}/fixtures/{name}", f"{out}/isbot/{name}")
    with open(f"{isbot}/fixtures/browsers.txt", encoding="utf-8") as f:
        lines = f.read().splitlines()
    sample = lines[::ISBOT_BROWSERS_TXT_SAMPLE_EVERY]
    with open(f"{out}/isbot/browsers-sample.txt", "w", encoding="utf-8") as f:
        f.write("\n".join(sample) + "\n")
    shutil.copy(f"{isbot}/LICENSE", f"{out}/isbot/LICENSE")

    top = os.path.join(npm, "top-user-agents-2.1.138/package")
    os.makedirs(f"{out}/top-user-agents", exist_ok=True)
    for name in ("index.json", "desktop.json", "mobile.json"):
        shutil.copy(f"{top}/src/{name}", f"{out}/top-user-agents/{name}")

    url = os.path.join(crates, "url-2.5.9/tests")
    os.makedirs(f"{out}/wpt-url", exist_ok=True)
    shutil.copy(f"{url}/urltestdata.json", f"{out}/wpt-url/urltestdata.json")


if __name__ == "__main__":
    main()
