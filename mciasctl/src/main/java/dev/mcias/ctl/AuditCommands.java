package dev.mcias.ctl;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mcias.client.ApiException;
import dev.mcias.client.AuditVerifier;
import dev.mcias.client.Http;
import dev.mcias.client.MciasClient;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "audit", description = "The realm's audit trail (admin or realm-management view-events).",
        subcommands = {AuditCommands.ListEvents.class, AuditCommands.Export.class, AuditCommands.Verify.class, Help.class})
final class AuditCommands {
    @picocli.CommandLine.Mixin
    HelpOption helpOption;


    private AuditCommands() {
    }

    static final class Range {
        @Option(names = "--from", paramLabel = "TIME", description = "ISO-8601 instant or epoch milliseconds.")
        String from;

        @Option(names = "--to", paramLabel = "TIME", description = "ISO-8601 instant or epoch milliseconds.")
        String to;
    }

    /**
     * User names and client ids for the ids a record holds, looked up once per run through the admin API. User
     * events name their client by client id, admin events by its internal id; both resolve to the client id. An id
     * nobody has (deleted, or of another realm) stays as it is; a reader who may not look users or clients up
     * (realm-management view-events alone) sees the ids.
     */
    static final class Names {
        private static final java.util.regex.Pattern UUID = java.util.regex.Pattern.compile(
                "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
        private final MciasClient c;
        private final Map<String, java.util.Optional<String>> users = new java.util.HashMap<>();
        private final Map<String, java.util.Optional<String>> clients = new java.util.HashMap<>();
        private boolean usersRefused;
        private boolean clientsRefused;

        Names(MciasClient c) {
            this.c = c;
        }

        /** The user name of a user id, or null. */
        String username(String userId) {
            if (userId == null || userId.isEmpty() || usersRefused) {
                return null;
            }
            return users.computeIfAbsent(userId, id -> {
                try {
                    return java.util.Optional.ofNullable(c.admin("GET", "/users/" + Http.segment(id), null)
                            .path("username").asText(null));
                } catch (ApiException e) {
                    usersRefused |= e.status() == 403 || e.status() == 401;
                    return java.util.Optional.empty();
                }
            }).orElse(null);
        }

        /** The client id of what a record holds in client_id (a client id, or an admin event's internal id). */
        String clientId(String stored) {
            if (stored == null || stored.isEmpty()) {
                return null;
            }
            if (!UUID.matcher(stored).matches()) {
                return stored;
            }
            if (clientsRefused) {
                return null;
            }
            return clients.computeIfAbsent(stored, id -> {
                try {
                    return java.util.Optional.ofNullable(c.admin("GET", "/clients/" + Http.segment(id), null)
                            .path("clientId").asText(null));
                } catch (ApiException e) {
                    clientsRefused |= e.status() == 403 || e.status() == 401;
                    return java.util.Optional.empty();
                }
            }).orElse(null);
        }

        /** The user id of an exact user name, or null when there is no such user. */
        String userId(String username) {
            JsonNode found = c.admin("GET", "/users" + MciasClient.query(Map.of("username", username, "exact",
                    "true")), null);
            for (JsonNode u : found) {
                if (username.equalsIgnoreCase(u.path("username").asText())) {
                    return u.path("id").asText();
                }
            }
            return null;
        }

        /** The internal id of a client id, or null. */
        String clientUuid(String clientId) {
            JsonNode found = c.admin("GET", "/clients" + MciasClient.query(Map.of("clientId", clientId)), null);
            for (JsonNode f : found) {
                if (clientId.equals(f.path("clientId").asText())) {
                    return f.path("id").asText();
                }
            }
            return null;
        }
    }

    @Command(name = "list", description = {"Lists records, newest first (one page; --cursor for the next), with "
            + "user names and client ids (looked up at read time; an id nobody has any more is shown as it is).",
            "Filters: --user NAME (or --user-id ID), --app CLIENT_ID (or --client as the record stores it), --type, "
                    + "--outcome, --from, --to."})
    static final class ListEvents extends Base {
        @Option(names = "--type", description = "e.g. LOGIN, LOGIN_ERROR, UPDATE:USER")
        String type;

        @Option(names = "--user", paramLabel = "USERNAME", description = "Records of this user (by user name; no "
                + "such user: no records).")
        String username;

        @Option(names = "--user-id", paramLabel = "ID", description = "Records of this user id (also of a deleted "
                + "user).")
        String userId;

        @Option(names = "--app", paramLabel = "CLIENT_ID", description = "Records of this app (client id): its "
                + "users' sign-ins and tokens; with an admin --type (like UPDATE:USER) the admin calls made through it.")
        String app;

