package org.harpd.auth;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Back-off of repeated authentication failures per client address: after {@link Policy#maxFailures} failures
 * from one address within {@link Policy#window}, that address is refused for {@link Policy#backoff} without its
 * requests reaching the authentication module. Refused attempts do not count as failures, so the back-off ends
 * on time however hard the address keeps trying. A success does not clear the count: one known account would
 * otherwise let a client reset it between guesses at another.
 *
 * <p>IPv6 clients are counted per /64, the block one host is normally given, so that a host cannot step around
 * the back-off by changing its interface identifier.
 *
 * <p>At most {@link Policy#maxTracked} addresses are remembered; when that many are counting at once, new ones
 * go uncounted rather than growing the table without bound. Thread-safe.
 */
public final class AuthThrottle {
    /**
     * @param maxFailures failures within {@code window} that start a back-off
     * @param window      how long failures are counted together
     * @param backoff     how long the address is then refused
     * @param maxTracked  addresses remembered at once
     */
    public record Policy(int maxFailures, Duration window, Duration backoff, int maxTracked) {
        public static final Policy DEFAULT = new Policy(10, Duration.ofSeconds(60), Duration.ofSeconds(60), 65_536);

        public Policy {
            Objects.requireNonNull(window, "window");
            Objects.requireNonNull(backoff, "backoff");
            if (maxFailures < 1 || maxTracked < 1 || window.isNegative() || window.isZero()
                    || backoff.isNegative() || backoff.isZero()) {
                throw new IllegalArgumentException("throttle limits must be positive");
            }
        }
    }

    private static final class Entry {
        long windowStart;
        int failures;
        long blockedUntil;
        boolean blocked;
    }

    private final Policy policy;
    private final LongSupplier nanoClock;
    private final Map<InetAddress, Entry> entries = new HashMap<>();

    /** @param nanoClock a monotonic clock in nanoseconds, as {@link System#nanoTime()} */
    public AuthThrottle(Policy policy, LongSupplier nanoClock) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    }

    public AuthThrottle(Policy policy) {
        this(policy, System::nanoTime);
    }

    public Policy policy() {
        return policy;
    }

    /** @return how long {@code address} is still refused, or {@link Duration#ZERO} if it may try */
    public synchronized Duration blockedFor(InetAddress address) {
        Entry entry = entries.get(key(address));
        if (entry == null || !entry.blocked) {
            return Duration.ZERO;
        }
        long left = entry.blockedUntil - nanoClock.getAsLong();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /**
     * Counts a failed authentication from {@code address}.
     *
     * @return true when this failure starts a back-off: once per burst, for the caller to log
     */
    public synchronized boolean failed(InetAddress address) {
        long now = nanoClock.getAsLong();
        InetAddress key = key(address);
        Entry entry = entries.get(key);
        if (entry == null) {
            if (entries.size() >= policy.maxTracked()) {
                forgetExpired(now);
                if (entries.size() >= policy.maxTracked()) {
                    return false;
                }
            }
            entry = new Entry();
            entry.windowStart = now;
            entries.put(key, entry);
        }
        if (entry.blocked) {
            if (entry.blockedUntil - now > 0) {
                return false;  // answered by the module after the back-off began: already counted in
            }
            entry.blocked = false;
            entry.failures = 0;
            entry.windowStart = now;
        } else if (now - entry.windowStart >= policy.window().toNanos()) {
            entry.failures = 0;
            entry.windowStart = now;
        }
        entry.failures++;
        if (entry.failures < policy.maxFailures()) {
            return false;
        }
        entry.blocked = true;
        entry.blockedUntil = now + policy.backoff().toNanos();
        return true;
    }

    /** Addresses currently remembered (for tests and diagnostics). */
    public synchronized int tracked() {
        return entries.size();
    }

    private void forgetExpired(long now) {
        long window = policy.window().toNanos();
        for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
            Entry entry = it.next();
            boolean expired = entry.blocked ? entry.blockedUntil - now <= 0 : now - entry.windowStart >= window;
            if (expired) {
                it.remove();
            }
        }
    }

    private static InetAddress key(InetAddress address) {
        Objects.requireNonNull(address, "address");
        if (address instanceof Inet6Address) {
            byte[] bytes = address.getAddress();
            for (int i = 8; i < bytes.length; i++) {
                bytes[i] = 0;
            }
            try {
                return InetAddress.getByAddress(bytes);
            } catch (UnknownHostException cannotHappen) {
                throw new IllegalStateException(cannotHappen);
            }
        }
        return address;
    }
}
