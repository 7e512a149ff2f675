package dev.moat.reach.diff;

import dev.moat.reach.Connection;
import dev.moat.reach.ConnectionSet;
import dev.moat.reach.Reachability;
import dev.moat.reach.WorkloadPeer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What changed in who-can-reach-whom between two revisions: connections added, removed, and changed
 * (allowed both before and after, on different ports), plus workloads that appeared or disappeared.
 * Endpoints are matched by name, so an external range that the new revision's ipBlocks cut
 * differently shows as one range removed and others added.
 */
public record ConnectivityDiff(List<Change> changes, List<String> addedWorkloads, List<String> removedWorkloads) {

    public enum Kind { ADDED, REMOVED, CHANGED }

    /** One ordered pair whose allowed connections differ. {@code before}/{@code after} are NONE when absent. */
    public record Change(Kind kind, String source, String destination, ConnectionSet before, ConnectionSet after) {
    }

    public ConnectivityDiff {
        changes = List.copyOf(changes);
        addedWorkloads = List.copyOf(addedWorkloads);
        removedWorkloads = List.copyOf(removedWorkloads);
    }

    public static ConnectivityDiff between(Reachability before, Reachability after) {
        Map<String, Connection> old = index(before.connections());
        Map<String, Connection> now = index(after.connections());
        List<Change> changes = new ArrayList<>();
        Set<String> keys = new TreeSet<>(old.keySet());
        keys.addAll(now.keySet());
        for (String key : keys) {
            Connection o = old.get(key);
            Connection n = now.get(key);
            if (o == null) {
                changes.add(new Change(Kind.ADDED, n.source().display(), n.destination().display(), ConnectionSet.NONE, n.allowed()));
            } else if (n == null) {
                changes.add(new Change(Kind.REMOVED, o.source().display(), o.destination().display(), o.allowed(), ConnectionSet.NONE));
            } else if (!o.allowed().equals(n.allowed())) {
                changes.add(new Change(Kind.CHANGED, o.source().display(), o.destination().display(), o.allowed(), n.allowed()));
            }
        }
        Set<String> oldWorkloads = names(before.workloads());
        Set<String> newWorkloads = names(after.workloads());
        return new ConnectivityDiff(changes, minus(newWorkloads, oldWorkloads), minus(oldWorkloads, newWorkloads));
    }

    public boolean isEmpty() {
        return changes.isEmpty() && addedWorkloads.isEmpty() && removedWorkloads.isEmpty();
    }

    /** Whether some pair can now talk on a port it could not before (new or widened connections). */
    public boolean widens() {
        return changes.stream().anyMatch(c -> !c.after().subtract(c.before()).isEmpty());
    }

    private static Map<String, Connection> index(List<Connection> connections) {
        Map<String, Connection> out = new TreeMap<>();
        for (Connection c : connections) {
            out.put(c.source().display() + " => " + c.destination().display(), c);
        }
        return out;
    }

    private static Set<String> names(List<WorkloadPeer> workloads) {
        Set<String> out = new TreeSet<>();
        workloads.forEach(w -> out.add(w.display()));
        return out;
    }

    private static List<String> minus(Set<String> a, Set<String> b) {
        List<String> out = new ArrayList<>();
        for (String s : a) {
            if (!b.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }
}
