"""Seeds a fresh Roster server for schemathesis and writes its configuration.

Usage: seed.py URL TOKEN HOOKS OUT.toml

Creates a customer with subscriptions, an active and a deleted user, and a
finished import job, through the API; then writes a schemathesis.toml whose
dictionaries offer their ids for the path parameters half of the time, so that
generated requests reach real resources and not only 404s.
"""

import json
import sys
import time
import urllib.error
import urllib.request
import uuid

url, token, hooks, out = sys.argv[1:5]
api = url.rstrip("/") + "/api/v1"


def call(method, path, body=None, content_type="application/json"):
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(api + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
    except urllib.error.HTTPError as e:
        sys.exit(f"seeding: {method} {path} answered {e.code}: {e.read()[:300]!r}")
    return json.loads(raw) if raw else None


domain = f"seed-{uuid.uuid4().hex[:8]}.example"
customer = call("POST", "/customers", {"companyName": "Seed Co", "domains": [domain], "country": "FR"})
cid = customer["id"]
subscriptions = [
    call("POST", f"/customers/{cid}/subscriptions", {"productId": product, "quantity": 50})["id"]
    for product in ("MAIL_P1", "OFFICE_APPS")
]
users = []
for name in ("ana", "ben", "cleo"):
    created = call(
        "POST",
        f"/customers/{cid}/users",
        {"userName": name, "domain": domain, "displayName": name.title(), "usageLocation": "FR",
         "licenses": [{"productId": "MAIL_P1"}]},
    )
    users.append(created["user"]["id"])
call("DELETE", f"/customers/{cid}/users/{users[-1]}")
csv = "Display name,Username\nDee,dee\n".encode()
job = call("POST", f"/customers/{cid}/imports", csv, "text/csv")
for _ in range(100):
    if call("GET", f"/customers/{cid}/imports/{job['id']}?results=false")["status"] in ("succeeded", "failed"):
        break
    time.sleep(0.1)


def strings(values):
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


with open(out, "w") as f:
    f.write(f"""hooks = {json.dumps(hooks)}

[cache]
enabled = false

[dictionaries.customers]
values = {strings([cid])}
[dictionaries.users]
values = {strings(users)}
[dictionaries.subscriptions]
values = {strings(subscriptions)}
[dictionaries.jobs]
values = {strings([job["id"]])}
[dictionaries.domains]
values = {strings([domain])}

[parameters]
"path.cid" = {{ dictionary = "customers", probability = 0.5 }}
"path.uid" = {{ dictionary = "users", probability = 0.5 }}
"path.sid" = {{ dictionary = "subscriptions", probability = 0.5 }}
"path.jid" = {{ dictionary = "jobs", probability = 0.5 }}
"body.domain" = {{ dictionary = "domains", probability = 0.5 }}
""")
print(f"seeded customer {cid}: {len(users)} users, {len(subscriptions)} subscriptions, import job {job['id']}")
