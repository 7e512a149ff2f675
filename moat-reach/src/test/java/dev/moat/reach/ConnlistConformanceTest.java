package dev.moat.reach;

import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.yaml.YamlLimits;
import dev.moat.kube.Inventory;
import dev.moat.kube.ManifestSources;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Replays np-guard/netpol-analyzer's scenarios (../shared/conformance/netpol-analyzer) and compares
 * Moat's connlist output with theirs, line for line.
 */
class ConnlistConformanceTest {

    static Path corpus() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolveSibling("shared").resolve("conformance/netpol-analyzer");
            if (Files.isDirectory(candidate.resolve("scenarios"))) {
                return candidate;
            }
        }
        return null;
    }

    @TestFactory
    Stream<DynamicTest> everyScenarioMatchesNetpolAnalyzer() throws IOException {
        Path corpus = corpus();
        if (corpus == null) {
            // A dynamic test that aborts is reported as skipped, with the reason; an empty factory would vanish.
            return Stream.of(DynamicTest.dynamicTest("netpol-analyzer conformance corpus", () -> Assumptions.assumeTrue(false,
                    "../shared/conformance/netpol-analyzer not present: conformance replay skipped")));
        }
        try (Stream<Path> dirs = Files.list(corpus.resolve("scenarios"))) {
            return dirs.sorted().toList().stream().map(dir -> DynamicTest.dynamicTest(dir.getFileName().toString(), () -> {
                Path expectedFile = corpus.resolve("expected").resolve(dir.getFileName() + ".txt");
                List<String> expected = Files.readAllLines(expectedFile).stream().filter(l -> !l.isBlank()).toList();
                List<String> actual = connlist(dir);
                Path report = Path.of("target", "conformance", dir.getFileName() + ".txt");
                Files.createDirectories(report.getParent());
                Files.write(report, actual);
                assertThat(actual).containsExactlyElementsOf(expected);
            }));
        }
    }

    /**
     * The connlist lines netpol-analyzer can produce. It ignores IPv6 ipBlocks and networks ("IPv6
     * addresses are not supported"); Moat analyses them, which only adds lines to IPv6 ranges: an
     * IPv6 block never matches an IPv4 range, so every other line stays comparable.
     */
    static List<String> connlist(Path dir) {
        ManifestSources.Loaded loaded = new ManifestSources(YamlLimits.DEFAULT, "default")
                .load(List.of(dir.toString()), new ByteArrayInputStream(new byte[0]));
        Reachability r = new Reachability(Network.of(Inventory.of(loaded.objects())));
        return r.connections().stream().filter(c -> !isV6(c.source()) && !isV6(c.destination()))
                .map(Connection::connlistLine).collect(Collectors.toList());
    }

    private static boolean isV6(Endpoint e) {
        return e instanceof ExternalPeer x && x.range().v6();
    }
}
