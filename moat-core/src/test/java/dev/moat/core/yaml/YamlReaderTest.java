package dev.moat.core.yaml;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.moat.core.SourceLocation;
import java.util.List;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Positions, document splitting, Helm templates, merge keys and scalar meaning of well-formed input. */
class YamlReaderTest {

    private static final String FILE = "in.yaml";

    static YamlReader.Result read(String text) {
        return new YamlReader(YamlLimits.DEFAULT).read(FILE, text.getBytes(UTF_8));
    }

    static YamlNode onlyRoot(String text) {
        YamlReader.Result r = read(text);
        assertThat(r.errors()).isEmpty();
        assertThat(r.documents()).hasSize(1);
        return r.documents().get(0).root();
    }

    static void assertAt(SourceLocation l, int line, int column) {
        assertThat(l.file()).isEqualTo(FILE);
        assertThat(l.line()).as("line of %s", l).isEqualTo(line);
        assertThat(l.column()).as("column of %s", l).isEqualTo(column);
    }

    @Nested
    class BlockYaml {

        private final YamlMap root = (YamlMap) onlyRoot("""
                apiVersion: v1
                kind: Pod
                metadata:
                  name: web
                  labels:
                    app: web
                spec:
                  containers:
                    - name: nginx
                      image: nginx:1.25
                      args:
                      - --port
                      -   "8080"
                """);

        @Test
        void keysPointAtTheirFirstCharacter() {
            assertAt(root.location(), 1, 1);
            assertAt(root.entry("apiVersion").keyLocation(), 1, 1);
            assertAt(root.entry("kind").keyLocation(), 2, 1);
            assertAt(root.map("metadata").entry("name").keyLocation(), 4, 3);
            assertAt(root.path("metadata", "labels").entry("app").keyLocation(), 6, 5);
        }

        @Test
        void valuesPointAtTheValueNotTheKey() {
            assertAt(root.get("apiVersion").location(), 1, 13);
            assertAt(root.get("kind").location(), 2, 7);
            assertAt(root.path("metadata").get("name").location(), 4, 9);
            // a nested block mapping starts at its first key, on the next line
            assertAt(root.get("metadata").location(), 4, 3);
        }

        @Test
        void sequenceItemsPointAtTheItemAfterTheDash() {
            YamlSeq containers = root.map("spec").seq("containers");
            assertAt(containers.location(), 9, 5);
            YamlMap nginx = containers.maps().findFirst().orElseThrow();
            assertAt(nginx.location(), 9, 7);
            assertAt(nginx.entry("image").keyLocation(), 10, 7);
            assertAt(nginx.get("image").location(), 10, 14);
            YamlSeq args = nginx.seq("args");
            assertThat(args.texts()).containsExactly("--port", "8080");
            // an indentless sequence starts at its first dash
            assertAt(args.location(), 12, 7);
            assertAt(args.items().get(0).location(), 12, 9);
            assertAt(args.items().get(1).location(), 13, 11);
        }

        @Test
        void keepsKeyOrder() {
            assertThat(root.entries().keySet()).containsExactly("apiVersion", "kind", "metadata", "spec");
        }
    }

    @Nested
    class Json {

        @Test
        void singleLineJsonHasColumnsOfEveryToken() {
            YamlMap root = (YamlMap) onlyRoot("{\"kind\": \"Pod\", \"spec\": {\"containers\": [{\"name\": \"a\"}, {\"name\": \"b\"}]}}");
            assertAt(root.location(), 1, 1);
            assertAt(root.entry("kind").keyLocation(), 1, 2);
            assertAt(root.get("kind").location(), 1, 10);
            assertAt(root.entry("spec").keyLocation(), 1, 17);
            YamlSeq containers = root.map("spec").seq("containers");
            assertAt(containers.location(), 1, 40);
            assertAt(containers.items().get(0).location(), 1, 41);
            assertAt(containers.items().get(1).location(), 1, 56);
            assertAt(((YamlMap) containers.items().get(1)).get("name").location(), 1, 65);
            assertThat(containers.maps().map(m -> m.text("name"))).containsExactly("a", "b");
        }

