package dev.mcias.keycloak.invites;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.keycloak.services.util.ObjectMapperResolver;

import dev.mcias.keycloak.invites.InviteService.InviteView;

/**
 * The admin API's JSON, byte for byte: snake_case keys in this order, unset values left out (as the maps these
 * records replaced came out of Keycloak's mapper), and the same from a plain mapper (the records say it all).
 */
class InviteViewJsonTest {

    static final ObjectMapper SERVER = ObjectMapperResolver.createStreamSerializer();

    static final InviteView FULL = new InviteView("0b7c4f36-1111-4c3e-9a1e-2b8f0c1d2e3f", "used", "sam",
            "sam@example.org", List.of("grafana-users", "friends"), "grafana", "for Sam", true,
            "2026-01-01T00:00:00Z", "root", "2026-01-08T00:00:00Z", "2026-01-02T10:00:00.123Z", "sam",
            "2026-01-03T00:00:00Z", "root");
    static final InviteView BARE = new InviteView("0b7c4f36-1111-4c3e-9a1e-2b8f0c1d2e3f", "pending", null, null,
            List.of(), null, null, false, "2026-01-01T00:00:00Z", "root", "2026-01-08T00:00:00Z", null, null, null,
            null);
    static final String LINK = "http://127.0.0.1:8080/realms/mcias/invites/accept?invite=mcias_inv_x";

    static void assertJson(String expected, Object answer) throws Exception {
        assertEquals(expected, SERVER.writeValueAsString(answer));
        assertEquals(expected, new ObjectMapper().writeValueAsString(answer));
    }

    @Test
    void listAndShow() throws Exception {
        assertJson("{\"id\":\"0b7c4f36-1111-4c3e-9a1e-2b8f0c1d2e3f\",\"status\":\"used\",\"username\":\"sam\","
                + "\"email\":\"sam@example.org\",\"roles\":[\"grafana-users\",\"friends\"],\"app\":\"grafana\","
                + "\"note\":\"for Sam\",\"email_sent\":true,\"created_at\":\"2026-01-01T00:00:00Z\","
                + "\"created_by\":\"root\",\"expires_at\":\"2026-01-08T00:00:00Z\","
                + "\"used_at\":\"2026-01-02T10:00:00.123Z\",\"used_by\":\"sam\","
                + "\"revoked_at\":\"2026-01-03T00:00:00Z\",\"revoked_by\":\"root\"}", FULL);
        assertJson("[{\"id\":\"0b7c4f36-1111-4c3e-9a1e-2b8f0c1d2e3f\",\"status\":\"pending\",\"roles\":[],"
                + "\"email_sent\":false,\"created_at\":\"2026-01-01T00:00:00Z\",\"created_by\":\"root\","
                + "\"expires_at\":\"2026-01-08T00:00:00Z\"}]", List.of(BARE));
    }

    @Test
    void theCreateAnswerMovesEmailSentBehindTheLinkAndShowsItOnlyWhenMailed() throws Exception {
        assertJson("{\"id\":\"0b7c4f36-1111-4c3e-9a1e-2b8f0c1d2e3f\",\"status\":\"pending\",\"roles\":[],"
                + "\"created_at\":\"2026-01-01T00:00:00Z\",\"created_by\":\"root\","
                + "\"expires_at\":\"2026-01-08T00:00:00Z\",\"link\":\"" + LINK + "\"}",
                new InviteService.Created(BARE, LINK));
        assertJson("{\"id\":\"0b7c4f36-1111-4c3e-9a1e-2b8f0c1d2e3f\",\"status\":\"used\",\"username\":\"sam\","
                + "\"email\":\"sam@example.org\",\"roles\":[\"grafana-users\",\"friends\"],\"app\":\"grafana\","
                + "\"note\":\"for Sam\",\"created_at\":\"2026-01-01T00:00:00Z\",\"created_by\":\"root\","
                + "\"expires_at\":\"2026-01-08T00:00:00Z\",\"used_at\":\"2026-01-02T10:00:00.123Z\","
                + "\"used_by\":\"sam\",\"revoked_at\":\"2026-01-03T00:00:00Z\",\"revoked_by\":\"root\","
                + "\"link\":\"" + LINK + "\",\"email_sent\":true}", new InviteService.Created(FULL, LINK));
    }
}
