package dev.mcias.ctl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mcias.client.ApiException;
import dev.mcias.client.Http;
import dev.mcias.client.MciasClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "apps", description = "OIDC clients for applications.", subcommands = AppsCommands.Add.class)
final class AppsCommands {

    private AppsCommands() {
    }

    @Command(name = "add", description = {"Creates an OIDC client the way the realm's policies expect: "
            + "authorization code flow with PKCE S256, no implicit flow, no password grant.",
            "Confidential (a generated secret, shown once) or --public (a browser or native app).",
            "Prints the issuer, client id and a configuration snippet."})
    static final class Add extends Base {
        @Parameters(paramLabel = "NAME", description = "The client id.")
        String name;

        @Option(names = "--redirect-uri", required = true, paramLabel = "URI",
                description = "Allowed redirect URI (repeatable; a trailing * is a prefix).")
        List<String> redirectUris;

        @Option(names = "--public", description = "A public client (no secret): SPAs and native apps.")
        boolean publicClient;

        @Option(names = "--web-origin", paramLabel = "ORIGIN", description = "Allowed CORS origin (repeatable; "
                + "default for --public: the redirect URIs' origins).")
        List<String> webOrigins;

        @Override
        public Integer call() throws Exception {
            for (String uri : redirectUris) {
                if (!(uri.startsWith("https://") || uri.startsWith("http://"))) {
                    throw new UsageException("--redirect-uri must be an http(s) URL: " + uri);
                }
            }
            MciasClient c = client();
            Map<String, Object> rep = new LinkedHashMap<>();
            rep.put("clientId", name);
            rep.put("name", name);
            rep.put("enabled", true);
            rep.put("protocol", "openid-connect");
            rep.put("publicClient", publicClient);
            rep.put("standardFlowEnabled", true);
            rep.put("implicitFlowEnabled", false);
            rep.put("directAccessGrantsEnabled", false);
            rep.put("serviceAccountsEnabled", false);
            rep.put("redirectUris", redirectUris);
            List<String> origins = webOrigins;
            if (origins == null) {
                origins = publicClient ? redirectUris.stream().map(Add::origin).distinct().toList() : List.of();
            }
            rep.put("webOrigins", origins);
            rep.put("attributes", Map.of("pkce.code.challenge.method", "S256",
                    "post.logout.redirect.uris", String.join("##", redirectUris),
                    "oauth2.device.authorization.grant.enabled", "false", "oidc.ciba.grant.enabled", "false"));
            c.admin("POST", "/clients", rep);
            JsonNode found = c.admin("GET", "/clients" + MciasClient.query(Map.of("clientId", name)), null);
            if (found.size() != 1) {
                throw new ApiException(500, "not_found", "client " + name + " was created but cannot be read back");
            }
            String id = found.get(0).path("id").asText();
            String secret = null;
            if (!publicClient) {
                secret = c.admin("GET", "/clients/" + Http.segment(id) + "/client-secret", null).path("value").asText();
            }
            String issuer = c.realmUrl("");
            if (json()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("issuer", issuer);
                m.put("client_id", name);
                m.put("public", publicClient);
                if (secret != null) {
                    m.put("client_secret", secret);
                }
                m.put("redirect_uris", redirectUris);
                m.put("discovery", issuer + "/.well-known/openid-configuration");
                Output.json(out(), m);
                return Mciasctl.OK;
            }
            List<String> lines = new ArrayList<>();
            lines.add("Created " + (publicClient ? "public" : "confidential") + " client " + name + ".");
            lines.add("");
            lines.add("# OIDC settings for the app (authorization code flow with PKCE S256)");
            lines.add("OIDC_ISSUER=" + issuer);
            lines.add("OIDC_CLIENT_ID=" + name);
            if (secret != null) {
                lines.add("OIDC_CLIENT_SECRET=" + secret + "   # shown once: store it in the app's secret store");
            }
            lines.add("OIDC_REDIRECT_URI=" + redirectUris.get(0));
            lines.add("OIDC_SCOPES=openid profile email");
            lines.add("# discovery: " + issuer + "/.well-known/openid-configuration");
            lines.forEach(out()::println);
            out().flush();
            return Mciasctl.OK;
        }

        static String origin(String uri) {
            java.net.URI u = java.net.URI.create(uri.replace("*", ""));
            return u.getScheme() + "://" + u.getRawAuthority();
        }
    }
}