        @Test
        void prettyJsonHasLinesAndColumns() {
            YamlMap root = (YamlMap) onlyRoot("""
                    {
                      "apiVersion": "v1",
                      "items": [
                        {
                          "kind": "ConfigMap"
                        },
                        42
                      ]
                    }
                    """);
            assertAt(root.location(), 1, 1);
            assertAt(root.entry("apiVersion").keyLocation(), 2, 3);
            assertAt(root.get("apiVersion").location(), 2, 17);
            YamlSeq items = root.seq("items");
            assertAt(items.location(), 3, 12);
            assertAt(items.items().get(0).location(), 4, 5);
            assertAt(((YamlMap) items.items().get(0)).entry("kind").keyLocation(), 5, 7);
            assertAt(items.items().get(1).location(), 7, 5);
            assertThat(items.items().get(1).text()).isEqualTo("42");
        }

        @Test
        void jsonLiteralsAndStrings() {
            YamlMap root = (YamlMap) onlyRoot("{\"a\": true, \"b\": \"true\", \"c\": null, \"d\": \"null\", \"e\": 1.50}");
            assertThat(root.bool("a")).isTrue();
            assertThat(((YamlScalar) root.get("a")).plain()).isTrue();
            assertThat(((YamlScalar) root.get("b")).plain()).isFalse();
            assertThat(root.text("c")).isNull();
            assertThat(root.text("d")).isEqualTo("null");
            // numbers stay as written: Kubernetes fields decide their type
            assertThat(root.text("e")).isEqualTo("1.50");
        }
    }

    @Nested
    class Documents {

        @Test
        void multiDocumentStreamKeepsEachDocumentsOwnLines() {
            YamlReader.Result r = read("""
                    a: 1
                    ---
                    b: 2
                    ---
                    # only a comment
                    c: 3
                    """);
            assertThat(r.errors()).isEmpty();
            assertThat(r.documents()).hasSize(3);
            assertAt(r.documents().get(0).start(), 1, 1);
            assertAt(r.documents().get(1).start(), 2, 1);
            assertAt(((YamlMap) r.documents().get(1).root()).entry("b").keyLocation(), 3, 1);
            assertAt(((YamlMap) r.documents().get(2).root()).entry("c").keyLocation(), 6, 1);
        }

        @Test
        void emptyDocumentsHaveNoContent() {
            YamlReader.Result r = read("---\n---\n# nothing\n---\nkind: Pod\n...\n");
            assertThat(r.errors()).isEmpty();
            // the parser skips them; the reader reports them as documents without content
            List<YamlNode> roots = r.documents().stream().map(YamlDocument::root).toList();
            assertThat(roots).hasSize(3);
            assertThat(roots.subList(0, 2)).allSatisfy(n -> assertThat(n == null || n instanceof YamlScalar s && s.isNull()).isTrue());
            assertThat(((YamlMap) roots.get(2)).text("kind")).isEqualTo("Pod");
        }

        @Test
        void emptyInputHasNoDocumentsAndNoErrors() {
            YamlReader.Result r = read("");
            assertThat(r.errors()).isEmpty();
            assertThat(r.documents()).isEmpty();
        }

        @Test
        void crlfLineEndingsCountAsOneLine() {
            YamlMap root = (YamlMap) onlyRoot("a: 1\r\nb:\r\n  c: x\r\n");
            assertAt(root.map("b").entry("c").keyLocation(), 3, 3);
            assertAt(root.map("b").get("c").location(), 3, 6);
        }

        @Test
        void columnsCountCharactersNotBytes() {
            YamlMap root = (YamlMap) onlyRoot("é: ünïcode\nx: [😀, y]\n");
            assertAt(root.get("é").location(), 1, 4);
            assertAt(root.seq("x").items().get(1).location(), 2, 8);
        }
    }

