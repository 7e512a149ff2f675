package dev.moat.audit.rbac;

import dev.moat.audit.ManifestRule;
import java.util.List;

/**
 * The rbac rule family, registered in the catalogue through this list. The rules share one pure
 * model of Roles, ClusterRoles (aggregation resolved) and bindings: {@link RbacModel}.
 */
public final class RbacRules {

    private RbacRules() {
    }

    public static List<ManifestRule> all() {
        Platform p = Platform.DEFAULT;
        return List.of(new ClusterAdminGrant(p), new Wildcards(), new SecretReaders(p), new PolicyWriters(p), new PodExec(p),
                new EscalationVerbs(p), new AiWorkloadCreators(p), new DefaultServiceAccount(), new EveryoneBinding(),
                new NodeProxy(p));
    }
}
