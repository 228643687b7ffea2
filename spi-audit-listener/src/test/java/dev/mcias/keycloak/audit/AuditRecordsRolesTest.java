package dev.mcias.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;
import org.keycloak.events.admin.AdminEvent;
import org.keycloak.events.admin.OperationType;
import org.keycloak.events.admin.ResourceType;

/** A role grant or removal names its roles; nothing else of the representation is kept. */
class AuditRecordsRolesTest {

    static AdminEvent event(ResourceType type, String representation) {
        AdminEvent e = new AdminEvent();
        e.setRealmId("realm");
        e.setOperationType(OperationType.DELETE);
        e.setResourceType(type);
        e.setResourcePath("users/u1/role-mappings/realm");
        e.setRepresentation(representation);
        return e;
    }

    @Test
    void roleMappingRecordsNameTheRoles() {
        AuditRecordEntity r = AuditRecords.fromAdminEvent(event(ResourceType.REALM_ROLE_MAPPING,
                "[{\"id\":\"1\",\"name\":\"app:wiki\",\"description\":\"secret-ish text\"},{\"id\":\"2\",\"name\":\"b\"}]"),
                null);
        assertEquals("{\"roles\":\"app:wiki,b\"}", r.getDetails());
        assertFalse(r.getDetails().contains("secret-ish"));
    }

    @Test
    void otherEventsAndOddRepresentationsAddNothing() {
        assertNull(AuditRecords.roleNames(event(ResourceType.USER, "[{\"name\":\"x\"}]")));
        assertNull(AuditRecords.roleNames(event(ResourceType.REALM_ROLE_MAPPING, "{\"name\":\"x\"}")));
        assertNull(AuditRecords.roleNames(event(ResourceType.REALM_ROLE_MAPPING, "not json")));
        assertNull(AuditRecords.roleNames(event(ResourceType.CLIENT_ROLE_MAPPING, null)));
        assertEquals("{}", AuditRecords.fromAdminEvent(event(ResourceType.USER, "{\"credentials\":[]}"), null).getDetails());
    }
}
