package dev.mcias.keycloak.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.keycloak.util.JsonSerialization;

/** The log line's JSON is byte for byte the export's JSON of the same record. */
class AuditRecordsJsonTest {

    private static void assertSameAsExport(AuditRecordEntity r) throws Exception {
        assertEquals(JsonSerialization.writeValueAsString(AuditRecords.view(r)), AuditRecords.toJson(r));
    }

    @Test
    void everyFieldSet() throws Exception {
        AuditRecordEntity r = AuditChainTest.record(null);
        Map<String, String> details = new LinkedHashMap<>();
        details.put("grant_type", "client_credentials");
        details.put("note", "quote \" backslash \\ newline \n tab \t nul \u0000 bell \u0007 non-ascii é 漢 \uD83D\uDE00");
        details.put("html", "</script><b>&amp;</b>");
        r.setDetails(AuditRecords.json(details));
        r.setError("invalid_client_credentials");
        r.setClientId("client\u0001id");
        r.setSessionId("s");
        r.setIpAddress("127.0.0.1");
        r.setUserAgent("curl/8 \"quoted\"");
        r.setResourcePath("users/1");
        r.setHash("f".repeat(64));
        r.setSeq(Long.MAX_VALUE);
        r.setTime(-1);
        assertSameAsExport(r);
    }

    @Test
    void detailsAreWrittenAsTheMapperWritesASortedMap() throws Exception {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("z", "last");
        details.put("a", "first \u0000 \" \\ é");
        details.put("m", null);
        details.put("", "empty key");
        assertEquals(JsonSerialization.writeValueAsString(new TreeMap<>(details)), AuditRecords.json(details));
        assertEquals("{}", AuditRecords.json(Map.of()));
    }

    @Test
    void nullFieldsAreLeftOutAsTheExportLeavesThemOut() throws Exception {
        AuditRecordEntity r = new AuditRecordEntity();
        r.setRealmId("realm");
        assertSameAsExport(r);
        r = AuditChainTest.record("{}");
        assertSameAsExport(r);
    }
}
