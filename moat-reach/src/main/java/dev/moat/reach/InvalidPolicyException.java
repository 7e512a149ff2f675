package dev.moat.reach;

import dev.moat.core.Diagnostic;
import dev.moat.core.SourceLocation;

/** A policy the API server would reject; reported at its field, and the policy is left out. */
public final class InvalidPolicyException extends RuntimeException {

    private final transient SourceLocation location;

    public InvalidPolicyException(SourceLocation location, String message) {
        super(message, null, false, false);
        this.location = location;
    }

    public Diagnostic diagnostic() {
        return new Diagnostic(location, getMessage());
    }
}
