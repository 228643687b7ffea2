package dev.mcias.keycloak.dbcredentials;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * How an account's credentials are served. {@code RETIRED} is internal: the connection of a dynamic configuration
 * that was replaced or removed, kept (under its own row) only until the roles it created are dropped.
 */
public enum DbCredentialMode {
    STATIC, DYNAMIC, RETIRED;

    /** The stored and JSON form (bodies and answers): {@code static}, {@code dynamic}, {@code retired}. */
    @JsonValue
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static DbCredentialMode of(String value) {
        for (DbCredentialMode m : values()) {
            if (m.value().equals(value)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode");
    }

    @Override
    public String toString() {
        return value();
    }
}
