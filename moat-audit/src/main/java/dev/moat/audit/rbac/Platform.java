package dev.moat.audit.rbac;

import dev.moat.core.config.RuleSettings;
import java.util.List;

/**
 * Which subjects belong to the platform and may hold powerful rights: the API server's own
 * ({@code system:} names, except those standing for everyone or for ordinary service accounts) plus
 * the {@code platformSubjects} setting. An entry is a user or group name, a service account as
 * {@code namespace/name}, or every service account of a namespace as {@code namespace/*}; the default
 * is {@code kube-system/*}.
 */
public record Platform(List<String> subjects) {

    public static final String SETTING = "platformSubjects";
    public static final Platform DEFAULT = new Platform(List.of("kube-system/*"));

    public Platform {
        subjects = List.copyOf(subjects);
    }

    public static Platform from(RuleSettings settings) {
        return new Platform(settings.list(SETTING, DEFAULT.subjects));
    }

    public boolean includes(Subject s) {
        if (s.isEveryone()) {
            return false;
        }
        if (s.name().startsWith("system:") && !s.name().startsWith("system:serviceaccount")) {
            return true;
        }
        if (s.isServiceAccount()) {
            return subjects.contains(s.namespace() + "/" + s.name()) || subjects.contains(s.namespace() + "/*");
        }
        return subjects.contains(s.name());
    }
}
