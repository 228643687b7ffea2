#!/usr/bin/env python3
"""Creates the benchmark realms, users and clients on a running Keycloak (admin REST API, stdlib only).

   setup.py BASE ADMIN_PASSWORD realm NAME POLICY USERS | listeners REALM LIST [store] | service-clients |
            saturation N
   listeners ... store: also Keycloak's own event store (eventsEnabled, the JPA event store); without it, off.
"""
import json
import sys
import urllib.parse
import urllib.request

base, admin_password, what = sys.argv[1], sys.argv[2], sys.argv[3:]


def call(method, path, token=None, body=None, form=None):
    data = None
    headers = {}
    if token:
        headers["Authorization"] = "Bearer " + token
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=120) as r:
        text = r.read().decode()
        return json.loads(text) if text.strip().startswith(("{", "[")) else text


def admin_token():
    return call("POST", "/realms/master/protocol/openid-connect/token",
                form={"grant_type": "password", "client_id": "admin-cli", "username": "admin",
                      "password": admin_password})["access_token"]


def realm(name, policy, users):
    t = admin_token()
    call("POST", "/admin/realms", t, {"realm": name, "enabled": True, "sslRequired": "external",
                                       "passwordPolicy": policy, "bruteForceProtected": False})
    call("POST", f"/admin/realms/{name}/clients", t, {
        "clientId": "bench", "secret": "bench-secret-0123456789", "publicClient": False,
        "directAccessGrantsEnabled": True, "standardFlowEnabled": False, "serviceAccountsEnabled": True,
        "attributes": {"client_credentials.use_refresh_token": "false"}})
    for i in range(users):
        if i % 50 == 0:
            t = admin_token()
        call("POST", f"/admin/realms/{name}/users", t, {
            "username": f"user{i}", "enabled": True, "firstName": "B", "lastName": "U",
            "email": f"user{i}@bench.test", "emailVerified": True,
            "credentials": [{"type": "password", "value": "Bench-password-0123", "temporary": False}]})


def service_clients():
    t = admin_token()
    call("POST", "/admin/realms/mcias/clients", t, {
        "clientId": "bench-stock", "secret": "bench-stock-secret-0123456789", "publicClient": False,
        "serviceAccountsEnabled": True, "standardFlowEnabled": False,
        "attributes": {"client_credentials.use_refresh_token": "false"}})
    # The system account is created and its token issued by an MCIAS admin through our REST API.
    t = admin_token()
    # The realm's own direct-grant flow refuses admins without TOTP, so this bench-only client uses Keycloak's
    # built-in one; it gets the mcias-api scope, without which the pack's APIs refuse its tokens.
    flow = next(f["id"] for f in call("GET", "/admin/realms/mcias/authentication/flows", t)
                if f["alias"] == "direct grant")
    call("POST", "/admin/realms/mcias/clients", t, {
        "clientId": "bench-admin-cli", "publicClient": True, "directAccessGrantsEnabled": True,
        "authenticationFlowBindingOverrides": {"direct_grant": flow}})
    cid = call("GET", "/admin/realms/mcias/clients?clientId=bench-admin-cli", t)[0]["id"]
    scope = next(s["id"] for s in call("GET", "/admin/realms/mcias/client-scopes", t) if s["name"] == "mcias-api")
    call("PUT", f"/admin/realms/mcias/clients/{cid}/default-client-scopes/{scope}", t)
    call("POST", "/admin/realms/mcias/users", t, {
        "username": "bench-admin", "enabled": True, "firstName": "B", "lastName": "A",
        "email": "bench-admin@bench.test", "emailVerified": True,
        "credentials": [{"type": "password", "value": "Bench-admin-password-0123", "temporary": False}]})
    uid = call("GET", "/admin/realms/mcias/users?username=bench-admin&exact=true", t)[0]["id"]
    role = call("GET", "/admin/realms/mcias/roles/admin", t)
    call("POST", f"/admin/realms/mcias/users/{uid}/role-mappings/realm", t, [role])
    user_token = call("POST", "/realms/mcias/protocol/openid-connect/token", form={
        "grant_type": "password", "client_id": "bench-admin-cli", "username": "bench-admin",
        "password": "Bench-admin-password-0123"})["access_token"]
    call("POST", "/realms/mcias/system-accounts", user_token, {"name": "bench-system"})
    issued = call("POST", "/realms/mcias/system-accounts/bench-system/token", user_token)
    print(issued["token"])


def listeners(name, names, store=False):
    t = admin_token()
    call("PUT", f"/admin/realms/{name}", t, {"eventsListeners": names.split(","), "eventsEnabled": store})


def saturation(n):
    """n users in realm mcias log in at the same instant; prints how many got which status."""
    import collections
    import threading
    import urllib.error
    t = admin_token()
    call("POST", "/admin/realms/mcias/clients", t, {
        "clientId": "saturation", "secret": "saturation-secret-0123456789", "publicClient": False,
        "directAccessGrantsEnabled": True, "standardFlowEnabled": False})
    for i in range(n):
        call("POST", "/admin/realms/mcias/users", t, {
            "username": f"saturation{i}", "enabled": True, "firstName": "S", "lastName": "U",
            "email": f"saturation{i}@bench.test", "emailVerified": True,
            "credentials": [{"type": "password", "value": "Saturation-password-0123", "temporary": False}]})
    counts = collections.Counter()
    barrier = threading.Barrier(n)

    def login(i):
        form = urllib.parse.urlencode({"grant_type": "password", "client_id": "saturation",
                                       "client_secret": "saturation-secret-0123456789",
                                       "username": f"saturation{i}",
                                       "password": "Saturation-password-0123"}).encode()
        barrier.wait()
        try:
            with urllib.request.urlopen(base + "/realms/mcias/protocol/openid-connect/token", form, timeout=60) as r:
                counts[r.status] += 1
        except urllib.error.HTTPError as e:
            counts[e.code] += 1

    threads = [threading.Thread(target=login, args=(i,)) for i in range(n)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    print(" ".join(f"{code}x{count}" for code, count in sorted(counts.items())))


if what[0] == "saturation":
    saturation(int(what[1]))
elif what[0] == "listeners":
    listeners(what[1], what[2], what[3:] == ["store"])
elif what[0] == "realm":
    realm(what[1], what[2], int(what[3]))
elif what[0] == "service-clients":
    service_clients()
