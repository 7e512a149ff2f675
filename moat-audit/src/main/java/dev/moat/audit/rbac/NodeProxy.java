package dev.moat.audit.rbac;

import dev.moat.core.RuleInfo;
import dev.moat.core.Severity;
import dev.moat.kube.Inventory;
import java.util.List;
import java.util.Optional;

/** nodes/proxy reaches the kubelet API, which runs commands in any pod of the node. */
final class NodeProxy extends GrantRule {

    private static final List<Permission> PROXY = Permission.all("", List.of("nodes/proxy"), List.of("get", "create"),
            true, false);

    NodeProxy(Platform platform) {
        super(new RuleInfo("MOAT-RBC-010", Severity.HIGH, "rbac", "Subject can reach the kubelet through nodes/proxy",
                "nodes/proxy forwards to the kubelet API: its exec and run endpoints execute commands in any pod of the "
                        + "node, every GPU-node tenant included, without going through pods/exec authorisation, admission or "
                        + "the API audit log. get is enough, because the kubelet maps a WebSocket GET to exec. Monitoring "
                        + "agents usually need nodes/metrics, not nodes/proxy.",
                "Grant nodes/metrics or nodes/stats instead of nodes/proxy; if a scraper truly needs the proxy, list its "
                        + "service account in settings.platformSubjects.",
                List.of("rbac-tool \"Create Node Proxy\"", "rbac-police nodes_proxy", "KubiScan nodes/proxy get+create")),
                platform);
    }

    @Override
    GrantRule withPlatform(Platform platform) {
        return new NodeProxy(platform);
    }

    @Override
    Optional<Risk> risk(Grant grant, Inventory inventory) {
        return granted(grant, PROXY, "run commands on every node's pods through the kubelet");
    }
}
