package dev.moat.cli;

import dev.moat.core.ExitCode;
import dev.moat.kube.Inventory;
import dev.moat.kube.ManifestSources;
import dev.moat.reach.Network;
import dev.moat.reach.Reachability;
import dev.moat.reach.diff.ConnectivityDiff;
import dev.moat.reach.diff.DiffFormat;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code moat reach diff OLD NEW}: connections added, removed and changed between two revisions. */
@Command(name = "diff", mixinStandardHelpOptions = true,
        description = "Compare the connectivity of two revisions (files or folders): added, removed and changed connections.")
final class ReachDiffCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Mixin
    ManifestInput input;

    @Parameters(index = "0", paramLabel = "OLD", description = "The earlier revision: a file or folder.")
    String before;

    @Parameters(index = "1", paramLabel = "NEW", description = "The later revision: a file or folder.")
    String after;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "text", description = "text or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    java.nio.file.Path output;

    @Option(names = "--fail-on-added", description = "Exit 1 when the new revision allows a connection the old one did not (a review gate for CI).")
    boolean failOnAdded;

    @Override
    public Integer call() {
        DiffFormat f;
        try {
            f = DiffFormat.parse(format);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        ConnectivityDiff diff = ConnectivityDiff.between(analyse(before), analyse(after));
        Outputs.write(output, spec.commandLine().getOut(), w -> f.write(diff, w));
        return failOnAdded && diff.widens() ? ExitCode.FINDINGS.code() : ExitCode.OK.code();
    }

    private Reachability analyse(String path) {
        ManifestSources.Loaded loaded = input.load(List.of(path));
        loaded.errors().forEach(spec.commandLine().getErr()::println);
        if (loaded.inputsAnalysed() == 0) {
            throw new UsageError("nothing could be analysed in " + path);
        }
        Network network = Network.of(Inventory.of(loaded.objects()));
        network.errors().forEach(spec.commandLine().getErr()::println);
        return new Reachability(network);
    }
}
