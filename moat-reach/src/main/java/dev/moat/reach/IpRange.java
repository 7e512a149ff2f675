package dev.moat.reach;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/**
 * A contiguous range of IPv4 or IPv6 addresses, inclusive at both ends. Addresses are parsed
 * without ever touching DNS: only literals of the right shape reach {@link InetAddress}.
 */
public record IpRange(boolean v6, BigInteger first, BigInteger last) implements Comparable<IpRange> {

    private static final Pattern V4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern V6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    public static final BigInteger V4_MAX = BigInteger.ONE.shiftLeft(32).subtract(BigInteger.ONE);
    public static final BigInteger V6_MAX = BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE);

    /**
     * Parses {@code a.b.c.d/n} or an IPv6 CIDR. Host bits are masked off, as the API server's sloppy
     * CIDR parser does.
     */
    public static IpRange parseCidr(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + cidr + "' is not a CIDR (expected address/prefix, e.g. 10.0.0.0/8)");
        }
        String address = cidr.substring(0, slash);
        String prefixText = cidr.substring(slash + 1);
        boolean v6;
        if (V4.matcher(address).matches()) {
            v6 = false;
        } else if (V6.matcher(address).matches()) {
            v6 = true;
        } else {
            throw new IllegalArgumentException("'" + cidr + "' is not a valid CIDR: bad address '" + address + "'");
        }
        int bits = v6 ? 128 : 32;
        int prefix;
        try {
            prefix = Integer.parseInt(prefixText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not a valid CIDR: bad prefix length '" + prefixText + "'");
        }
        if (prefix < 0 || prefix > bits) {
            throw new IllegalArgumentException("'" + cidr + "' is not a valid CIDR: prefix length must be 0-" + bits);
        }
        BigInteger value;
        try {
            byte[] raw = InetAddress.getByName(address).getAddress();
            if (raw.length * 8 != bits) {
                throw new IllegalArgumentException("'" + cidr + "' is not a valid CIDR: bad address '" + address + "'");
            }
            value = new BigInteger(1, raw);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not a valid CIDR: bad address '" + address + "'");
        }
        BigInteger size = BigInteger.ONE.shiftLeft(bits - prefix);
        BigInteger first = value.subtract(value.mod(size));
        return new IpRange(v6, first, first.add(size).subtract(BigInteger.ONE));
    }

    public boolean contains(IpRange other) {
        return v6 == other.v6 && first.compareTo(other.first) <= 0 && last.compareTo(other.last) >= 0;
    }

    public boolean overlaps(IpRange other) {
        return v6 == other.v6 && first.compareTo(other.last) <= 0 && other.first.compareTo(last) <= 0;
    }

    @Override
    public int compareTo(IpRange o) {
        if (v6 != o.v6) {
            return v6 ? 1 : -1;
        }
        int c = first.compareTo(o.first);
        return c != 0 ? c : last.compareTo(o.last);
    }

    /** {@code 10.0.0.0-10.255.255.255}, netpol-analyzer's form. */
    @Override
    public String toString() {
        return format(first) + "-" + format(last);
    }

    private String format(BigInteger address) {
        byte[] raw = new byte[v6 ? 16 : 4];
        byte[] value = address.toByteArray();
        int copy = Math.min(value.length, raw.length);
        System.arraycopy(value, value.length - copy, raw, raw.length - copy, copy);
        try {
            String text = InetAddress.getByAddress(raw).getHostAddress();
            return v6 ? compressV6(text) : text;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Java prints {@code 0:0:0:0:0:0:0:1}; people write {@code ::1}. */
    private static String compressV6(String full) {
        String[] groups = full.split(":");
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < groups.length; ) {
            if (groups[i].equals("0")) {
                int j = i;
                while (j < groups.length && groups[j].equals("0")) {
                    j++;
                }
                if (j - i > bestLen && j - i > 1) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            } else {
                i++;
            }
        }
        if (bestStart < 0) {
            return full;
        }
        String head = String.join(":", java.util.Arrays.copyOfRange(groups, 0, bestStart));
        String tail = String.join(":", java.util.Arrays.copyOfRange(groups, bestStart + bestLen, groups.length));
        return head + "::" + tail;
    }
}
