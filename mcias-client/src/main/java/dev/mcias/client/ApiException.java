package dev.mcias.client;

/**
 * The server refused a call: HTTP status plus the {@code error} and {@code error_description} of its answer
 * (OAuth and MCIAS bodies) or Keycloak's admin-API {@code errorMessage}. The message never contains a secret.
 */
public class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;
    private final String description;

    public ApiException(int status, String error, String description) {
        super(message(status, error, description));
        this.status = status;
        this.error = error;
        this.description = description;
    }

    private static String message(int status, String error, String description) {
        if (description != null && !description.isBlank()) {
            return error == null || error.isBlank() || description.equals(error) ? description
                    : description + " (" + error + ")";
        }
        if (error != null && !error.isBlank()) {
            return error;
        }
        return "HTTP " + status;
    }

    /** HTTP status; 0 when the server could not be reached. */
    public int status() {
        return status;
    }

    /** Machine-readable error code, e.g. {@code not_found}, {@code invalid_grant}; may be null. */
    public String error() {
        return error;
    }

    /** Human-readable explanation from the server; may be null. */
    public String description() {
        return description;
    }
}
