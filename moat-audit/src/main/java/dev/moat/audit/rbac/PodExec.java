package dev.moat.audit.rbac;

import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Inventory;
import java.util.List;
import java.util.Optional;

/** Exec into or attach to running pods. */
final class PodExec extends GrantRule {

    // Before Kubernetes 1.35 a WebSocket exec is authorised as get, so get is as good as create.
    private static final List<Permission> EXEC = Permission.namespaced("", List.of("pods/exec", "pods/attach"),
            List.of("create", "get"));

    PodExec(Platform platform) {
        super(new RuleInfo("MOAT-RBC-005", Severity.HIGH, "rbac", "Subject can exec into or attach to pods",
                "pods/exec and pods/attach run commands inside a running container: the shell sees the model weights, the "
                        + "mounted credentials and the service-account token, and can read GPU memory of the process. get is "
                        + "enough on clusters before Kubernetes 1.35, where exec over WebSocket is authorised as get.",
                "Drop pods/exec and pods/attach from the role; debug with ephemeral containers under a break-glass role, "
                        + "or list the subject in settings.platformSubjects.",
                List.of("Polaris clusterrolePodExecAttach, rolePodExecAttach", "Kubescape C-0002", "Trivy KSV-0053",
                        "Kyverno block-pod-exec-by-*", "rbac-tool \"Exec into Pod\"")), platform);
    }

    @Override
    GrantRule withPlatform(Platform platform) {
        return new PodExec(platform);
    }

    @Override
    Optional<Risk> risk(Grant grant, Inventory inventory) {
        return granted(grant, EXEC, "exec into pods " + grant.scope());
    }
}
