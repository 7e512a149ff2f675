package dev.moat.audit.rbac;

import java.util.List;
import java.util.Optional;

/**
 * What one binding gives one subject: the rules of the bound role (aggregation resolved), in the
 * binding's namespace or, for a ClusterRoleBinding, everywhere. A RoleBinding to a ClusterRole
 * stays namespace-scoped: cluster-scoped resources are never granted through it.
 */
public record Grant(Binding binding, Subject subject, Role role, List<PolicyRule> rules) {

    public Grant {
        rules = List.copyOf(rules);
    }

    public boolean clusterWide() {
        return binding.isClusterWide();
    }

    /** The namespace the grant applies in; empty when cluster-wide. */
    public String namespace() {
        return binding.namespace();
    }

    /** The first rule granting {@code p}, if any. */
    public Optional<PolicyRule> ruleFor(Permission p) {
        if (p.clusterScoped() && !clusterWide()) {
            return Optional.empty();
        }
        return rules.stream().filter(r -> r.allows(p)).findFirst();
    }

    public boolean allows(Permission p) {
        return ruleFor(p).isPresent();
    }

    /** Every verb on everything: cluster-admin, or its equivalent written out. */
    public boolean isFullAccess() {
        return rules.stream().anyMatch(PolicyRule::isFullAccess);
    }

    /** {@code in every namespace} or {@code in namespace ml}. */
    public String scope() {
        return clusterWide() ? "in every namespace" : "in namespace " + namespace();
    }
}
