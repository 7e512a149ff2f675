package dev.moat.reach;

import dev.moat.reach.AdminPolicy.AdminRule;
import dev.moat.reach.Policy.PolicyRule;
import java.util.ArrayList;
import java.util.List;

/**
 * One pair evaluated directly, policy by policy, keeping the reasons: the source's egress side, the
 * destination's ingress side, and their intersection (and, from the ingress controller, the ports
 * Ingress and Route objects reach). Each side runs the tiers in order: AdminNetworkPolicies, then
 * NetworkPolicies, then the BaselineAdminNetworkPolicy for a pod no NetworkPolicy isolates. Bulk
 * analysis and this path share {@link PeerMatcher} and {@link AdminVerdict}, and tests check that
 * they agree.
 */
public final class PairAnalysis {

    private final Network network;
    private final Endpoint source;
    private final Endpoint destination;
    private final Side egress;
    private final Side ingress;
    /** Looked up on first use: bulk analysis asks only for the policy sides. */
    private Side routes;

    /** What one direction allows and why, in sentences. */
    public record Side(ConnectionSet allowed, List<String> reasons) {
        public Side {
            reasons = List.copyOf(reasons);
        }
    }

    PairAnalysis(Network network, PeerMatcher matcher, Endpoint source, Endpoint destination) {
        this.network = network;
        this.source = source;
        this.destination = destination;
        WorkloadPeer sourcePod = PeerMatcher.podOf(source);
        WorkloadPeer destinationPod = PeerMatcher.podOf(destination);
        this.egress = sourcePod != null
                ? side(network, matcher, source, sourcePod, destination, "egress")
                : new Side(ConnectionSet.ALL, List.of("traffic from outside the cluster is subject to no egress policy"));
        this.ingress = destinationPod != null
                ? side(network, matcher, destination, destinationPod, source, "ingress")
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

    /** What the policies of both sides allow, before any routing restriction. */
    ConnectionSet allowedByPolicies() {
        return egress.allowed().intersect(ingress.allowed());
    }

    public ConnectionSet allowed() {
        ConnectionSet byPolicies = allowedByPolicies();
        return routes() == null ? byPolicies : byPolicies.intersect(routes().allowed());
    }

    /** From the ingress controller, the ports Ingress and Route objects reach on the destination; otherwise null. */
    public Side routes() {
        if (routes == null && source instanceof IngressController) {
            routes = network.ingressExposures().stream().filter(e -> e.workload().equals(destination)).findFirst()
                    .map(e -> new Side(e.ports(), List.of("routed to " + e.ports() + " of " + destination.display() + " by "
                            + String.join(", ", e.via()))))
                    .orElseGet(() -> new Side(ConnectionSet.NONE, List.of("no Ingress or Route leads to " + destination.display())));
        }
        return routes;
    }

    /**
     * The tiers for {@code subject} in {@code direction}; {@code other} is the destination for
     * egress, the source for ingress. {@code subjectPod} is how policies see the subject.
     */
    private static Side side(Network network, PeerMatcher matcher, Endpoint subject, WorkloadPeer subjectPod, Endpoint other,
                             String direction) {
        boolean egressSide = direction.equals("egress");
        Endpoint destination = egressSide ? other : subject;
        List<String> adminReasons = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        ConnectionSet allowed = ConnectionSet.NONE;
        boolean isolated = false;
        for (Policy p : network.policies()) {
            boolean isolates = egressSide ? p.isolatesEgress() : p.isolatesIngress();
            if (!isolates || !PeerMatcher.selects(p, subjectPod)) {
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
        List<AdminVerdict.Match> matching = new ArrayList<>();
        for (AdminPolicy a : network.adminPolicies()) {
            if ((a.tier() == AdminPolicy.Tier.BASELINE && isolated) || !matcher.subjectIncludes(a, subjectPod)) {
                continue;
            }
            for (AdminRule r : a.rules(!egressSide)) {
                if (matcher.ruleIncludes(r.match(), null, other)) {
                    matching.add(new AdminVerdict.Match(a, r));
                }
            }
        }
        AdminVerdict verdict = AdminVerdict.decide(matching, destination, (policy, rule, conns) -> adminReasons.add(
                policy.describe() + " " + rule.action().verb() + " " + conns + (rule.action() == AdminPolicy.Action.PASS
                        ? " on to NetworkPolicies" : "") + " by " + direction + " rule '" + rule.label() + "'"));
        if (!isolated) {
            reasons.add("no NetworkPolicy selects " + subject.display() + " for " + direction + ": "
                    + (verdict == AdminVerdict.UNDECIDED ? "allowed by default" : "what no admin policy decides is allowed by default"));
        }
        adminReasons.addAll(reasons);
        return new Side(verdict.over(isolated ? allowed : ConnectionSet.ALL), adminReasons);
    }

    /** The explanation as a user reads it. */
    public String describe() {
        ConnectionSet allowed = allowed();
        StringBuilder sb = new StringBuilder();
        sb.append(source.display()).append(" => ").append(destination.display()).append(": ")
                .append(allowed.isEmpty() ? "DENIED" : allowed.isAll() ? "ALLOWED (All Connections)" : "ALLOWED: " + allowed)
                .append('\n');
        if (routes() != null) {
            append(sb, "Routes to " + destination.display(), routes());
        }
        append(sb, "Egress from " + source.display(), egress);
        append(sb, "Ingress to " + destination.display(), ingress);
        return sb.toString();
    }

    private static void append(StringBuilder sb, String heading, Side side) {
        sb.append("  ").append(heading).append(": ").append(side.allowed()).append('\n');
        side.reasons().forEach(r -> sb.append("    - ").append(r).append('\n'));
    }
}
