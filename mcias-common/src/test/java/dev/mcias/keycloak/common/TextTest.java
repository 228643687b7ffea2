package dev.mcias.keycloak.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TextTest {

    @ParameterizedTest
    @ValueSource(strings = {"nightly billing job", "Zürich 日本 \uD83D\uDE00", ""})
    void plainTextPasses(String s) {
        assertTrue(Text.isPlain(s));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "tab\there", "line\nbreak", "del\u007F", "c1\u0085", "rtl\u202Eoverride",
            "iso\u2066late", "lrm\u200E", "alm\u061C", "lone\uD800surrogate", "lone\uDC00low", "non\uFFFFchar"})
    void controlBidiAndBrokenCharactersAreRefused(String s) {
        assertFalse(Text.isPlain(s), s);
    }

    @Test
    void printableIsBoundedAscii() {
        assertEquals("a?b", Text.printable("a\u0000b"));
        assertEquals("x".repeat(64) + "...", Text.printable("x".repeat(100)));
    }
}
