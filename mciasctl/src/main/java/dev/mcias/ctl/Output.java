package dev.mcias.ctl;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import dev.mcias.client.Json;

/** Aligned tables for people, JSON for scripts. */
public final class Output {

    public enum Format { table, json, env }

    private Output() {
    }

    /**
     * One line of an env file: {@code KEY=VALUE}, the value as it is when it holds only characters no reader of env
     * files treats specially, else in single quotes (as sh, systemd's EnvironmentFile and docker compose read it).
     */
    public static String envLine(String key, String value) {
        String v = clean(value);
        if (v.matches("[A-Za-z0-9_./:@%+=,?*~-]*")) {
            return key + "=" + v;
        }
        return key + "='" + v.replace("'", "'\\''") + "'";
    }

    public static void json(PrintWriter out, Object value) {
        out.println(Json.pretty(value));
        out.flush();
    }

    /** Columns of JSON fields; a path like {@code token.expires_at} reaches into objects. */
    public static void table(PrintWriter out, JsonNode rows, List<String> headers, List<String> paths) {
        List<List<String>> cells = new ArrayList<>();
        for (JsonNode row : rows) {
            List<String> line = new ArrayList<>();
            for (String p : paths) {
                line.add(text(row, p));
            }
            cells.add(line);
        }
        table(out, headers, cells);
    }

    public static String text(JsonNode row, String path) {
        JsonNode n = row;
        for (String part : path.split("\\.")) {
            n = n.path(part);
        }
        if (n.isMissingNode() || n.isNull()) {
            return "-";
        }
        if (n.isArray()) {
            List<String> parts = new ArrayList<>();
            n.forEach(e -> parts.add(e.asText()));
            return parts.isEmpty() ? "-" : String.join(",", parts);
        }
        return n.asText();
    }

    public static void table(PrintWriter out, List<String> headers, List<List<String>> rows) {
        int[] width = new int[headers.size()];
        for (int i = 0; i < width.length; i++) {
            width[i] = headers.get(i).length();
            for (List<String> r : rows) {
                width[i] = Math.max(width[i], clean(r.get(i)).length());
            }
        }
        line(out, headers, width);
        for (List<String> r : rows) {
            line(out, r, width);
        }
        out.flush();
    }

    private static void line(PrintWriter out, List<String> cells, int[] width) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < cells.size(); i++) {
            String c = clean(cells.get(i));
            b.append(c);
            if (i < cells.size() - 1) {
                b.append(" ".repeat(width[i] - c.length() + 2));
            }
        }
        out.println(b.toString().stripTrailing());
    }

    /** No control characters from the server reach the terminal. */
    static String clean(String s) {
        return s == null ? "-" : s.replaceAll("\\p{Cntrl}", "?");
    }

    /** "key: value" lines for the fields of one JSON object. */
    public static void fields(PrintWriter out, JsonNode object) {
        List<String> labels = new ArrayList<>();
        List<String> values = new ArrayList<>();
        object.fieldNames().forEachRemaining(f -> {
            labels.add(f);
            values.add(text(object, f));
        });
        fields(out, labels, values);
    }

    /** "key: value" lines for one object. */
    public static void fields(PrintWriter out, List<String> labels, List<String> values) {
        int w = labels.stream().mapToInt(String::length).max().orElse(0);
        for (int i = 0; i < labels.size(); i++) {
            out.println(labels.get(i) + ":" + " ".repeat(w - labels.get(i).length() + 1) + clean(values.get(i)));
        }
        out.flush();
    }
}
