package dev.moat.kube;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.yaml.YamlLimits;
import java.util.List;

/** Parses inline manifests for the model tests; any parse error fails the test. */
final class KubeFixtures {

    static final String FILE = "test.yaml";

    private KubeFixtures() {
    }

    static List<KubeObject> objects(String yaml) {
        ManifestParser.Parsed parsed = new ManifestParser(YamlLimits.DEFAULT, "default").parse(FILE, yaml.getBytes(UTF_8));
        assertThat(parsed.errors()).as("parse errors").isEmpty();
        return parsed.objects();
    }

    static KubeObject object(String yaml) {
        List<KubeObject> all = objects(yaml);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    static List<Workload> workloads(String yaml) {
        return objects(yaml).stream().flatMap(o -> WorkloadExtractor.extract(o).stream()).toList();
    }

    static Workload workload(String yaml) {
        List<Workload> all = workloads(yaml);
        assertThat(all).hasSize(1);
        return all.get(0);
    }

    /** {@code container nginx=nginx:1.25} style summary of a workload's containers, in order. */
    static List<String> containers(Workload w) {
        return w.pod().containers().stream().map(c -> c.type().noun() + " " + c.name() + "=" + c.image()).toList();
    }
}
