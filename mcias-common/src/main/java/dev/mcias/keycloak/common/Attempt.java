package dev.mcias.keycloak.common;

/**
 * What a call tried to do, as the audit log records it when the call is refused.
 *
 * @param resourceType the admin event's resource type (e.g. {@code MCIAS_SYSTEM_ACCOUNT})
 * @param collection   the first segment of the event's resource path (e.g. {@code system-accounts})
 * @param action       the {@code action} detail (e.g. {@code delete})
 */
public record Attempt(String resourceType, String collection, String action) {
}
