#!/usr/bin/env python3
"""The forward-auth scenario's setup (stdlib only): realm bench-fa with a members-only forward-auth app, one
member signed in through the app's sign-in exactly as a browser is (login, Keycloak's form, callback).

   forward_auth.py BASE ADMIN_PASSWORD setup   prints COOKIE=<app cookie>
   forward_auth.py BASE ADMIN_PASSWORD token   prints a fresh access token of the same user (for userinfo)
"""
import html
import json
import re
import sys
import urllib.parse
import urllib.request

base, admin_password, what = sys.argv[1], sys.argv[2], sys.argv[3]
REALM, APP, HOST = "bench-fa", "bench-app", "bench-app.localhost"
USER, PASSWORD = "member", "Bench-password-0123"
# What the proxy snippets send: the forwarded request and the app they are the proxy of.
FORWARDED = {"X-Forwarded-Proto": "http", "X-Forwarded-Host": HOST, "X-Forwarded-Uri": "/", "X-Mcias-App": APP}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


opener = urllib.request.build_opener(NoRedirect)


def call(method, url, token=None, body=None, form=None, headers=None):
    h = dict(headers or {})
    data = None
    if token:
        h["Authorization"] = "Bearer " + token
    if body is not None:
        data, h["Content-Type"] = json.dumps(body).encode(), "application/json"
    if form is not None:
        data = urllib.parse.urlencode(form).encode()
    req = urllib.request.Request(url if url.startswith("http") else base + url, data=data, method=method, headers=h)
    try:
        r = opener.open(req, timeout=120)
    except urllib.error.HTTPError as e:  # 3xx (no redirects followed) and errors
        r = e
    return r.status, r.headers, r.read().decode()


def admin_token():
    return json.loads(call("POST", "/realms/master/protocol/openid-connect/token", form={
        "grant_type": "password", "client_id": "admin-cli", "username": "admin", "password": admin_password})[2])[
        "access_token"]


def setup():
    t = admin_token()
    call("POST", "/admin/realms", t, {"realm": REALM, "enabled": True, "sslRequired": "none",
                                       "bruteForceProtected": False})
    call("POST", f"/admin/realms/{REALM}/roles", t, {"name": "app:" + APP})
    call("POST", f"/admin/realms/{REALM}/clients", t, {
        "clientId": APP, "secret": "bench-app-secret-0123456789", "publicClient": False,
        "standardFlowEnabled": True, "directAccessGrantsEnabled": True,
        "redirectUris": [f"http://{HOST}/_mcias/callback"],
        "attributes": {"mcias.forward-auth.url": f"http://{HOST}/", "mcias.members-only": "true",
                       "pkce.code.challenge.method": "S256"}})
    call("POST", f"/admin/realms/{REALM}/users", t, {
        "username": USER, "enabled": True, "firstName": "B", "lastName": "U", "email": "member@bench.test",
        "emailVerified": True, "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}]})
    uid = json.loads(call("GET", f"/admin/realms/{REALM}/users?exact=true&username={USER}", t)[2])[0]["id"]
    role = json.loads(call("GET", f"/admin/realms/{REALM}/roles/app:{APP}", t)[2])
    call("POST", f"/admin/realms/{REALM}/users/{uid}/role-mappings/realm", t, [role])
    # The browser's way in: the app's sign-in, Keycloak's form, the callback on the app's host.
    status, h, _ = call("GET", f"/realms/{REALM}/forward-auth/login?rd=http://{HOST}/", headers=FORWARDED)
    assert status == 302, status
    login_cookie = h["Set-Cookie"].split(";")[0]
    status, h, page = call("GET", h["Location"])
    # Keycloak's cookies are Secure, which a cookie jar keeps off plain http: sent by hand, as a browser on
    # 127.0.0.1 (a secure context) does.
    kc_cookies = "; ".join(c.split(";")[0] for c in h.get_all("Set-Cookie") or [])
    action = html.unescape(re.search(r'action="([^"]+)"', page).group(1))
    status, h, _ = call("POST", action, form={"username": USER, "password": PASSWORD},
                        headers={"Cookie": kc_cookies})
    assert status == 302 and "/_mcias/callback?" in h["Location"], (status, h.get("Location"))
    query = urllib.parse.urlsplit(h["Location"]).query
    status, h, _ = call("GET", f"/realms/{REALM}/forward-auth/callback?{query}",
                        headers={**FORWARDED, "Cookie": login_cookie})
    assert status == 302, status
    cookie = [c for c in h.get_all("Set-Cookie") if c.startswith("mcias_fa=")][0].split(";")[0]
    print("COOKIE=" + cookie)


def token():
    print(json.loads(call("POST", f"/realms/{REALM}/protocol/openid-connect/token", form={
        "grant_type": "password", "client_id": APP, "client_secret": "bench-app-secret-0123456789",
        "username": USER, "password": PASSWORD, "scope": "openid"})[2])["access_token"])


def pass_token():
    """The app asks for an access token of its own with every admitted request (mcias.forward-auth.pass-token)."""
    t = admin_token()
    client = json.loads(call("GET", f"/admin/realms/{REALM}/clients?clientId={APP}", t)[2])[0]
    client["attributes"]["mcias.forward-auth.pass-token"] = "true"
    status = call("PUT", f"/admin/realms/{REALM}/clients/{client['id']}", t, client)[0]
    assert status == 204, status


{"setup": setup, "token": token, "pass-token": pass_token}[what]()
