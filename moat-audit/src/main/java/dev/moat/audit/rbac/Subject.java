package dev.moat.audit.rbac;

import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import java.util.Set;

/** One entry of a binding's {@code subjects}; a ServiceAccount without namespace lives in the binding's. */
public record Subject(String kind, String name, String namespace, SourceLocation location) {

    /** Groups that hold every caller, or every service account: granting them anything grants it to all. */
    static final Set<String> EVERYONE = Set.of("system:anonymous", "system:unauthenticated", "system:authenticated",
            "system:serviceaccounts");
    static final Set<String> UNAUTHENTICATED = Set.of("system:anonymous", "system:unauthenticated");

    static Subject of(YamlMap entry, String bindingNamespace) {
        String kind = orEmpty(entry.text("kind"));
        String ns = entry.text("namespace");
        if (kind.equals("ServiceAccount") && (ns == null || ns.isEmpty())) {
            ns = bindingNamespace;
        }
        return new Subject(kind, orEmpty(entry.text("name")), orEmpty(ns), entry.locationOf("name"));
    }

    private static String orEmpty(String s) {
        return s == null ? "" : s;
    }

    public boolean isServiceAccount() {
        return kind.equals("ServiceAccount");
    }

    public boolean isEveryone() {
        return !isServiceAccount() && EVERYONE.contains(name);
    }

    /**
     * The namespace whose service accounts this subject stands for: a ServiceAccount's own, or the
     * namespace of a {@code system:serviceaccounts:<ns>} group; empty for users and other groups.
     */
    public String homeNamespace() {
        if (isServiceAccount()) {
            return namespace;
        }
        String prefix = "system:serviceaccounts:";
        return kind.equals("Group") && name.startsWith(prefix) ? name.substring(prefix.length()) : "";
    }

    /** {@code ServiceAccount ml/runner}, {@code User alice}. */
    public String describe() {
        return isServiceAccount() ? kind + " " + namespace + "/" + name : kind + " " + name;
    }
}
