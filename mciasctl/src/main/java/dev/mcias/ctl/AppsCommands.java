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

@Command(name = "apps", description = "OIDC clients for applications.",
        subcommands = {AppsCommands.Add.class, AppsCommands.MembersOnly.class, Help.class})
final class AppsCommands {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;


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

        @Option(names = "--members-only", description = "Only users holding the app's access role get tokens for it"
                + " (the role is created; grant it with 'mciasctl users roles add USER ROLE').")
        boolean membersOnly;

        @Option(names = "--access-role", paramLabel = "ROLE", description = "The access role of a --members-only app"
                + " (default: app:NAME).")
        String accessRole;

        @Override
        public Integer call() throws Exception {
            for (String uri : redirectUris) {
                if (!(uri.startsWith("https://") || uri.startsWith("http://"))) {
                    throw new UsageException("--redirect-uri must be an http(s) URL: " + uri);
                }
            }
            if (accessRole != null && !membersOnly) {
                throw new UsageException("--access-role needs --members-only");
            }
            String role = membersOnly ? MembersOnly.roleName(name, accessRole) : null;
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
            Map<String, String> attributes = new LinkedHashMap<>(Map.of("pkce.code.challenge.method", "S256",
                    "post.logout.redirect.uris", String.join("##", redirectUris),
                    "oauth2.device.authorization.grant.enabled", "false", "oidc.ciba.grant.enabled", "false"));
            if (membersOnly) {
                // The role first: a members-only client whose role is missing admits nobody, so it never opens up.
                MembersOnly.ensureRole(c, role, name);
                attributes.put(MembersOnly.MEMBERS_ONLY, "true");
                attributes.put(MembersOnly.ACCESS_ROLE, role);
            }
            rep.put("attributes", attributes);
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
                m.put("members_only", membersOnly);
                if (role != null) {
                    m.put("access_role", role);
                }
                m.put("discovery", issuer + "/.well-known/openid-configuration");
                Output.json(out(), m);
                return Mciasctl.OK;
            }
            List<String> lines = new ArrayList<>();
            lines.add("Created " + (publicClient ? "public" : "confidential") + " client " + name + ".");
            if (role != null) {
                lines.add("Members only: users need realm role " + role + " (mciasctl users roles add USER " + role + ").");
            }
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

    @Command(name = "members-only", description = {"Switches an app's members-only setting on or off.",
            "on: only users holding the app's access role (default app:NAME, created if missing) get tokens for it;"
                    + " existing sessions of others are refused at their next refresh.",
            "off: every user of the realm may use the app again (the role is kept)."})
    static final class MembersOnly extends Base {
        static final String MEMBERS_ONLY = "mcias.members-only";
        static final String ACCESS_ROLE = "mcias.access-role";

        @Parameters(index = "0", paramLabel = "NAME", description = "The client id.")
        String name;

        @Parameters(index = "1", paramLabel = "on|off")
        String state;

        @Option(names = "--access-role", paramLabel = "ROLE", description = "The access role (with on; default: the"
                + " app's current one, else app:NAME).")
        String accessRole;

        static String roleName(String clientId, String accessRole) {
            String role = accessRole == null ? "app:" + clientId : accessRole.trim();
            if (role.isEmpty() || role.length() > 255 || role.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw new UsageException("invalid access role name");
            }
            return role;
        }

        static void ensureRole(MciasClient c, String role, String clientId) {
            try {
                c.admin("GET", "/roles/" + Http.segment(role), null);
            } catch (ApiException e) {
                if (e.status() != 404) {
                    throw e;
                }
                c.admin("POST", "/roles", Map.of("name", role, "description", "Access to the members-only app " + clientId));
            }
        }

        @Override
        public Integer call() throws Exception {
            boolean on;
            switch (state) {
                case "on" -> on = true;
                case "off" -> on = false;
                default -> throw new UsageException("the second argument must be on or off");
            }
            if (accessRole != null && !on) {
                throw new UsageException("--access-role needs on");
            }
            MciasClient c = client();
            JsonNode found = c.admin("GET", "/clients" + MciasClient.query(Map.of("clientId", name)), null);
            if (found.size() != 1) {
                throw new ApiException(404, "not_found", "client " + name + " not found");
            }
            String id = found.get(0).path("id").asText();
            String current = found.get(0).path("attributes").path(ACCESS_ROLE).asText("");
            Map<String, String> attributes = new LinkedHashMap<>();
            String role = null;
            if (on) {
                role = roleName(name, accessRole != null ? accessRole : current.isEmpty() ? null : current);
                ensureRole(c, role, name);
                attributes.put(ACCESS_ROLE, role);
            }
            attributes.put(MEMBERS_ONLY, on ? "true" : "false");
            // The whole representation goes back with the two attributes changed, so nothing else is touched.
            JsonNode rep = c.admin("GET", "/clients/" + Http.segment(id), null);
            com.fasterxml.jackson.databind.node.ObjectNode attrs = rep.path("attributes").isObject()
                    ? (com.fasterxml.jackson.databind.node.ObjectNode) rep.path("attributes")
                    : ((com.fasterxml.jackson.databind.node.ObjectNode) rep).putObject("attributes");
            attributes.forEach(attrs::put);
            c.admin("PUT", "/clients/" + Http.segment(id), rep);
            if (json()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("client_id", name);
                m.put("members_only", on);
                if (role != null) {
                    m.put("access_role", role);
                }
                Output.json(out(), m);
            } else if (on) {
                out().println(name + " is members only: users need realm role " + role
                        + " (mciasctl users roles add USER " + role + ").");
            } else {
                out().println(name + " is open to every user of the realm.");
            }
            return Mciasctl.OK;
        }
    }
}
