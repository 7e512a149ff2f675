package dev.moat.core.yaml;

import dev.moat.core.SourceLocation;

/**
 * An immutable YAML/JSON value that remembers where it was written. Aliases share the anchored node,
 * so a tree may be a DAG; {@link YamlReader} bounds its expanded size.
 */
public sealed interface YamlNode permits YamlMap, YamlSeq, YamlScalar {

    SourceLocation location();

    /** The text of a scalar, or null for collections and YAML nulls. */
    default String text() {
        return null;
    }
}
