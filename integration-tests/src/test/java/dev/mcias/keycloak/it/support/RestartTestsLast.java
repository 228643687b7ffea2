package dev.mcias.keycloak.it.support;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;

import org.junit.jupiter.api.ClassOrderer;
import org.junit.jupiter.api.ClassOrdererContext;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.MethodOrdererContext;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Tag;

/**
 * Tests tagged {@code restart} stop, restart or {@code kill -9} the shared server (and leave it running again):
 * they run after every other test of their execution, so a restart that goes wrong cannot break tests that never
 * asked for one. Classes (top-level, then {@code @Nested}) holding such a test go after the others, and within a
 * class its restart tests after its other methods; everything else keeps JUnit's default order (a stable sort).
 * Configured for the whole suite in junit-platform.properties.
 */
public final class RestartTestsLast {

    public static final String TAG = "restart";

    private RestartTestsLast() {
    }

    static boolean tagged(AnnotatedElement element) {
        return Arrays.stream(element.getAnnotationsByType(Tag.class)).anyMatch(t -> TAG.equals(t.value()));
    }

    /** The class, one of its test methods (also inherited ones) or one of its nested classes is tagged. */
    static boolean restarts(Class<?> type) {
        if (tagged(type)) {
            return true;
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (tagged(m)) {
                    return true;
                }
            }
            for (Class<?> nested : c.getDeclaredClasses()) {
                if (nested.isAnnotationPresent(Nested.class) && restarts(nested)) {
                    return true;
                }
            }
        }
        return false;
    }

    public static final class Classes implements ClassOrderer {
        @Override
        public void orderClasses(ClassOrdererContext context) {
            context.getClassDescriptors().sort(Comparator.comparing(d -> restarts(d.getTestClass())));
        }
    }

    public static final class Methods implements MethodOrderer {
        @Override
        public void orderMethods(MethodOrdererContext context) {
            context.getMethodDescriptors().sort(Comparator.comparing(d -> tagged(d.getMethod())));
        }
    }
}
