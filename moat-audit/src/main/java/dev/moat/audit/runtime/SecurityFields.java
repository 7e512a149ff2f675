package dev.moat.audit.runtime;

import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Container;
import dev.moat.kube.PodSpec;

/** Reading security-context settings the way the kubelet applies them, and where to point when one is missing. */
final class SecurityFields {

    private SecurityFields() {
    }

    /**
     * The deepest existing key along {@code path} under the container, or the container itself: a
     * missing {@code securityContext.capabilities.drop} is reported at {@code capabilities} when that
     * exists, at {@code securityContext} when only that exists.
     */
    static SourceLocation missingAt(Container c, String... path) {
        YamlMap current = c.body();
        SourceLocation at = c.location();
        for (String key : path) {
            if (current.get(key) == null) {
                return at;
            }
            at = current.locationOf(key);
            if (!(current.get(key) instanceof YamlMap next)) {
                return at;
            }
            current = next;
        }
        return at;
    }

    /** Privileged containers hold every capability and run without seccomp; MOAT-RUN-001 covers them. */
    static boolean privileged(Container c) {
        YamlMap sc = c.securityContext();
        return sc != null && Boolean.TRUE.equals(sc.bool("privileged"));
    }

    /** The seccomp profile map that applies to the container: its own, else the pod's, else null. */
    static YamlMap seccompProfile(PodSpec pod, Container c) {
        YamlMap own = c.securityContext() == null ? null : c.securityContext().map("seccompProfile");
        if (own != null) {
            return own;
        }
        return pod.securityContext() == null ? null : pod.securityContext().map("seccompProfile");
    }

    static String describe(String component) {
        return component.isEmpty() ? "pod" : "pod (" + component + ")";
    }
}
