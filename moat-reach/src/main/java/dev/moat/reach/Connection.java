package dev.moat.reach;

/** Traffic that policies allow from one endpoint to another. */
public record Connection(Endpoint source, Endpoint destination, ConnectionSet allowed) {

    /** One connlist line: {@code src => dst : conns}. */
    public String connlistLine() {
        return source.display() + " => " + destination.display() + " : " + allowed;
    }
}
