package dev.moat.cli;

import dev.moat.core.config.ConfigException;
import dev.moat.core.config.MoatConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import picocli.CommandLine.Option;

/** Finds and reads {@code .moat.yaml}: the --config file, else the nearest one from the working folder up. */
final class ConfigOptions {

    static final String FILE_NAME = ".moat.yaml";

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "Configuration file (default: the nearest " + FILE_NAME + " from the working folder up).")
    Path config;

    MoatConfig load(Set<String> knownRules) {
        Path file = config != null ? config : discover(Path.of("").toAbsolutePath());
        if (file == null) {
            return MoatConfig.NONE;
        }
        try {
            return MoatConfig.parse(file.toString(), Files.readAllBytes(file), knownRules);
        } catch (IOException e) {
            throw new UsageError("cannot read config " + file + ": " + e.getMessage());
        } catch (ConfigException e) {
            throw new UsageError("config: " + e.getMessage());
        }
    }

    private static Path discover(Path from) {
        for (Path dir = from; dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(FILE_NAME);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
