package dev.moat.audit.rbac;

import java.util.List;
import java.util.stream.Stream;

/**
 * One thing a subject may do: a verb on a resource (with its subresource) of an API group.
 * {@code clusterScoped} resources are never granted by a RoleBinding, whatever its role says.
 */
public record Permission(String verb, String group, String resource, boolean clusterScoped, boolean namedObjectSuffices) {

    /** The verbs that change objects. */
    static final List<String> WRITE_VERBS = List.of("create", "update", "patch", "delete", "deletecollection");
    static final List<String> READ_VERBS = List.of("get", "list", "watch");

    static List<Permission> namespaced(String group, List<String> resources, List<String> verbs) {
        return all(group, resources, verbs, false, false);
    }

    static List<Permission> all(String group, List<String> resources, List<String> verbs, boolean clusterScoped,
                                boolean namedObjectSuffices) {
        return resources.stream()
                .flatMap(r -> verbs.stream().map(v -> new Permission(v, group, r, clusterScoped, namedObjectSuffices)))
                .toList();
    }

    @SafeVarargs
    static List<Permission> concat(List<Permission>... lists) {
        return Stream.of(lists).flatMap(List::stream).toList();
    }

    @Override
    public String toString() {
        return verb + " " + resource;
    }
}
