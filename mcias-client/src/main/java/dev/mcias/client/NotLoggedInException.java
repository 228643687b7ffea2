package dev.mcias.client;

/** No usable session: never logged in, logged out, or the session ended at the server. */
public final class NotLoggedInException extends ApiException {

    private static final long serialVersionUID = 1L;

    public NotLoggedInException(String description) {
        super(401, "not_logged_in", description);
    }
}
