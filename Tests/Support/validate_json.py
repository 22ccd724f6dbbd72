#!/usr/bin/env python3
"""Validate a JSON document against one of Switchboard's HTTP API schemas.

    python3 validate_json.py SCHEMA_NAME [FILE]

SCHEMA_NAME names a file in schemas/api/ (`request-page.schema.json`, or just `request-page`), or else one in
schemas/ (`error`, the error body the API shares with the ZeroMQ protocol). The document
is read from FILE, or from standard input when FILE is absent or `-`. Every `*.schema.json` under schemas/
(schemas/api/ included) is registered by its `$id`, so schemas refer to each other offline
(`"$ref": "urn:switchboard:schema:status:v1"`). Formats (`date-time`) are checked.

Exit status: 0 when the document is valid; 1 when it is not (every error, with where it is, on standard
error), including when it is not JSON; 2 on a usage error (wrong arguments, unknown schema, unreadable
file, a schema that is itself invalid).

Needs the `jsonschema` package (which brings `referencing`).
"""

import json
import pathlib
import sys

USAGE = "usage: validate_json.py SCHEMA_NAME [FILE]   (SCHEMA_NAME: a file in schemas/api/, such as request-page.schema.json)"

SCHEMAS = pathlib.Path(__file__).resolve().parent.parent.parent / "schemas"
SUFFIX = ".schema.json"


def usage_error(message):
    print(f"validate_json.py: {message}", file=sys.stderr)
    sys.exit(2)


try:
    import jsonschema
    import referencing
    import referencing.exceptions
    import referencing.jsonschema
except ImportError as error:
    usage_error(f"{error}; install the jsonschema package (pip install jsonschema)")


def load_registry():
    """Every schema under schemas/, by `$id` (or, lacking one, by its file URI)."""
    registry = referencing.Registry()
    seen = {}
    for path in sorted(SCHEMAS.rglob("*" + SUFFIX)):
        try:
            contents = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            usage_error(f"cannot load schema {path}: {error}")
        uri = contents.get("$id") if isinstance(contents, dict) else None
        if not uri:
            uri = path.as_uri()
        if uri in seen:
            usage_error(f"schemas {seen[uri]} and {path} have the same $id {uri}")
        seen[uri] = path
        resource = referencing.Resource.from_contents(
            contents, default_specification=referencing.jsonschema.DRAFT202012)
        registry = registry.with_resource(uri, resource)
    return registry.crawl()


def reject_constant(name):
    raise ValueError(f"{name} is not JSON")


def reject_duplicates(pairs):
    result = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def describe(error, instance):
    """Where an error is, as a JSON path (`$.items[0].ticket`), and what it is.

    A property that a conditional forbids (`"properties": {"due_in_seconds": false}` under `else`) fails a
    false schema, which jsonschema reports at the parent object, without the property's name; name it.
    """
    if error.schema is False and error.validator is None and list(error.relative_schema_path)[-1:] == ["properties"]:
        parent = instance
        for step in error.absolute_path:
            parent = parent[step]
        if isinstance(parent, dict):
            names = [name for name, value in parent.items()
                     if value == error.instance and type(value) is type(error.instance)]
            if names:
                rule = "/".join(map(str, error.absolute_schema_path))
                return (f"{error.json_path}.{' or '.join(names)}",
                        f"not allowed here, it must be absent (schema: {rule}; value {error.instance!r})")
    return error.json_path, error.message


def main(argv):
    if len(argv) not in (2, 3) or argv[1] in ("-h", "--help"):
        usage_error(USAGE)
    name = argv[1]
    if not name.endswith(SUFFIX):
        name += SUFFIX
    schema_path = SCHEMAS / "api" / name
    if not schema_path.is_file():
        # The protocol's own bodies (error, status, ...), which the HTTP API reuses.
        schema_path = SCHEMAS / name
    if "/" in argv[1] or not schema_path.is_file():
        known = ", ".join(sorted(p.name for p in (SCHEMAS / "api").glob("*" + SUFFIX)))
        usage_error(f"no schema {argv[1]!r} in {SCHEMAS / 'api'}; known: {known}")

    source = argv[2] if len(argv) == 3 else "-"
    try:
        if source == "-":
            text = sys.stdin.buffer.read().decode("utf-8")
        else:
            text = pathlib.Path(source).read_bytes().decode("utf-8")
    except OSError as error:
        usage_error(f"cannot read {source}: {error}")
    except UnicodeDecodeError as error:
        print(f"{source}: not UTF-8: {error}", file=sys.stderr)
        return 1

    registry = load_registry()
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as error:
        usage_error(f"schema {schema_path} is invalid: {error.message} (at {error.json_path})")

    try:
        instance = json.loads(text, object_pairs_hook=reject_duplicates, parse_constant=reject_constant)
    except ValueError as error:
        print(f"{source}: not valid JSON: {error}", file=sys.stderr)
        return 1

    validator = jsonschema.Draft202012Validator(
        schema, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    try:
        errors = sorted(validator.iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    except referencing.exceptions.Unresolvable as error:
        usage_error(f"schema {schema_path} has a reference that does not resolve: {error}")
    if not errors:
        return 0
    print(f"{source}: {len(errors)} error(s) against {name}:", file=sys.stderr)
    for error in errors:
        print("  %s: %s" % describe(error, instance), file=sys.stderr)
        # The branches that failed, for anyOf, oneOf and the like, where the message alone is vague.
        for sub in sorted(error.context or [], key=lambda e: list(map(str, e.absolute_path))):
            print("    %s: %s" % describe(sub, instance), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
