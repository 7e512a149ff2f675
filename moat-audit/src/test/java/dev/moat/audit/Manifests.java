package dev.moat.audit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Finding;
import dev.moat.core.config.MoatConfig;
import dev.moat.core.yaml.YamlLimits;
import dev.moat.kube.Inventory;
import dev.moat.kube.ManifestParser;
import java.util.ArrayList;
import java.util.List;

/** Parses manifest text the way {@code moat scan} does and runs rules over it. */
public final class Manifests {

    public static final String FILE = "test.yaml";

    private Manifests() {
    }

    /** The inventory of {@code yaml}, which must parse without diagnostics. */
    public static Inventory inventory(String yaml) {
        ManifestParser.Parsed parsed = new ManifestParser(YamlLimits.DEFAULT, "default").parse(FILE, yaml.getBytes(UTF_8));
        assertThat(parsed.errors()).as("parse errors").isEmpty();
        return Inventory.of(parsed.objects());
    }

    /** Findings of one rule. */
    public static List<Finding> run(ManifestRule rule, String yaml) {
        List<Finding> out = new ArrayList<>();
        rule.check(inventory(yaml), out::add);
        return out;
    }

    /** Findings of every catalogue rule. */
    public static List<Finding> runAll(String yaml) {
        return Catalogue.run(inventory(yaml), MoatConfig.NONE);
    }

    /** Findings of the catalogue rule with this ID. */
    public static List<Finding> run(String ruleId, String yaml) {
        return runAll(yaml).stream().filter(f -> f.ruleId().equals(ruleId)).toList();
    }

    /** {@code line:column} of a finding, for compact assertions. */
    public static String at(Finding f) {
        return f.location().line() + ":" + f.location().column();
    }
}
