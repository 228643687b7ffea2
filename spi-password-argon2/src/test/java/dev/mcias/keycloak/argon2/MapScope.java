package dev.mcias.keycloak.argon2;

import java.util.Map;
import java.util.Set;

import org.keycloak.Config;

/** SPI options for a factory under test, as Keycloak passes them to {@code init} (camelCase keys). */
record MapScope(Map<String, String> values) implements Config.Scope {

    static MapScope of(String... keyValues) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return new MapScope(m);
    }

    @Override
    public String get(String key) {
        return values.get(key);
    }

    @Override
    public String get(String key, String defaultValue) {
        return values.getOrDefault(key, defaultValue);
    }

    @Override
    public String[] getArray(String key) {
        String v = values.get(key);
        return v == null ? null : v.split(",");
    }

    @Override
    public Integer getInt(String key, Integer defaultValue) {
        String v = values.get(key);
        return v == null ? defaultValue : Integer.valueOf(v);
    }

    @Override
    public Long getLong(String key, Long defaultValue) {
        String v = values.get(key);
        return v == null ? defaultValue : Long.valueOf(v);
    }

    @Override
    public Boolean getBoolean(String key, Boolean defaultValue) {
        String v = values.get(key);
        return v == null ? defaultValue : Boolean.valueOf(v);
    }

    @Override
    public Config.Scope scope(String... scope) {
        return new MapScope(Map.of());
    }

    @Deprecated // as in Config.Scope, which still requires it
    @Override
    public Set<String> getPropertyNames() {
        return values.keySet();
    }

    @Override
    public Config.Scope root() {
        return this;
    }
}
