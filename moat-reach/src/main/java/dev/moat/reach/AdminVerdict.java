package dev.moat.reach;

import dev.moat.reach.AdminPolicy.AdminRule;
import dev.moat.reach.AdminPolicy.Tier;
import java.util.List;

/**
 * What the admin tiers decide for one pair in one direction: the connections some rule allows, and
 * those an AdminNetworkPolicy or the BaselineAdminNetworkPolicy denies. Everything else (passed, or
 * matched by no rule) is left to NetworkPolicies, or allowed when none isolates the pod.
 */
final class AdminVerdict {

    static final AdminVerdict UNDECIDED = new AdminVerdict(ConnectionSet.NONE, ConnectionSet.NONE);

    private final ConnectionSet allowed;
    private final ConnectionSet denied;
    /** The outcome for a pod no NetworkPolicy isolates, by far the commonest case in bulk analysis. */
    private final ConnectionSet overAll;
    /**
     * A one-entry cache for {@link #over}. Verdicts are built per destination inside one thread's
     * workspace (or one explanation), never shared between threads, so no synchronisation is needed.
     */
    private ConnectionSet lastInput;
    private ConnectionSet lastOutput;

    private AdminVerdict(ConnectionSet allowed, ConnectionSet denied) {
        this.allowed = allowed;
        this.denied = denied;
        this.overAll = allowed.union(ConnectionSet.ALL.subtract(denied));
    }

    /** A rule that matches the pair, with the policy it belongs to. */
    record Match(AdminPolicy policy, AdminRule rule) {
    }

    /** Told about every rule that decides some connections, for explanations. */
    interface Trace {
        Trace NONE = (policy, rule, connections) -> { };

        void decided(AdminPolicy policy, AdminRule rule, ConnectionSet connections);
    }

    /**
     * The direction's outcome, given what the NetworkPolicy layer allows (everything, for a pod no
     * NetworkPolicy isolates in the direction; the baseline's rules are then among the matches).
     */
    ConnectionSet over(ConnectionSet networkPolicies) {
        if (this == UNDECIDED) {
            return networkPolicies;
        }
        if (networkPolicies == ConnectionSet.ALL) {
            return overAll;
        }
        if (networkPolicies == ConnectionSet.NONE) {
            return allowed;
        }
        // Sources named by the same rules share one NetworkPolicy result instance; asking twice in a row is common.
        if (networkPolicies != lastInput) {
            lastOutput = allowed.union(networkPolicies.subtract(denied));
            lastInput = networkPolicies;
        }
        return lastOutput;
    }

    /**
     * Gives each connection to the first matching rule that names it, with {@code matching} in
     * evaluation order: AdminNetworkPolicies by priority, each in rule order, then the baseline's
     * rules. A Pass takes its connections away from later AdminNetworkPolicies only; the baseline
     * starts again from everything no AdminNetworkPolicy allowed or denied.
     */
    static AdminVerdict decide(List<Match> matching, Endpoint destination, Trace trace) {
        if (matching.isEmpty()) {
            return UNDECIDED;
        }
        ConnectionSet allowed = ConnectionSet.NONE;
        ConnectionSet denied = ConnectionSet.NONE;
        ConnectionSet undecided = ConnectionSet.ALL;
        boolean baseline = false;
        for (Match m : matching) {
            if (!baseline && m.policy().tier() == Tier.BASELINE) {
                baseline = true;
                undecided = ConnectionSet.ALL.subtract(allowed).subtract(denied);
            }
            ConnectionSet conns = PeerMatcher.ports(m.rule().match(), destination).intersect(undecided);
            if (conns.isEmpty()) {
                continue;
            }
            switch (m.rule().action()) {
                case ALLOW -> allowed = allowed.union(conns);
                case DENY -> denied = denied.union(conns);
                case PASS -> { }
            }
            undecided = undecided.subtract(conns);
            trace.decided(m.policy(), m.rule(), conns);
        }
        return allowed.isEmpty() && denied.isEmpty() ? UNDECIDED : new AdminVerdict(allowed, denied);
    }
}
