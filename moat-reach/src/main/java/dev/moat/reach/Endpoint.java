package dev.moat.reach;

/**
 * One side of a connection: a workload of the inputs, a range of addresses outside the cluster, or
 * the ingress controller in front of Ingress and Route objects.
 */
public sealed interface Endpoint permits WorkloadPeer, ExternalPeer, IngressController {

    /**
     * netpol-analyzer's form: {@code ns/name[Kind]}, {@code 10.0.0.0-10.255.255.255[External]} or
     * {@code {ingress-controller}}.
     */
    String display();
}
