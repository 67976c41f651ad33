package org.harpd.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Where reading a job's stream starts: {@code since} a packet number, the {@code recent} last packets, or the
 * request's default (nothing sent: {@code recent: 0} when following, {@code since: 0} when reading a page).
 */
public final class StreamStart {
    /** Neither {@code since} nor {@code recent}: the dispatcher's default for the request. */
    public static final StreamStart DEFAULT = new StreamStart(null, -1);

    private final String field;
    private final long count;

    private StreamStart(String field, long count) {
        this.field = field;
        this.count = count;
    }

    /** From packet {@code number} on (0: the whole stream). */
    public static StreamStart since(long number) {
        return new StreamStart("since", nonNegative(number));
    }

    /** The last {@code count} packets collected, then what follows. */
    public static StreamStart recent(long count) {
        return new StreamStart("recent", nonNegative(count));
    }

    void addTo(ObjectNode request) {
        if (field != null) {
            request.put(field, count);
        }
    }

    private static long nonNegative(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("must not be negative: " + n);
        }
        return n;
    }

    @Override
    public String toString() {
        return field == null ? "StreamStart[default]" : "StreamStart[" + field + " " + count + "]";
    }
}
