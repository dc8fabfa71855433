"""Schemathesis hooks for Roster (scripts/schemathesis/run).

A schema-valid request may still be refused with 400 when it breaks a rule that
no OpenAPI schema can state: it names something that must already exist (a
customer's domain, a product of the catalog or of the customer's subscriptions),
two of its fields disagree, or its cursor is not one the list gave out. Such a
refusal is the API working; this hook lets exactly those through, recognised by
their stable code and field, and every other refusal of valid data still fails
the run.
"""

import atexit
import collections
import json
import sys

import schemathesis

# What was let through, printed when the run ends so that it can be read.
EXCUSED = collections.Counter()

# Codes that judge a request against what exists: the customer's domains and
# subscriptions, and the catalog's rules.
STATE_CODES = {
    "domain_not_owned",
    "product_not_owned",
    "dependency_missing",
    "mutually_exclusive",
    "not_available_in_usage_location",
    "usage_location_required",
    "unknown_service_plan",
}

# `validation_failed` on these fields, with these words: rules across fields, or
# against the catalog, that a schema cannot state.
CROSS_FIELD = {
    "cursor": ("is not a cursor this list gave out", "belongs to another sort order"),
    "assign": ("assign or remove at least one product",),
    "remove": ("is both assigned and removed",),
    "productId": ("is not in the catalog",),
}


# The import file is judged by the import reader, which no schema describes: its
# refusals name a row or a column, never a request field.
IMPORT = ("POST", "/customers/{cid}/imports")


def _excused(body, operation):
    code = body.get("code")
    if operation == IMPORT and code == "validation_failed" and "field" not in (body.get("details") or {}):
        return True
    if code in STATE_CODES:
        return True
    if code != "validation_failed":
        return False
    field = (body.get("details") or {}).get("field", "")
    message = body.get("message", "")
    # A license listed twice for one user names licenses[i].productId.
    if field.startswith("licenses[") and message.endswith("is listed twice"):
        return True
    return any(words in message for words in CROSS_FIELD.get(field, ()))


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep a failure unless it is a 400 for one of the rules above."""
    if type(failure).__name__ != "RejectedPositiveData" or response.status_code != 400:
        return True
    try:
        body = json.loads(response.content)
    except (ValueError, TypeError):
        return True
    operation = (case.operation.method.upper(), case.operation.path)
    if not (isinstance(body, dict) and _excused(body, operation)):
        return True
    field = (body.get("details") or {}).get("field", "")
    EXCUSED[(" ".join(operation), body.get("code"), field)] += 1
    return False


@atexit.register
def _report():
    if EXCUSED:
        print("schemathesis: schema-valid requests refused by rules no schema states (roster_hooks.py):", file=sys.stderr)
        for (operation, code, field), n in sorted(EXCUSED.items()):
            print(f"  {n:5}  {operation}: {code} {field}".rstrip(), file=sys.stderr)
