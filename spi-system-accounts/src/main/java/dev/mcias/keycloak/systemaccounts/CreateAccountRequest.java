package dev.mcias.keycloak.systemaccounts;

import java.io.InputStream;

import com.fasterxml.jackson.annotation.JsonProperty;

import dev.mcias.keycloak.common.Errors;
import dev.mcias.keycloak.common.JsonBodies;
import dev.mcias.keycloak.common.Text;

/**
 * The body of {@code POST /system-accounts}: {@code {name, description?, token_ttl?}}; a null is an absent field.
 * {@link #parse} binds it, then checks its rules.
 */
record CreateAccountRequest(String name, String description, @JsonProperty("token_ttl") Long tokenTtl) {

    static final int MAX_BODY_BYTES = 4096;
    static final int MAX_DESCRIPTION = 255;

    static CreateAccountRequest parse(InputStream body) throws Errors.BadRequest {
        return JsonBodies.read(body, MAX_BODY_BYTES, CreateAccountRequest.class).validated();
    }

    private CreateAccountRequest validated() throws Errors.BadRequest {
        if (name == null || !SystemAccounts.validName(name)) {
            throw new Errors.BadRequest("name must be 2-63 characters: a lowercase letter, then lowercase letters,"
                    + " digits or hyphens");
        }
        if (description != null && (description.length() > MAX_DESCRIPTION || !Text.isPlain(description))) {
            throw new Errors.BadRequest("description must be a string of at most " + MAX_DESCRIPTION
                    + " characters, without control or bidirectional-override characters");
        }
        if (tokenTtl != null && !SystemAccounts.validTtl(tokenTtl)) {
            throw new Errors.BadRequest("token_ttl must be whole seconds between " + SystemAccounts.MIN_TTL_SECONDS
                    + " and " + SystemAccounts.MAX_TTL_SECONDS);
        }
        return this;
    }
}