        @Option(names = "--client", paramLabel = "ID", description = "client_id exactly as records store it (a "
                + "client id, or an admin event's internal client id).")
        String clientId;

        @Option(names = "--outcome", description = "success or error")
        String outcome;

        @picocli.CommandLine.ArgGroup(exclusive = false)
        Range range = new Range();

        @Option(names = "--limit", description = "1-500 (server default 100)")
        Integer limit;

        @Option(names = "--cursor", description = "next_cursor of the previous page")
        String cursor;

        @Override
        public Integer call() throws Exception {
            if (username != null && userId != null) {
                throw new UsageException("--user NAME or --user-id ID, not both");
            }
            if (app != null && clientId != null) {
                throw new UsageException("--app CLIENT_ID or --client ID, not both");
            }
            MciasClient c = client();
            Names names = new Names(c);
            String user = userId;
            String client = clientId;
            boolean none = false;
            if (username != null) {
                user = names.userId(username);
                none = user == null;
            }
            if (app != null) {
                client = type != null && type.contains(":") ? names.clientUuid(app) : app;
                none |= client == null;
            }
            JsonNode page;
            if (none) {
                ObjectNode empty = dev.mcias.client.Json.MAPPER.createObjectNode();
                empty.putArray("events");
                empty.putNull("next_cursor");
                page = empty;
            } else {
                Map<String, String> q = new LinkedHashMap<>();
                q.put("type", type);
                q.put("user", user);
                q.put("client", client);
                q.put("outcome", outcome);
                q.put("from", range.from);
                q.put("to", range.to);
                q.put("cursor", cursor);
                q.put("limit", limit == null ? null : limit.toString());
                page = c.auditEvents(q);
            }
            List<ObjectNode> events = new java.util.ArrayList<>();
            for (JsonNode e : page.path("events")) {
                // Ids of another realm (an admin signed in elsewhere, e.g. master) are not looked up here.
                boolean here = !e.path("details").has("auth_realm");
                String name = here ? names.username(e.path("user_id").asText(null)) : null;
                String cid = here ? names.clientId(e.path("client_id").asText(null)) : null;
                ObjectNode withNames = dev.mcias.client.Json.MAPPER.createObjectNode();
                e.properties().forEach(f -> {
                    withNames.set(f.getKey(), f.getValue());
                    if (f.getKey().equals("user_id")) {
                        withNames.put("username", name);
                    } else if (f.getKey().equals("client_id")) {
                        withNames.put("client", cid);
                    }
                });
                events.add(withNames);
            }
            if (json()) {
                ObjectNode shown = page.deepCopy();
                ArrayNode a = shown.putArray("events");
                events.forEach(a::add);
                print(shown);
                return Mciasctl.OK;
            }
            List<List<String>> rows = new java.util.ArrayList<>();
            for (ObjectNode e : events) {
                String time = e.path("time").isNumber() ? Instant.ofEpochMilli(e.path("time").asLong()).toString()
                        : Output.text(e, "time");
                rows.add(List.of(Output.text(e, "seq"), time, Output.text(e, "type"), Output.text(e, "outcome"),
                        e.hasNonNull("username") ? e.path("username").asText() : Output.text(e, "user_id"),
                        e.hasNonNull("client") ? e.path("client").asText() : Output.text(e, "client_id"),
                        Output.text(e, "error")));
            }
            Output.table(out(), List.of("SEQ", "TIME", "TYPE", "OUTCOME", "USER", "CLIENT", "ERROR"), rows);
            if (page.hasNonNull("next_cursor")) {
                err().println("more: --cursor " + page.path("next_cursor").asText());
                err().flush();
            }
            return Mciasctl.OK;
        }
    }

    @Command(name = "export", description = "Streams all matching records, oldest first, as NDJSON to standard "
            + "output or --out FILE.")
    static final class Export extends Base {
        @picocli.CommandLine.ArgGroup(exclusive = false)
        Range range = new Range();

        @Option(names = "--out", paramLabel = "FILE")
        Path outFile;

