package dev.moat.reach;

import java.util.Map;

/**
 * The ingress controller that Kubernetes Ingress and OpenShift Route objects send outside traffic
 * through. Its pod is not in the inputs, so policies see netpol-analyzer's stand-in for it: an
 * unlabelled pod in a namespace of its own, which only selectors matching every namespace reach.
 */
public record IngressController() implements Endpoint {

    public static final IngressController INSTANCE = new IngressController();

    static final WorkloadPeer POD = new WorkloadPeer("ingress-controller-ns", "ingress-controller", "Pod", Map.of(),
            NamedPorts.NONE);

    @Override
    public String display() {
        return "{ingress-controller}";
    }
}
