package dev.moat.audit.rules;

import dev.moat.audit.DocumentedRule;
import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Inventory;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.function.Consumer;

/** hostNetwork, hostPID and hostIPC put the pod in the node's own namespaces. */
public final class HostNamespaces extends DocumentedRule {

    private static final List<String> FIELDS = List.of("hostNetwork", "hostPID", "hostIPC");

    public HostNamespaces() {
        super(new RuleInfo("MOAT-RUN-004", Severity.HIGH, "runtime", "Pod shares the node's namespaces",
                "With hostNetwork the pod bypasses every NetworkPolicy and can reach node-local services such as the "
                        + "kubelet and cloud metadata; with hostPID or hostIPC it can see and signal the node's processes, "
                        + "including other tenants' model servers.",
                "Remove hostNetwork, hostPID and hostIPC; expose ports through a Service instead.",
                List.of("kube-linter host-network/host-pid/host-ipc", "Polaris hostNetworkSet/hostPIDSet/hostIPCSet",
                        "Kubescape C-0041, C-0038", "Checkov CKV_K8S_17/18/19", "Trivy KSV-0008/0009/0010",
                        "Kyverno disallow-host-namespaces")));
    }

    @Override
    public void check(Inventory inventory, Consumer<Finding> report) {
        for (Workload w : inventory.workloads()) {
            for (String field : FIELDS) {
                if (Boolean.TRUE.equals(w.pod().body().bool(field))) {
                    String where = w.component().isEmpty() ? "" : " (" + w.component() + ")";
                    report.accept(finding(w.ref(), w.pod().body().locationOf(field),
                            "pod" + where + " sets " + field + ": true", field + ": true"));
                }
            }
        }
    }
}