        @Override
        public Integer call() throws Exception {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("from", range.from);
            q.put("to", range.to);
            var client = client();
            if (outFile != null) {
                Path tmp = outFile.resolveSibling(outFile.getFileName() + ".part");
                try (OutputStream o = Files.newOutputStream(tmp, StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                    client.exportAudit(q, o);
                } catch (RuntimeException | java.io.IOException e) {
                    Files.deleteIfExists(tmp);
                    throw e;
                }
                Files.move(tmp, outFile, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                return Mciasctl.OK;
            }
            out().flush();
            // Bytes straight through (the writer would re-encode); the tool's own output goes nowhere else.
            OutputStream stdout = env().inheritIo() ? System.out : new WriterStream(out());
            client.exportAudit(q, stdout);
            stdout.flush();
            return Mciasctl.OK;
        }
    }

    /** UTF-8 bytes to a writer (tests capture a writer). */
    static final class WriterStream extends OutputStream {
        private final java.io.PrintWriter w;
        private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

        WriterStream(java.io.PrintWriter w) {
            this.w = w;
        }

        @Override
        public void write(int b) {
            line.write(b);
            if (b == '\n') {
                flush();
            }
        }

        @Override
        public void flush() {
            w.write(line.toString(java.nio.charset.StandardCharsets.UTF_8));
            line.reset();
            w.flush();
        }
    }

    @Command(name = "verify", description = {"Without --file: asks the server to recompute the hash chain and check"
            + " the signed checkpoints.",
            "With --file EXPORT --public-key KEYS: verifies a full export offline (no server, no login): the chain,"
            + " the checkpoints' Ed25519 signatures and chain, and that every signed record is there unaltered.",
            "Exit code 1 when anything is broken; the report names the first bad position (seq)."})
    static final class Verify extends Base {
        @Option(names = "--file", paramLabel = "EXPORT", description = "A full export (audit export, no --from/--to).")
        Path file;

        @Option(names = "--public-key", paramLabel = "KEYS", description = "The JSON of GET /realms/{realm}/audit/"
                + "checkpoint-keys, or lines <key id>:<base64 public key>.")
        Path publicKey;

        @Option(names = "--checkpoints", paramLabel = "LOG", description = "Optional: audit log lines holding "
                + "checkpoints (copies kept outside the database); they must agree with the export.")
        Path checkpoints;

        @Override
        public Integer call() throws Exception {
            if (file != null || publicKey != null || checkpoints != null) {
                return offline();
            }
            JsonNode r = client().verifyAudit();
            boolean ok = r.path("ok").asBoolean();
            if (json()) {
                print(r);
            } else if (ok) {
                out().println("Audit chain intact: " + r.path("checked").asText() + " records checked"
                        + (r.path("signed_through").isObject() ? ", signed through seq "
                        + r.path("signed_through").path("seq").asText() : "") + ".");
            } else {
                JsonNode b = r.path("first_broken");
                out().println("Audit chain BROKEN at seq " + b.path("seq").asText()
                        + (b.hasNonNull("id") ? " (id " + b.path("id").asText() + ")" : "") + ": "
                        + b.path("reason").asText() + "; " + r.path("checked").asText() + " records checked.");
            }
            out().flush();
            return ok ? Mciasctl.OK : Mciasctl.ERROR;
        }

        private Integer offline() throws java.io.IOException {
            if (file == null || publicKey == null) {
                throw new UsageException("offline verification needs both --file and --public-key");
            }
            java.util.Map<String, java.security.PublicKey> keys;
            try {
                keys = AuditVerifier.readPublicKeys(publicKey);
            } catch (IllegalArgumentException e) {
                throw new UsageException(publicKey + ": " + e.getMessage());
            }
            AuditVerifier.Report r = AuditVerifier.verify(file, keys, checkpoints);
            if (json()) {
                var m = new LinkedHashMap<String, Object>();
                m.put("ok", r.ok());
                m.put("records", r.records());
                m.put("first_seq", r.firstSeq());
                m.put("last_seq", r.lastSeq());
                m.put("checkpoints", r.checkpoints());
                m.put("signed_through_seq", r.signedSeq());
                m.put("signed_through_index", r.signedIndex());
                if (r.failure() != null) {
                    m.put("first_broken", Map.of("seq", r.failure().seq(), "reason", r.failure().reason()));
                }
                m.put("notes", r.notes());
                print(dev.mcias.client.Json.MAPPER.valueToTree(m));
            } else {
                if (r.ok()) {
                    out().println("Export verified: " + r.records() + " records (seq " + r.firstSeq() + " to "
                            + r.lastSeq() + "), " + r.checkpoints() + " checkpoints, signed through seq "
                            + r.signedSeq() + ".");
                } else {
                    out().println("Export BROKEN at seq " + r.failure().seq() + ": " + r.failure().reason() + ".");
                }
                for (String note : r.notes()) {
                    out().println("note: " + note);
                }
            }
            out().flush();
            return r.ok() ? Mciasctl.OK : Mciasctl.ERROR;
        }
    }
}
