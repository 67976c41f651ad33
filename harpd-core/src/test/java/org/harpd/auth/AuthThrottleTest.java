package org.harpd.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {
    private static final AuthThrottle.Policy POLICY =
            new AuthThrottle.Policy(3, Duration.ofSeconds(60), Duration.ofSeconds(30), 100);

    private long now = 1_000_000_000L;
    private final AuthThrottle throttle = new AuthThrottle(POLICY, () -> now);

    private static InetAddress ip(String text) throws Exception {
        return InetAddress.getByName(text);
    }

    private void advance(Duration d) {
        now += d.toNanos();
    }

    @Test
    void backOffStartsAtTheNthFailureAndIsReportedOnce() throws Exception {
        InetAddress a = ip("192.0.2.1");
        assertFalse(throttle.failed(a));
        assertFalse(throttle.failed(a));
        assertEquals(Duration.ZERO, throttle.blockedFor(a));
        assertTrue(throttle.failed(a), "the third failure starts the back-off");
        assertEquals(Duration.ofSeconds(30), throttle.blockedFor(a));
        // failures the module answers after the back-off began (requests already queued) do not restart it
        assertFalse(throttle.failed(a));
        assertFalse(throttle.failed(a));
        advance(Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(20), throttle.blockedFor(a));
    }

    @Test
    void backOffExpiresAndCountingStartsAfresh() throws Exception {
        InetAddress a = ip("192.0.2.1");
        for (int i = 0; i < 3; i++) {
            throttle.failed(a);
        }
        advance(Duration.ofSeconds(30));
        assertEquals(Duration.ZERO, throttle.blockedFor(a));
        assertFalse(throttle.failed(a));
        assertFalse(throttle.failed(a));
        assertEquals(Duration.ZERO, throttle.blockedFor(a));
        assertTrue(throttle.failed(a), "a new burst is reported again");
    }

    @Test
    void failuresFurtherApartThanTheWindowDoNotAddUp() throws Exception {
        InetAddress a = ip("192.0.2.1");
        throttle.failed(a);
        throttle.failed(a);
        advance(Duration.ofSeconds(61));
        assertFalse(throttle.failed(a));
        assertFalse(throttle.failed(a));
        assertEquals(Duration.ZERO, throttle.blockedFor(a));
    }

    @Test
    void otherAddressesAreNotAffected() throws Exception {
        InetAddress a = ip("127.0.0.1");
        for (int i = 0; i < 3; i++) {
            throttle.failed(a);
        }
        assertTrue(throttle.blockedFor(a).compareTo(Duration.ZERO) > 0);
        assertEquals(Duration.ZERO, throttle.blockedFor(ip("127.0.0.2")));
        assertEquals(Duration.ZERO, throttle.blockedFor(ip("2001:db8::1")));
    }

    @Test
    void ipv6IsCountedPerSlash64() throws Exception {
        throttle.failed(ip("2001:db8:0:1::1"));
        throttle.failed(ip("2001:db8:0:1::2"));
        assertTrue(throttle.failed(ip("2001:db8:0:1:ffff::3")));
        assertTrue(throttle.blockedFor(ip("2001:db8:0:1::99")).compareTo(Duration.ZERO) > 0);
        assertEquals(Duration.ZERO, throttle.blockedFor(ip("2001:db8:0:2::1")));
    }

    @Test
    void theTableIsBoundedAndExpiredEntriesMakeRoom() throws Exception {
        AuthThrottle small = new AuthThrottle(new AuthThrottle.Policy(2, Duration.ofSeconds(60),
                Duration.ofSeconds(30), 2), () -> now);
        small.failed(ip("192.0.2.1"));
        small.failed(ip("192.0.2.2"));
        small.failed(ip("192.0.2.3"));
        assertEquals(2, small.tracked(), "a third address goes uncounted while two are counting");
        assertFalse(small.failed(ip("192.0.2.3")));
        advance(Duration.ofSeconds(61));
        small.failed(ip("192.0.2.3"));
        assertTrue(small.failed(ip("192.0.2.3")), "expired entries were dropped to count a new address");
        assertEquals(1, small.tracked());
    }
}
