package dev.mcias.keycloak.audit;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import org.keycloak.events.Event;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.AuthDetails;
import org.keycloak.util.JsonSerialization;

/** Turns Keycloak events into audit records (secrets excluded) and records into JSON. */
public final class AuditRecords {

    private AuditRecords() {
    }

    /** The detail holding the attempted username, and the one that replaces it when nobody has that name. */
    static final String USERNAME = "username";
    static final String USERNAME_FINGERPRINT = "username_fingerprint";

    /**
     * A user event. When the event names no user, its {@code username} detail is whatever was typed into the
     * username field (often a password typed in the wrong field), so only its keyed fingerprint is kept.
     */
    public static AuditRecordEntity fromEvent(Event e, String userAgent, UsernameFingerprint fingerprint) {
        AuditRecordEntity r = new AuditRecordEntity();
        r.setRealmId(e.getRealmId());
        r.setTime(e.getTime());
        r.setKind("USER");
        r.setType(e.getType().name());
        r.setOutcome(e.getError() == null ? "success" : "error");
        r.setError(bounded(e.getError(), 255));
        r.setUserId(e.getUserId());
        r.setClientId(e.getClientId());
        r.setSessionId(e.getSessionId());
        r.setIpAddress(e.getIpAddress());
        r.setUserAgent(bounded(userAgent, 512));
        Map<String, String> raw = e.getDetails();
        String unknownUsername = null;
        if (e.getUserId() == null && raw != null && raw.get(USERNAME) != null) {
            unknownUsername = raw.get(USERNAME);
            raw = new HashMap<>(raw);
            raw.remove(USERNAME);
        }
        Map<String, String> details = DetailsFilter.filter(raw);
        if (unknownUsername != null) {
            details.put(USERNAME_FINGERPRINT, fingerprint.of(e.getRealmId(), unknownUsername));
        }
        r.setDetails(json(details));
        return r;
    }

    /** Admin events: who did what to which resource; the representation (which may hold secrets) is never kept. */
    public static AuditRecordEntity fromAdminEvent(AdminEvent e, String userAgent) {
        AuditRecordEntity r = new AuditRecordEntity();
        r.setRealmId(e.getRealmId());
        r.setTime(e.getTime());
        r.setKind("ADMIN");
        r.setType(e.getOperationType().name() + ":" + e.getResourceTypeAsString());
        r.setOutcome(e.getError() == null ? "success" : "error");
        r.setError(bounded(e.getError(), 255));
        AuthDetails auth = e.getAuthDetails();
        if (auth != null) {
            r.setUserId(auth.getUserId());
            r.setClientId(auth.getClientId());
            r.setIpAddress(auth.getIpAddress());
        }
        r.setUserAgent(bounded(userAgent, 512));
        r.setResourcePath(bounded(e.getResourcePath(), 1024));
        Map<String, String> details = DetailsFilter.filter(e.getDetails());
        if (auth != null && auth.getRealmId() != null && !auth.getRealmId().equals(e.getRealmId())) {
            details.put("auth_realm", auth.getRealmId());
        }
        String roles = roleNames(e);
        if (roles != null) {
            details.put("roles", bounded(roles, DetailsFilter.MAX_VALUE_LENGTH));
        }
        r.setDetails(json(details));
        return r;
    }

    /**
     * The names of the roles a role-mapping event granted or removed, from its representation (a list of roles,
     * which Keycloak hands to listeners whatever {@code adminEventsDetailsEnabled} says); nothing else of it is
     * kept. Null for other events or a representation that is not that list.
     */
    static String roleNames(AdminEvent e) {
        String type = e.getResourceTypeAsString();
        if (e.getRepresentation() == null || !("REALM_ROLE_MAPPING".equals(type) || "CLIENT_ROLE_MAPPING".equals(type))) {
            return null;
        }
        try {
            com.fasterxml.jackson.databind.JsonNode list = JsonSerialization.mapper.readTree(e.getRepresentation());
            if (list == null || !list.isArray()) {
                return null;
            }
            java.util.List<String> names = new java.util.ArrayList<>();
            list.forEach(role -> {
                if (role.path("name").isTextual()) {
                    names.add(role.path("name").asText());
                }
            });
            return names.isEmpty() ? null : String.join(",", names);
        } catch (IOException ex) {
            return null;
        }
    }

    /**
     * A stored record as the read API and the export show it: its columns in this order, null ones left out, and
     * the details as the JSON object they hold (their text if they are not JSON).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record View(String id, long seq, long time, @JsonProperty("realm_id") String realmId, String kind,
                       String type, String outcome, String error, @JsonProperty("user_id") String userId,
                       @JsonProperty("client_id") String clientId, @JsonProperty("session_id") String sessionId,
                       @JsonProperty("ip_address") String ipAddress, @JsonProperty("user_agent") String userAgent,
                       @JsonProperty("resource_path") String resourcePath, Object details,
                       @JsonProperty("prev_hash") String prevHash, String hash) {
    }

    public static View view(AuditRecordEntity r) {
        return new View(r.getId(), r.getSeq(), r.getTime(), r.getRealmId(), r.getKind(), r.getType(), r.getOutcome(),
                r.getError(), r.getUserId(), r.getClientId(), r.getSessionId(), r.getIpAddress(), r.getUserAgent(),
                r.getResourcePath(), parse(r.getDetails()), r.getPrevHash(), r.getHash());
    }

    /**
     * The same JSON as {@code JsonSerialization.writeValueAsString(view(r))} (null fields left out), without
     * parsing the details back into a map first: for records built in this process ({@link #json} wrote their
     * details), written once per request to the audit log. Records read from the database go through
     * {@link #view}, which copes with details that are not JSON.
     */
    public static String toJson(AuditRecordEntity r) {
        StringWriter out = new StringWriter(512);
        try (JsonGenerator g = JsonSerialization.mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            field(g, "id", r.getId());
            g.writeNumberField("seq", r.getSeq());
            g.writeNumberField("time", r.getTime());
            field(g, "realm_id", r.getRealmId());
            field(g, "kind", r.getKind());
            field(g, "type", r.getType());
            field(g, "outcome", r.getOutcome());
            field(g, "error", r.getError());
            field(g, "user_id", r.getUserId());
            field(g, "client_id", r.getClientId());
            field(g, "session_id", r.getSessionId());
            field(g, "ip_address", r.getIpAddress());
            field(g, "user_agent", r.getUserAgent());
            field(g, "resource_path", r.getResourcePath());
            if (r.getDetails() != null) {
                g.writeFieldName("details");
                g.writeRawValue(r.getDetails());
            }
            field(g, "prev_hash", r.getPrevHash());
            field(g, "hash", r.getHash());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void field(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    /** Details as one JSON object, keys sorted (what {@code writeValueAsString(new TreeMap<>(details))} writes). */
    static String json(Map<String, String> details) {
        StringWriter out = new StringWriter(128);
        try (JsonGenerator g = JsonSerialization.mapper.getFactory().createGenerator(out)) {
            g.writeStartObject();
            Map<String, String> sorted = details instanceof TreeMap<String, String> t && t.comparator() == null ? t
                    : new TreeMap<>(details);
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                field(g, e.getKey(), e.getValue());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static Object parse(String json) {
        if (json == null) {
            return null;
        }
        try {
            return JsonSerialization.readValue(json, Map.class);
        } catch (IOException e) {
            return json;
        }
    }

    private static String bounded(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
