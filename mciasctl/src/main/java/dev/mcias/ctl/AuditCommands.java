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

import dev.mcias.client.AuditVerifier;

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

    @Command(name = "list", description = "Lists records, newest first (one page; --cursor for the next).")
    static final class ListEvents extends Base {
        @Option(names = "--type", description = "e.g. LOGIN, LOGIN_ERROR, UPDATE:USER")
        String type;

        @Option(names = "--user", paramLabel = "USER_ID")
        String user;

        @Option(names = "--client", paramLabel = "CLIENT_ID")
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
            Map<String, String> q = new LinkedHashMap<>();
            q.put("type", type);
            q.put("user", user);
            q.put("client", clientId);
            q.put("outcome", outcome);
            q.put("from", range.from);
            q.put("to", range.to);
            q.put("cursor", cursor);
            q.put("limit", limit == null ? null : limit.toString());
            JsonNode page = client().auditEvents(q);
            if (json()) {
                print(page);
                return Mciasctl.OK;
            }
            List<List<String>> rows = new java.util.ArrayList<>();
            for (JsonNode e : page.path("events")) {
                String time = e.path("time").isNumber() ? Instant.ofEpochMilli(e.path("time").asLong()).toString()
                        : Output.text(e, "time");
                rows.add(List.of(Output.text(e, "seq"), time, Output.text(e, "type"), Output.text(e, "outcome"),
                        Output.text(e, "user_id"), Output.text(e, "client_id"), Output.text(e, "error")));
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
