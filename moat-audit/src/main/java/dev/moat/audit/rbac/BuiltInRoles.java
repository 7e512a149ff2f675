package dev.moat.audit.rbac;

import java.util.List;
import java.util.Map;

/**
 * The user-facing ClusterRoles every cluster has, reduced to the rules Moat's checks ask about, so a
 * binding to {@code edit} is judged even though no manifest defines it (after the upstream
 * bootstrap policy, {@code plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go}).
 */
final class BuiltInRoles {

    private static final List<String> CORE = List.of("");
    private static final List<String> READ = Permission.READ_VERBS;
    private static final List<String> WRITE = Permission.WRITE_VERBS;

    private static final List<PolicyRule> VIEW = List.of(
            PolicyRule.builtIn(CORE, List.of("pods", "configmaps", "services", "endpoints", "persistentvolumeclaims",
                    "serviceaccounts", "events", "namespaces", "pods/log", "pods/status"), READ));
    private static final List<PolicyRule> EDIT = concat(VIEW, List.of(
            PolicyRule.builtIn(CORE, List.of("pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets",
                    "services/proxy"), List.of("get", "list", "watch", "create", "update", "patch", "delete", "deletecollection")),
            PolicyRule.builtIn(CORE, List.of("serviceaccounts"), List.of("impersonate")),
            PolicyRule.builtIn(CORE, List.of("pods", "configmaps", "services", "endpoints", "persistentvolumeclaims",
                    "replicationcontrollers", "serviceaccounts"), WRITE),
            PolicyRule.builtIn(List.of("apps"), List.of("deployments", "statefulsets", "daemonsets", "replicasets"), WRITE),
            PolicyRule.builtIn(List.of("batch"), List.of("jobs", "cronjobs"), WRITE),
            PolicyRule.builtIn(List.of("networking.k8s.io"), List.of("networkpolicies", "ingresses"), WRITE)));
    private static final List<PolicyRule> ADMIN = concat(EDIT, List.of(
            PolicyRule.builtIn(List.of("rbac.authorization.k8s.io"), List.of("roles", "rolebindings"), concat(READ, WRITE))));

    static final Map<String, Role> ROLES = Map.of(
            "cluster-admin", role("cluster-admin", List.of(PolicyRule.builtIn(List.of("*"), List.of("*"), List.of("*")))),
            "admin", role("admin", ADMIN),
            "edit", role("edit", EDIT),
            "view", role("view", VIEW));

    private BuiltInRoles() {
    }

    private static Role role(String name, List<PolicyRule> rules) {
        return new Role("ClusterRole", "", name, Map.of(), rules, List.of(), null);
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
