package dev.moat.models;

/** A pickle stream that could not be parsed past {@code offset}; globals seen before it are still reported. */
public record PickleError(long offset, String message) {
}
