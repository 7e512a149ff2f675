package dev.moat.audit.runtime;

import dev.moat.audit.ManifestRule;
import java.util.List;

/** The runtime rule family, registered in the catalogue through this list. */
public final class RuntimeRules {

    private RuntimeRules() {
    }

    public static List<ManifestRule> all() {
        return List.of();
    }
}
