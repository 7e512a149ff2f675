package dev.moat.audit.network;

import dev.moat.core.Finding;
import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.KubeObject;
import dev.moat.reach.Policy;
import dev.moat.reach.WorkloadPeer;
import java.util.List;
import java.util.function.Consumer;

/**
 * A policy port given by name that no container of the destination pods declares: the rule opens
 * nothing, while the pods stay isolated.
 */
public final class UnmatchedNamedPort extends NetworkRule {

    public UnmatchedNamedPort() {
        super(new RuleInfo("MOAT-NET-008", Severity.MEDIUM, "network", "Named port matches no container port",
                "Named ports resolve against the destination pod's container ports of the same protocol. When none "
                        + "matches, the rule allows nothing, and the service is silently unreachable through it.",
                "Use the port name the destination's container declares (ports[].name), or a port number.",
                List.of("netpol-analyzer warning 'named ports of the rule have no match'")));
    }

    @Override
    void check(NetworkView view, Consumer<Finding> report) {
        List<WorkloadPeer> workloads = view.reachability().workloads();
        for (Policy p : view.network().policies()) {
            List<WorkloadPeer> selected = workloads.stream()
                    .filter(w -> w.namespace().equals(p.namespace()) && p.podSelector().matches(w.labels())).toList();
            KubeObject source = view.source(p);
            for (Policy.PolicyRule rule : p.ingress()) {
                for (Policy.PortSpec port : rule.ports()) {
                    if (port.namedPort() != null && !selected.isEmpty()
                            && selected.stream().allMatch(w -> w.namedPorts().lookup(port.namedPort(), port.protocol()).isEmpty())) {
                        report.accept(finding(source.ref(), rule.location(), "rule " + rule.label() + " names port '"
                                + port.namedPort() + "' (" + port.protocol() + "), which none of the " + selected.size()
                                + " selected workload(s) declares", "port: " + port.namedPort()));
                    }
                }
            }
        }
    }
}
