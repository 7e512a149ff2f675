package dev.moat.audit.secrets;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.moat.audit.SecretPatterns;
import dev.moat.core.SourceLocation;
import dev.moat.core.yaml.YamlMap;
import dev.moat.kube.KubeObject;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** The values a Secret or ConfigMap stores, decoded to the text a pod would read. */
final class DataValues {

    /** One stored value; {@code field} is the map it sits in ({@code data}, {@code stringData}, {@code binaryData}). */
    record Value(String field, String key, String text, SourceLocation location) {

        /** {@code data.HF_TOKEN}, for messages. */
        String path() {
            return field + "." + key;
        }

        /**
         * The credential the value holds. The key takes part in the search because it is the keyword
         * that anchors formats without a prefix ({@code AWS_SECRET_ACCESS_KEY}, {@code WANDB_API_KEY}).
         */
        Optional<SecretPatterns.Match> credential() {
            return SecretPatterns.find(key + "=" + text);
        }
    }

    private static final Pattern PLACEHOLDER = Pattern.compile(
            "(?i)^(changeme|change-me|xxx+|\\*+|<.*>|\\$\\{.*}|\\$\\(.*\\)|\\{\\{.*}}|replace.*|your.*|dummy|none|null|"
                    + "todo|tbd)$", Pattern.DOTALL);
    /** Below this length a value is a flag, port or name rather than something worth protecting. */
    private static final int MIN_SECRET_LENGTH = 8;
    private static final List<String> PUBLIC_PEM = List.of("-----BEGIN CERTIFICATE-----", "-----BEGIN PUBLIC KEY-----");

    private DataValues() {
    }

    static boolean isSecret(KubeObject o) {
        return o.kind().equals("Secret") && o.group().isEmpty();
    }

    static boolean isConfigMap(KubeObject o) {
        return o.kind().equals("ConfigMap") && o.group().isEmpty();
    }

    /** Secret {@code data} (base64) and {@code stringData}; ConfigMap {@code data} and {@code binaryData} (base64). */
    static List<Value> of(KubeObject o) {
        List<Value> out = new ArrayList<>();
        if (isSecret(o)) {
            add(out, o.body(), "data", true);
            add(out, o.body(), "stringData", false);
        } else if (isConfigMap(o)) {
            add(out, o.body(), "data", false);
            add(out, o.body(), "binaryData", true);
        }
        return out;
    }

    private static void add(List<Value> out, YamlMap body, String field, boolean base64) {
        YamlMap map = body.map(field);
        if (map == null) {
            return;
        }
        for (YamlMap.Entry e : map.fields()) {
            String raw = e.value().text();
            String text = raw == null || !base64 ? raw : decode(raw);
            if (text != null) {
                out.add(new Value(field, e.key(), text, e.keyLocation()));
            }
        }
    }

    /** The decoded text, or null when the value is not base64 (the API server would reject it anyway). */
    private static String decode(String base64) {
        try {
            return new String(Base64.getMimeDecoder().decode(base64.trim()), UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Whether a value is something to keep out of Git: long enough, not a template, placeholder or SOPS
     * ciphertext, and not a certificate or public key, which are published by design.
     */
    static boolean isLiteralSecret(String text) {
        String t = text.trim();
        return t.length() >= MIN_SECRET_LENGTH && !PLACEHOLDER.matcher(t.toLowerCase(Locale.ROOT)).matches()
                && !t.startsWith("ENC[") && PUBLIC_PEM.stream().noneMatch(t::startsWith);
    }
}