    @Nested
    class HelmSourceComments {

        private final YamlReader.Result r = read("""
                ---
                # Source: llm/templates/service.yaml
                apiVersion: v1
                kind: Service
                metadata:
                  name: llm
                spec:
                  ports:
                  - port: 80
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: hand-written
                ---
                # Source: llm/templates/deployment.yaml
                apiVersion: apps/v1
                kind: Deployment
                """);

        @Test
        void templateAttachesToEveryLocationOfItsDocument() {
            assertThat(r.errors()).isEmpty();
            YamlMap service = (YamlMap) r.documents().get(0).root();
            String t = "llm/templates/service.yaml";
            assertThat(r.documents().get(0).start().template()).isEqualTo(t);
            assertThat(service.location().template()).isEqualTo(t);
            assertThat(service.entry("kind").keyLocation().template()).isEqualTo(t);
            YamlMap port = service.map("spec").maps("ports").get(0);
            assertThat(port.location().template()).isEqualTo(t);
            assertThat(port.get("port").location().template()).isEqualTo(t);
            assertThat(port.get("port").location().describe()).isEqualTo("in.yaml:9:11 (llm/templates/service.yaml)");
        }

        @Test
        void aDocumentWithoutSourceCommentGetsNoTemplate() {
            YamlMap configMap = (YamlMap) r.documents().get(1).root();
            assertThat(configMap.location().template()).isNull();
            assertThat(configMap.map("metadata").get("name").location().template()).isNull();
            assertThat(r.documents().get(1).start().template()).isNull();
            assertThat(r.documents().get(1).start().describe()).isEqualTo("in.yaml:10:1");
        }

        @Test
        void theNextSourceCommentStartsAgain() {
            YamlMap deployment = (YamlMap) r.documents().get(2).root();
            assertThat(deployment.location().template()).isEqualTo("llm/templates/deployment.yaml");
            assertAt(deployment.entry("kind").keyLocation(), 18, 1);
        }

        @Test
        void aSyntaxErrorNamesItsDocumentsTemplate() {
            YamlReader.Result bad = read("""
                    ---
                    # Source: llm/templates/ok.yaml
                    a: 1
                    ---
                    # Source: llm/templates/broken.yaml
                    ]
                    """);
            assertThat(bad.documents()).hasSize(1);
            assertThat(bad.errors()).singleElement().satisfies(e -> {
                assertThat(e.location().template()).isEqualTo("llm/templates/broken.yaml");
                assertThat(e.toString()).startsWith("in.yaml:6:1 (llm/templates/broken.yaml): invalid YAML:");
            });
        }
    }

    @Nested
    class MergeKeysAndAliases {

        private final YamlMap root = (YamlMap) onlyRoot("""
                base: &base
                  image: vllm/vllm-openai
                  pullPolicy: Always
                extra: &extra
                  tty: true
                one:
                  <<: *base
                  pullPolicy: IfNotPresent
                two:
                  name: two
                  <<: [*base, *extra]
                alias: *base
                """);

        @Test
        void mergedKeysFillInWhatTheMappingDoesNotSay() {
            YamlMap one = root.map("one");
            assertThat(one.text("image")).isEqualTo("vllm/vllm-openai");
            assertThat(one.text("pullPolicy")).isEqualTo("IfNotPresent");
            assertThat(one.entries()).doesNotContainKey("<<");
            // an explicit key keeps its own location; a merged one points at the anchored definition
            assertAt(one.entry("pullPolicy").keyLocation(), 8, 3);
            assertAt(one.entry("image").keyLocation(), 2, 3);
        }

        @Test
        void aListOfMergedMappings() {
            YamlMap two = root.map("two");
            assertThat(two.entries().keySet()).containsExactly("name", "image", "pullPolicy", "tty");
            assertThat(two.bool("tty")).isTrue();
        }

