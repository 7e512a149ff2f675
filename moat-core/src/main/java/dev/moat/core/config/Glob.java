package dev.moat.core.config;

import java.util.Arrays;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** The {@code *} wildcards of config files: exemptions and workload selectors. */
public final class Glob {

    private Glob() {
    }

    /** A null pattern or {@code *} matches anything; other characters match themselves. */
    public static boolean matches(String pattern, String value) {
        if (pattern == null || pattern.equals("*")) {
            return true;
        }
        if (!pattern.contains("*")) {
            return pattern.equals(value);
        }
        String regex = Arrays.stream(pattern.split("\\*", -1)).map(Pattern::quote).collect(Collectors.joining(".*"));
        return value.matches(regex);
    }
}
