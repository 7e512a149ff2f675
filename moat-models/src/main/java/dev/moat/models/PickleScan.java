package dev.moat.models;

import java.util.List;

/**
 * The result of statically parsing a pickle byte stream.
 *
 * @param globals  every global imported, in stream order, across every pickle in the stream
 * @param errors   parse errors (at most one: parsing stops at the first malformed opcode)
 * @param notes    non-fatal observations (trailing non-pickle bytes, FRAME boundary crossings...)
 * @param pickles  number of complete pickles (ending with STOP) in the stream
 * @param end      offset just after the last byte consumed
 */
public record PickleScan(List<PickleGlobal> globals, List<PickleError> errors, List<PickleError> notes, int pickles, long end) {

    public PickleScan {
        globals = List.copyOf(globals);
        errors = List.copyOf(errors);
        notes = List.copyOf(notes);
    }
}
