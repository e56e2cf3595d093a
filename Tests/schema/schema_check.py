"""A checker of JSON answers against workers_builds.json (Cloudflare's schema for the four Workers Builds
operations, transcribed): the few type keywords that file uses, and the v4 envelope around each result."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

SCHEMA = json.loads(Path(__file__).with_name("workers_builds.json").read_text(encoding="utf-8"))
OPERATIONS = SCHEMA["operations"]
ERROR_CODES = {int(code) for code in SCHEMA["error_codes"]}
"""Every error code the schema lists (each operation lists some of them: OPERATIONS[name]["error_codes"])."""
API_WIDE_CODES = {int(code) for code in SCHEMA["api_wide_error_codes"] if code.isdigit()}
DATE_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")



def problems(value: Any, node: dict[str, Any], path: str, full: bool, absent: frozenset[str],
             not_sent: frozenset[str] = frozenset()) -> list[str]:
    """How ``value`` at ``path`` (``result.trigger.…``) departs from the schema ``node``. With ``full``, an
    object must have every property of the schema but those in ``not_sent`` and ``absent``; the paths in
    ``absent`` must be missing."""
    if value is None:
        return [] if node.get("nullable") else [f"{path}: null, which the schema does not allow"]
    kind = node["type"]
    if kind in ("object", "map"):
        if not isinstance(value, dict):
            return [f"{path}: {type(value).__name__}, not an object"]
        if kind == "map":
            return [problem for key, item in value.items()
                    for problem in problems(item, node["additionalProperties"], f"{path}[{key!r}]", full, absent,
                                           not_sent)]
        properties = node["properties"]
        inner = {key: f"{path}.{key}" if path else key for key in {*value, *properties}}
        found = [f"{inner[key]}: not in the schema" for key in value if key not in properties]
        found += [f"{inner[key]}: must be absent" for key in value if inner[key] in absent]
        if full:
            found += [f"{inner[key]}: missing" for key in properties
                      if key not in value and inner[key] not in not_sent and inner[key] not in absent]
        for key, item in value.items():
            if key in properties:
                found += problems(item, properties[key], inner[key], full, absent, not_sent)
        return found
    if kind == "array":
        if not isinstance(value, list):
            return [f"{path}: {type(value).__name__}, not an array"]
        return [problem for index, item in enumerate(value)
                for problem in problems(item, node["items"], f"{path}[{index}]", full, absent, not_sent)]
    if kind == "tuple":
        if not isinstance(value, list) or len(value) != len(node["prefixItems"]):
            return [f"{path}: not an array of {len(node['prefixItems'])} items"]
        return [problem for index, (item, item_node) in enumerate(zip(value, node["prefixItems"]))
                for problem in problems(item, item_node, f"{path}[{index}]", full, absent, not_sent)]
    if kind == "number":
        return [] if isinstance(value, (int, float)) and not isinstance(value, bool) else [f"{path}: not a number"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{path}: not a boolean"]
    assert kind == "string", kind
    if not isinstance(value, str):
        return [f"{path}: {type(value).__name__}, not a string"]
    if "enum" in node and value not in node["enum"]:
        return [f"{path}: {value!r} not one of {node['enum']}"]
    if node.get("format") == "uuid" and not re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", value, re.I):
        return [f"{path}: {value!r} is not a UUID"]
    if node.get("format") == "date-time" and not DATE_TIME.fullmatch(value):
        return [f"{path}: {value!r} is not an ISO 8601 date-time"]
    if "pattern" in node and not re.search(node["pattern"], value):
        return [f"{path}: {value!r} does not match {node['pattern']}"]
    return []


def envelope_problems(body: Any, operation: str, full: bool = False, absent: frozenset[str] = frozenset(),
                      not_sent: frozenset[str] = frozenset()) -> list[str]:
    """:func:`problems` for a whole answer: the envelope, with the operation's result in it (or null)."""
    envelope = copy.deepcopy(SCHEMA["envelope"])
    envelope["properties"]["result"] = dict(OPERATIONS[operation]["result"], nullable=True)
    found = problems(body, envelope, "", full, absent, not_sent)
    missing = [key for key in envelope["required"] if not isinstance(body, dict) or key not in body]
    return found + [f"{key}: missing (required)" for key in missing]
