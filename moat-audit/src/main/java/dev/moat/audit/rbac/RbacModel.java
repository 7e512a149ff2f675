package dev.moat.audit.rbac;

import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The RBAC objects of the inputs, resolved the way the API server would: roleRefs to the Role in
 * the binding's namespace or to a ClusterRole (declared, else built-in), aggregated ClusterRoles
 * expanded to the union of the ClusterRoles their selectors match. Pure: no cluster is asked.
 */
public record RbacModel(List<Role> roles, List<Binding> bindings) {

    private static final String RBAC_GROUP = "rbac.authorization.k8s.io";

    public RbacModel {
        roles = List.copyOf(roles);
        bindings = List.copyOf(bindings);
    }

    public static RbacModel of(Inventory inventory) {
        List<Role> roles = new ArrayList<>();
        List<Binding> bindings = new ArrayList<>();
        for (KubeObject o : inventory.objects()) {
            if (!o.group().equals(RBAC_GROUP)) {
                continue;
            }
            switch (o.kind()) {
                case "Role", "ClusterRole" -> roles.add(Role.of(o));
                case "RoleBinding", "ClusterRoleBinding" -> bindings.add(Binding.of(o));
                default -> {
                }
            }
        }
        return new RbacModel(roles, bindings);
    }

    /** The role a binding refers to; a ClusterRoleBinding can only refer to a ClusterRole. */
    public Optional<Role> resolve(Binding b) {
        boolean clusterRole = b.roleKind().equals("ClusterRole");
        if (!clusterRole && (b.isClusterWide() || !b.roleKind().equals("Role"))) {
            return Optional.empty();
        }
        Optional<Role> declared = roles.stream()
                .filter(r -> r.kind().equals(b.roleKind()) && r.name().equals(b.roleName())
                        && (clusterRole || r.namespace().equals(b.namespace())))
                .findFirst();
        return clusterRole && declared.isEmpty() ? Optional.ofNullable(BuiltInRoles.ROLES.get(b.roleName())) : declared;
    }

    /** The role's own rules plus, for an aggregated ClusterRole, those of every ClusterRole it selects (transitively). */
    public List<PolicyRule> rulesOf(Role role) {
        Set<PolicyRule> out = new LinkedHashSet<>();
        collect(role, out, new HashSet<>());
        return List.copyOf(out);
    }

    private void collect(Role role, Set<PolicyRule> out, Set<Role> seen) {
        if (!seen.add(role)) {
            return;
        }
        out.addAll(role.rules());
        for (Role other : roles) {
            if (other != role && other.isClusterRole()
                    && role.aggregation().stream().anyMatch(s -> s.matches(other.labels()))) {
                collect(other, out, seen);
            }
        }
    }

    /** One grant per binding subject whose role resolves, in input order. */
    public List<Grant> grants() {
        List<Grant> out = new ArrayList<>();
        Map<Binding, Role> resolved = new LinkedHashMap<>();
        for (Binding b : bindings) {
            resolve(b).ifPresent(r -> resolved.put(b, r));
        }
        resolved.forEach((b, role) -> {
            List<PolicyRule> rules = rulesOf(role);
            b.subjects().forEach(s -> out.add(new Grant(b, s, role, rules)));
        });
        return out;
    }
}
