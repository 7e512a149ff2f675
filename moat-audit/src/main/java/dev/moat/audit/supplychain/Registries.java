package dev.moat.audit.supplychain;

import dev.moat.audit.rules.ImageReference;
import java.util.List;
import java.util.Locale;

/**
 * An allowlist of registries or repository prefixes ({@code ghcr.io}, {@code ghcr.io/acme},
 * {@code docker.io/library}). Images are compared by their fully qualified name, the way the
 * container runtime resolves them: no registry means Docker Hub, and a one-part Docker Hub name
 * means {@code library/}.
 */
record Registries(List<String> allowed) {

    private static final String DOCKER_HUB = "docker.io";

    Registries {
        allowed = allowed.stream().map(Registries::normalizeEntry).filter(e -> !e.isEmpty()).toList();
    }

    boolean isEmpty() {
        return allowed.isEmpty();
    }

    boolean allows(String image) {
        String name = qualifiedName(image);
        return allowed.stream().anyMatch(entry -> name.equals(entry) || name.startsWith(entry + "/"));
    }

    /** {@code nginx} is {@code docker.io/library/nginx}; the tag and digest are dropped. */
    static String qualifiedName(String image) {
        String repository = ImageReference.parse(image).repository();
        int slash = repository.indexOf('/');
        String first = slash < 0 ? "" : repository.substring(0, slash);
        boolean hasRegistry = first.contains(".") || first.contains(":") || first.equals("localhost");
        if (!hasRegistry) {
            return DOCKER_HUB + "/" + (slash < 0 ? "library/" + repository : repository);
        }
        return canonicalHost(first.toLowerCase(Locale.ROOT)) + repository.substring(slash);
    }

    /** The registry part of {@link #qualifiedName}. */
    static String registry(String image) {
        String name = qualifiedName(image);
        return name.substring(0, name.indexOf('/'));
    }

    private static String normalizeEntry(String entry) {
        String e = entry.trim().replaceFirst("^[a-z]+://", "");
        while (e.endsWith("/")) {
            e = e.substring(0, e.length() - 1);
        }
        int slash = e.indexOf('/');
        String host = canonicalHost((slash < 0 ? e : e.substring(0, slash)).toLowerCase(Locale.ROOT));
        return slash < 0 ? host : host + e.substring(slash);
    }

    private static String canonicalHost(String host) {
        return host.equals("index.docker.io") || host.equals("registry-1.docker.io") ? DOCKER_HUB : host;
    }
}
