package dev.mcias.keycloak.audit.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.keycloak.services.util.ObjectMapperResolver;

/** {@code GET /audit/webhooks/deliveries}, byte for byte, as the map it replaced came out of Keycloak's mapper. */
class WebhookDeliveriesJsonTest {

    static WebhookOutboxEntity row(String status) {
        WebhookOutboxEntity o = new WebhookOutboxEntity();
        o.setId("w-" + status);
        o.setRealmId("realm");
        o.setRecordId("r1");
        o.setRecordSeq(7);
        o.setRecordType("LOGIN");
        o.setUrl("https://hooks.example.org/path?token=secret");
        o.setPayload("{}");
        o.setStatus(status);
        o.setAttempts(1);
        o.setCreatedAt(1000);
        o.setNextAttemptAt(2000);
        return o;
    }

    @Test
    void pendingAndDeliveredRows() throws Exception {
        WebhookOutboxEntity pending = row(WebhookOutboxEntity.PENDING);
        pending.setLastAttemptAt(1500L);
        pending.setLastError("timeout");
        WebhookOutboxEntity delivered = row(WebhookOutboxEntity.DELIVERED);
        delivered.setLastAttemptAt(1600L);
        delivered.setLastStatus(204);
        delivered.setDoneAt(1600L);
        WebhookDeliveries.Deliveries body = new WebhookDeliveries.Deliveries(true, Map.of("pending", 1L),
                List.of(WebhookOutbox.Delivery.of(pending), WebhookOutbox.Delivery.of(delivered),
                        WebhookOutbox.Delivery.of(row(WebhookOutboxEntity.FAILED))));
        assertEquals("{\"enabled\":true,\"counts\":{\"pending\":1},\"deliveries\":["
                + "{\"webhook_id\":\"w-pending\",\"record_id\":\"r1\",\"record_seq\":7,\"type\":\"LOGIN\","
                + "\"endpoint\":\"https://hooks.example.org\",\"status\":\"pending\",\"attempts\":1,\"created\":1000,"
                + "\"last_attempt\":1500,\"next_attempt\":2000,\"last_error\":\"timeout\"},"
                + "{\"webhook_id\":\"w-delivered\",\"record_id\":\"r1\",\"record_seq\":7,\"type\":\"LOGIN\","
                + "\"endpoint\":\"https://hooks.example.org\",\"status\":\"delivered\",\"attempts\":1,\"created\":1000,"
                + "\"last_attempt\":1600,\"last_status\":204,\"done\":1600},"
                + "{\"webhook_id\":\"w-failed\",\"record_id\":\"r1\",\"record_seq\":7,\"type\":\"LOGIN\","
                + "\"endpoint\":\"https://hooks.example.org\",\"status\":\"failed\",\"attempts\":1,\"created\":1000}]}",
                ObjectMapperResolver.createStreamSerializer().writeValueAsString(body));
    }
}
