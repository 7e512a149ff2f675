package dev.moat.reach;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;

/**
 * An immutable set of (protocol, port) pairs: for each protocol a sorted list of disjoint, non-adjacent
 * port ranges within 1-65535. The empty and full sets are shared instances, so the common cases of
 * union and intersection cost nothing.
 */
public final class ConnectionSet {

    public static final int MIN_PORT = 1;
    public static final int MAX_PORT = 65535;
    private static final int[] NO_PORTS = new int[0];
    private static final int[] ALL_PORTS = {MIN_PORT, MAX_PORT};

    public static final ConnectionSet NONE = new ConnectionSet(new int[][] {NO_PORTS, NO_PORTS, NO_PORTS});
    public static final ConnectionSet ALL = new ConnectionSet(new int[][] {ALL_PORTS, ALL_PORTS, ALL_PORTS});

    /** Flat [lo0, hi0, lo1, hi1, ...] per protocol, indexed by ordinal. */
    private final int[][] ranges;

    private ConnectionSet(int[][] ranges) {
        this.ranges = ranges;
    }

    public static ConnectionSet allPorts(Protocol p) {
        return range(p, MIN_PORT, MAX_PORT);
    }

    public static ConnectionSet port(Protocol p, int port) {
        return range(p, port, port);
    }

    public static ConnectionSet range(Protocol p, int lo, int hi) {
        int[][] r = {NO_PORTS, NO_PORTS, NO_PORTS};
        r[p.ordinal()] = new int[] {Math.max(lo, MIN_PORT), Math.min(hi, MAX_PORT)};
        return canonical(r);
    }

    /** Every instance is built through {@link #canonical}, so the empty and full sets are the shared ones. */
    public boolean isEmpty() {
        return this == NONE;
    }

    public boolean isAll() {
        return this == ALL;
    }

    private static boolean isFull(int[] r) {
        return r.length == 2 && r[0] == MIN_PORT && r[1] == MAX_PORT;
    }

    public boolean contains(Protocol p, int port) {
        int[] r = ranges[p.ordinal()];
        for (int i = 0; i < r.length; i += 2) {
            if (port >= r[i] && port <= r[i + 1]) {
                return true;
            }
        }
        return false;
    }

    public ConnectionSet union(ConnectionSet other) {
        if (this == ALL || other == NONE || this == other) {
            return this;
        }
        if (other == ALL || this == NONE) {
            return other;
        }
        int[][] r = new int[3][];
        for (int i = 0; i < 3; i++) {
            r[i] = union(ranges[i], other.ranges[i]);
        }
        return canonical(r);
    }

    public ConnectionSet intersect(ConnectionSet other) {
        if (this == NONE || other == ALL || this == other) {
            return this;
        }
        if (other == NONE || this == ALL) {
            return other;
        }
        int[][] r = new int[3][];
        for (int i = 0; i < 3; i++) {
            r[i] = intersect(ranges[i], other.ranges[i]);
        }
        return canonical(r);
    }

    public ConnectionSet subtract(ConnectionSet other) {
        if (this == NONE || other == NONE) {
            return this;
        }
        if (other == ALL) {
            return NONE;
        }
        int[][] r = new int[3][];
        for (int i = 0; i < 3; i++) {
            r[i] = intersect(ranges[i], complement(other.ranges[i]));
        }
        return canonical(r);
    }

    /** Port ranges of one protocol as [lo, hi] pairs. */
    public Map<Protocol, int[]> byProtocol() {
        Map<Protocol, int[]> out = new EnumMap<>(Protocol.class);
        for (Protocol p : Protocol.values()) {
            if (ranges[p.ordinal()].length > 0) {
                out.put(p, ranges[p.ordinal()].clone());
            }
        }
        return out;
    }

    private static ConnectionSet canonical(int[][] r) {
        if (r[0].length == 0 && r[1].length == 0 && r[2].length == 0) {
            return NONE;
        }
        if (isFull(r[0]) && isFull(r[1]) && isFull(r[2])) {
            return ALL;
        }
        return new ConnectionSet(r);
    }

    private static int[] union(int[] a, int[] b) {
        if (a.length == 0) {
            return b;
        }
        if (b.length == 0) {
            return a;
        }
        int[] merged = new int[a.length + b.length];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length || j < b.length) {
            int lo;
            int hi;
            if (j >= b.length || (i < a.length && a[i] <= b[j])) {
                lo = a[i];
                hi = a[i + 1];
                i += 2;
            } else {
                lo = b[j];
                hi = b[j + 1];
                j += 2;
            }
            if (n > 0 && lo <= merged[n - 1] + 1) {
                merged[n - 1] = Math.max(merged[n - 1], hi);
            } else {
                merged[n++] = lo;
                merged[n++] = hi;
            }
        }
        return Arrays.copyOf(merged, n);
    }

    private static int[] intersect(int[] a, int[] b) {
        int[] out = new int[a.length + b.length];
        int n = 0;
        int i = 0;
        int j = 0;
        while (i < a.length && j < b.length) {
            int lo = Math.max(a[i], b[j]);
            int hi = Math.min(a[i + 1], b[j + 1]);
            if (lo <= hi) {
                out[n++] = lo;
                out[n++] = hi;
            }
            if (a[i + 1] < b[j + 1]) {
                i += 2;
            } else {
                j += 2;
            }
        }
        return n == 0 ? NO_PORTS : Arrays.copyOf(out, n);
    }

    private static int[] complement(int[] a) {
        int[] out = new int[a.length + 2];
        int n = 0;
        int next = MIN_PORT;
        for (int i = 0; i < a.length; i += 2) {
            if (a[i] > next) {
                out[n++] = next;
                out[n++] = a[i] - 1;
            }
            next = a[i + 1] + 1;
        }
        if (next <= MAX_PORT) {
            out[n++] = next;
            out[n++] = MAX_PORT;
        }
        return Arrays.copyOf(out, n);
    }

    /**
     * netpol-analyzer's wording: {@code All Connections}, {@code No Connections}, or protocols in
     * alphabetical order with merged ranges, e.g. {@code SCTP 9003,TCP 80,8000-8080,UDP 53}.
     */
    @Override
    public String toString() {
        if (isAll()) {
            return "All Connections";
        }
        if (isEmpty()) {
            return "No Connections";
        }
        StringBuilder sb = new StringBuilder();
        for (Protocol p : Protocol.values()) {
            int[] r = ranges[p.ordinal()];
            if (r.length == 0) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(',');
            }
            sb.append(p.name()).append(' ');
            for (int i = 0; i < r.length; i += 2) {
                if (i > 0) {
                    sb.append(',');
                }
                sb.append(r[i]);
                if (r[i + 1] != r[i]) {
                    sb.append('-').append(r[i + 1]);
                }
            }
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ConnectionSet c && Arrays.deepEquals(ranges, c.ranges);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(ranges);
    }
}
