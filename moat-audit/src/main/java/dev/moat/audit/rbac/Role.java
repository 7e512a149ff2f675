package dev.moat.audit.rbac;

import dev.moat.kube.KubeObject;
import dev.moat.reach.InvalidPolicyException;
import dev.moat.reach.LabelSelector;
import dev.moat.core.yaml.YamlMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Role or ClusterRole with the rules written in it. {@code aggregation} holds the
 * clusterRoleSelectors of an aggregated ClusterRole (the controller adds the rules of every matching
 * ClusterRole); {@code source} is null for the built-in roles.
 */
public record Role(String kind, String namespace, String name, Map<String, String> labels, List<PolicyRule> rules,
                   List<LabelSelector> aggregation, KubeObject source) {

    /** Label of the roles and bindings the API server creates and reconciles itself. */
    static final String BOOTSTRAP_LABEL = "kubernetes.io/bootstrapping";

    public Role {
        labels = Map.copyOf(labels);
        rules = List.copyOf(rules);
        aggregation = List.copyOf(aggregation);
    }

    static Role of(KubeObject o) {
        List<PolicyRule> rules = o.body().maps("rules").stream().map(PolicyRule::of).toList();
        YamlMap aggregationRule = o.body().map("aggregationRule");
        List<LabelSelector> selectors = new ArrayList<>();
        if (aggregationRule != null) {
            for (YamlMap s : aggregationRule.maps("clusterRoleSelectors")) {
                try {
                    selectors.add(LabelSelector.parse(s));
                } catch (InvalidPolicyException e) {
                    // The API server rejects such a role; it aggregates nothing.
                }
            }
        }
        return new Role(o.kind(), o.namespace(), o.name(), o.labels(), rules, selectors, o);
    }

    public boolean isClusterRole() {
        return kind.equals("ClusterRole");
    }

    /** A role the API server ships (cluster-admin, system:*), written out or not. */
    public boolean isDefault() {
        return source == null || labels.containsKey(BOOTSTRAP_LABEL) || name.startsWith("system:");
    }

    /** {@code ClusterRole edit}, {@code Role ml/debug}. */
    public String describe() {
        String id = isClusterRole() ? name : namespace + "/" + name;
        return kind + " " + id + (source == null ? " (built-in)" : "");
    }
}
