package dev.moat.cli;

/** A mistake in how Moat was called (bad option value, unusable config); exits 2 with one line. */
final class UsageError extends RuntimeException {

    UsageError(String message) {
        super(message, null, false, false);
    }
}
