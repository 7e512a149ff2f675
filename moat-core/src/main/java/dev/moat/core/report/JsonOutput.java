package dev.moat.core.report;

import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;

/** Writing for the JSON-based formats, so JSON and SARIF look alike and behave alike. */
final class JsonOutput {

    private static final DefaultIndenter INDENTER = new DefaultIndenter("  ", "\n");

    // "\n" rather than the platform line separator keeps output byte-identical across operating systems.
    private static final ObjectWriter WRITER = JsonMapper.builder()
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .build()
            .writer(new DefaultPrettyPrinter()
                    .withSeparators(Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                    .withObjectIndenter(INDENTER)
                    .withArrayIndenter(INDENTER));

    private JsonOutput() {
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** Adds the field only when there is a value: optional fields are absent, never null or empty. */
    static ObjectNode putIfPresent(ObjectNode node, String field, String value) {
        return value == null || value.isEmpty() ? node : node.put(field, value);
    }

    static void write(JsonNode document, Writer out) throws IOException {
        WRITER.writeValue(out, document);
        out.write('\n');
        out.flush();
    }
}
