package dev.moat.reach;

import dev.moat.core.Diagnostic;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import dev.moat.kube.NamespaceInfo;
import dev.moat.kube.Workload;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What reachability is computed over: the workloads, the namespaces' labels and the compiled
 * policies. Invalid policies are left out and reported, so the rest is still analysed.
 */
public record Network(List<WorkloadPeer> workloads, Map<String, Map<String, String>> namespaceLabels,
                      List<Policy> policies, List<Diagnostic> errors) {

    public Network {
        workloads = List.copyOf(workloads);
        namespaceLabels = Map.copyOf(namespaceLabels);
        policies = List.copyOf(policies);
        errors = List.copyOf(errors);
    }

    public static Network of(Inventory inventory) {
        Map<String, Map<String, String>> namespaces = new LinkedHashMap<>();
        for (NamespaceInfo ns : inventory.namespaces().values()) {
            namespaces.put(ns.name(), ns.labels());
        }
        Map<String, WorkloadPeer> peers = new LinkedHashMap<>();
        for (Workload w : inventory.workloads()) {
            WorkloadPeer peer = peerFor(w);
            peers.putIfAbsent(peer.display(), peer);
        }
        List<Policy> policies = new ArrayList<>();
        List<Diagnostic> errors = new ArrayList<>();
        for (KubeObject o : inventory.objects()) {
            if (PolicyCompiler.isNetworkPolicy(o)) {
                try {
                    policies.add(PolicyCompiler.compile(o));
                } catch (InvalidPolicyException e) {
                    errors.add(new Diagnostic(e.diagnostic().location(),
                            "NetworkPolicy " + o.namespace() + "/" + o.name() + " ignored: " + e.getMessage()));
                }
            }
        }
        return new Network(new ArrayList<>(peers.values()), namespaces, policies, errors);
    }

    /**
     * A pod with a controller reports as that controller (static pods, owned by their Node, report as
     * themselves); a CRD component is named after its place in the object.
     */
    public static WorkloadPeer peerFor(Workload w) {
        KubeObject owner = w.owner();
        String name = owner.name();
        String kind = owner.kind();
        if (kind.equals("Pod")) {
            List<YamlMap> refs = owner.body().path("metadata") == null ? List.of() : owner.body().path("metadata").maps("ownerReferences");
            YamlMap controller = refs.stream().filter(r -> Boolean.TRUE.equals(r.bool("controller"))).findFirst()
                    .orElse(refs.isEmpty() ? null : refs.get(0));
            if (controller != null && controller.text("name") != null && !"Node".equals(controller.text("kind"))) {
                name = controller.text("name");
                String refKind = controller.text("kind");
                kind = refKind == null || refKind.isEmpty() ? "Pod" : refKind;
            }
        }
        if (!w.component().isEmpty()) {
            name = name + "/" + w.component();
        }
        return new WorkloadPeer(owner.namespace(), name, kind, w.podLabels(), NamedPorts.of(w));
    }

    public Map<String, String> labelsOfNamespace(String namespace) {
        return namespaceLabels.getOrDefault(namespace, Map.of(NamespaceInfo.NAME_LABEL, namespace));
    }
}
