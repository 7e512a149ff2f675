package dev.moat.core.yaml;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.Diagnostic;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hostile and broken input: each problem is one located, one-line error, the documents around it are
 * still read, and nothing exhausts the stack, the heap or the clock.
 */
class YamlReaderBadInputTest {

    private static final String FILE = "bad.yaml";

    private static YamlReader.Result read(String text) {
        return read(text.getBytes(UTF_8));
    }

    private static YamlReader.Result read(byte[] content) {
        return new YamlReader(YamlLimits.DEFAULT).read(FILE, content);
    }

    private static Diagnostic onlyError(YamlReader.Result r) {
        assertThat(r.errors()).hasSize(1);
        Diagnostic d = r.errors().get(0);
        assertThat(d.toString()).doesNotContain("\n");
        return d;
    }

    private static List<String> kinds(YamlReader.Result r) {
        return r.documents().stream().map(d -> ((YamlMap) d.root()).text("kind")).toList();
    }

    @Test
    void malformedYamlIsLocatedAndEarlierDocumentsAreKept() {
        YamlReader.Result r = read("""
                kind: First
                ---
                kind: Second
                spec:
                  ports: [80, 443
                  name: x
                ---
                kind: Third
                """);
        assertThat(kinds(r)).containsExactly("First");
        Diagnostic d = onlyError(r);
        assertThat(d.toString()).isEqualTo(
                "bad.yaml:6:7: invalid YAML: expected ',' or ']', but got : (while parsing a flow sequence at line 5)");
    }

    @Test
    void badIndentationNamesTheLineAndColumn() {
        Diagnostic d = onlyError(read("kind: Pod\nmetadata:\n  name: a\n   labels: x\n"));
        assertThat(d.location().line()).isEqualTo(4);
        assertThat(d.location().column()).isEqualTo(10);
        assertThat(d.message()).isEqualTo("invalid YAML: mapping values are not allowed here");
    }

    @Test
    void unclosedQuoteIsReportedWhereTheScannerGaveUp() {
        Diagnostic d = onlyError(read("kind: Pod\nimage: \"nginx\n"));
        assertThat(d.message()).isEqualTo("invalid YAML: found unexpected end of stream (while scanning a quoted scalar at line 2)");
        assertThat(d.location().line()).isEqualTo(3);
    }

    @Test
    void tabIndentationIsAnError() {
        Diagnostic d = onlyError(read("kind: Pod\nspec:\n\tcontainers: []\n"));
        assertThat(d.location().line()).isEqualTo(3);
        assertThat(d.message()).startsWith("invalid YAML:");
    }

    @Test
    void duplicateKeyRejectsItsDocumentOnly() {
        YamlReader.Result r = read("""
                kind: First
                ---
                kind: Second
                metadata:
                  name: a
                  labels: {}
                  name: b
                ---
                kind: Third
                """);
        assertThat(kinds(r)).containsExactly("First", "Third");
        Diagnostic d = onlyError(r);
        assertThat(d.toString()).isEqualTo("bad.yaml:7:3: duplicate key 'name' (first at line 5)");
    }

    @Test
    void duplicateKeyInJson() {
        Diagnostic d = onlyError(read("{\"kind\": \"Pod\", \"kind\": \"Service\"}"));
        assertThat(d.toString()).isEqualTo("bad.yaml:1:17: duplicate key 'kind' (first at line 1)");
    }

    @Test
    void collectionAsKeyIsRejected() {
        Diagnostic d = onlyError(read("? [a, b]\n: c\n"));
        assertThat(d.message()).isEqualTo("a mapping key is itself a collection, which Kubernetes manifests never use");
        assertThat(d.location().line()).isEqualTo(1);
    }

    @Test
    void undefinedAndRecursiveAliasesAreLocated() {
        YamlReader.Result r = read("a: &x 1\n---\nb: *x\n---\nc: &c [*c]\n---\nkind: Last\n");
        assertThat(r.errors()).extracting(Diagnostic::toString).containsExactly(
                "bad.yaml:3:4: alias *x refers to no anchor defined before it",
                "bad.yaml:5:8: recursive alias *c refers to a node that contains it");
        assertThat(r.documents()).hasSize(2);
        assertThat(((YamlMap) r.documents().get(1).root()).text("kind")).isEqualTo("Last");
    }

    /** Nine levels of ten aliases: 10^9 nodes if expanded, rejected once past the budget. */
    static String billionLaughs(int levels) {
        StringBuilder sb = new StringBuilder("a0: &a0 [\"lol\"]\n");
        for (int i = 1; i <= levels; i++) {
            sb.append('a').append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                sb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            sb.append("]\n");
        }
        return sb.toString();
    }

    @Test
    @Timeout(5)
    void billionLaughsIsRejectedQuicklyInBoundedMemory() {
        Runtime rt = Runtime.getRuntime();
        System.gc();
        long before = rt.totalMemory() - rt.freeMemory();
        long start = System.nanoTime();
        YamlReader.Result r = read(billionLaughs(9) + "---\nkind: After\n");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        long grown = rt.totalMemory() - rt.freeMemory() - before;

        assertThat(took).isLessThan(Duration.ofSeconds(1));
        assertThat(grown).isLessThan(200L * 1024 * 1024);
        Diagnostic d = onlyError(r);
        assertThat(d.message()).isEqualTo(
                "document expands to more than 2000000 nodes through aliases (a \"billion laughs\" document?)");
        // levels 0-5 weigh about 235,000 nodes and each alias of a5 another 211,111: the ninth alias of a6 (line 7) crosses two million
        assertThat(d.location().line()).isEqualTo(7);
        assertThat(d.location().column()).isEqualTo(50);
        assertThat(kinds(r)).containsExactly("After");
    }

