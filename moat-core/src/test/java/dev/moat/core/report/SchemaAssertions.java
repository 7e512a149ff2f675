package dev.moat.core.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Loads JSON Schemas from disk or the classpath and validates documents against them. */
final class SchemaAssertions {

    private SchemaAssertions() {
    }

    static JsonSchema load(SpecVersion.VersionFlag version, InputStream schema) {
        // Format keywords ("uri", "date") are only annotations unless asked for, and they matter here.
        SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
        return JsonSchemaFactory.getInstance(version).getSchema(schema, config);
    }

    static JsonSchema load(SpecVersion.VersionFlag version, Path schema) {
        try (InputStream in = Files.newInputStream(schema)) {
            return load(version, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonSchema loadResource(SpecVersion.VersionFlag version, String name) {
        try (InputStream in = SchemaAssertions.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + name);
            }
            return load(version, in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The violations, as readable strings so a failing assertion says what is wrong. */
    static List<String> violations(JsonSchema schema, JsonNode document) {
        return schema.validate(document).stream().map(ValidationMessage::toString).sorted().toList();
    }
}
