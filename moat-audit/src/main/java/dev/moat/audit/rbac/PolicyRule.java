package dev.moat.audit.rbac;

import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlSeq;
import java.util.List;

/**
 * One entry of a Role's {@code rules}, matched the way the API server's RBAC authorizer does
 * ({@code rbac/v1/evaluation_helpers.go}). {@code source} is the YAML entry, or null for the
 * built-in roles Moat knows without a manifest.
 */
public record PolicyRule(List<String> apiGroups, List<String> resources, List<String> resourceNames,
                         List<String> verbs, List<String> nonResourceURLs, YamlMap source) {

    static final String ALL = "*";

    public PolicyRule {
        apiGroups = List.copyOf(apiGroups);
        resources = List.copyOf(resources);
        resourceNames = List.copyOf(resourceNames);
        verbs = List.copyOf(verbs);
        nonResourceURLs = List.copyOf(nonResourceURLs);
    }

    static PolicyRule of(YamlMap entry) {
        return new PolicyRule(texts(entry, "apiGroups"), texts(entry, "resources"), texts(entry, "resourceNames"),
                texts(entry, "verbs"), texts(entry, "nonResourceURLs"), entry);
    }

    static PolicyRule builtIn(List<String> apiGroups, List<String> resources, List<String> verbs) {
        return new PolicyRule(apiGroups, resources, List.of(), verbs, List.of(), null);
    }

    private static List<String> texts(YamlMap entry, String key) {
        YamlSeq seq = entry.seq(key);
        return seq == null ? List.of() : seq.texts();
    }

    /**
     * True when this rule grants {@code p}. A rule limited by resourceNames counts only for permissions
     * where one named object is already the danger (impersonating one user, binding one role).
     */
    public boolean allows(Permission p) {
        if (!resourceNames.isEmpty() && !p.namedObjectSuffices()) {
            return false;
        }
        return matchesVerb(p.verb()) && (apiGroups.contains(ALL) || apiGroups.contains(p.group()))
                && matchesResource(p.resource());
    }

    boolean matchesVerb(String verb) {
        return verbs.contains(ALL) || verbs.contains(verb);
    }

    /** {@code *} covers subresources too; {@code *\/exec} covers every resource's exec subresource. */
    private boolean matchesResource(String resource) {
        int slash = resource.indexOf('/');
        String subresource = slash < 0 ? null : resource.substring(slash + 1);
        for (String r : resources) {
            if (r.equals(ALL) || r.equals(resource) || (subresource != null && r.equals("*/" + subresource))) {
                return true;
            }
        }
        return false;
    }

    /** Every verb on every resource of every API group: what cluster-admin grants. */
    public boolean isFullAccess() {
        return resourceNames.isEmpty() && verbs.contains(ALL) && apiGroups.contains(ALL) && resources.contains(ALL);
    }

    /** Where the rule was written, or null for a built-in role. */
    public SourceLocation location() {
        return source == null ? null : source.location();
    }

    /** {@code pods/exec [create, get]}, for evidence. */
    public String describe() {
        String what = resources.isEmpty() ? "nonResourceURLs " + nonResourceURLs : String.join(",", resources);
        return what + " " + verbs + " in apiGroups " + apiGroups.stream().map(g -> g.isEmpty() ? "\"\"" : g).toList();
    }
}
