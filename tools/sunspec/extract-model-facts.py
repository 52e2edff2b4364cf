#!/usr/bin/env python3
"""Write the SunSpec model definitions that Nexwatt.Protocols.SunSpec ships.

Reads the official SunSpec model JSON files (https://github.com/sunspec/models, json/) and writes, for each
requested model, a file in the same schema that keeps only the facts a Modbus reader needs: group name, type,
count and nesting; point name, label, type, size, sf, units, access, mandatory, static, value, count; symbol
name and value. Prose (desc, detail, notes, comments, standards, symbol labels) is dropped. An attribute this
script does not know stops it, so that a new fact is never dropped silently.

Usage (from the repository root):
    python3 tools/sunspec/extract-model-facts.py [--source DIR] [--dest DIR] [--check] [MODEL_ID ...]

--check writes nothing and exits 1 when a shipped file differs from what the official files give.
"""

import argparse
import json
import os
import sys

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DEFAULT_SOURCE = os.path.normpath(os.path.join(REPO, "..", "shared", "reference", "sunspec", "models"))
DEFAULT_DEST = os.path.join(REPO, "protocols", "Nexwatt.Protocols.SunSpec", "Definitions")
DEFAULT_MODELS = [1, 101, 102, 103, 111, 112, 113, 120, 121, 122, 123, 124, 126, 160] \
    + list(range(701, 716)) + [802, 803, 804, 805]

PROSE = {"desc", "detail", "notes", "comments", "standards"}
MODEL_KEYS = ["id", "group"]
MODEL_PROSE = PROSE | {"label"}
GROUP_KEYS = ["name", "label", "type", "count", "points", "groups"]
POINT_KEYS = ["name", "label", "type", "size", "value", "count", "sf", "units",
              "access", "mandatory", "static", "symbols"]
SYMBOL_KEYS = ["name", "value"]
SYMBOL_PROSE = PROSE | {"label"}


class ExtractError(Exception):
    pass


def pick(obj, keys, prose, where):
    unknown = set(obj) - set(keys) - prose
    if unknown:
        raise ExtractError(f"{where}: unknown attribute(s) {sorted(unknown)}; decide whether they are facts")
    return {k: obj[k] for k in keys if k in obj}


def point_facts(point, where):
    out = pick(point, POINT_KEYS, PROSE, f"{where}.{point.get('name')}")
    if "symbols" in out:
        out["symbols"] = [pick(s, SYMBOL_KEYS, SYMBOL_PROSE, f"{where}.{point['name']} symbol {s.get('name')}")
                          for s in out["symbols"]]
    return out


def group_facts(group, where):
    where = f"{where}.{group.get('name')}" if where else group.get("name")
    out = pick(group, GROUP_KEYS, PROSE, where)
    if "points" in out:
        out["points"] = [point_facts(p, where) for p in out["points"]]
    if "groups" in out:
        out["groups"] = [group_facts(g, where) for g in out["groups"]]
    return out


def model_facts(model, source):
    out = pick(model, MODEL_KEYS, MODEL_PROSE, source)
    out["group"] = group_facts(out["group"], "")
    return out


def render(model):
    return json.dumps(model, indent=2, ensure_ascii=False) + "\n"


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="folder with the official model_<id>.json files")
    parser.add_argument("--dest", default=DEFAULT_DEST, help="folder to write our definitions to")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on any difference")
    parser.add_argument("models", nargs="*", type=int, help="model ids (default: the shipped set)")
    args = parser.parse_args(argv)

    differences = 0
    for model_id in args.models or DEFAULT_MODELS:
        name = f"model_{model_id}.json"
        source = os.path.join(args.source, name)
        try:
            with open(source, encoding="utf-8") as f:
                official = json.load(f)
            if official.get("id") != model_id:
                raise ExtractError(f"{source}: id is {official.get('id')}, expected {model_id}")
            text = render(model_facts(official, source))
        except (OSError, ValueError, ExtractError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        target = os.path.join(args.dest, name)
        current = None
        if os.path.exists(target):
            with open(target, encoding="utf-8") as f:
                current = f.read()
        if current == text:
            continue
        differences += 1
        if args.check:
            print(f"differs: {target}", file=sys.stderr)
        else:
            os.makedirs(args.dest, exist_ok=True)
            with open(target, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)
            print(f"wrote {target}")
    if args.check and differences:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
