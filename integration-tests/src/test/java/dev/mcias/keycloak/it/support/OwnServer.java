package dev.mcias.keycloak.it.support;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;

/**
 * A class that starts servers of its own and never uses the shared one: it runs beside the tests of the shared
 * server (which mostly wait for the network) instead of after them. One such class at a time (the lock), and its
 * tests one at a time in their own order (JUnit runs what a lock holder contains in one thread).
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(OwnServer.LOCK)
public @interface OwnServer {
    String LOCK = "own-server";
}
