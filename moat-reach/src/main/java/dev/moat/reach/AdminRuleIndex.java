package dev.moat.reach;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The admin tiers' rules of one direction numbered in evaluation order, so that "the rules that
 * apply to a subject" and "the rules whose peers include an endpoint" are bitsets, and their
 * intersection lists the rules that match a pair, already in order.
 */
final class AdminRuleIndex {

    private final List<AdminPolicy> policies;
    private final List<AdminVerdict.Match> rules = new ArrayList<>();
    /** Per policy (by its position in the network's evaluation order), its first rule number; one extra entry closes the last. */
    private final int[] first;

    AdminRuleIndex(List<AdminPolicy> policies, boolean ingress) {
        this.policies = policies;
        this.first = new int[policies.size() + 1];
        for (int p = 0; p < policies.size(); p++) {
            first[p] = rules.size();
            for (AdminPolicy.AdminRule r : policies.get(p).rules(ingress)) {
                rules.add(new AdminVerdict.Match(policies.get(p), r));
            }
        }
        first[policies.size()] = rules.size();
    }

    List<AdminVerdict.Match> rules() {
        return rules;
    }

    /**
     * The rules that apply to a pod selected as subject by {@code subjects} (policy positions): all of
     * those policies' rules, except the baseline's when a NetworkPolicy isolates the pod.
     */
    BitSet applicable(BitSet subjects, boolean isolatedByNetworkPolicy) {
        BitSet out = new BitSet(rules.size());
        for (int p = subjects.nextSetBit(0); p >= 0; p = subjects.nextSetBit(p + 1)) {
            if (!(isolatedByNetworkPolicy && policies.get(p).tier() == AdminPolicy.Tier.BASELINE)) {
                out.set(first[p], first[p + 1]);
            }
        }
        return out;
    }

    /** The verdict of the rules numbered in {@code matching}, towards {@code destination}. */
    AdminVerdict decide(BitSet matching, Endpoint destination) {
        if (matching.isEmpty()) {
            return AdminVerdict.UNDECIDED;
        }
        List<AdminVerdict.Match> ordered = new ArrayList<>(matching.cardinality());
        for (int r = matching.nextSetBit(0); r >= 0; r = matching.nextSetBit(r + 1)) {
            ordered.add(rules.get(r));
        }
        return AdminVerdict.decide(ordered, destination, AdminVerdict.Trace.NONE);
    }
}
