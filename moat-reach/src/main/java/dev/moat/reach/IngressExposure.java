package dev.moat.reach;

import java.util.List;

/**
 * A workload that Ingress or Route objects route to through a Service: the TCP ports of its pods
 * the routes reach, before policies have their say, and the routing objects, as {@code Kind ns/name}.
 */
public record IngressExposure(WorkloadPeer workload, ConnectionSet ports, List<String> via) {

    public IngressExposure {
        via = List.copyOf(via);
    }
}
