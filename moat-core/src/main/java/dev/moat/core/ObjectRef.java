package dev.moat.core;

/** The Kubernetes object a finding is about; namespace is empty for cluster-scoped objects. */
public record ObjectRef(String kind, String namespace, String name) {

    public ObjectRef {
        kind = kind == null ? "" : kind;
        namespace = namespace == null ? "" : namespace;
        name = name == null ? "" : name;
    }

    /** {@code Kind/namespace/name}, or {@code Kind/name} when cluster-scoped. */
    @Override
    public String toString() {
        return namespace.isEmpty() ? kind + "/" + name : kind + "/" + namespace + "/" + name;
    }
}
