package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.util.NetUtil;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustPolicyTest {
    private static final List<String> NAMES = List.of("harpd.example.net", "*.web.example.net");
    private static final List<byte[]> ADDRESSES = List.of(NetUtil.createByteArrayFromIpAddressString("192.0.2.1"),
            NetUtil.createByteArrayFromIpAddressString("2001:db8::1"));

    @Test
    void namesAndAddresses() {
        assertTrue(TrustPolicy.matches("harpd.example.net", NAMES, ADDRESSES));
        assertTrue(TrustPolicy.matches("HARPD.Example.NET.", NAMES, ADDRESSES), "case and a trailing dot");
        assertTrue(TrustPolicy.matches("a.web.example.net", NAMES, ADDRESSES));
        assertFalse(TrustPolicy.matches("a.b.web.example.net", NAMES, ADDRESSES), "a wildcard is one label");
        assertFalse(TrustPolicy.matches("web.example.net", NAMES, ADDRESSES));
        assertFalse(TrustPolicy.matches("other.example.net", NAMES, ADDRESSES));
        assertTrue(TrustPolicy.matches("192.0.2.1", NAMES, ADDRESSES));
        assertTrue(TrustPolicy.matches("2001:db8:0::1", NAMES, ADDRESSES));
        assertFalse(TrustPolicy.matches("192.0.2.2", NAMES, ADDRESSES));
        assertFalse(TrustPolicy.matches("192.0.2.1", List.of("192.0.2.1"), List.of()), "an address is no DNS name");
        assertFalse(TrustPolicy.matches("x.example.net", List.of("*.net"), List.of()), "no wildcard for a TLD");
    }
}
