#!/usr/bin/env python3
"""Parse a Prometheus text exposition (format 0.0.4, GET /metrics) strictly and print it as JSON.

    curl -s http://127.0.0.1:8570/metrics | python3 parse_metrics.py

Reads standard input, parses it with prometheus_client's parser and prints one JSON object:

    {"families": {"switchboard_requests_submitted_total": "counter", ...},
     "samples": [{"name": "switchboard_requests_submitted_total", "labels": {"department": "claims",
                  "priority": "high"}, "value": 3}, ...]}

Families are keyed by the name of their `# TYPE` line, as exposed (a counter keeps its `_total`); samples
are in the order of the input, with their names as exposed (`_bucket`, `_sum`, `_count` for a histogram)
and label values unescaped. A value is a JSON number, or the string "+Inf", "-Inf" or "NaN".

prometheus_client's parser is lax, so this also checks, and exits 1 with every problem on standard error
(nothing on standard output) when:
- the text does not parse, or does not end with a line feed;
- a family's name does not start with `switchboard_`;
- a family has no `# TYPE` line or a type other than counter, gauge, histogram and summary (a sample whose
  name does not belong to the family above it becomes such an untyped family);
- a family appears twice (its lines are not together), or a sample (name and labels) twice;
- a counter's name does not end in `_total`, or a counter is negative;
- a histogram's series lacks its `+Inf` bucket, `_sum` or `_count`, its buckets are not cumulative, or its
  `+Inf` bucket differs from its `_count`.

Exit status: 0 when the exposition is valid, 1 when it is not. Needs the prometheus_client package.
"""

import json
import math
import sys

KNOWN_TYPES = ("counter", "gauge", "histogram", "summary")
PREFIX = "switchboard_"


def json_value(value):
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+Inf" if value > 0 else "-Inf")
    return value


def declared_types(text):
    """The names of the `# TYPE` lines, in order."""
    names = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[0] == "#" and parts[1] == "TYPE":
            names.append(parts[2])
    return names


def exposed_name(family, declared):
    """The family's name as its TYPE line gives it: the parser drops a counter's `_total`."""
    if family.type == "counter" and family.name + "_total" in declared:
        return family.name + "_total"
    return family.name


def check_histogram(name, samples, problems):
    series = {}
    for sample in samples:
        key = tuple(sorted((k, v) for k, v in sample.labels.items() if k != "le"))
        entry = series.setdefault(key, {"buckets": [], "sum": None, "count": None})
        if sample.name == name + "_bucket":
            if "le" not in sample.labels:
                problems.append(f"{name}: a _bucket sample without an le label: {sample.labels}")
                continue
            try:
                bound = float(sample.labels["le"])
            except ValueError:
                problems.append(f"{name}: le={sample.labels['le']!r} is not a number")
                continue
            entry["buckets"].append((bound, sample.value))
        elif sample.name == name + "_sum":
            entry["sum"] = sample.value
        elif sample.name == name + "_count":
            entry["count"] = sample.value
    for key, entry in series.items():
        where = f"{name}{{{', '.join(f'{k}={v!r}' for k, v in key)}}}"
        buckets = sorted(entry["buckets"])
        if not buckets or buckets[-1][0] != math.inf:
            problems.append(f"{where}: no le=\"+Inf\" bucket")
        for (low, low_count), (high, high_count) in zip(buckets, buckets[1:]):
            if high_count < low_count:
                problems.append(f"{where}: bucket le={high} ({high_count}) is below bucket le={low} ({low_count})")
        if entry["sum"] is None:
            problems.append(f"{where}: no _sum")
        if entry["count"] is None:
            problems.append(f"{where}: no _count")
        elif buckets and buckets[-1][0] == math.inf and buckets[-1][1] != entry["count"]:
            problems.append(f"{where}: _count {entry['count']} differs from the +Inf bucket {buckets[-1][1]}")


def main():
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError as error:
        print(f"parse_metrics.py: {error}; install the prometheus_client package (pip install prometheus_client)",
              file=sys.stderr)
        return 1
    try:
        text = sys.stdin.buffer.read().decode("utf-8")
    except UnicodeDecodeError as error:
        print(f"parse_metrics.py: the exposition is not UTF-8: {error}", file=sys.stderr)
        return 1

    problems = []
    if text and not text.endswith("\n"):
        problems.append("the exposition does not end with a line feed")
    try:
        families = list(text_string_to_metric_families(text))
    except Exception as error:  # the parser raises ValueError mostly, but IndexError and others on odd input
        print(f"parse_metrics.py: the exposition does not parse: {type(error).__name__}: {error}", file=sys.stderr)
        return 1

    declared = declared_types(text)
    result = {"families": {}, "samples": []}
    seen_samples = set()
    for family in families:
        name = exposed_name(family, declared)
        if not name.startswith(PREFIX):
            problems.append(f"{name}: the family's name does not start with {PREFIX}")
        if family.type not in KNOWN_TYPES:
            problems.append(f"{name}: type {family.type!r}; expected a # TYPE line with one of {', '.join(KNOWN_TYPES)} "
                            f"(a sample whose name does not belong to the family above it is untyped)")
        if family.type == "counter" and name == family.name:
            problems.append(f"{name}: a counter's name must end in _total")
        if name in result["families"]:
            problems.append(f"{name}: the family appears more than once (its lines must be together)")
        result["families"][name] = family.type
        for sample in family.samples:
            key = (sample.name, tuple(sorted(sample.labels.items())))
            if key in seen_samples:
                problems.append(f"{sample.name}{sample.labels}: the sample appears more than once")
            seen_samples.add(key)
            if family.type == "counter" and not sample.value >= 0:
                problems.append(f"{sample.name}{sample.labels}: a counter is {sample.value}")
            result["samples"].append({"name": sample.name, "labels": dict(sample.labels), "value": json_value(sample.value)})
        if family.type == "histogram":
            check_histogram(family.name, family.samples, problems)

    if problems:
        for problem in problems:
            print(f"parse_metrics.py: {problem}", file=sys.stderr)
        return 1
    json.dump(result, sys.stdout, sort_keys=True, allow_nan=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
