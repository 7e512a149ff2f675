package dev.moat.reach.output;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.moat.reach.Connection;
import dev.moat.reach.Endpoint;
import dev.moat.reach.WorkloadPeer;
import java.io.IOException;
import java.io.Writer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Connection-list formats, each as np-guard/netpol-analyzer writes it so outputs can be diffed
 * across the two tools: {@code connlist} text lines, JSON, CSV, Markdown and Graphviz DOT.
 */
public enum ConnlistFormat {
    CONNLIST {
        @Override
        public void write(List<Connection> connections, Writer out) throws IOException {
            for (Connection c : connections) {
                out.write(c.connlistLine());
                out.write('\n');
            }
        }
    },
    JSON {
        @Override
        public void write(List<Connection> connections, Writer out) throws IOException {
            try (JsonGenerator json = JSON_FACTORY.createGenerator(out)) {
                json.useDefaultPrettyPrinter();
                json.writeStartArray();
                for (Connection c : connections) {
                    json.writeStartObject();
                    json.writeStringField("src", c.source().display());
                    json.writeStringField("dst", c.destination().display());
                    json.writeStringField("conn", c.allowed().toString());
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            out.write('\n');
        }
    },
    CSV {
        @Override
        public void write(List<Connection> connections, Writer out) throws IOException {
            out.write("src,dst,conn\n");
            for (Connection c : connections) {
                out.write(csv(c.source().display()) + "," + csv(c.destination().display()) + "," + csv(c.allowed().toString()) + "\n");
            }
        }
    },
    MD {
        @Override
        public void write(List<Connection> connections, Writer out) throws IOException {
            out.write("| src | dst | conn |\n|-----|-----|------|\n");
            for (Connection c : connections) {
                out.write("| " + c.source().display() + " | " + c.destination().display() + " | " + c.allowed() + " |\n");
            }
        }
    },
    DOT {
        @Override
        public void write(List<Connection> connections, Writer out) throws IOException {
            Map<String, Map<String, Endpoint>> byNamespace = new LinkedHashMap<>();
            for (Connection c : connections) {
                for (Endpoint e : List.of(c.source(), c.destination())) {
                    byNamespace.computeIfAbsent(e instanceof WorkloadPeer w ? w.namespace() : "", k -> new java.util.TreeMap<>())
                            .putIfAbsent(e.display(), e);
                }
            }
            out.write("digraph {\n");
            for (Map.Entry<String, Map<String, Endpoint>> ns : new java.util.TreeMap<>(byNamespace).entrySet()) {
                if (!ns.getKey().isEmpty()) {
                    out.write("\tsubgraph " + quote("cluster_" + ns.getKey()) + " {\n");
                    out.write("\t\tlabel=" + quote(ns.getKey() + "[namespace]") + "\n");
                }
                for (Endpoint e : ns.getValue().values()) {
                    String label = e instanceof WorkloadPeer w ? w.name() + "[" + w.kind() + "]" : e.display();
                    String shape = e instanceof WorkloadPeer ? "box" : "ellipse";
                    out.write((ns.getKey().isEmpty() ? "\t" : "\t\t") + quote(e.display()) + " [label=" + quote(label)
                            + " shape=" + shape + "]\n");
                }
                if (!ns.getKey().isEmpty()) {
                    out.write("\t}\n");
                }
            }
            for (Connection c : connections) {
                out.write("\t" + quote(c.source().display()) + " -> " + quote(c.destination().display()) + " [label="
                        + quote(c.allowed().toString()) + "]\n");
            }
            out.write("}\n");
        }
    };

    /** Jackson's streaming writer: a million connections need no object tree. Never closes the caller's writer. */
    public static final JsonFactory JSON_FACTORY = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);

    /** Writes every connection, in the order given (the engine's sorted order). */
    public abstract void write(List<Connection> connections, Writer out) throws IOException;

    public static ConnlistFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format '" + name + "' (expected one of: "
                    + Arrays.stream(values()).map(v -> v.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")) + ")");
        }
    }

    /** A DOT double-quoted ID. */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (ch < 0x20) {
                        sb.append(String.format("\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    static String csv(String s) {
        return s.contains(",") || s.contains("\"") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}
