#!/usr/bin/env python3
"""validate.py SCHEMA FILE...: validates JSON documents against a JSON schema
(draft 4, as the SARIF 2.1.0 schema is) with python3-jsonschema. Prints one
line per problem; exits 0 when every file is valid, 1 when one is not, 2 when
jsonschema is missing."""
import json
import sys

try:
    import jsonschema
except ImportError:
    print("validate.py: python3-jsonschema is not installed", file=sys.stderr)
    sys.exit(2)

schema = json.load(open(sys.argv[1], encoding="utf-8"))
validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
bad = 0
for path in sys.argv[2:]:
    try:
        doc = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"{path}: not JSON: {e}")
        bad += 1
        continue
    for err in sorted(validator.iter_errors(doc), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in err.path)
        print(f"{path}: at /{where}: {err.message[:300]}")
        bad += 1
sys.exit(1 if bad else 0)
