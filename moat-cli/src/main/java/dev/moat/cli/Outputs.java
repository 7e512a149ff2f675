package dev.moat.cli;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes command output to a file (creating its folder) or to standard output. */
final class Outputs {

    /** Something that renders itself onto a writer. */
    @FunctionalInterface
    interface Body {
        void writeTo(Writer w) throws IOException;
    }

    private Outputs() {
    }

    static void write(Path file, PrintWriter stdout, Body body) {
        try {
            if (file == null) {
                Writer buffered = new BufferedWriter(stdout, 1 << 16);
                body.writeTo(buffered);
                buffered.flush();
                return;
            }
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file), StandardCharsets.UTF_8))) {
                body.writeTo(w);
            }
        } catch (IOException e) {
            throw new UsageError("cannot write " + (file == null ? "the output" : file) + ": " + e.getMessage());
        }
    }
}
