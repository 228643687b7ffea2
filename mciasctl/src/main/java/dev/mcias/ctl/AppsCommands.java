package dev.mcias.ctl;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mcias.client.ApiException;
import dev.mcias.client.Http;
import dev.mcias.client.Json;
import dev.mcias.client.MciasClient;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "apps", description = "OIDC clients for applications: add, show, update, list, members-only.",
        subcommands = {AppsCommands.Add.class, AppsCommands.Show.class, AppsCommands.Update.class,
                AppsCommands.ListApps.class, AppsCommands.MembersOnly.class, AppsCommands.Snippet.class, Help.class})
final class AppsCommands {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;


    private AppsCommands() {
    }

    static final String ID_TOKEN_ALG = "id.token.signed.response.alg";
    static final String ACCESS_TOKEN_ALG = "access.token.signed.response.alg";
    static final String BACKCHANNEL_URL = "backchannel.logout.url";
    static final String BACKCHANNEL_SESSION = "backchannel.logout.session.required";
    static final String BACKCHANNEL_REVOKE_OFFLINE = "backchannel.logout.revoke.offline.tokens";
    static final String POST_LOGOUT = "post.logout.redirect.uris";
    static final String DEFAULT_ALG = "RS256";
    static final List<String> ALGORITHMS = List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
            "ES384", "ES512", "EdDSA");
    static final List<String> RELYING_PARTIES = List.of("mod_auth_openidc");
    /** Keycloak's own clients and the pack's: not apps. */
    static final Set<String> NOT_APPS = Set.of("account", "account-console", "admin-cli", "broker",
            "realm-management", "security-admin-console", "mciasctl", "mcias-api");

    static final String ALG_HELP = "Signature algorithm of the app's ID and access tokens: RS256 (default; the one "
            + "every OIDC relying party must support), RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512 or EdDSA "
            + "(the realm's default, which mod_auth_openidc and many apps cannot verify). The realm needs an active "
            + "key of that algorithm. UserInfo stays plain JSON (user.info.response.signature.alg is not set).";

    // ---- checks, before anything is sent

    /** No control characters (they would reach other people's terminals and pages). */
    static String text(String option, String value) {
        if (value != null && value.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw new UsageException(option + ": control characters are not allowed");
        }
        return value;
    }

    private static URI parse(String option, String value) {
        text(option, value);
        try {
            return new URI(value);
        } catch (URISyntaxException e) {
            throw new UsageException(option + " must be an absolute http(s) URL: " + value);
        }
    }

    /** An absolute http(s) URL with a host, without fragment or wildcard: --url and --backchannel-logout-url. */
    static String absoluteUrl(String option, String value) {
        URI u = parse(option, value);
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null || u.getHost().isEmpty()
                || value.contains("*")) {
            throw new UsageException(option + " must be an absolute http(s) URL with a host: " + value);
        }
        if (u.getRawFragment() != null) {
            throw new UsageException(option + " must not have a fragment (#): " + value);
        }
        return value;
    }

    /** A redirect URI: http(s) with a host, no fragment, a wildcard only as the last character of the path. */
    static String redirectUri(String value) {
        String option = "--redirect-uri";
        URI u = parse(option, value);
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https"))) {
            throw new UsageException(option + " must be an http(s) URL: " + value);
        }
        if (u.getRawAuthority() != null && u.getRawAuthority().contains("*")) {
            throw new UsageException(option + ": no wildcard in the host (one app, one origin): " + value);
        }
        if (u.getHost() == null || u.getHost().isEmpty()) {
            throw new UsageException(option + " must be an absolute http(s) URL with a host: " + value);
        }
        if (u.getRawFragment() != null) {
            throw new UsageException(option + " must not have a fragment (#): " + value);
        }
        int star = value.indexOf('*');
        if (star >= 0 && (star != value.length() - 1 || u.getRawQuery() != null)) {
            throw new UsageException(option + ": a wildcard only as the last character of the path: " + value);
        }
        return value;
    }

    static String homeUrl(String value) {
        absoluteUrl("--url", value);
        if (URI.create(value).getRawQuery() != null) {
            throw new UsageException("--url: the home URL must not have a query: " + value);
        }
        return value;
    }

    static String signingAlg(String value) {
        for (String a : ALGORITHMS) {
            if (a.equalsIgnoreCase(value)) {
                return a;
            }
        }
        throw new UsageException("--signing-alg must be one of " + String.join(", ", ALGORITHMS) + ": "
                + Output.clean(value));
    }

    static String relyingParty(String value) {
        if (value != null && !RELYING_PARTIES.contains(value)) {
            throw new UsageException("--rp must be one of " + String.join(", ", RELYING_PARTIES) + ": "
                    + Output.clean(value));
        }
        return value;
    }

    /** {@code --url} alone: the home URL and everything under it. */
    static List<String> derivedRedirectUris(String url) {
        String base = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        List<String> uris = new ArrayList<>(List.of(url));
        if (!(base + "/*").equals(url)) {
            uris.add(base + "/*");
        }
        return uris;
    }

    /** The redirect URIs with the home URL among them (exactly), so invites can land there. */
    static List<String> withHome(List<String> uris, String url) {
        List<String> all = new ArrayList<>(uris);
        if (url != null && !all.contains(url)) {
            all.add(url);
        }
        return all;
    }

    /** mod_auth_openidc's back-channel logout endpoint: its OIDCRedirectURI with ?logout=backchannel. */
    static String modAuthOpenidcBackchannel(String redirectUri) {
        if (redirectUri.contains("*")) {
            throw new UsageException("--rp mod_auth_openidc: the first --redirect-uri must be the OIDCRedirectURI "
                    + "(no wildcard), or give --backchannel-logout-url");
        }
        return redirectUri + (redirectUri.contains("?") ? "&" : "?") + "logout=backchannel";
    }

    static String origin(String uri) {
        URI u = URI.create(uri.replace("*", ""));
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    /** The realm must have an active signing key of the algorithm, or Keycloak would make one on its own. */
    static void requireKey(MciasClient c, String alg) {
        JsonNode keys = c.admin("GET", "/keys", null);
        for (JsonNode k : keys.path("keys")) {
            if (alg.equals(k.path("algorithm").asText()) && "ACTIVE".equals(k.path("status").asText("ACTIVE"))
                    && "SIG".equals(k.path("use").asText("SIG"))) {
                return;
            }
        }
        String provider = alg.startsWith("ES") ? "ecdsa-generated (elliptic curve P-" + switch (alg) {
            case "ES256" -> "256";
            case "ES384" -> "384";
            default -> "521";
        } + ")" : alg.equals("EdDSA") ? "eddsa-generated (Ed25519)" : "rsa-generated (algorithm " + alg + ")";
        throw new UsageException("--signing-alg " + alg + ": realm " + c.realm() + " has no active " + alg
                + " signing key; add a key provider " + provider + " under Realm settings > Keys > Providers of the "
                + "admin console, or use RS256");
    }

    // ---- reading a client

    static JsonNode find(MciasClient c, String clientId) {
        JsonNode found = c.admin("GET", "/clients" + MciasClient.query(Map.of("clientId", clientId)), null);
        for (JsonNode f : found) {
            if (clientId.equals(f.path("clientId").asText())) {
                return f;
            }
        }
        throw new ApiException(404, "not_found", "app " + clientId + " not found");
    }

    static String attr(JsonNode rep, String name) {
        JsonNode v = rep.path("attributes").path(name);
        return v.isTextual() && !v.asText().isEmpty() ? v.asText() : null;
    }

    static List<String> strings(JsonNode array) {
        List<String> l = new ArrayList<>();
        array.forEach(e -> l.add(e.asText()));
        return l;
    }

    /** What the tool says about an app; never its secret. */
    static Map<String, Object> describe(MciasClient c, JsonNode rep) {
        Map<String, Object> m = new LinkedHashMap<>();
        String issuer = c.realmUrl("");
        m.put("client_id", rep.path("clientId").asText());
        m.put("name", rep.path("name").asText(null));
        m.put("description", rep.path("description").asText(null));
        m.put("home_url", rep.path("baseUrl").asText("").isEmpty() ? null : rep.path("baseUrl").asText());
        m.put("redirect_uris", strings(rep.path("redirectUris")));
        m.put("public", rep.path("publicClient").asBoolean());
        m.put("enabled", rep.path("enabled").asBoolean(true));
        m.put("members_only", "true".equals(attr(rep, MembersOnly.MEMBERS_ONLY)));
        m.put("access_role", "true".equals(attr(rep, MembersOnly.MEMBERS_ONLY)) ? attr(rep, MembersOnly.ACCESS_ROLE)
                : null);
        m.put("signing_alg", attr(rep, ID_TOKEN_ALG));
        m.put("access_token_signing_alg", attr(rep, ACCESS_TOKEN_ALG));
        m.put("backchannel_logout_url", attr(rep, BACKCHANNEL_URL));
        if (attr(rep, ForwardAuthSnippet.URL_ATTRIBUTE) != null) {
            m.put("forward_auth_url", attr(rep, ForwardAuthSnippet.URL_ATTRIBUTE));
            StringBuilder h = new StringBuilder();
            ForwardAuthSnippet.HEADERS.forEach((k, d) -> h.append(h.length() == 0 ? "" : " ").append(k).append('=')
                    .append(java.util.Objects.requireNonNullElse(attr(rep, ForwardAuthSnippet.HEADER_ATTRIBUTE + k), d)));
            m.put("forward_auth_headers", h.toString());
            m.put("pass_token", "true".equals(attr(rep, ForwardAuthSnippet.TOKEN_ATTRIBUTE)));
            m.put("cookie_domain", attr(rep, ForwardAuthSnippet.COOKIE_DOMAIN_ATTRIBUTE));
        }
        m.put("issuer", issuer);
        m.put("discovery", issuer + "/.well-known/openid-configuration");
        return m;
    }

    @SuppressWarnings("unchecked")
    static List<String[]> envLines(Map<String, Object> app, String secret) {
        List<String[]> l = new ArrayList<>();
        l.add(new String[] {"OIDC_ISSUER", (String) app.get("issuer")});
        l.add(new String[] {"OIDC_CLIENT_ID", (String) app.get("client_id")});
        if (secret != null) {
            l.add(new String[] {"OIDC_CLIENT_SECRET", secret});
        }
        List<String> uris = (List<String>) app.get("redirect_uris");
        if (!uris.isEmpty()) {
            l.add(new String[] {"OIDC_REDIRECT_URI", uris.get(0)});
        }
        l.add(new String[] {"OIDC_SCOPES", "openid profile email"});
        l.add(new String[] {"OIDC_SIGNING_ALG", app.get("signing_alg") == null ? "realm-default"
                : (String) app.get("signing_alg")});
        if (app.get("home_url") != null) {
            l.add(new String[] {"OIDC_HOME_URL", (String) app.get("home_url")});
        }
        if (app.get("backchannel_logout_url") != null) {
            l.add(new String[] {"OIDC_BACKCHANNEL_LOGOUT_URL", (String) app.get("backchannel_logout_url")});
        }
        l.add(new String[] {"OIDC_DISCOVERY_URL", (String) app.get("discovery")});
        return l;
    }

    static void printEnv(Base cmd, List<String[]> lines) {
        for (String[] kv : lines) {
            cmd.out().println(Output.envLine(kv[0], kv[1]));
        }
        cmd.out().flush();
    }

    static void showFields(Base cmd, Map<String, Object> app) {
        List<String> labels = new ArrayList<>();
        List<String> values = new ArrayList<>();
        JsonNode n = Json.MAPPER.valueToTree(app);
        for (String[] f : new String[][] {{"client id", "client_id"}, {"name", "name"}, {"description", "description"},
                {"home URL", "home_url"}, {"redirect URIs", "redirect_uris"}, {"public", "public"},
                {"enabled", "enabled"}, {"members only", "members_only"}, {"access role", "access_role"},
                {"signing alg", "signing_alg"}, {"access token alg", "access_token_signing_alg"},
                {"back-channel logout", "backchannel_logout_url"}, {"issuer", "issuer"}, {"discovery", "discovery"}}) {
            labels.add(f[0]);
            values.add(Output.text(n, f[1]));
        }
        Output.fields(cmd.out(), labels, values);
    }

    // ---- commands

    @Command(name = "add", description = {"Creates an OIDC client the way the realm's policies expect: "
            + "authorization code flow with PKCE S256, no implicit flow, no password grant, no device grant.",
            "Confidential (a generated secret, shown once) or --public (a browser or native app). Give the app's "
                    + "home URL (--url), its redirect URIs (--redirect-uri), or both.",
            "Prints the app's OIDC settings as KEY=VALUE lines on standard output (an env file; -o env without "
                    + "comments, -o json as fields); the client secret is on a line of its own."})
    static final class Add extends Base implements EnvOutput {
        @Parameters(paramLabel = "NAME", description = "The client id.")
        String name;

        @Option(names = "--url", paramLabel = "URL", description = "The app's home URL (the client's base URL, "
                + "where invites land); it is made a valid redirect URI. Without --redirect-uri the redirect URIs "
                + "are URL and URL/* (the app's own path).")
        String url;

        @Option(names = "--redirect-uri", paramLabel = "URI",
                description = "Allowed redirect URI (repeatable; a trailing * is a prefix; no wildcard in the host, "
                        + "no fragment). Needed unless --url is given.")
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

        @Option(names = "--signing-alg", paramLabel = "ALG", defaultValue = DEFAULT_ALG, description = ALG_HELP)
        String signingAlg;

        @Option(names = "--backchannel-logout-url", paramLabel = "URL", description = "The app's OIDC back-channel "
                + "logout endpoint (absolute http(s) URL); Keycloak calls it with a logout token when the user's "
                + "session ends.")
        String backchannelUrl;

        @Option(names = "--rp", paramLabel = "KIND", description = "The app's OIDC library, for its defaults: "
                + "mod_auth_openidc (back-channel logout at the first redirect URI with ?logout=backchannel, "
                + "its OIDCRedirectURI; no front-channel logout).")
        String relyingParty;

        @Option(names = "--description", paramLabel = "TEXT", description = "What the app is, shown on the "
                + "friend's apps page.")
        String description;

        @Option(names = "--display-name", paramLabel = "TEXT", description = "The app's name for people "
                + "(default: NAME).")
        String displayName;

        @Option(names = "--forward-auth", description = "An app behind a reverse proxy that asks MCIAS about every "
                + "request (docs/forward-auth.md): --url is where it lives (scheme, host, optional path prefix); its "
                + "one redirect URI is <origin>/_mcias/callback; its client secret is never needed nor shown.")
        boolean forwardAuth;

        @Option(names = "--proxy", paramLabel = "KIND", description = "With --forward-auth: print the snippet for "
                + "nginx, caddy or traefik (again later: apps snippet NAME --proxy KIND).")
        String proxy;

        @Option(names = "--header", paramLabel = "KEY=NAME", description = "With --forward-auth: the app's own name "
                + "for an identity header (repeatable; KEY user, email, name or groups; default Remote-User, "
                + "Remote-Email, Remote-Name, Remote-Groups).")
        List<String> headers;

        @Option(names = "--pass-token", description = "With --forward-auth: send the app an access token of its own "
                + "(Authorization: Bearer) with every request, for apps that call APIs as the user.")
        boolean passToken;

        @Option(names = "--cookie-domain", paramLabel = "DOMAIN", description = "With --forward-auth: share one "
                + "sign-in cookie with the other apps of this parent domain of the app's host (every host of the "
                + "domain receives it: docs/forward-auth.md). Default: a cookie of the app's host only.")
        String cookieDomain;

        @Override
        public Integer call() throws Exception {
            text("NAME", name);
            text("--description", description);
            text("--display-name", displayName);
            text("--access-role", accessRole);
            if (forwardAuth) {
                return addForwardAuth();
            }
            if (proxy != null || headers != null || passToken || cookieDomain != null) {
                throw new UsageException("--proxy, --header, --pass-token and --cookie-domain need --forward-auth");
            }
            if (url == null && (redirectUris == null || redirectUris.isEmpty())) {
                throw new UsageException("give the app's home URL (--url URL) or its redirect URIs (--redirect-uri URI)");
            }
            if (url != null) {
                homeUrl(url);
            }
            List<String> given = redirectUris == null ? List.of() : redirectUris;
            given.forEach(AppsCommands::redirectUri);
            List<String> uris = given.isEmpty() ? derivedRedirectUris(url) : withHome(given, url);
            String alg = signingAlg(signingAlg);
            relyingParty(relyingParty);
            if ("mod_auth_openidc".equals(relyingParty) && publicClient) {
                throw new UsageException("--rp mod_auth_openidc is a confidential client: leave out --public");
            }
            String backchannel = backchannelUrl == null ? null : absoluteUrl("--backchannel-logout-url", backchannelUrl);
            if (backchannel == null && "mod_auth_openidc".equals(relyingParty)) {
                backchannel = modAuthOpenidcBackchannel(uris.get(0));
            }
            if (webOrigins != null) {
                webOrigins.forEach(o -> text("--web-origin", o));
            }
            if (accessRole != null && !membersOnly) {
                throw new UsageException("--access-role needs --members-only");
            }
            String role = membersOnly ? MembersOnly.roleName(name, accessRole) : null;
            MciasClient c = client();
            requireKey(c, alg);
            Map<String, Object> rep = new LinkedHashMap<>();
            rep.put("clientId", name);
            rep.put("name", displayName != null ? displayName : name);
            if (description != null) {
                rep.put("description", description);
            }
            rep.put("enabled", true);
            rep.put("protocol", "openid-connect");
            rep.put("publicClient", publicClient);
            rep.put("standardFlowEnabled", true);
            rep.put("implicitFlowEnabled", false);
            rep.put("directAccessGrantsEnabled", false);
            rep.put("serviceAccountsEnabled", false);
            if (url != null) {
                rep.put("rootUrl", "");
                rep.put("baseUrl", url);
            }
            rep.put("redirectUris", uris);
            List<String> origins = webOrigins;
            if (origins == null) {
                origins = publicClient ? uris.stream().map(AppsCommands::origin).distinct().toList() : List.of();
            }
            rep.put("webOrigins", origins);
            Map<String, String> attributes = new LinkedHashMap<>(Map.of("pkce.code.challenge.method", "S256",
                    POST_LOGOUT, String.join("##", uris),
                    "oauth2.device.authorization.grant.enabled", "false", "oidc.ciba.grant.enabled", "false"));
            attributes.put(ID_TOKEN_ALG, alg);
            attributes.put(ACCESS_TOKEN_ALG, alg);
            if (backchannel != null) {
                attributes.put(BACKCHANNEL_URL, backchannel);
                attributes.put(BACKCHANNEL_SESSION, "true");
                attributes.put(BACKCHANNEL_REVOKE_OFFLINE, "false");
            }
            if ("mod_auth_openidc".equals(relyingParty)) {
                rep.put("frontchannelLogout", false);
            }
            if (membersOnly) {
                // The role first: a members-only client whose role is missing admits nobody, so it never opens up.
                MembersOnly.ensureRole(c, role, name);
                attributes.put(MembersOnly.MEMBERS_ONLY, "true");
                attributes.put(MembersOnly.ACCESS_ROLE, role);
            }
            rep.put("attributes", attributes);
            c.admin("POST", "/clients", rep);
            JsonNode created = find(c, name);
            String id = created.path("id").asText();
            String secret = null;
            if (!publicClient) {
                secret = c.admin("GET", "/clients/" + Http.segment(id) + "/client-secret", null).path("value").asText();
            }
            Map<String, Object> app = describe(c, created);
            if (json()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("issuer", app.get("issuer"));
                m.put("client_id", name);
                m.put("name", app.get("name"));
                if (description != null) {
                    m.put("description", description);
                }
                m.put("public", publicClient);
                if (secret != null) {
                    m.put("client_secret", secret);
                }
                if (url != null) {
                    m.put("home_url", url);
                }
                m.put("redirect_uris", uris);
                m.put("signing_alg", alg);
                if (backchannel != null) {
                    m.put("backchannel_logout_url", backchannel);
                }
                m.put("members_only", membersOnly);
                if (role != null) {
                    m.put("access_role", role);
                }
                m.put("discovery", app.get("discovery"));
                Output.json(out(), m);
                return Mciasctl.OK;
            }
            // Messages for people on standard error; standard output is an env file.
            err().println("Created " + (publicClient ? "public" : "confidential") + " client " + name + ".");
            if (role != null) {
                err().println("Members only: users need realm role " + role + " (mciasctl users roles add USER "
                        + role + ").");
            }
            if (secret != null) {
                err().println("OIDC_CLIENT_SECRET is shown once: store it in the app's secret store.");
            }
            err().flush();
            if (!envFormat()) {
                out().println("# OIDC settings for the app (authorization code flow with PKCE S256)");
                if (uris.size() > 1) {
                    out().println("# valid redirect URIs: " + Output.clean(String.join(" ", uris)));
                }
            }
            printEnv(this, envLines(app, secret));
            return Mciasctl.OK;
        }

        private Integer addForwardAuth() throws Exception {
            if (url == null) {
                throw new UsageException("--forward-auth needs the app's URL (--url URL)");
            }
            homeUrl(url);
            if ((redirectUris != null && !redirectUris.isEmpty()) || publicClient || relyingParty != null
                    || backchannelUrl != null || webOrigins != null) {
                throw new UsageException("--forward-auth takes --url, --members-only, --access-role, --proxy, --header, "
                        + "--pass-token, --cookie-domain, "
                        + "--description, --display-name and --signing-alg only");
            }
            String kind = proxy == null ? null : ForwardAuthSnippet.kind(proxy);
            Map<String, String> headerAttributes = ForwardAuthSnippet.headerAttributes(
                    headers == null ? List.of() : headers, null);
            if (cookieDomain != null) {
                ForwardAuthSnippet.cookieDomain(cookieDomain, url);
            }
            String alg = signingAlg(signingAlg);
            // Always members-only: an open forward-auth app would admit every user of the realm.
            String role = MembersOnly.roleName(name, accessRole);
            MciasClient c = client();
            requireKey(c, alg);
            String home = url.endsWith("/") ? url : url + "/";
            Map<String, Object> rep = new LinkedHashMap<>();
            rep.put("clientId", name);
            rep.put("name", displayName != null ? displayName : name);
            if (description != null) {
                rep.put("description", description);
            }
            rep.put("enabled", true);
            rep.put("protocol", "openid-connect");
            // Confidential: nobody outside Keycloak ever redeems its codes (the callback does, inside Keycloak).
            rep.put("publicClient", false);
            rep.put("standardFlowEnabled", true);
            rep.put("implicitFlowEnabled", false);
            rep.put("directAccessGrantsEnabled", false);
            rep.put("serviceAccountsEnabled", false);
            rep.put("rootUrl", "");
            rep.put("baseUrl", home);
            rep.put("redirectUris", List.of(origin(home) + ForwardAuthSnippet.CALLBACK));
            rep.put("webOrigins", List.of());
            Map<String, String> attributes = new LinkedHashMap<>(Map.of("pkce.code.challenge.method", "S256",
                    POST_LOGOUT, home, ForwardAuthSnippet.URL_ATTRIBUTE, home,
                    "oauth2.device.authorization.grant.enabled", "false", "oidc.ciba.grant.enabled", "false"));
            attributes.put(ID_TOKEN_ALG, alg);
            attributes.put(ACCESS_TOKEN_ALG, alg);
            MembersOnly.ensureRole(c, role, name);
            attributes.put(MembersOnly.MEMBERS_ONLY, "true");
            attributes.put(MembersOnly.ACCESS_ROLE, role);
            attributes.putAll(headerAttributes);
            if (passToken) {
                attributes.put(ForwardAuthSnippet.TOKEN_ATTRIBUTE, "true");
            }
            if (cookieDomain != null) {
                attributes.put(ForwardAuthSnippet.COOKIE_DOMAIN_ATTRIBUTE, cookieDomain);
            }
            rep.put("attributes", attributes);
            c.admin("POST", "/clients", rep);
            String snippet = kind == null ? null
                    : ForwardAuthSnippet.render(kind, c, name, find(c, name));
            if (json()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("client_id", name);
                m.put("forward_auth_url", home);
                m.put("members_only", true);
                m.put("access_role", role);
                if (snippet != null) {
                    m.put("proxy", kind);
                    m.put("snippet", snippet);
                }
                Output.json(out(), m);
                return Mciasctl.OK;
            }
            err().println("Created forward-auth app " + name + " at " + Output.clean(home) + ".");
            if (role != null) {
                err().println("Members only: users need realm role " + role + " (mciasctl users roles add USER "
                        + role + ").");
            }
            if (snippet == null) {
                err().println("The proxy snippet: mciasctl apps snippet " + name + " --proxy nginx|caddy|traefik");
            }
            err().flush();
            if (snippet != null) {
                out().print(snippet);
                out().flush();
            }
            return Mciasctl.OK;
        }
    }

    /**
     * The proxy snippets of docs/forward-auth.md, filled in for one app. The templates (resources next to this
     * class) are the doc's blocks with placeholders; a unit test renders the doc's example and compares it with the
     * doc, and ForwardAuthIT runs the doc's blocks (and the CLI's for renamed headers and a passed token) through
     * real nginx and Caddy. In a template, a line holding {@code {{H}}}, {@code {{H_}}}, {@code {{h}}} or
     * {@code {{hv}}} is written once per identity header (its name, the name with "_", its key, the name as an
     * nginx variable); a line holding {@code {{TOKEN}}} only for an app that is passed an access token.
     */
    static final class ForwardAuthSnippet {
        static final String URL_ATTRIBUTE = "mcias.forward-auth.url";
        static final String HEADER_ATTRIBUTE = "mcias.forward-auth.header.";
        static final String TOKEN_ATTRIBUTE = "mcias.forward-auth.pass-token";
        static final String COOKIE_DOMAIN_ATTRIBUTE = "mcias.forward-auth.cookie-domain";
        private static final java.util.regex.Pattern DOMAIN = java.util.regex.Pattern.compile(
                "([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?");
        static final String CALLBACK = "/_mcias/callback";
        static final List<String> KINDS = List.of("nginx", "caddy", "traefik");
        /** What each identity header carries, and its name unless the app names its own. */
        static final Map<String, String> HEADERS = headers();
        private static final java.util.regex.Pattern HEADER_NAME =
                java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9-]{0,63}");
        /** The server refuses the same names (spi-forward-auth IdentityHeaders): headers that steer proxy or app. */
        private static final java.util.Set<String> RESERVED = java.util.Set.of("authorization", "proxy-authorization",
                "cookie", "set-cookie", "host", "content-length", "content-type", "content-encoding",
                "transfer-encoding", "connection", "keep-alive", "upgrade", "te", "trailer", "expect", "location",
                "forwarded", "via", "x-real-ip", "cache-control");

        private ForwardAuthSnippet() {
        }

        private static Map<String, String> headers() {
            Map<String, String> m = new LinkedHashMap<>();
            m.put("user", "Remote-User");
            m.put("email", "Remote-Email");
            m.put("name", "Remote-Name");
            m.put("groups", "Remote-Groups");
            return java.util.Collections.unmodifiableMap(m);
        }

        static String kind(String value) {
            String k = value == null ? "" : value.toLowerCase(Locale.ROOT);
            if (!KINDS.contains(k)) {
                throw new UsageException("--proxy must be one of " + String.join(", ", KINDS) + ": "
                        + Output.clean(value));
            }
            return k;
        }

        /**
         * {@code --header KEY=NAME} values as client attributes (an empty NAME: back to the default); usage errors
         * for an unknown key, a name the server would refuse, or two headers of one name.
         */
        static Map<String, String> headerAttributes(List<String> values, JsonNode current) {
            Map<String, String> names = new LinkedHashMap<>();
            HEADERS.keySet().forEach(k -> names.put(k, current == null ? null : attr(current, HEADER_ATTRIBUTE + k)));
            Map<String, String> attributes = new LinkedHashMap<>();
            for (String v : values) {
                int eq = v.indexOf('=');
                String key = eq < 0 ? v : v.substring(0, eq);
                if (eq < 0 || !HEADERS.containsKey(key)) {
                    throw new UsageException("--header takes KEY=NAME, KEY one of " + String.join(", ", HEADERS.keySet())
                            + ": " + Output.clean(v));
                }
                String name = v.substring(eq + 1);
                String lower = name.toLowerCase(Locale.ROOT);
                if (!name.isEmpty() && (!HEADER_NAME.matcher(name).matches() || RESERVED.contains(lower)
                        || lower.startsWith("x-forwarded-") || lower.startsWith("sec-") || lower.startsWith("x-mcias-"))) {
                    throw new UsageException("--header " + key + ": not a header name an app may be sent (letters, "
                            + "digits and '-', not a standard or forwarded header): " + Output.clean(name));
                }
                names.put(key, name.isEmpty() ? null : name);
                attributes.put(HEADER_ATTRIBUTE + key, name);
            }
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Map.Entry<String, String> e : names.entrySet()) {
                String name = e.getValue() == null ? HEADERS.get(e.getKey()) : e.getValue();
                if (!seen.add(name.toLowerCase(Locale.ROOT))) {
                    throw new UsageException("--header: two identity headers named " + name);
                }
            }
            return attributes;
        }

        /** A usage error unless {@code domain} is a domain name (not an IP) that the app's host is in (or is). */
        static void cookieDomain(String domain, String appUrl) {
            String host = URI.create(appUrl).getHost();
            if (!DOMAIN.matcher(domain).matches() || host == null
                    || !(host.equals(domain) || host.endsWith("." + domain))) {
                throw new UsageException("--cookie-domain must be a lower-case domain name that " + Output.clean(
                        host == null ? appUrl : host) + " is in (a parent domain of it, or itself): "
                        + Output.clean(domain));
            }
        }

        static String render(String kind, MciasClient c, String app, JsonNode rep) {
            String issuer = c.realmUrl("");
            String keycloak = issuer.substring(0, issuer.length() - ("/realms/" + c.realm()).length());
            Map<String, String> names = new LinkedHashMap<>();
            HEADERS.forEach((k, d) -> names.put(k, java.util.Objects.requireNonNullElse(
                    attr(rep, HEADER_ATTRIBUTE + k), d)));
            return render(kind, keycloak, c.realm(), app, attr(rep, URL_ATTRIBUTE), names,
                    "true".equals(attr(rep, TOKEN_ATTRIBUTE)));
        }

        static String render(String kind, String keycloak, String realm, String app, String home) {
            return render(kind, keycloak, realm, app, home, HEADERS, false);
        }

        static String render(String kind, String keycloak, String realm, String app, String home,
                Map<String, String> headers, boolean token) {
            URI u = URI.create(home);
            String host = u.getRawAuthority();
            // Caddy: a bare host is an https site (its own certificate); anything else is written as a URL.
            String site = "https".equals(u.getScheme()) && u.getPort() < 0 ? host : u.getScheme() + "://" + host;
            String template;
            try (var in = ForwardAuthSnippet.class.getResourceAsStream("forward-auth/" + kind + ".txt")) {
                template = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            } catch (java.io.IOException | NullPointerException e) {
                throw new IllegalStateException("snippet template " + kind + " missing from mciasctl", e);
            }
            List<String> copied = new ArrayList<>(headers.values());
            if (token) {
                copied.add("Authorization");
            }
            StringBuilder out = new StringBuilder();
            for (String line : template.split("\n", -1)) {
                if (line.contains("{{TOKEN}}")) {
                    if (token) {
                        out.append(line.replace("{{TOKEN}}", "")).append('\n');
                    }
                } else if (line.matches(".*\\{\\{(H|H_|h|hv)}}.*")) {
                    headers.forEach((key, name) -> out.append(line.replace("{{H}}", name)
                            .replace("{{H_}}", name.replace('-', '_')).replace("{{h}}", key)
                            .replace("{{hv}}", name.toLowerCase(Locale.ROOT).replace('-', '_'))).append('\n'));
                } else {
                    out.append(line).append('\n');
                }
            }
            out.setLength(out.length() - 1); // the template's own last line break is kept, not doubled
            return out.toString().replace("{{KEYCLOAK}}", keycloak).replace("{{REALM}}", realm)
                    .replace("{{APP}}", app).replace("{{SITE}}", site).replace("{{HOST}}", u.getHost())
                    .replace("{{HEADERS}}", String.join(" ", copied))
                    .replace("{{HEADERS_YAML}}", copied.stream().map(h -> "\"" + h + "\"")
                            .collect(java.util.stream.Collectors.joining(", ")));
        }
    }

    @Command(name = "snippet", description = {"Prints the reverse-proxy snippet of a forward-auth app "
            + "(apps add NAME --forward-auth --url URL): nginx, caddy or traefik (untested)."})
    static final class Snippet extends Base {
        @Parameters(paramLabel = "NAME", description = "The client id.")
        String name;

        @Option(names = "--proxy", paramLabel = "KIND", required = true, description = "nginx, caddy or traefik.")
        String proxy;

        @Override
        public Integer call() throws Exception {
            text("NAME", name);
            String kind = ForwardAuthSnippet.kind(proxy);
            MciasClient c = client();
            JsonNode app = find(c, name);
            if (attr(app, ForwardAuthSnippet.URL_ATTRIBUTE) == null) {
                throw new UsageException("app " + name + " is not a forward-auth app (no --forward-auth --url)");
            }
            out().print(ForwardAuthSnippet.render(kind, c, name, app));
            out().flush();
            return Mciasctl.OK;
        }
    }

    @Command(name = "show", description = {"Shows an app: client id, name, description, home URL, redirect URIs, "
            + "public or confidential, members-only and access role, signing algorithm, back-channel logout URL.",
            "Never its secret. -o env prints the app's OIDC settings as KEY=VALUE lines (without the secret)."})
    static final class Show extends Base implements EnvOutput {
        @Parameters(paramLabel = "NAME", description = "The client id.")
        String name;

        @Override
        public Integer call() throws Exception {
            MciasClient c = client();
            Map<String, Object> app = describe(c, find(c, name));
            if (json()) {
                Output.json(out(), app);
            } else if (envFormat()) {
                printEnv(this, envLines(app, null));
            } else {
                showFields(this, app);
            }
            return Mciasctl.OK;
        }
    }

    @Command(name = "update", description = {"Changes the given settings of an app and keeps all others (the "
            + "client's whole representation is read and sent back).",
            "--redirect-uri replaces the redirect URIs (repeatable); the home URL stays one of them."})
    static final class Update extends Base {
        @Parameters(paramLabel = "NAME", description = "The client id.")
        String name;

        @Option(names = "--url", paramLabel = "URL", description = "The app's home URL (base URL); it is made a "
                + "valid redirect URI.")
        String url;

        @Option(names = "--redirect-uri", paramLabel = "URI", description = "The redirect URIs (repeatable; they "
                + "replace the current ones).")
        List<String> redirectUris;

        @Option(names = "--signing-alg", paramLabel = "ALG", description = ALG_HELP)
        String signingAlg;

        @Option(names = "--backchannel-logout-url", paramLabel = "URL", description = "The back-channel logout "
                + "endpoint; \"\" removes it.")
        String backchannelUrl;

        @Option(names = "--description", paramLabel = "TEXT", description = "The app's description (\"\" removes it).")
        String description;

        @Option(names = "--display-name", paramLabel = "TEXT", description = "The app's name for people.")
        String displayName;

        @Option(names = "--header", paramLabel = "KEY=NAME", description = "A forward-auth app's name for an "
                + "identity header (repeatable; KEY user, email, name or groups; KEY= goes back to the default). "
                + "Print the proxy snippet again afterwards (apps snippet).")
        List<String> headers;

        @Option(names = "--pass-token", paramLabel = "true|false", description = "Whether a forward-auth app is sent "
                + "an access token of its own (Authorization: Bearer). Print the proxy snippet again afterwards.")
        String passToken;

        @Option(names = "--cookie-domain", paramLabel = "DOMAIN", description = "A forward-auth app's shared cookie "
                + "domain (see apps add); \"\" goes back to a cookie of its host only. Its users sign in again.")
        String cookieDomain;

        @Override
        public Integer call() throws Exception {
            text("NAME", name);
            text("--description", description);
            text("--display-name", displayName);
            if (url == null && redirectUris == null && signingAlg == null && backchannelUrl == null
                    && description == null && displayName == null && headers == null && passToken == null
                    && cookieDomain == null) {
                throw new UsageException("nothing to change: give --url, --redirect-uri, --signing-alg, "
                        + "--backchannel-logout-url, --description, --display-name, --header, --pass-token or "
                        + "--cookie-domain");
            }
            if (passToken != null && !passToken.equals("true") && !passToken.equals("false")) {
                throw new UsageException("--pass-token takes true or false: " + Output.clean(passToken));
            }
            if (url != null) {
                homeUrl(url);
            }
            if (redirectUris != null) {
                redirectUris.forEach(AppsCommands::redirectUri);
            }
            String alg = signingAlg == null ? null : signingAlg(signingAlg);
            if (backchannelUrl != null && !backchannelUrl.isEmpty()) {
                absoluteUrl("--backchannel-logout-url", backchannelUrl);
            }
            if (displayName != null && displayName.isBlank()) {
                throw new UsageException("--display-name must not be empty");
            }
            MciasClient c = client();
            if (alg != null) {
                requireKey(c, alg);
            }
            JsonNode found = find(c, name);
            String id = found.path("id").asText();
            ObjectNode rep = (ObjectNode) c.admin("GET", "/clients/" + Http.segment(id), null);
            ObjectNode attrs = rep.path("attributes").isObject() ? (ObjectNode) rep.path("attributes")
                    : rep.putObject("attributes");
            String home = url != null ? url : rep.path("baseUrl").asText("");
            if (url != null) {
                if (!rep.path("rootUrl").asText("").isEmpty()) {
                    rep.put("rootUrl", "");
                }
                rep.put("baseUrl", url);
            }
            if (redirectUris != null || url != null) {
                List<String> uris = redirectUris != null ? new ArrayList<>(redirectUris)
                        : strings(rep.path("redirectUris"));
                if (URI.create(home.isEmpty() ? "x:" : home).isAbsolute()) {
                    uris = withHome(uris, home);
                }
                ArrayNode a = rep.putArray("redirectUris");
                uris.forEach(a::add);
                if (redirectUris != null) {
                    attrs.put(POST_LOGOUT, String.join("##", uris));
                }
            }
            if (alg != null) {
                attrs.put(ID_TOKEN_ALG, alg);
                attrs.put(ACCESS_TOKEN_ALG, alg);
            }
            if (backchannelUrl != null) {
                if (backchannelUrl.isEmpty()) {
                    attrs.put(BACKCHANNEL_URL, "");
                } else {
                    attrs.put(BACKCHANNEL_URL, backchannelUrl);
                    attrs.put(BACKCHANNEL_SESSION, "true");
                    attrs.put(BACKCHANNEL_REVOKE_OFFLINE, "false");
                }
            }
            if (headers != null || passToken != null || cookieDomain != null) {
                String faUrl = attr(rep, ForwardAuthSnippet.URL_ATTRIBUTE);
                if (faUrl == null) {
                    throw new UsageException("--header, --pass-token and --cookie-domain are for forward-auth apps; "
                            + name + " is not one");
                }
                if (cookieDomain != null) {
                    if (!cookieDomain.isEmpty()) {
                        ForwardAuthSnippet.cookieDomain(cookieDomain, faUrl);
                    }
                    attrs.put(ForwardAuthSnippet.COOKIE_DOMAIN_ATTRIBUTE, cookieDomain);
                }
                if (headers != null) {
                    ForwardAuthSnippet.headerAttributes(headers, rep).forEach(attrs::put);
                }
                if (passToken != null) {
                    attrs.put(ForwardAuthSnippet.TOKEN_ATTRIBUTE, passToken);
                }
            }
            if (description != null) {
                rep.put("description", description);
            }
            if (displayName != null) {
                rep.put("name", displayName);
            }
            c.admin("PUT", "/clients/" + Http.segment(id), rep);
            Map<String, Object> app = describe(c, c.admin("GET", "/clients/" + Http.segment(id), null));
            if (json()) {
                Output.json(out(), app);
            } else {
                out().println("Updated app " + name + ".");
                out().flush();
            }
            if (headers != null || passToken != null) {
                err().println("The proxy must send and strip the new headers: put in its snippet again (mciasctl "
                        + "apps snippet " + name + " --proxy nginx|caddy|traefik).");
                err().flush();
            }
            return Mciasctl.OK;
        }
    }

    @Command(name = "list", description = "Lists the realm's apps (clients with the browser flow, not Keycloak's "
            + "own or the pack's): CLIENT ID, NAME, HOME URL, MEMBERS ONLY.")
    static final class ListApps extends Base {
        @Override
        public Integer call() throws Exception {
            MciasClient c = client();
            JsonNode all = c.admin("GET", "/clients", null);
            List<Map<String, Object>> apps = new ArrayList<>();
            for (JsonNode rep : all) {
                if (!rep.path("standardFlowEnabled").asBoolean() || rep.path("bearerOnly").asBoolean()
                        || NOT_APPS.contains(rep.path("clientId").asText())) {
                    continue;
                }
                Map<String, Object> d = describe(c, rep);
                Map<String, Object> m = new LinkedHashMap<>();
                for (String k : List.of("client_id", "name", "home_url", "members_only", "access_role", "public",
                        "enabled", "signing_alg")) {
                    m.put(k, d.get(k));
                }
                apps.add(m);
            }
            apps.sort(java.util.Comparator.comparing(m -> (String) m.get("client_id")));
            if (json()) {
                Output.json(out(), apps);
            } else {
                Output.table(out(), Json.MAPPER.valueToTree(apps), List.of("CLIENT ID", "NAME", "HOME URL",
                        "MEMBERS ONLY"), List.of("client_id", "name", "home_url", "members_only"));
            }
            return Mciasctl.OK;
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
            ObjectNode attrs = rep.path("attributes").isObject() ? (ObjectNode) rep.path("attributes")
                    : ((ObjectNode) rep).putObject("attributes");
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
