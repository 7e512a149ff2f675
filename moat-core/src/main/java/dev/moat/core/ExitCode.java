package dev.moat.core;

/** Moat's documented, stable exit codes. */
public enum ExitCode {
    /** Nothing at or above the failure threshold. */
    OK(0),
    /** Findings at or above the threshold, or some input could not be analysed. */
    FINDINGS(1),
    /** A usage error, or no input at all could be analysed. */
    USAGE(2),
    /** A bug in Moat. */
    INTERNAL_ERROR(3);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }
}
