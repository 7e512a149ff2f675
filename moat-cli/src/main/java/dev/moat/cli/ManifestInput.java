package dev.moat.cli;

import dev.moat.core.yaml.YamlLimits;
import dev.moat.kube.ManifestSources;
import java.util.List;
import picocli.CommandLine.Option;

/** How manifests are read: the default namespace and the size limit, shared by every manifest command. */
final class ManifestInput {

    @Option(names = {"-n", "--namespace"}, paramLabel = "NAMESPACE", defaultValue = "default",
            description = "Namespace for objects that do not name one (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--max-file-size", paramLabel = "MIB", defaultValue = "64",
            description = "Skip, with an error, inputs larger than this many MiB (default: ${DEFAULT-VALUE}).")
    int maxFileSizeMib;

    ManifestSources.Loaded load(List<String> what) {
        if (maxFileSizeMib < 1) {
            throw new UsageError("--max-file-size must be at least 1 MiB");
        }
        YamlLimits limits = new YamlLimits(maxFileSizeMib * 1024L * 1024L, YamlLimits.DEFAULT.maxDepth(),
                YamlLimits.DEFAULT.maxExpandedNodes());
        return new ManifestSources(limits, namespace).load(what, System.in);
    }
}
