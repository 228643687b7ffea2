package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

import com.sun.net.httpserver.HttpServer;

/**
 * The example SPA client ({@code mcias-example-spa}) as a real browser app on {@link ExampleApps#SPA_PORT}: it
 * starts the authorization-code flow with PKCE S256, and on the callback the browser itself exchanges the code at
 * the token endpoint (so CORS web origins are exercised too). {@code #status} says {@code signed-out},
 * {@code signed-in} or {@code error: ...}; {@code #tokens} holds the token response.
 */
public final class ExampleSpa implements AutoCloseable {

    private static final String PAGE = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><title>Example SPA</title></head><body>
            <button id="signin">Sign in</button> <button id="totp">Set up TOTP</button>
            <button id="signout">Sign out</button>
            <pre id="status">loading</pre><pre id="tokens"></pre>
            <script>
            const realm = "@REALM@";
            const client = "mcias-example-spa";
            const redirect = location.origin + "/callback";
            const b64url = b => btoa(String.fromCharCode(...new Uint8Array(b)))
                .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
            const status = s => document.getElementById("status").textContent = s;
            async function start(action) {
              const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
              const state = b64url(crypto.getRandomValues(new Uint8Array(16)));
              const challenge = b64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
              sessionStorage.setItem("pkce", JSON.stringify({verifier, state}));
              const p = new URLSearchParams({client_id: client, response_type: "code", scope: "openid",
                  redirect_uri: redirect, state, code_challenge: challenge, code_challenge_method: "S256"});
              if (action) p.set("kc_action", action);
              location.assign(realm + "/protocol/openid-connect/auth?" + p);
            }
            async function callback() {
              const q = new URLSearchParams(location.search);
              const saved = JSON.parse(sessionStorage.getItem("pkce") || "{}");
              sessionStorage.removeItem("pkce");
              if (q.get("error")) { status("error: " + q.get("error")); return; }
              if (!q.get("code") || q.get("state") !== saved.state) { status("error: state"); return; }
              const r = await fetch(realm + "/protocol/openid-connect/token", {method: "POST",
                  body: new URLSearchParams({grant_type: "authorization_code", client_id: client,
                      code: q.get("code"), redirect_uri: redirect, code_verifier: saved.verifier})});
              const body = await r.json();
              if (!r.ok) { status("error: " + body.error); return; }
              sessionStorage.setItem("tokens", JSON.stringify(body));
              document.getElementById("tokens").textContent = JSON.stringify(body);
              status("signed-in");
            }
            document.getElementById("signin").onclick = () => start();
            document.getElementById("totp").onclick = () => start("CONFIGURE_TOTP");
            document.getElementById("signout").onclick = () => {
              const t = JSON.parse(sessionStorage.getItem("tokens") || "{}");
              sessionStorage.removeItem("tokens");
              location.assign(realm + "/protocol/openid-connect/logout?" + new URLSearchParams({client_id: client,
                  id_token_hint: t.id_token, post_logout_redirect_uri: location.origin + "/"}));
            };
            if (location.pathname === "/callback") { callback(); } else { status("signed-out"); }
            </script></body></html>
            """;

    private final HttpServer server;

    public ExampleSpa(String realmUrl) {
        byte[] page = PAGE.replace("@REALM@", realmUrl).getBytes(StandardCharsets.UTF_8);
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", ExampleApps.SPA_PORT), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        server.start();
    }

    public String url() {
        return ExampleApps.spaUrl() + "/";
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