        @Test
        void anAliasIsTheAnchoredNode() {
            assertThat(root.get("alias")).isSameAs(root.get("base"));
        }

        @Test
        void mergeOfAScalarIsRejected() {
            YamlReader.Result r = read("a: &a x\nb:\n  <<: *a\n");
            assertThat(r.documents()).isEmpty();
            assertThat(r.errors()).singleElement().hasToString("in.yaml:3:7: merge key '<<' needs a mapping or a list of mappings");
        }
    }

    @Nested
    class Scalars {

        private final YamlMap root = (YamlMap) onlyRoot("""
                plainTrue: true
                quotedTrue: "true"
                singleQuoted: 'True'
                taggedTrue: !!str true
                tilde: ~
                word: null
                capital: Null
                upper: NULL
                empty:
                quotedNull: "null"
                quotedEmpty: ""
                no: no
                number: 0777
                """);

        @Test
        void plainOnlyWhenUnquotedAndUntagged() {
            assertThat(((YamlScalar) root.get("plainTrue")).plain()).isTrue();
            assertThat(((YamlScalar) root.get("quotedTrue")).plain()).isFalse();
            assertThat(((YamlScalar) root.get("singleQuoted")).plain()).isFalse();
            assertThat(((YamlScalar) root.get("taggedTrue")).plain()).isFalse();
        }

        @Test
        void booleansAreLenientAsKubernetesDecodesThem() {
            assertThat(root.bool("plainTrue")).isTrue();
            assertThat(root.bool("quotedTrue")).isTrue();
            assertThat(root.bool("singleQuoted")).isTrue();
            // YAML 1.2: 'no' is a string, not false
            assertThat(root.bool("no")).isNull();
            assertThat(root.text("no")).isEqualTo("no");
        }

        @Test
        void nullFormsOnlyWhenPlain() {
            for (String key : List.of("tilde", "word", "capital", "upper", "empty")) {
                assertThat(((YamlScalar) root.get(key)).isNull()).as(key).isTrue();
                assertThat(root.text(key)).as(key).isNull();
            }
            assertThat(root.text("quotedNull")).isEqualTo("null");
            assertThat(root.text("quotedEmpty")).isEqualTo("");
            assertThat(root.text("number")).isEqualTo("0777");
        }

        @Test
        void blockScalarsKeepTheirText() {
            YamlMap m = (YamlMap) onlyRoot("script: |\n  echo a\n  echo b\nfolded: >-\n  one\n  two\n");
            assertThat(m.text("script")).isEqualTo("echo a\necho b\n");
            assertThat(m.text("folded")).isEqualTo("one two");
            assertAt(m.get("script").location(), 1, 9);
        }
    }

    @Nested
    class ByteOrderMark {

        @Test
        void utf8BomIsSkippedAndColumnsStartAfterIt() {
            byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
            byte[] body = "kind: Pod\nspec: {}\n".getBytes(UTF_8);
            byte[] content = new byte[bom.length + body.length];
            System.arraycopy(bom, 0, content, 0, bom.length);
            System.arraycopy(body, 0, content, bom.length, body.length);
            YamlReader.Result r = new YamlReader(YamlLimits.DEFAULT).read(FILE, content);
            assertThat(r.errors()).isEmpty();
            YamlMap root = (YamlMap) r.documents().get(0).root();
            assertThat(root.entries()).containsOnlyKeys("kind", "spec");
            assertAt(root.entry("kind").keyLocation(), 1, 1);
            assertAt(root.get("kind").location(), 1, 7);
        }

        @Test
        void bomInAStringIsSkippedToo() {
            YamlReader.Result r = new YamlReader(YamlLimits.DEFAULT).read(FILE, "\uFEFFkind: Pod\n");
            assertThat(r.errors()).isEmpty();
            assertThat(((YamlMap) r.documents().get(0).root()).text("kind")).isEqualTo("Pod");
        }
    }
}
