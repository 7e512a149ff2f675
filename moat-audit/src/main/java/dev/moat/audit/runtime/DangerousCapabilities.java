package dev.moat.audit.runtime;

import dev.moat.audit.ContainerRule;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlNode;
import dev.moat.core.yaml.YamlSeq;
import dev.moat.kube.Container;
import dev.moat.kube.Workload;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Capabilities added beyond the Pod Security Standards baseline set (SYS_ADMIN, NET_ADMIN, NET_RAW,
 * SYS_PTRACE, SYS_MODULE, BPF, ALL...). Applies to all workloads; each added capability is one finding.
 */
public final class DangerousCapabilities extends ContainerRule {

    /** The capabilities the Pod Security Standards baseline profile allows to be added. */
    private static final Set<String> BASELINE = Set.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL",
            "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");

    public DangerousCapabilities() {
        super(new RuleInfo("MOAT-RUN-005", Severity.HIGH, "runtime", "Dangerous capability added",
                "Capabilities outside the Pod Security baseline set give root-like kernel powers: SYS_ADMIN and ALL are "
                        + "close to privileged, SYS_MODULE loads kernel modules, SYS_PTRACE reads other processes' memory "
                        + "(model weights, tokens), BPF and PERFMON observe the node, NET_ADMIN and NET_RAW spoof and "
                        + "sniff traffic between model servers. GPU access needs none of them.",
                "Remove the capability from securityContext.capabilities.add; GPUs come from the device plugin. If a "
                        + "node agent truly needs it, isolate it in its own namespace and suppress with a reason.",
                List.of("kube-linter drop-net-raw-capability", "Polaris dangerousCapabilities/insecureCapabilities",
                        "Kubescape C-0046", "Checkov CKV_K8S_25/28/39", "kubesec CapSysAdmin", "Trivy KSV-0005/0022",
                        "Kyverno disallow-capabilities")));
    }

    @Override
    protected void check(Workload workload, Container container, Reporter report) {
        YamlMap caps = container.securityContext() == null ? null : container.securityContext().map("capabilities");
        YamlSeq added = caps == null ? null : caps.seq("add");
        for (YamlNode item : added == null ? List.<YamlNode>of() : added.items()) {
            String cap = item.text() == null ? "" : item.text().trim().toUpperCase(Locale.ROOT).replaceFirst("^CAP_", "");
            if (!cap.isEmpty() && !BASELINE.contains(cap)) {
                report.report(item.location(), "adds capability " + cap, "capabilities.add: " + item.text());
            }
        }
    }
}
