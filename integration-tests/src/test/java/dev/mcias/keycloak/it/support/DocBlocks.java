package dev.mcias.keycloak.it.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The code blocks of the operator docs that tests run as they are: a block is the fenced block right after a
 * line {@code <!-- RealAppsIT: NAME -->}, so a doc that changes changes the test, and a test that needs a
 * different command needs a different doc.
 */
public final class DocBlocks {

    /** The repository's docs folder (the tests run in integration-tests/). */
    public static final Path DOCS = Path.of(System.getProperty("mcias.docs.dir", "../docs"));

    private DocBlocks() {
    }

    /** The text inside the fenced block after the marker {@code <!-- tag: name -->}; fails if there is none. */
    public static String block(String file, String tag, String name) throws IOException {
        List<String> lines = Files.readAllLines(DOCS.resolve(file));
        String marker = "<!-- " + tag + ": " + name + " -->";
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().equals(marker)) {
                int open = i + 1;
                if (open >= lines.size() || !lines.get(open).startsWith("```")) {
                    throw new AssertionError(file + ": no code block right after " + marker);
                }
                StringBuilder text = new StringBuilder();
                for (int j = open + 1; j < lines.size(); j++) {
                    if (lines.get(j).startsWith("```")) {
                        return text.toString();
                    }
                    text.append(lines.get(j)).append('\n');
                }
                throw new AssertionError(file + ": unterminated code block after " + marker);
            }
        }
        throw new AssertionError(file + ": no marker " + marker);
    }

    /** {@code text} with every key of {@code values} replaced by its value, longest keys first. */
    public static String substitute(String text, Map<String, String> values) {
        String out = text;
        List<String> keys = new ArrayList<>(values.keySet());
        keys.sort((a, b) -> b.length() - a.length());
        for (String k : keys) {
            out = out.replace(k, values.get(k));
        }
        return out;
    }

    /**
     * The arguments of each command of a shell block: lines joined at a trailing backslash, comments and blank
     * lines dropped, words split as a POSIX shell splits them for single and double quotes (nothing else of the
     * shell is allowed in a block a test runs).
     */
    public static List<List<String>> commands(String block) {
        List<List<String>> out = new ArrayList<>();
        StringBuilder logical = new StringBuilder();
        for (String line : block.split("\n", -1)) {
            if (line.endsWith("\\")) {
                logical.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            logical.append(line);
            String cmd = logical.toString().trim();
            logical.setLength(0);
            if (!cmd.isEmpty() && !cmd.startsWith("#")) {
                out.add(words(cmd));
            }
        }
        return out;
    }

    static List<String> words(String cmd) {
        List<String> words = new ArrayList<>();
        StringBuilder w = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < cmd.length(); i++) {
            char c = cmd.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                } else {
                    w.append(c);
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(w.toString());
                    w.setLength(0);
                    inWord = false;
                }
            } else if ("|&;<>$`\\".indexOf(c) >= 0) {
                throw new AssertionError("shell syntax a test cannot run as a plain command: " + cmd);
            } else {
                w.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new AssertionError("unterminated quote: " + cmd);
        }
        if (inWord) {
            words.add(w.toString());
        }
        return words;
    }
}
