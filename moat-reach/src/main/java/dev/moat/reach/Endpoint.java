package dev.moat.reach;

/** One side of a connection: a workload of the inputs, or a range of addresses outside the cluster. */
public sealed interface Endpoint permits WorkloadPeer, ExternalPeer {

    /** netpol-analyzer's form: {@code ns/name[Kind]} or {@code 10.0.0.0-10.255.255.255[External]}. */
    String display();
}
