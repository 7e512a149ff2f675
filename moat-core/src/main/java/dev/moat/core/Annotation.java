package dev.moat.core;

/** One {@code metadata.annotations} entry of an object, with where it was written. */
public record Annotation(String key, String value, SourceLocation location) {
}
