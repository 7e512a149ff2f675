package dev.moat.audit.rules;

/**
 * An image reference split the way container runtimes read it:
 * {@code [registry/]repository[:tag][@digest]}. A colon belongs to the tag only after the last slash,
 * so {@code registry:5000/model} has a port, not a tag.
 */
public record ImageReference(String repository, String tag, String digest) {

    public static ImageReference parse(String image) {
        String rest = image.trim();
        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
        }
        String tag = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        return new ImageReference(rest, tag, digest);
    }

    public boolean pinnedByDigest() {
        return digest != null && digest.matches("sha256:[0-9a-f]{64}|sha512:[0-9a-f]{128}");
    }
}