    @Test
    void aliasesWithinTheBudgetAreFine() {
        YamlReader.Result r = read(billionLaughs(4));
        assertThat(r.errors()).isEmpty();
        YamlMap root = (YamlMap) r.documents().get(0).root();
        assertThat(root.seq("a4").items()).hasSize(10);
        // aliases share the node rather than copying it
        assertThat(root.seq("a4").items().get(3)).isSameAs(root.get("a3"));
    }

    @Test
    void aSmallerAliasBudgetIsHonoured() {
        YamlReader.Result r = new YamlReader(new YamlLimits(1 << 20, 200, 100)).read(FILE, billionLaughs(2).getBytes(UTF_8));
        assertThat(onlyError(r).message()).contains("more than 100 nodes through aliases");
    }

    @Test
    @Timeout(10)
    void tenThousandNestedFlowSequencesAreRejectedWithoutStackOverflow() {
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        YamlReader.Result r = read("kind: Before\n---\n" + deep + "\n---\nkind: After\n");
        Diagnostic d = onlyError(r);
        assertThat(d.toString()).isEqualTo("bad.yaml:3:201: nesting deeper than 200 levels");
        assertThat(kinds(r)).containsExactly("Before", "After");
    }

    @Test
    @Timeout(10)
    void deeplyNestedJsonObjectsAreRejected() {
        String deep = "{\"a\": ".repeat(10_000) + "1" + "}".repeat(10_000);
        Diagnostic d = onlyError(read(deep));
        assertThat(d.message()).isEqualTo("nesting deeper than 200 levels");
        assertThat(d.location().line()).isEqualTo(1);
        assertThat(d.location().column()).isEqualTo(200 * 6 + 1);
    }

    @Test
    @Timeout(10)
    void deeplyNestedBlockMappingsAreRejected() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 2_000; i++) {
            sb.append(" ".repeat(i)).append("k:\n");
        }
        sb.append(" ".repeat(2_000)).append("v\n");
        Diagnostic d = onlyError(read(sb.toString()));
        assertThat(d.toString()).isEqualTo("bad.yaml:201:201: nesting deeper than 200 levels");
    }

    @Test
    void nestingUpToTheLimitIsAccepted() {
        YamlReader.Result r = new YamlReader(new YamlLimits(1 << 20, 3, 1000)).read(FILE, "a: {b: {c: 1}}".getBytes(UTF_8));
        assertThat(r.errors()).isEmpty();
        YamlReader.Result deeper = new YamlReader(new YamlLimits(1 << 20, 3, 1000)).read(FILE, "a: {b: {c: [1]}}".getBytes(UTF_8));
        assertThat(onlyError(deeper).toString()).isEqualTo("bad.yaml:1:12: nesting deeper than 3 levels");
    }

    @Test
    void invalidUtf8NamesTheLineAndColumnOfTheBadByte() {
        byte[] prefix = "kind: Pod\nname: é-".getBytes(UTF_8);
        byte[] content = new byte[prefix.length + 3];
        System.arraycopy(prefix, 0, content, 0, prefix.length);
        content[prefix.length] = (byte) 0xFF;
        content[prefix.length + 1] = 'x';
        content[prefix.length + 2] = '\n';
        YamlReader.Result r = read(content);
        assertThat(r.documents()).isEmpty();
        assertThat(onlyError(r).toString()).isEqualTo("bad.yaml:2:9: invalid UTF-8 (byte 0xFF); save the file as UTF-8");
    }

    @Test
    void truncatedMultiByteSequenceIsInvalidUtf8() {
        // the first two bytes of the three-byte euro sign, then a quote
        byte[] content = {'a', ':', ' ', '"', (byte) 0xE2, (byte) 0x82, '"', '\n'};
        assertThat(onlyError(read(content)).toString()).isEqualTo("bad.yaml:1:5: invalid UTF-8 (byte 0xE2); save the file as UTF-8");
    }

    @Test
    void utf16IsNotUtf8() {
        byte[] content = "kind: Pod\n".getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
        byte[] withBom = new byte[content.length + 2];
        withBom[0] = (byte) 0xFF;
        withBom[1] = (byte) 0xFE;
        System.arraycopy(content, 0, withBom, 2, content.length);
        assertThat(onlyError(read(withBom)).toString()).isEqualTo("bad.yaml:1:1: invalid UTF-8 (byte 0xFF); save the file as UTF-8");
    }

    @Test
    void contentLargerThanTheLimitIsRejectedBeforeParsing() {
        YamlReader reader = new YamlReader(new YamlLimits(1000, 200, 1000));
        YamlReader.Result r = reader.read(FILE, ("kind: Pod\n# " + "x".repeat(2000) + "\n").getBytes(UTF_8));
        assertThat(r.documents()).isEmpty();
        assertThat(onlyError(r).toString()).isEqualTo("bad.yaml:1:1: file is 2.0 KiB, larger than the 1000 bytes limit");

        YamlReader.Result text = reader.read(FILE, "x".repeat(1001));
        assertThat(onlyError(text).toString()).isEqualTo("bad.yaml:1:1: input is larger than the 1000 bytes limit");

        assertThat(reader.read(FILE, "kind: Pod\n".getBytes(UTF_8)).errors()).isEmpty();
    }

    @Test
    void sizesAreDescribedInReadableUnits() {
        assertThat(YamlLimits.describeSize(64L * 1024 * 1024)).isEqualTo("64 MiB");
        assertThat(YamlLimits.describeSize(100L * 1024 * 1024 + 512 * 1024)).isEqualTo("100.5 MiB");
        assertThat(YamlLimits.describeSize(1536)).isEqualTo("1.5 KiB");
        assertThat(YamlLimits.describeSize(10)).isEqualTo("10 bytes");
    }
}
