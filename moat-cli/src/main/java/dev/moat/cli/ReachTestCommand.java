package dev.moat.cli;

import dev.moat.core.ExitCode;
import dev.moat.core.yaml.YamlLimits;
import dev.moat.core.yaml.YamlReader;
import dev.moat.kube.Inventory;
import dev.moat.kube.ManifestSources;
import dev.moat.reach.InvalidPolicyException;
import dev.moat.reach.Network;
import dev.moat.reach.Reachability;
import dev.moat.reach.spec.ReachSpec;
import dev.moat.reach.spec.SpecRunner;
import dev.moat.reach.spec.TestReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code moat reach test SPEC PATH...}: network policy tests as code. */
@Command(name = "test", mixinStandardHelpOptions = true,
        description = "Check reachability assertions (a YAML test spec) against manifests; exit 1 when any fails.")
final class ReachTestCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "SPEC", description = "The test spec (see README: 'Network policy tests').")
    Path specFile;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "PATH", description = "Manifest files or folders to test.")
    List<String> paths;

    @Mixin
    ManifestInput input;

    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT", defaultValue = "text", description = "text or junit (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
    Path output;

    @Override
    public Integer call() {
        TestReport.Format f;
        try {
            f = TestReport.Format.parse(format);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        ReachSpec reachSpec = readSpec();
        ManifestSources.Loaded loaded = input.load(paths);
        loaded.errors().forEach(spec.commandLine().getErr()::println);
        if (loaded.inputsAnalysed() == 0) {
            throw new UsageError("no manifests could be analysed");
        }
        Network network = Network.of(Inventory.of(loaded.objects()));
        network.errors().forEach(spec.commandLine().getErr()::println);
        List<SpecRunner.Outcome> outcomes = new SpecRunner(new Reachability(network)).run(reachSpec);
        Outputs.write(output, spec.commandLine().getOut(), w -> f.write(specFile.toString(), outcomes, w));
        return outcomes.stream().allMatch(SpecRunner.Outcome::passed) ? ExitCode.OK.code() : ExitCode.FINDINGS.code();
    }

    private ReachSpec readSpec() {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(specFile);
        } catch (IOException e) {
            throw new UsageError("cannot read " + specFile + ": " + e.getMessage());
        }
        YamlReader.Result read = new YamlReader(YamlLimits.DEFAULT).read(specFile.toString(), bytes);
        if (!read.errors().isEmpty()) {
            throw new UsageError(read.errors().get(0).toString());
        }
        if (read.documents().isEmpty()) {
            throw new UsageError(specFile + ": the spec is empty");
        }
        try {
            return ReachSpec.parse(read.documents().get(0).root());
        } catch (InvalidPolicyException e) {
            throw new UsageError(e.diagnostic().toString());
        }
    }
}
