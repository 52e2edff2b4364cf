"""Parses Prometheus text exposition from stdin with Debian's python3-prometheus-client, the reference parser.

Prints one JSON document: {"families": [{"name", "type", "samples": [{"name", "labels", "value"}]}]}.
A malformed exposition makes the parser raise, and this script exits 1 with the error on stderr.
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

families = []
for family in text_string_to_metric_families(sys.stdin.read()):
    families.append({
        "name": family.name,
        "type": family.type,
        "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in family.samples],
    })
json.dump({"families": families}, sys.stdout)
