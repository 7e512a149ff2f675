package dev.moat.core.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.moat.core.Diagnostic;
import dev.moat.core.Severity;
import java.time.LocalDate;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MoatConfigTest {

    static final Set<String> KNOWN = Set.of("MOAT-RUN-001", "MOAT-RUN-002", "MOAT-SUP-001", "MOAT-SEC-001",
            "MOAT-CFG-001", "MOAT-CFG-002", "MOAT-CFG-003");

    static MoatConfig parse(String yaml) throws ConfigException {
        return MoatConfig.parse(".moat.yaml", yaml.getBytes(UTF_8), KNOWN);
    }

    /** The diagnostic of a config that must be rejected. */
    static Diagnostic error(String yaml) {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> parse(yaml));
        assertThat(e).as("expected a ConfigException").isNotNull();
        assertThat(e.getMessage()).isEqualTo(e.diagnostic().toString());
        assertThat(e.diagnostic().location().file()).isEqualTo(".moat.yaml");
        return e.diagnostic();
    }

    static String at(Diagnostic d) {
        return d.location().line() + ":" + d.location().column();
    }

    // --- accepted forms -------------------------------------------------------------------------

    @Test
    void emptyFileMeansDefaults() throws ConfigException {
        for (String empty : new String[] {"", "# nothing yet\n", "---\n"}) {
            MoatConfig c = parse(empty);
            assertThat(c.source()).isEqualTo(".moat.yaml");
            assertThat(c.rules()).isEmpty();
            assertThat(c.exemptions()).isEmpty();
            assertThat(c.failOnSetting()).isEmpty();
            assertThat(c.enabled("MOAT-RUN-001")).isTrue();
            assertThat(c.severityFor("MOAT-RUN-001", Severity.HIGH)).isEqualTo(Severity.HIGH);
        }
    }

    @Test
    void noneIsTheDefaultConfiguration() {
        assertThat(MoatConfig.NONE.enabled("MOAT-RUN-001")).isTrue();
        assertThat(MoatConfig.NONE.failOnSetting()).isEmpty();
        assertThat(MoatConfig.NONE.exemptions()).isEmpty();
    }

    @Test
    void failOnIsASeverityNameInAnyCase() throws ConfigException {
        assertThat(parse("failOn: high\n").failOnSetting()).contains(Severity.HIGH);
        assertThat(parse("failOn: CRITICAL\n").failOnSetting()).contains(Severity.CRITICAL);
        assertThat(parse("failOn: \"low\"\n").failOnSetting()).contains(Severity.LOW);
    }

    @Test
    void ruleSwitchesAndSeverities() throws ConfigException {
        MoatConfig c = parse("""
                rules:
                  MOAT-RUN-001: off
                  MOAT-RUN-002: low
                  MOAT-SUP-001: {enabled: false}
                  MOAT-SEC-001:
                    enabled: true
                    severity: medium
                  MOAT-CFG-001: false
                  MOAT-CFG-002: {severity: HIGH}
                  MOAT-CFG-003: on
                """);

        assertThat(c.enabled("MOAT-RUN-001")).isFalse();
        assertThat(c.enabled("MOAT-RUN-002")).isTrue();
        assertThat(c.severityFor("MOAT-RUN-002", Severity.MEDIUM)).isEqualTo(Severity.LOW);
        assertThat(c.enabled("MOAT-SUP-001")).isFalse();
        assertThat(c.enabled("MOAT-SEC-001")).isTrue();
        assertThat(c.severityFor("MOAT-SEC-001", Severity.CRITICAL)).isEqualTo(Severity.MEDIUM);
        assertThat(c.enabled("MOAT-CFG-001")).isFalse();
        assertThat(c.severityFor("MOAT-CFG-002", Severity.LOW)).isEqualTo(Severity.HIGH);
        assertThat(c.enabled("MOAT-CFG-003")).isTrue();
        assertThat(c.severityFor("MOAT-CFG-003", Severity.LOW)).as("on keeps the documented severity").isEqualTo(Severity.LOW);
        assertThat(c.severityFor("MOAT-RUN-001", Severity.HIGH)).as("off keeps the documented severity").isEqualTo(Severity.HIGH);
    }

    @Test
    void exemptionsKeepEveryFieldAndWhereTheyWereWritten() throws ConfigException {
        MoatConfig c = parse("""
                exemptions:
                  - rule: MOAT-RUN-001
                    namespace: gpu-*
                    kind: DaemonSet
                    name: nvidia-driver
                    reason: the driver installer needs the host's devices
                    expires: 2027-01-31
                  - namespace: sandbox
                    reason: throwaway experiments
                  - rule: "*"
                    name: "*-debug"
                """);

        assertThat(c.exemptions()).hasSize(3);
        Exemption first = c.exemptions().get(0);
        assertThat(first.rule()).isEqualTo("MOAT-RUN-001");
        assertThat(first.namespace()).isEqualTo("gpu-*");
        assertThat(first.kind()).isEqualTo("DaemonSet");
        assertThat(first.name()).isEqualTo("nvidia-driver");
        assertThat(first.reason()).isEqualTo("the driver installer needs the host's devices");
        assertThat(first.expires()).isEqualTo(LocalDate.of(2027, 1, 31));
        assertThat(first.location().file()).isEqualTo(".moat.yaml");
        assertThat(first.location().line()).isEqualTo(2);

        Exemption second = c.exemptions().get(1);
        assertThat(second.rule()).as("no rule means every rule").isEqualTo("*");
        assertThat(second.kind()).isNull();
        assertThat(second.expires()).isNull();
        assertThat(second.location().line()).isEqualTo(8);

        assertThat(c.exemptions().get(2).rule()).isEqualTo("*");
        assertThat(c.exemptions().get(2).hasReason()).isFalse();
    }

    @Test
    void settingsAreKeptForRulesToRead() throws ConfigException {
        MoatConfig c = parse("""
                settings:
                  trustedRegistries: [registry.example.com]
                  maxReplicas: 8
                """);

        assertThat(c.settings().seq("trustedRegistries").texts()).containsExactly("registry.example.com");
        assertThat(c.settings().text("maxReplicas")).isEqualTo("8");
        assertThat(parse("failOn: low\n").settings().fields()).isEmpty();
    }

    @Test
    void emptySectionsMeanNone() throws ConfigException {
        MoatConfig c = parse("""
                rules:
                exemptions:
                  # - rule: MOAT-RUN-001
                  #   reason: to be decided
                settings:
                failOn:
                """);

        assertThat(c.failOnSetting()).isEmpty();
        assertThat(c.rules()).isEmpty();
        assertThat(c.exemptions()).isEmpty();
        assertThat(c.settings().fields()).isEmpty();
        assertThat(parse("exemptions: []\nrules: {}\n").exemptions()).isEmpty();
    }

    // --- errors ---------------------------------------------------------------------------------

    @Test
    void unknownTopLevelKeyIsAnError() {
        Diagnostic d = error("failOn: high\nexemption:\n  - rule: MOAT-RUN-001\n");

        assertThat(at(d)).isEqualTo("2:1");
        assertThat(d.message()).isEqualTo(
                "unknown key 'exemption' in top level (expected one of exemptions, failOn, rules, settings)");
    }

    @Test
    void unknownRuleIdIsAnError() {
        Diagnostic d = error("rules:\n  MOAT-RUN-001: off\n  MOAT-RUN-999: low\n");

        assertThat(at(d)).isEqualTo("3:3");
        assertThat(d.message()).isEqualTo("unknown rule 'MOAT-RUN-999' (see 'moat rules')");
    }

    @Test
    void unknownRuleIdInAnExemptionIsAnError() {
        Diagnostic d = error("""
                exemptions:
                  - namespace: ml
                    rule: MOAT-RUN-01
                    reason: typo
                """);

        assertThat(at(d)).isEqualTo("3:5");
        assertThat(d.message()).isEqualTo("unknown rule 'MOAT-RUN-01' (see 'moat rules')");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "failOn: severe                                   | 1:9 | severe",
            "rules:\\n  MOAT-RUN-001: severe                   | 2:17 | severe",
            "rules:\\n  MOAT-RUN-001: {severity: sever}        | 2:28 | sever",
            "rules:\\n  MOAT-RUN-001:\\n    severity: 3         | 3:15 | 3",
    })
    void badSeverityIsAnErrorAtTheValue(String yaml, String where, String bad) {
        Diagnostic d = error(yaml.replace("\\n", "\n") + "\n");

        assertThat(at(d)).isEqualTo(where);
        assertThat(d.message()).isEqualTo("unknown severity '" + bad + "' (expected critical, high, medium, low or info)");
    }

    @Test
    void aRuleWithNoSettingIsAnError() {
        Diagnostic d = error("rules:\n  MOAT-RUN-001:\n  MOAT-RUN-002: off\n");

        assertThat(d.location().line()).isEqualTo(2);
        assertThat(d.message()).isEqualTo("expected a severity (critical, high, medium, low or info)");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "2027-02-30",
            "2027-1-31",
            "next week",
            "31/01/2027",
    })
    void badDateIsAnErrorAtTheExpiresKey(String date) {
        Diagnostic d = error("""
                exemptions:
                  - rule: MOAT-RUN-001
                    reason: driver installer
                    expires: "%s"
                """.formatted(date));

        assertThat(at(d)).isEqualTo("4:5");
        assertThat(d.message()).isEqualTo("'expires' must be a date like 2027-01-31, not '" + date + "'");
    }

    @Test
    void exemptionsMustBeAList() {
        Diagnostic inline = error("exemptions: MOAT-RUN-001\n");
        assertThat(at(inline)).isEqualTo("1:13");
        assertThat(inline.message()).isEqualTo("'exemptions' must be a list");

        Diagnostic mapping = error("""
                failOn: high
                exemptions:
                  rule: MOAT-RUN-001
                  reason: forgot the dash
                """);
        assertThat(mapping.location().line()).isEqualTo(3);
        assertThat(mapping.message()).isEqualTo("'exemptions' must be a list");
    }

    @Test
    void eachExemptionMustBeAMappingOfKnownKeys() {
        Diagnostic notMap = error("exemptions:\n  - MOAT-RUN-001\n");
        assertThat(at(notMap)).isEqualTo("2:5");
        assertThat(notMap.message()).isEqualTo("an exemption must be a mapping");

        Diagnostic badKey = error("exemptions:\n  - rule: MOAT-RUN-001\n    reasons: typo\n");
        assertThat(at(badKey)).isEqualTo("3:5");
        assertThat(badKey.message()).isEqualTo(
                "unknown key 'reasons' in an exemption (expected one of expires, kind, name, namespace, reason, rule)");
    }

    @Test
    void exemptionFieldsAreSingleValuesSoAListNeverWidensTheExemption() {
        Diagnostic rules = error("""
                exemptions:
                  - rule: [MOAT-RUN-001, MOAT-RUN-002]
                    reason: both
                """);
        assertThat(at(rules)).isEqualTo("2:5");
        assertThat(rules.message()).isEqualTo("'rule' in an exemption must be a single value, not a list or mapping "
                + "(use * globs, or one exemption each)");

        Diagnostic namespaces = error("""
                exemptions:
                  - rule: MOAT-RUN-001
                    reason: both teams
                    namespace:
                      - team-a
                      - team-b
                """);
        assertThat(at(namespaces)).isEqualTo("4:5");
        assertThat(namespaces.message()).startsWith("'namespace' in an exemption must be a single value");
    }

    @Test
    void ruleSettingMustBeWellFormed() {
        Diagnostic badKey = error("rules:\n  MOAT-RUN-001: {enable: false}\n");
        assertThat(at(badKey)).isEqualTo("2:18");
        assertThat(badKey.message()).startsWith("unknown key 'enable' in a rule setting");

        Diagnostic badBool = error("rules:\n  MOAT-RUN-001:\n    enabled: maybe\n");
        assertThat(at(badBool)).isEqualTo("3:5");
        assertThat(badBool.message()).isEqualTo("'enabled' must be true or false");

        Diagnostic list = error("rules:\n  MOAT-RUN-001: [off]\n");
        assertThat(at(list)).isEqualTo("2:17");
        assertThat(list.message()).isEqualTo("a rule setting must be a mapping");
    }

    @Test
    void sectionsMustHaveTheirShape() {
        assertThat(error("rules: [MOAT-RUN-001]\n").message()).isEqualTo("rules must be a mapping");
        assertThat(error("settings: 3\n").message()).isEqualTo("settings must be a mapping");
        Diagnostic list = error("- failOn: high\n");
        assertThat(at(list)).isEqualTo("1:1");
        assertThat(list.message()).isEqualTo("the config file must be a mapping");
    }

    @Test
    void invalidYamlAndExtraDocumentsAreErrors() {
        Diagnostic duplicate = error("failOn: high\nfailOn: low\n");
        assertThat(duplicate.location().line()).isEqualTo(2);
        assertThat(duplicate.message()).contains("duplicate key 'failOn'");

        Diagnostic twoDocs = error("failOn: high\n---\nfailOn: low\n");
        assertThat(twoDocs.location().line()).isEqualTo(2);
        assertThat(twoDocs.message()).isEqualTo("a config file holds one YAML document");

        assertThatThrownBy(() -> parse("rules: {MOAT-RUN-001: off\n")).isInstanceOf(ConfigException.class);
    }
}
