package dev.moat.cli;

import dev.moat.core.Diagnostic;
import dev.moat.core.ExitCode;
import dev.moat.kube.Inventory;
import dev.moat.kube.ManifestSources;
import dev.moat.reach.Connection;
import dev.moat.reach.Endpoint;
import dev.moat.reach.ExternalPeer;
import dev.moat.reach.IngressController;
import dev.moat.reach.IpRange;
import dev.moat.reach.Network;
import dev.moat.reach.PairAnalysis;
import dev.moat.reach.Protocol;
import dev.moat.reach.Reachability;
import dev.moat.reach.WorkloadPeer;
import dev.moat.reach.output.ConnlistFormat;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code moat reach}: who can talk to whom under the NetworkPolicies in the manifests. */
@Command(name = "reach", mixinStandardHelpOptions = true,
        description = {"List every allowed connection between workloads (and the external address ranges that ipBlocks induce),",
            "or explain one pair with --explain."},
        subcommands = {ReachDiffCommand.class, ReachTestCommand.class})
final class ReachCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "PATH",
            description = "Manifest files or folders (.yaml, .yml, .json, searched recursively); - reads standard input.")
    List<String> paths;

    @Mixin
    ManifestInput input;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "connlist",
            description = "connlist (netpol-analyzer's text format), json, csv, md or dot (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    java.nio.file.Path output;

    @Option(names = "--focus-workload", paramLabel = "NS/NAME",
            description = "Only connections from or to this workload (NAME, NS/NAME or NS/NAME[Kind]).")
    String focusWorkload;

    @Option(names = "--explain", arity = "2", paramLabel = "ENDPOINT",
            description = "Explain SRC DST: allowed or denied, and by which policy and rule. An endpoint is a workload "
                    + "(NAME, NS/NAME), an IP address, or {ingress-controller} as the source.")
    List<String> explain;

    @Option(names = "--port", paramLabel = "PORT/PROTOCOL", description = "With --explain: ask about one port, e.g. 8080/TCP.")
    String port;

    @Override
    public Integer call() throws IOException {
        if (paths == null || paths.isEmpty()) {
            throw new UsageError("reach needs at least one PATH (or a subcommand: diff, test)");
        }
        ManifestSources.Loaded loaded = input.load(paths);
        Network network = Network.of(Inventory.of(loaded.objects()));
        PrintWriter err = spec.commandLine().getErr();
        List<Diagnostic> problems = new ArrayList<>(loaded.errors());
        problems.addAll(network.errors());
        problems.forEach(err::println);
        if (loaded.inputsAnalysed() == 0) {
            err.println("moat: no input could be analysed");
            return ExitCode.USAGE.code();
        }
        Reachability reachability = new Reachability(network);
        PrintWriter out = spec.commandLine().getOut();
        if (explain != null) {
            explain(reachability, out);
        } else {
            ConnlistFormat f = parseFormat();
            List<Connection> connections = reachability.connections();
            if (focusWorkload != null) {
                requireWorkload(reachability, focusWorkload);
                connections = connections.stream().filter(c -> touches(c, focusWorkload)).toList();
            }
            List<Connection> selected = connections;
            Outputs.write(output, out, w -> f.write(selected, w));
        }
        err.flush();
        return problems.isEmpty() ? ExitCode.OK.code() : ExitCode.FINDINGS.code();
    }

    private ConnlistFormat parseFormat() {
        try {
            return ConnlistFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
    }

    private void explain(Reachability reachability, PrintWriter out) {
        Endpoint src = endpoint(reachability, explain.get(0), true);
        Endpoint dst = endpoint(reachability, explain.get(1), false);
        PairAnalysis analysis = reachability.explain(src, dst);
        out.print(analysis.describe());
        if (port != null) {
            String[] parts = port.split("/");
            try {
                Protocol protocol = parts.length > 1 ? Protocol.parse(parts[1]) : Protocol.TCP;
                int number = Integer.parseInt(parts[0]);
                boolean allowed = analysis.allowed().contains(protocol, number);
                out.println("  Port " + number + "/" + protocol + ": " + (allowed ? "allowed" : "denied"));
            } catch (IllegalArgumentException e) {
                throw new UsageError("--port must look like 8080/TCP, not '" + port + "'");
            }
        }
        out.flush();
    }

    /** A workload by reference, {@code {ingress-controller}} as a source, or the external range holding an IP address. */
    static Endpoint endpoint(Reachability reachability, String reference, boolean asSource) {
        if (asSource && reference.equals(IngressController.INSTANCE.display())) {
            return IngressController.INSTANCE;
        }
        if (reference.matches("[0-9.]+|[0-9a-fA-F:]+:[0-9a-fA-F:.]*")) {
            IpRange address = IpRange.parseCidr(reference + (reference.contains(":") ? "/128" : "/32"));
            List<ExternalPeer> ranges = asSource ? reachability.externalSources() : reachability.externalDestinations();
            return ranges.stream().filter(r -> r.range().contains(address)).findFirst()
                    .map(r -> (Endpoint) new ExternalPeer(address))
                    .orElseThrow(() -> new UsageError("no external range holds " + reference));
        }
        return requireWorkload(reachability, reference);
    }

    static WorkloadPeer requireWorkload(Reachability reachability, String reference) {
        List<WorkloadPeer> matches = reachability.workloads().stream().filter(w -> w.matches(reference)).toList();
        if (matches.isEmpty()) {
            throw new UsageError("no workload '" + reference + "' in the manifests");
        }
        if (matches.size() > 1) {
            throw new UsageError("'" + reference + "' is ambiguous: " + matches.stream().map(WorkloadPeer::display).toList());
        }
        return matches.get(0);
    }

    private static boolean touches(Connection c, String reference) {
        return c.source() instanceof WorkloadPeer s && s.matches(reference)
                || c.destination() instanceof WorkloadPeer d && d.matches(reference);
    }
}
