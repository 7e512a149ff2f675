package dev.moat.audit.rbac;

import dev.moat.kube.KubeObject;
import dev.moat.core.yaml.YamlMap;
import java.util.List;

/** A RoleBinding (namespace is where it grants) or ClusterRoleBinding (namespace empty: everywhere). */
public record Binding(KubeObject source, String roleKind, String roleName, List<Subject> subjects) {

    public Binding {
        subjects = List.copyOf(subjects);
    }

    static Binding of(KubeObject o) {
        YamlMap roleRef = o.body().map("roleRef");
        String kind = roleRef == null ? "" : orEmpty(roleRef.text("kind"));
        String name = roleRef == null ? "" : orEmpty(roleRef.text("name"));
        List<Subject> subjects = o.body().maps("subjects").stream().map(s -> Subject.of(s, o.namespace())).toList();
        return new Binding(o, kind, name, subjects);
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    public boolean isClusterWide() {
        return source.kind().equals("ClusterRoleBinding");
    }

    /** The namespace the binding grants in; empty for a ClusterRoleBinding. */
    public String namespace() {
        return isClusterWide() ? "" : source.namespace();
    }

    public boolean isDefault() {
        return source.labels().containsKey(Role.BOOTSTRAP_LABEL);
    }

    /** {@code ClusterRoleBinding ops} or {@code RoleBinding ml/debug}. */
    public String describe() {
        return isClusterWide() ? source.kind() + " " + source.name() : source.kind() + " " + source.namespace() + "/" + source.name();
    }
}
