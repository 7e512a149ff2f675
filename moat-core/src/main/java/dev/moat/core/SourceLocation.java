package dev.moat.core;

/**
 * Where something was written: a file (or {@code <stdin>}), a 1-based line and column, and, for
 * rendered Helm output, the chart template named by its {@code # Source:} comment.
 */
public record SourceLocation(String file, int line, int column, String template) {

    public SourceLocation {
        if (file == null || file.isEmpty()) {
            throw new IllegalArgumentException("file is required");
        }
    }

    public SourceLocation(String file, int line, int column) {
        this(file, line, column, null);
    }

    public static SourceLocation ofFile(String file) {
        return new SourceLocation(file, 1, 1, null);
    }

    public SourceLocation withTemplate(String helmTemplate) {
        return new SourceLocation(file, line, column, helmTemplate);
    }

    /** {@code file:line:col}, the form editors and CI logs turn into links. */
    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }

    /** {@link #toString()} followed by the Helm template, when there is one. */
    public String describe() {
        return template == null ? toString() : this + " (" + template + ")";
    }
}
