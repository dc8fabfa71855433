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
    # Seats added on top of a quantity that is already near the most a subscription holds.
    "add": ("a subscription holds up to",),
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


# Refusals that depend on what earlier requests did, which no schema can state:
# an `If-Match` that is not the resource's current version, and an
# `Idempotency-Key` already used for another request.
HISTORY = {412: "precondition_failed", 422: "idempotency_key_reused"}


# A batch answers 200 with a result per item, so an item that breaks the schema
# fails on its own, in its result, rather than failing the whole request.
BATCH = ("POST", "/customers/{cid}/users/batch")


def _failed_items_only(response):
    try:
        results = json.loads(response.content).get("results")
    except (ValueError, TypeError, AttributeError):
        return False
    return isinstance(results, list) and any(r.get("status") == "failed" for r in results)


@schemathesis.hook
def filter_failure(context, failure, case, response):
    """Keep a failure unless it is a refusal for one of the rules above."""
    operation = (case.operation.method.upper(), case.operation.path)
    if type(failure).__name__ == "AcceptedNegativeData" and operation == BATCH and response.status_code == 200:
        if _failed_items_only(response):
            EXCUSED[(" ".join(operation), "failed items", "")] += 1
            return False
        return True
    if type(failure).__name__ != "RejectedPositiveData":
        return True
    # Every JSON body of the API is an object, and the document says so; a body
    # that is not one (schemathesis's coverage phase sends `0` alongside a valid
    # header now and then, and counts the case as valid) is rightly refused.
    json_body = case.media_type == "application/json" and isinstance(case.body, (list, str, int, float, bool))
    if json_body and response.status_code == 400:
        try:
            message = json.loads(response.content).get("message")
        except (ValueError, TypeError, AttributeError):
            return True
        if message == "the body must be a JSON object":
            EXCUSED[(" ".join(operation), "a body that is not an object", "")] += 1
            return False
        return True
    if response.status_code in HISTORY:
        try:
            code = json.loads(response.content).get("code")
        except (ValueError, TypeError, AttributeError):
            return True
        if code != HISTORY[response.status_code]:
            return True
        operation = (case.operation.method.upper(), case.operation.path)
        EXCUSED[(" ".join(operation), code, "")] += 1
        return False
    if response.status_code != 400:
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
