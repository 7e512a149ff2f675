package dev.moat.reach;

import dev.moat.core.SourceLocation;
import dev.moat.reach.Policy.PodPeer;
import dev.moat.reach.Policy.PolicyRule;
import java.util.List;

/**
 * A compiled AdminNetworkPolicy or BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1).
 * Unlike a NetworkPolicy it isolates nothing: each rule decides the connections it matches and
 * leaves every other connection to the next rule, policy or tier.
 *
 * <p>The subject is a {@link PodPeer} whose namespace selector is never null (it is cluster-wide).
 * Rule peers are pod peers of the same kind and, for egress, {@link Policy.IpPeer}s from
 * {@code networks}; a {@code nodes} peer adds nothing, since nodes are not endpoints here.
 */
public record AdminPolicy(Tier tier, String name, int priority, PodPeer subject, List<AdminRule> ingress,
                          List<AdminRule> egress, SourceLocation location) {

    public AdminPolicy {
        ingress = List.copyOf(ingress);
        egress = List.copyOf(egress);
    }

    public enum Tier {
        /** Evaluated before NetworkPolicies, in priority order. */
        ADMIN("AdminNetworkPolicy"),
        /** Evaluated for pods no NetworkPolicy isolates in the direction. */
        BASELINE("BaselineAdminNetworkPolicy");

        private final String kind;

        Tier(String kind) {
            this.kind = kind;
        }

        public String kind() {
            return kind;
        }
    }

    public enum Action {
        ALLOW("allows"), DENY("denies"), PASS("passes");

        private final String verb;

        Action(String verb) {
            this.verb = verb;
        }

        public String verb() {
            return verb;
        }
    }

    /**
     * One rule. {@code match} carries the peers and ports in NetworkPolicy form; it never has
     * {@code anyPeer}, because an admin rule without a usable peer matches nothing.
     */
    public record AdminRule(String name, Action action, PolicyRule match) {

        /** The rule's name, or its position when it has none: {@code ingress[0]}. */
        public String label() {
            return name.isEmpty() ? match.label() : name;
        }
    }

    public List<AdminRule> rules(boolean ingressSide) {
        return ingressSide ? ingress : egress;
    }

    /** {@code AdminNetworkPolicy 'name'}, as explanations name it. */
    public String describe() {
        return tier.kind() + " '" + name + "'";
    }
}
