package dev.moat.kube;

import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import dev.moat.core.yaml.YamlSeq;
import java.util.List;

/** A container of a pod spec; {@code body} keeps every field with its location. */
public record Container(String name, Type type, String image, YamlMap body) {

    public enum Type {
        INIT("init container"), REGULAR("container"), EPHEMERAL("ephemeral container");

        private final String noun;

        Type(String noun) {
            this.noun = noun;
        }

        public String noun() {
            return noun;
        }
    }

    public SourceLocation location() {
        return body.location();
    }

    /** {@code container 'vllm'} or {@code init container 'fetch-model'}, for messages. */
    public String describe() {
        return type.noun() + " '" + name + "'";
    }

    public YamlMap securityContext() {
        return body.map("securityContext");
    }

    public YamlMap resources() {
        return body.map("resources");
    }

    public List<YamlMap> env() {
        return body.maps("env");
    }

    public List<String> command() {
        YamlSeq s = body.seq("command");
        return s == null ? List.of() : s.texts();
    }

    public List<String> args() {
        YamlSeq s = body.seq("args");
        return s == null ? List.of() : s.texts();
    }

    public List<YamlMap> ports() {
        return body.maps("ports");
    }
}
