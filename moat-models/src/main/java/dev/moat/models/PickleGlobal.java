package dev.moat.models;

/**
 * One global a pickle imports, as the pickle spells it ({@code __builtin__}, {@code posix}...).
 *
 * @param module the module, e.g. {@code posix}; {@code ?} when the import could not be resolved
 * @param name   the (possibly dotted) name inside the module, e.g. {@code system}
 * @param offset byte offset of the importing opcode within the scanned stream
 * @param opcode the importing opcode ({@code GLOBAL}, {@code STACK_GLOBAL}, {@code INST}, {@code EXT1}...)
 * @param called true when REDUCE, NEWOBJ, NEWOBJ_EX, INST or OBJ calls it
 * @param resolved false for EXT1/2/4 and for STACK_GLOBAL operands that are not string constants
 * @param mutated  true when BUILD, SETITEM(S), APPEND(S) or ADDITEMS is applied to the imported object itself
 *                 (rewriting a module's or class's attributes, as in the {@code sys.modules} override exploit)
 */
public record PickleGlobal(String module, String name, long offset, String opcode, boolean called, boolean resolved,
                           boolean mutated) {

    public PickleGlobal(String module, String name, long offset, String opcode, boolean called, boolean resolved) {
        this(module, name, offset, opcode, called, resolved, false);
    }

    /** {@code module + "." + name}, the spelling used by picklescan and the conformance corpus. */
    public String qualifiedName() {
        return module + "." + name;
    }
}
