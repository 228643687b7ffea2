package dev.mcias.keycloak.systemaccounts;

import java.io.InputStream;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mcias.keycloak.common.Errors;
import dev.mcias.keycloak.common.JsonBodies;
import dev.mcias.keycloak.common.Text;

/** The body of {@code POST /system-accounts}, parsed and validated: {@code {name, description?, token_ttl?}}. */
record CreateAccountRequest(String name, String description, Long tokenTtl) {

    static final int MAX_BODY_BYTES = 4096;
    static final int MAX_DESCRIPTION = 255;
    private static final Set<String> FIELDS = Set.of("name", "description", "token_ttl");

    static CreateAccountRequest parse(InputStream body) throws Errors.BadRequest {
        JsonNode json = JsonBodies.readObject(body, MAX_BODY_BYTES);
        for (var it = json.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new Errors.BadRequest("unknown field: " + Text.printable(field));
            }
        }
        JsonNode name = json.get("name");
        if (name == null || !name.isTextual() || !SystemAccounts.validName(name.asText())) {
            throw new Errors.BadRequest("name must be 2-63 characters: a lowercase letter, then lowercase letters,"
                    + " digits or hyphens");
        }
        JsonNode description = json.get("description");
        boolean hasDescription = description != null && !description.isNull();
        if (hasDescription && (!description.isTextual() || description.asText().length() > MAX_DESCRIPTION
                || !Text.isPlain(description.asText()))) {
            throw new Errors.BadRequest("description must be a string of at most " + MAX_DESCRIPTION
                    + " characters, without control or bidirectional-override characters");
        }
        JsonNode ttl = json.get("token_ttl");
        boolean hasTtl = ttl != null && !ttl.isNull();
        if (hasTtl && (!ttl.isIntegralNumber() || !ttl.canConvertToLong() || !SystemAccounts.validTtl(ttl.asLong()))) {
            throw new Errors.BadRequest("token_ttl must be whole seconds between " + SystemAccounts.MIN_TTL_SECONDS
                    + " and " + SystemAccounts.MAX_TTL_SECONDS);
        }
        return new CreateAccountRequest(name.asText(), hasDescription ? description.asText() : null,
                hasTtl ? ttl.asLong() : null);
    }
}
