package dev.moat.audit;

import java.util.Random;

/**
 * Credentials with the published shapes, generated from a seeded {@link Random} so the test sources
 * hold no key-shaped literal for push protection or secret scanners to trip over. None is a real key.
 */
public final class FakeKeys {

    private static final String UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    private static final String LETTERS = UPPER + UPPER.toLowerCase(java.util.Locale.ROOT);
    private static final String ALNUM = LETTERS + "0123456789";
    private static final String URL_SAFE = ALNUM + "_-";
    private static final String BASE32 = UPPER + "234567";

    private final Random random;

    public FakeKeys(long seed) {
        this.random = new Random(seed);
    }

    /** {@code sk-proj-} and 48 characters, the shape of an OpenAI project key. */
    public String openAi() {
        return "sk-" + "proj-" + chars(ALNUM, 48);
    }

    /** {@code sk-ant-api03-}, 93 characters and {@code AA}, the shape of an Anthropic API key. */
    public String anthropic() {
        return "sk-" + "ant-" + "api03-" + chars(URL_SAFE, 93) + "AA";
    }

    /** {@code hf_} and 34 letters, the shape of a Hugging Face user access token. */
    public String huggingFace() {
        return "hf" + "_" + chars(LETTERS, 34);
    }

    /** {@code AKIA} and 16 base32 characters, the shape of an AWS access key ID. */
    public String aws() {
        return "AK" + "IA" + chars(BASE32, 16);
    }

    /** A password-like literal that matches no published key format. */
    public String password() {
        return chars(LETTERS, 6) + "-" + chars(ALNUM, 10) + "!" + chars(ALNUM, 4);
    }

    private String chars(String alphabet, int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }
}
