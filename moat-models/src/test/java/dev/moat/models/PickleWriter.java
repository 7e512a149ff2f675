package dev.moat.models;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes byte by byte, so tests never need Python (or to unpickle anything). */
final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleWriter raw(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleWriter raw(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    PickleWriter text(String s) {
        return raw(s.getBytes(StandardCharsets.UTF_8));
    }

    PickleWriter proto(int p) {
        return raw(0x80, p);
    }

    /** GLOBAL {@code c module\nname\n}. */
    PickleWriter global(String module, String name) {
        return text("c" + module + "\n" + name + "\n");
    }

    PickleWriter shortBinUnicode(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return raw(0x8c, b.length).raw(b);
    }

    PickleWriter binUnicode(String s) {
        return binUnicodeDeclaring(s, s.getBytes(StandardCharsets.UTF_8).length);
    }

    /** BINUNICODE whose 4-byte length says {@code declared}, whatever the text's real length. */
    PickleWriter binUnicodeDeclaring(String s, int declared) {
        return raw(0x58).le(declared, 4).text(s);
    }

    /** Protocol 0 STRING: {@code S'text'\n}. */
    PickleWriter string(String s) {
        return text("S'" + s + "'\n");
    }

    PickleWriter binput(int i) {
        return raw('q', i);
    }

    PickleWriter binget(int i) {
        return raw('h', i);
    }

    PickleWriter memoize() {
        return raw(0x94);
    }

    PickleWriter stackGlobal() {
        return raw(0x93);
    }

    PickleWriter mark() {
        return raw('(');
    }

    PickleWriter tuple() {
        return raw('t');
    }

    PickleWriter tuple1() {
        return raw(0x85);
    }

    PickleWriter emptyTuple() {
        return raw(')');
    }

    PickleWriter reduce() {
        return raw('R');
    }

    PickleWriter pop() {
        return raw('0');
    }

    PickleWriter build() {
        return raw('b');
    }

    PickleWriter binint1(int v) {
        return raw('K', v);
    }

    PickleWriter stop() {
        return raw('.');
    }

    /** FRAME with an 8-byte length. */
    PickleWriter frame(long length) {
        return raw(0x95).le(length, 8);
    }

    PickleWriter le(long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)) & 0xff);
        }
        return this;
    }

    int size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
