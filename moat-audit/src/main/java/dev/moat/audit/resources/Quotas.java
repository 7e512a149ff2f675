package dev.moat.audit.resources;

import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import dev.moat.kube.Workload;
import java.util.stream.Stream;

/** ResourceQuotas and workloads, namespace by namespace. */
final class Quotas {

    private Quotas() {
    }

    static Stream<KubeObject> in(Inventory inventory, String namespace) {
        return inventory.ofKind("ResourceQuota").stream()
                .filter(q -> q.group().isEmpty() && q.namespace().equals(namespace));
    }

    static Stream<Workload> workloadsIn(Inventory inventory, String namespace) {
        return inventory.workloads().stream().filter(w -> w.namespace().equals(namespace));
    }
}
