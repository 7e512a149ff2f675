package dev.moat.core.config;

import dev.moat.core.Diagnostic;

/** A configuration file that cannot be used; the run stops with a usage error naming the line. */
public final class ConfigException extends Exception {

    private final transient Diagnostic diagnostic;

    public ConfigException(Diagnostic diagnostic) {
        super(diagnostic.toString(), null, false, false);
        this.diagnostic = diagnostic;
    }

    public Diagnostic diagnostic() {
        return diagnostic;
    }
}
