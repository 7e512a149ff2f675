package dev.moat.core.yaml;

import dev.moat.core.SourceLocation;

/** One document of a YAML stream (or a whole JSON file); root is null for an empty document. */
public record YamlDocument(YamlNode root, SourceLocation start) {
}
