package dev.moat.core;

/** An input that could not be analysed (or only partly), with where and why, for the user to fix. */
public record Diagnostic(SourceLocation location, String message) {

    /** The one-line {@code file:line:col: message} form. */
    @Override
    public String toString() {
        return location.describe() + ": " + message;
    }
}
