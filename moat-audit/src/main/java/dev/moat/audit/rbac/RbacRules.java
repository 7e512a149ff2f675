package dev.moat.audit.rbac;

import dev.moat.audit.ManifestRule;
import java.util.List;

/** The rbac rule family, registered in the catalogue through this list. */
public final class RbacRules {

    private RbacRules() {
    }

    public static List<ManifestRule> all() {
        return List.of();
    }
}
