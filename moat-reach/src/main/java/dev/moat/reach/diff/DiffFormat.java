package dev.moat.reach.diff;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.moat.reach.output.ConnlistFormat;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Locale;

/** Text and JSON renderings of a {@link ConnectivityDiff}. */
public enum DiffFormat {
    TEXT {
        @Override
        public void write(ConnectivityDiff diff, Writer out) throws IOException {
            if (diff.isEmpty()) {
                out.write("No connectivity changes.\n");
                return;
            }
            for (ConnectivityDiff.Change c : diff.changes()) {
                String pair = c.source() + " => " + c.destination() + " : ";
                out.write(switch (c.kind()) {
                    case ADDED -> "added    " + pair + c.after();
                    case REMOVED -> "removed  " + pair + c.before();
                    case CHANGED -> "changed  " + pair + c.before() + " -> " + c.after();
                });
                out.write('\n');
            }
            for (String w : diff.addedWorkloads()) {
                out.write("workload added:   " + w + "\n");
            }
            for (String w : diff.removedWorkloads()) {
                out.write("workload removed: " + w + "\n");
            }
            long added = diff.changes().stream().filter(c -> c.kind() == ConnectivityDiff.Kind.ADDED).count();
            long removed = diff.changes().stream().filter(c -> c.kind() == ConnectivityDiff.Kind.REMOVED).count();
            long changed = diff.changes().size() - added - removed;
            out.write(added + " added, " + removed + " removed, " + changed + " changed\n");
        }
    },
    JSON {
        @Override
        public void write(ConnectivityDiff diff, Writer out) throws IOException {
            try (JsonGenerator json = ConnlistFormat.JSON_FACTORY.createGenerator(out)) {
                json.useDefaultPrettyPrinter();
                json.writeStartObject();
                json.writeArrayFieldStart("changes");
                for (ConnectivityDiff.Change c : diff.changes()) {
                    json.writeStartObject();
                    json.writeStringField("diff", c.kind().name().toLowerCase(Locale.ROOT));
                    json.writeStringField("src", c.source());
                    json.writeStringField("dst", c.destination());
                    json.writeStringField("before", c.before().isEmpty() ? "" : c.before().toString());
                    json.writeStringField("after", c.after().isEmpty() ? "" : c.after().toString());
                    json.writeEndObject();
                }
                json.writeEndArray();
                writeList(json, "workloadsAdded", diff.addedWorkloads());
                writeList(json, "workloadsRemoved", diff.removedWorkloads());
                json.writeEndObject();
            }
            out.write('\n');
        }
    };

    public abstract void write(ConnectivityDiff diff, Writer out) throws IOException;

    public static DiffFormat parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown format '" + name + "' (expected text or json)");
        }
    }

    private static void writeList(JsonGenerator json, String field, List<String> items) throws IOException {
        json.writeArrayFieldStart(field);
        for (String item : items) {
            json.writeString(item);
        }
        json.writeEndArray();
    }
}
