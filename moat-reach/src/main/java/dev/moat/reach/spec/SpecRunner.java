package dev.moat.reach.spec;

import dev.moat.reach.ConnectionSet;
import dev.moat.reach.Endpoint;
import dev.moat.reach.ExternalPeer;
import dev.moat.reach.IpRange;
import dev.moat.reach.Reachability;
import dev.moat.reach.WorkloadPeer;
import dev.moat.reach.spec.ReachSpec.Assertion;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Evaluates a {@link ReachSpec}. "allow" holds when every matched source reaches every matched
 * destination on the port (for {@code internet}: some public address); "deny" holds when none does.
 * An assertion whose workloads or selectors match nothing fails as vacuous, since it would pass
 * whatever the policies say.
 */
public final class SpecRunner {

    /** Ranges that are not the internet: RFC 1918, shared CGNAT, loopback, link-local, ULA and IPv6 link-local/loopback. */
    private static final List<IpRange> NOT_INTERNET = List.of(
            IpRange.parseCidr("0.0.0.0/8"), IpRange.parseCidr("10.0.0.0/8"), IpRange.parseCidr("100.64.0.0/10"),
            IpRange.parseCidr("127.0.0.0/8"), IpRange.parseCidr("169.254.0.0/16"), IpRange.parseCidr("172.16.0.0/12"),
            IpRange.parseCidr("192.168.0.0/16"), IpRange.parseCidr("::1/128"), IpRange.parseCidr("fc00::/7"),
            IpRange.parseCidr("fe80::/10"));

    private final Reachability reachability;

    public SpecRunner(Reachability reachability) {
        this.reachability = reachability;
    }

    /** The verdict on one assertion, with the evidence a reviewer needs when it fails. */
    public record Outcome(Assertion assertion, boolean passed, String detail) {
    }

    public List<Outcome> run(ReachSpec spec) {
        return spec.assertions().stream().map(this::run).toList();
    }

    private Outcome run(Assertion a) {
        List<List<Endpoint>> sources = resolve(a.from(), true);
        List<List<Endpoint>> destinations = resolve(a.to(), false);
        if (sources.isEmpty()) {
            return new Outcome(a, false, "vacuous: 'from' matches no workload in the manifests");
        }
        if (destinations.isEmpty()) {
            return new Outcome(a, false, "vacuous: 'to' matches no workload in the manifests");
        }
        boolean existential = a.to() instanceof ReachSpec.Internet || a.from() instanceof ReachSpec.Internet;
        List<String> allowedPairs = new ArrayList<>();
        List<String> deniedPairs = new ArrayList<>();
        for (List<Endpoint> src : sources) {
            for (List<Endpoint> dst : destinations) {
                if (src.size() == 1 && src.equals(dst)) {
                    continue;
                }
                String pair = label(src, a.from()) + " => " + label(dst, a.to());
                if (reaches(src, dst, a.probe(), existential)) {
                    allowedPairs.add(pair);
                } else {
                    deniedPairs.add(pair);
                }
            }
        }
        if (a.expectAllow()) {
            return deniedPairs.isEmpty()
                    ? new Outcome(a, true, allowedPairs.size() + " pair(s) allowed on " + a.portText())
                    : new Outcome(a, false, "denied on " + a.portText() + ": " + String.join("; ", first(deniedPairs)));
        }
        return allowedPairs.isEmpty()
                ? new Outcome(a, true, deniedPairs.size() + " pair(s) denied on " + a.portText())
                : new Outcome(a, false, "allowed on " + a.portText() + ": " + String.join("; ", first(allowedPairs)));
    }

    /**
     * Whether traffic gets through. An external side is a group of address ranges; with
     * {@code existential} one reachable range suffices, otherwise every range must be.
     */
    private boolean reaches(List<Endpoint> src, List<Endpoint> dst, ConnectionSet probe, boolean existential) {
        boolean any = false;
        boolean all = true;
        for (Endpoint s : src) {
            for (Endpoint d : dst) {
                ConnectionSet allowed = reachability.allowed(s, d).intersect(probe);
                boolean ok = probe.isAll() ? !allowed.isEmpty() : allowed.equals(probe);
                any |= ok;
                all &= ok;
            }
        }
        return existential ? any : all;
    }

    /** Each element is one logical peer: a workload, or the address ranges standing for one external target. */
    private List<List<Endpoint>> resolve(ReachSpec.Endpoints endpoints, boolean asSource) {
        List<ExternalPeer> segments = asSource ? reachability.externalSources() : reachability.externalDestinations();
        List<List<Endpoint>> out = new ArrayList<>();
        if (endpoints instanceof ReachSpec.Workload w) {
            reachability.workloads().stream().filter(p -> p.matches(w.reference())).forEach(p -> out.add(List.of(p)));
        } else if (endpoints instanceof ReachSpec.Selector s) {
            reachability.workloads().stream().filter(p -> selects(s, p)).forEach(p -> out.add(List.of(p)));
        } else if (endpoints instanceof ReachSpec.Cidr c) {
            out.add(pieces(segments, c.range()));
        } else {
            List<Endpoint> pieces = publicPieces(segments);
            if (!pieces.isEmpty()) {
                out.add(pieces);
            }
        }
        return out;
    }

    private boolean selects(ReachSpec.Selector s, WorkloadPeer p) {
        return (s.namespace() == null || s.namespace().equals(p.namespace()))
                && (s.namespaceLabels() == null || s.namespaceLabels().matches(reachability.network().labelsOfNamespace(p.namespace())))
                && s.labels().matches(p.labels());
    }

    /** The parts of {@code range} cut by the engine's partition; each is wholly in or out of every ipBlock. */
    private static List<Endpoint> pieces(List<ExternalPeer> segments, IpRange range) {
        List<Endpoint> out = new ArrayList<>();
        for (ExternalPeer segment : segments) {
            IpRange r = segment.range();
            if (r.overlaps(range)) {
                out.add(new ExternalPeer(new IpRange(r.v6(), r.first().max(range.first()), r.last().min(range.last()))));
            }
        }
        return out;
    }

    private static List<Endpoint> publicPieces(List<ExternalPeer> segments) {
        List<Endpoint> out = new ArrayList<>();
        for (ExternalPeer segment : segments) {
            BigInteger next = segment.range().first();
            IpRange r = segment.range();
            for (IpRange hole : NOT_INTERNET.stream().filter(h -> h.overlaps(r)).sorted().toList()) {
                if (hole.first().compareTo(next) > 0) {
                    out.add(new ExternalPeer(new IpRange(r.v6(), next, hole.first().subtract(BigInteger.ONE))));
                }
                next = next.max(hole.last().add(BigInteger.ONE));
            }
            if (next.compareTo(r.last()) <= 0) {
                out.add(new ExternalPeer(new IpRange(r.v6(), next, r.last())));
            }
        }
        return out;
    }

    private static String label(List<Endpoint> group, ReachSpec.Endpoints named) {
        if (named instanceof ReachSpec.Internet) {
            return "internet";
        }
        return named instanceof ReachSpec.Cidr c ? c.text() : group.get(0).display();
    }

    private static List<String> first(List<String> pairs) {
        return pairs.size() <= 3 ? pairs : List.of(pairs.get(0), pairs.get(1), pairs.get(2), "and " + (pairs.size() - 3) + " more");
    }
}
