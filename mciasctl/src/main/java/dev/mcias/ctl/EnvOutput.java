package dev.mcias.ctl;

/** Marks the commands that print {@code -o env} (KEY=VALUE lines); the others refuse it (exit 2). */
interface EnvOutput {
}
