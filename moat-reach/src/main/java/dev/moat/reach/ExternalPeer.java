package dev.moat.reach;

/** A segment of the address space outside the cluster that no ipBlock boundary divides further. */
public record ExternalPeer(IpRange range) implements Endpoint {

    @Override
    public String display() {
        return range + "[External]";
    }
}
