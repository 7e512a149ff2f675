package dev.moat.audit.supplychain;

import java.util.regex.Pattern;

/**
 * What counts as pinned content for model downloads: a full Git commit (Hugging Face revisions are
 * commits) or a sha256 digest. Branches and tags such as {@code main} or {@code v1} can be moved.
 */
final class Pins {

    private static final Pattern COMMIT = Pattern.compile("(?<![0-9a-fA-F])[0-9a-f]{40}(?![0-9a-fA-F])");
    private static final Pattern SHA256 = Pattern.compile("(?<![0-9a-fA-F])[0-9a-f]{64}(?![0-9a-fA-F])");

    private Pins() {
    }

    static boolean isCommit(String revision) {
        return revision != null && COMMIT.matcher(revision).matches();
    }

    /** True when the text names a commit or a sha256 digest anywhere (a URL path, a --revision flag). */
    static boolean mentionsPin(String text) {
        return COMMIT.matcher(text).find() || SHA256.matcher(text).find();
    }

    /** Templated or placeholder values ({@code <image-ref>}, {@code ${BUCKET}}, {@code {{.Name}}}) say nothing yet. */
    static boolean isPlaceholder(String text) {
        return text.contains("<") || text.contains("${") || text.contains("{{") || text.contains("$(");
    }

    /** A URL without credentials or query string, safe to print as evidence. */
    static String sanitizeUrl(String url) {
        String out = url.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]*@", "$1");
        int q = out.indexOf('?');
        return q < 0 ? out : out.substring(0, q);
    }
}
