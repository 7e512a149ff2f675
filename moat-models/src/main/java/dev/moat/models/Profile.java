package dev.moat.models;

import java.util.Set;
import java.util.TreeSet;

/**
 * An allowlist of pickle globals, each written {@code module.name} as the pickle spells it. A global
 * outside the profile is a finding; nothing but the profile decides that a global is safe.
 */
public record Profile(String name, Set<String> globals) {

    public Profile {
        globals = Set.copyOf(globals);
    }

    public boolean allows(String module, String dottedName) {
        return globals.contains(module + "." + dottedName);
    }

    /** This profile plus another's globals, under a new name. */
    public Profile plus(String newName, Profile other) {
        Set<String> all = new TreeSet<>(globals);
        all.addAll(other.globals);
        return new Profile(newName, all);
    }
}
