package dev.mcias.keycloak.dbcredentials;

/**
 * A refusal or failure with an HTTP status, a stable error code and a message for the caller. Messages never hold
 * a secret; they may name roles, hosts and SQLStates.
 */
public final class DbCredentialException extends RuntimeException {

    private final int status;
    private final String error;

    public DbCredentialException(int status, String error, String message) {
        super(message, null, false, false);
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    public String error() {
        return error;
    }

    static DbCredentialException notConfigured() {
        return new DbCredentialException(404, "not_configured", "no database credentials for this account");
    }

    static DbCredentialException noKeyFile() {
        return new DbCredentialException(503, "not_configured", "no encryption key configured (key-file option)");
    }

    static DbCredentialException keyUnavailable() {
        return new DbCredentialException(500, "key_unavailable",
                "stored credentials cannot be decrypted with the configured keys");
    }
}
