package dev.mcias.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.keycloak.services.util.ObjectMapperResolver;
import org.keycloak.util.JsonSerialization;

import dev.mcias.keycloak.audit.checkpoint.AuditCheckpointEntity;
import dev.mcias.keycloak.audit.checkpoint.CheckpointApi;
import dev.mcias.keycloak.audit.checkpoint.Checkpoints;

/**
 * The read API's answers and the export's lines, byte for byte: snake_case keys in this order, unknowns left out
 * (as the maps these records replaced came out of Keycloak's mappers).
 */
class AuditAnswersJsonTest {

    /** What Keycloak's REST layer writes answers with. */
    static final ObjectMapper SERVER = ObjectMapperResolver.createStreamSerializer();

    @Test
    void eventsPurgeAndTheRefusedPurge() throws Exception {
        AuditRecords.View record = AuditRecords.view(AuditChainTest.record("{\"a\":\"b\"}"));
        assertEquals("{\"events\":[{\"id\":\"id-1\",\"seq\":1,\"time\":1000,\"realm_id\":\"realm\",\"kind\":\"USER\","
                + "\"type\":\"LOGIN\",\"outcome\":\"success\",\"user_id\":\"u\",\"details\":{\"a\":\"b\"},"
                + "\"prev_hash\":\"" + AuditChain.GENESIS + "\"}],\"next_cursor\":\"1\"}",
                SERVER.writeValueAsString(new AuditResource.Events(List.of(record), "1")));
        assertEquals("{\"events\":[]}", SERVER.writeValueAsString(new AuditResource.Events(List.of(), null)));
        assertEquals("{\"purged\":3,\"retention_days\":30}",
                SERVER.writeValueAsString(new AuditResource.Purged(3, 30)));
        AuditStore.Verification missing = new AuditStore.Verification(false, 4, 5L, null, "record 5 is missing");
        assertEquals("{\"error\":\"chain_broken\",\"error_description\":\"d\",\"first_broken\":{\"seq\":5,"
                + "\"reason\":\"record 5 is missing\"}}",
                SERVER.writeValueAsString(new AuditResource.ChainBroken("chain_broken", "d", missing.broken())));
    }

    @Test
    void verify() throws Exception {
        assertEquals("{\"ok\":true,\"checked\":10,\"checkpoints_enabled\":false,\"checkpoints_checked\":0}",
                SERVER.writeValueAsString(new CheckpointApi.Verified(true, 10, null, false, 0, null)));
        AuditStore.Verification altered = new AuditStore.Verification(false, 2, 3L, "id-3", "record content altered");
        assertEquals("{\"ok\":false,\"checked\":2,\"first_broken\":{\"seq\":3,\"id\":\"id-3\",\"reason\":\"record"
                + " content altered\"},\"checkpoints_enabled\":true,\"checkpoints_checked\":1,\"signed_through\":"
                + "{\"seq\":2,\"index\":1,\"time\":1700000000000,\"key_id\":\"k1\",\"hash\":\"ab\"}}",
                SERVER.writeValueAsString(new CheckpointApi.Verified(false, 2, altered.broken(), true, 1,
                        new CheckpointApi.SignedThrough(2, 1, 1_700_000_000_000L, "k1", "ab"))));
        assertEquals("{\"ok\":false,\"checked\":9,\"first_broken\":{\"seq\":7,\"reason\":\"truncated\","
                + "\"checkpoint_index\":2},\"checkpoints_enabled\":true,\"checkpoints_checked\":1}",
                SERVER.writeValueAsString(new CheckpointApi.Verified(false, 9,
                        new AuditStore.Broken(7L, null, "truncated", 2L), true, 1, null)));
    }

    @Test
    void checkpointKeysAndTheExportedCheckpoint() throws Exception {
        assertEquals("{\"enabled\":false,\"keys\":[]}",
                SERVER.writeValueAsString(new CheckpointApi.PublicKeys(false, List.of())));
        assertEquals("{\"enabled\":true,\"keys\":[{\"key_id\":\"k1\",\"alg\":\"Ed25519\",\"signing\":true,"
                + "\"public_key\":\"cmF3\",\"spki\":\"c3BraQ==\"}]}", SERVER.writeValueAsString(
                        new CheckpointApi.PublicKeys(true, List.of(new CheckpointApi.PublicKey("k1", "Ed25519", true,
                                "cmF3", "c3BraQ==")))));
        AuditCheckpointEntity c = new AuditCheckpointEntity();
        c.setRealmId("realm-1");
        c.setIndex(2);
        c.setSeq(40);
        c.setRecordHash("rh");
        c.setTime(1_700_000_999_000L);
        c.setKeyId("k1");
        c.setPrevHash("ph");
        c.setHash("h");
        c.setSignature("sig");
        assertEquals("{\"checkpoint\":{\"realm_id\":\"realm-1\",\"index\":2,\"seq\":40,\"record_hash\":\"rh\","
                + "\"time\":1700000999000,\"key_id\":\"k1\",\"prev_hash\":\"ph\",\"hash\":\"h\","
                + "\"signature\":\"sig\"}}",
                JsonSerialization.writeValueAsString(Checkpoints.line(c)));
    }
}
