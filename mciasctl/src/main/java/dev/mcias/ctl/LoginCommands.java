package dev.mcias.ctl;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mcias.client.ApiException;
import dev.mcias.client.Oidc;
import dev.mcias.client.Session;
import dev.mcias.client.SessionTokens;
import dev.mcias.client.TokenResponse;
import picocli.CommandLine.Command;

final class LoginCommands {

    static final String CLIENT_ID = "mciasctl";

    private LoginCommands() {
    }

    @Command(name = "login", description = {"Signs in with the OAuth 2.0 device authorization grant: open the "
            + "URL shown, sign in with password and TOTP or WebAuthn; the tool never sees your password.",
            "The session is stored in $XDG_CONFIG_HOME/mciasctl/PROFILE.json (mode 0600)."})
    static final class Login extends Base {
        @Override
        public Integer call() throws Exception {
            String server = serverOption();
            if (server == null) {
                throw new UsageException("login needs --server URL (or MCIASCTL_SERVER)");
            }
            String realm = realmOption();
            // Fail early on an unusable configuration directory, before asking anyone to sign in.
            store().load(profile());
            Oidc oidc = new Oidc(http(), server, realm);
            Oidc.DeviceAuthorization auth = oidc.startDeviceAuthorization(CLIENT_ID, "openid");
            var msg = json() ? err() : out();
            msg.println("To sign in, open " + auth.verificationUri() + " and enter the code " + auth.userCode());
            if (auth.verificationUriComplete() != null) {
                msg.println("or open " + auth.verificationUriComplete());
            }
            msg.println("Waiting for the sign-in (the code expires in " + auth.expiresIn() / 60 + " minutes)...");
            msg.flush();
            TokenResponse t = oidc.awaitDeviceToken(CLIENT_ID, auth, env().clock());
            String username = Oidc.claims(t.accessToken()).path("preferred_username").asText(null);
            Session s = new Session(server, realm, CLIENT_ID, username, t.refreshToken(), t.accessToken(),
                    env().clock().instant().getEpochSecond() + t.expiresIn());
            store().save(profile(), s);
            if (json()) {
                Output.json(out(), Map.of("server", server, "realm", realm, "username", String.valueOf(username),
                        "profile", profile()));
            } else {
                out().println("Logged in to " + server + " realm " + realm + " as " + username + " (profile "
                        + profile() + ").");
            }
            return Mciasctl.OK;
        }
    }

    @Command(name = "logout", description = "Revokes the session's refresh token at the server (RFC 7009) and "
            + "deletes the session file.")
    static final class Logout extends Base {
        @Override
        public Integer call() throws Exception {
            Session s = store().load(profile());
            if (s == null) {
                out().println("Not logged in (profile " + profile() + ").");
                return Mciasctl.OK;
            }
            String warning = null;
            try {
                new Oidc(http(), s.server(), s.realm()).revoke(s.clientId(), s.refreshToken());
            } catch (ApiException e) {
                warning = e.getMessage();
            }
            store().delete(profile());
            if (warning != null) {
                err().println("mciasctl: the server did not confirm the revocation (" + warning
                        + "); the local session is deleted");
                err().flush();
                return Mciasctl.ERROR;
            }
            out().println("Logged out (profile " + profile() + ").");
            return Mciasctl.OK;
        }
    }

    @Command(name = "whoami", description = "Shows the session (server, realm, user, realm roles); refreshes "
            + "the access token if needed.")
    static final class Whoami extends Base {
        @Override
        public Integer call() throws Exception {
            if (root().account != null || root().tokenFile != null) {
                var t = accountTokens();
                JsonNode c = Oidc.claims(t.accessToken());
                return show(c, null);
            }
            Session s = session();
            SessionTokens t = new SessionTokens(http(), store(), profile(), s, env().clock());
            JsonNode c = Oidc.claims(t.accessToken());
            return show(c, t.session());
        }

        private int show(JsonNode c, Session s) {
            List<String> roles = new java.util.ArrayList<>();
            c.path("realm_access").path("roles").forEach(r -> roles.add(r.asText()));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("profile", s == null ? null : profile());
            m.put("server", s == null ? null : s.server());
            m.put("realm", s == null ? realmOption() : s.realm());
            m.put("username", c.path("preferred_username").asText(c.path("azp").asText()));
            m.put("realm_roles", roles);
            m.values().removeIf(java.util.Objects::isNull);
            if (json()) {
                Output.json(out(), m);
            } else {
                List<String> labels = new java.util.ArrayList<>();
                List<String> values = new java.util.ArrayList<>();
                m.forEach((k, v) -> {
                    labels.add(k);
                    values.add(v instanceof List<?> l ? String.join(",", l.stream().map(String::valueOf).toList())
                            : String.valueOf(v));
                });
                Output.fields(out(), labels, values);
            }
            return Mciasctl.OK;
        }
    }
}
