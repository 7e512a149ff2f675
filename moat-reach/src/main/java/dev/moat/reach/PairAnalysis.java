package dev.moat.reach;

import dev.moat.reach.Policy.PolicyRule;
import java.util.ArrayList;
import java.util.List;

/**
 * One pair evaluated directly, policy by policy, keeping the reasons: the source's egress side, the
 * destination's ingress side, and their intersection. Bulk analysis and this path share
 * {@link PeerMatcher}, and tests check that they agree.
 */
public final class PairAnalysis {

    private final Endpoint source;
    private final Endpoint destination;
    private final Side egress;
    private final Side ingress;

    /** What one direction allows and why, in sentences. */
    public record Side(ConnectionSet allowed, List<String> reasons) {
        public Side {
            reasons = List.copyOf(reasons);
        }
    }

    PairAnalysis(Network network, PeerMatcher matcher, Endpoint source, Endpoint destination) {
        this.source = source;
        this.destination = destination;
        this.egress = source instanceof WorkloadPeer w
                ? side(network, matcher, w, destination, "egress")
                : new Side(ConnectionSet.ALL, List.of("traffic from outside the cluster is subject to no egress policy"));
        this.ingress = destination instanceof WorkloadPeer w
                ? side(network, matcher, w, source, "ingress")
                : new Side(ConnectionSet.ALL, List.of("addresses outside the cluster are subject to no ingress policy"));
    }

    public Endpoint source() {
        return source;
    }

    public Endpoint destination() {
        return destination;
    }

    public Side egress() {
        return egress;
    }

    public Side ingress() {
        return ingress;
    }

    public ConnectionSet allowed() {
        return egress.allowed().intersect(ingress.allowed());
    }

    /**
     * The policies of {@code subject}'s namespace that isolate it in {@code direction}, and each rule
     * that lets {@code other} through; {@code other} is the destination for egress, the source for
     * ingress.
     */
    private static Side side(Network network, PeerMatcher matcher, WorkloadPeer subject, Endpoint other, String direction) {
        boolean egressSide = direction.equals("egress");
        List<String> reasons = new ArrayList<>();
        ConnectionSet allowed = ConnectionSet.NONE;
        boolean isolated = false;
        Endpoint destination = egressSide ? other : subject;
        for (Policy p : network.policies()) {
            boolean isolates = egressSide ? p.isolatesEgress() : p.isolatesIngress();
            if (!isolates || !PeerMatcher.selects(p, subject)) {
                continue;
            }
            isolated = true;
            boolean anyRule = false;
            for (PolicyRule r : egressSide ? p.egress() : p.ingress()) {
                if (!matcher.ruleIncludes(r, p.namespace(), other)) {
                    continue;
                }
                ConnectionSet ports = PeerMatcher.ports(r, destination);
                anyRule = true;
                if (ports.isEmpty()) {
                    reasons.add("NetworkPolicy '" + p.id() + "' rule " + r.label() + " names " + r.ports()
                            + ", but no such named port is declared by " + destination.display());
                } else {
                    reasons.add("NetworkPolicy '" + p.id() + "' rule " + r.label() + " allows " + ports
                            + (egressSide ? " to " : " from ") + other.display());
                }
                allowed = allowed.union(ports);
            }
            if (!anyRule) {
                reasons.add("NetworkPolicy '" + p.id() + "' selects " + subject.display() + " for " + direction
                        + ", but none of its " + direction + " rules " + (egressSide ? "allows " : "admits ") + other.display());
            }
        }
        if (!isolated) {
            return new Side(ConnectionSet.ALL, List.of("no NetworkPolicy selects " + subject.display() + " for "
                    + direction + ": allowed by default"));
        }
        return new Side(allowed, reasons);
    }

    /** The explanation as a user reads it. */
    public String describe() {
        ConnectionSet allowed = allowed();
        StringBuilder sb = new StringBuilder();
        sb.append(source.display()).append(" => ").append(destination.display()).append(": ")
                .append(allowed.isEmpty() ? "DENIED" : allowed.isAll() ? "ALLOWED (All Connections)" : "ALLOWED: " + allowed)
                .append('\n');
        sb.append("  Egress from ").append(source.display()).append(": ").append(egress.allowed()).append('\n');
        egress.reasons().forEach(r -> sb.append("    - ").append(r).append('\n'));
        sb.append("  Ingress to ").append(destination.display()).append(": ").append(ingress.allowed()).append('\n');
        ingress.reasons().forEach(r -> sb.append("    - ").append(r).append('\n'));
        return sb.toString();
    }
}
