package dev.moat.reach;

import dev.moat.core.Diagnostic;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.Inventory;
import dev.moat.kube.KubeObject;
import dev.moat.kube.NamespaceInfo;
import dev.moat.kube.Workload;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What reachability is computed over: the workloads, the namespaces' labels, the compiled
 * NetworkPolicies, the admin tiers in evaluation order (AdminNetworkPolicies by priority, ties by
 * name, then the BaselineAdminNetworkPolicy) and what Ingress and Route objects expose. Invalid
 * policies are left out and reported, so the rest is still analysed.
 */
public record Network(List<WorkloadPeer> workloads, Map<String, Map<String, String>> namespaceLabels,
                      List<Policy> policies, List<AdminPolicy> adminPolicies, List<IngressExposure> ingressExposures,
                      List<Diagnostic> errors) {

    /** Same priority is left to implementations by the API; ordering ties by name keeps results reproducible. */
    private static final Comparator<AdminPolicy> EVALUATION_ORDER = Comparator.comparing(AdminPolicy::tier)
            .thenComparingInt(AdminPolicy::priority).thenComparing(AdminPolicy::name);

    public Network {
        workloads = List.copyOf(workloads);
        namespaceLabels = Map.copyOf(namespaceLabels);
        policies = List.copyOf(policies);
        adminPolicies = adminPolicies.stream().sorted(EVALUATION_ORDER).toList();
        ingressExposures = List.copyOf(ingressExposures);
        errors = List.copyOf(errors);
        if (adminPolicies.stream().filter(a -> a.tier() == AdminPolicy.Tier.BASELINE).count() > 1) {
            throw new IllegalArgumentException("a cluster has at most one BaselineAdminNetworkPolicy");
        }
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
        List<AdminPolicy> adminPolicies = new ArrayList<>();
        List<Diagnostic> errors = new ArrayList<>();
        boolean baseline = false;
        for (KubeObject o : inventory.objects()) {
            try {
                if (PolicyCompiler.isNetworkPolicy(o)) {
                    policies.add(PolicyCompiler.compile(o));
                } else if (AdminPolicyCompiler.isAdminPolicy(o)) {
                    AdminPolicy admin = AdminPolicyCompiler.compile(o);
                    if (admin.tier() == AdminPolicy.Tier.BASELINE && baseline) {
                        throw new InvalidPolicyException(o.location(), "a second BaselineAdminNetworkPolicy 'default' (the cluster has one)");
                    }
                    baseline |= admin.tier() == AdminPolicy.Tier.BASELINE;
                    adminPolicies.add(admin);
                }
            } catch (InvalidPolicyException e) {
                String name = o.namespace().isEmpty() ? o.name() : o.namespace() + "/" + o.name();
                errors.add(new Diagnostic(e.diagnostic().location(), o.kind() + " " + name + " ignored: " + e.getMessage()));
            }
        }
        List<WorkloadPeer> workloads = new ArrayList<>(peers.values());
        return new Network(workloads, namespaces, policies, adminPolicies,
                IngressRoutes.exposures(inventory.objects(), workloads), errors);
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
