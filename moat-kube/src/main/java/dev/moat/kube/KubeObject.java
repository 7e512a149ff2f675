package dev.moat.kube;

import dev.moat.core.Annotation;
import dev.moat.core.ObjectRef;
import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import java.util.List;
import java.util.Map;

/**
 * One Kubernetes object as the user wrote it: identity, labels and annotations, the full
 * position-aware body for rules to read any field, and where the object starts.
 */
public record KubeObject(
        String apiVersion,
        String kind,
        String namespace,
        String name,
        Map<String, String> labels,
        List<Annotation> annotations,
        YamlMap body,
        SourceLocation location) {

    public KubeObject {
        labels = Map.copyOf(labels);
        annotations = List.copyOf(annotations);
    }

    public ObjectRef ref() {
        return new ObjectRef(kind, namespace, name);
    }

    /** The API group, empty for the core group ({@code v1}). */
    public String group() {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? "" : apiVersion.substring(0, slash);
    }

    public YamlMap spec() {
        YamlMap spec = body.map("spec");
        return spec == null ? YamlMap.empty(body.location()) : spec;
    }

    public String annotation(String key) {
        return annotations.stream().filter(a -> a.key().equals(key)).map(Annotation::value).findFirst().orElse(null);
    }
}
