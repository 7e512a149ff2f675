package dev.moat.reach;

import dev.moat.core.SourceLocation;
import java.util.List;

/**
 * A compiled NetworkPolicy. It isolates the pods its selector picks in its namespace, for each
 * direction it names; the connections it allows are the union of its rules.
 */
public record Policy(String namespace, String name, LabelSelector podSelector, boolean isolatesIngress,
                     boolean isolatesEgress, List<PolicyRule> ingress, List<PolicyRule> egress,
                     SourceLocation location) {

    public Policy {
        ingress = List.copyOf(ingress);
        egress = List.copyOf(egress);
    }

    /** {@code namespace/name}, as explanations name policies. */
    public String id() {
        return namespace + "/" + name;
    }

    /** One ingress or egress rule: which peers (all, when {@code anyPeer}) on which ports (all, when {@code anyPort}). */
    public record PolicyRule(String direction, int index, boolean anyPeer, List<Peer> peers, boolean anyPort,
                             List<PortSpec> ports, SourceLocation location) {
        public PolicyRule {
            peers = List.copyOf(peers);
            ports = List.copyOf(ports);
        }

        /** {@code ingress[0]}. */
        public String label() {
            return direction + "[" + index + "]";
        }
    }

    /** A from/to entry. */
    public sealed interface Peer permits PodPeer, IpPeer {
    }

    /**
     * Pods by label. A null {@code namespaces} selector means the policy's own namespace; a null
     * {@code pods} selector means every pod of the selected namespaces.
     */
    public record PodPeer(LabelSelector namespaces, LabelSelector pods, SourceLocation location) implements Peer {
    }

    /** Addresses outside the cluster: the CIDR minus its exceptions. Never matches a pod (see README). */
    public record IpPeer(IpRange cidr, List<IpRange> except, String text, SourceLocation location) implements Peer {
        public IpPeer {
            except = List.copyOf(except);
        }

        /** The addresses of the block as disjoint, non-adjacent ranges: the cidr with the excepts cut out. */
        public List<IpRange> ranges() {
            List<IpRange> holes = new java.util.ArrayList<>(except);
            holes.sort(null);
            List<IpRange> out = new java.util.ArrayList<>();
            java.math.BigInteger next = cidr.first();
            for (IpRange hole : holes) {
                if (hole.first().compareTo(next) > 0) {
                    out.add(new IpRange(cidr.v6(), next, hole.first().subtract(java.math.BigInteger.ONE)));
                }
                next = next.max(hole.last().add(java.math.BigInteger.ONE));
            }
            if (next.compareTo(cidr.last()) <= 0) {
                out.add(new IpRange(cidr.v6(), next, cidr.last()));
            }
            return out;
        }

        /** Whether a segment of the partitioned address space lies in this block. */
        public boolean covers(IpRange segment) {
            if (!cidr.contains(segment)) {
                return false;
            }
            for (IpRange hole : except) {
                if (hole.overlaps(segment)) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * A ports entry; exactly one of {@code port}/{@code namedPort} is set, or neither for every port.
     * Only an AdminNetworkPolicy's named port leaves {@code protocol} null: it takes the container's.
     */
    public record PortSpec(Protocol protocol, Integer port, String namedPort, Integer endPort) {

        public ConnectionSet resolve(NamedPorts destination) {
            if (namedPort != null) {
                return protocol == null ? destination.lookupAnyProtocol(namedPort) : destination.lookup(namedPort, protocol);
            }
            if (port == null) {
                return ConnectionSet.allPorts(protocol);
            }
            return ConnectionSet.range(protocol, port, endPort == null ? port : endPort);
        }

        @Override
        public String toString() {
            String p = namedPort != null ? namedPort : port == null ? "all ports" : endPort == null ? String.valueOf(port) : port + "-" + endPort;
            return protocol == null ? "port " + p : protocol + " " + p;
        }
    }
}
