package org.harpd.caller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientAuthenticatorTest {
    private static final String TOKEN = "0123456789abcdef-batch";
    private final CallerConfig.Client web = new CallerConfig.Client("web", List.of("10.1.0.0/16", "::1"), null,
            Set.of("db1"), Set.of(), Set.of());
    private final CallerConfig.Client batch = new CallerConfig.Client("batch", List.of("192.0.2.7"), TOKEN,
            Set.of(), Set.of("backup"), Set.of("{\"name\":\"nightly\"}"));
    private final ClientAuthenticator auth = new ClientAuthenticator(List.of(web, batch));

    private static InetSocketAddress at(String address) {
        return new InetSocketAddress(address, 40000);
    }

    @Test
    void byAddress() {
        assertEquals(web, auth.identify(at("10.1.2.3"), null));
        assertEquals(web, auth.identify(at("::1"), null));
        assertNull(auth.identify(at("10.2.0.1"), null));
        assertNull(auth.identify(at("192.0.2.7"), null), "a token client is not recognised by its address alone");
    }

    @Test
    void byToken() {
        assertEquals(batch, auth.identify(at("192.0.2.7"), TOKEN));
        assertNull(auth.identify(at("10.1.2.3"), TOKEN), "the token's client lists addresses, this is not one");
        assertNull(auth.identify(at("192.0.2.7"), TOKEN + "x"));
        assertNull(auth.identify(at("10.1.2.3"), "wrong-token-wrong-token"), "a wrong token is not the address");
    }

    @Test
    void allowLists() {
        assertNull(ClientAuthenticator.refusal(web, "db1", "anything", "{\"q\":1}"));
        assertEquals("client web may not call host db2", ClientAuthenticator.refusal(web, "db2", "x", null));
        assertEquals("client batch may not call procedure restore",
                ClientAuthenticator.refusal(batch, "any", "restore", null));
        assertNull(ClientAuthenticator.refusal(batch, "any", "backup", null), "a call without a queue");
        assertNull(ClientAuthenticator.refusal(batch, "any", "backup", "{\"name\":\"nightly\"}"));
        assertEquals("client batch may not use queue {\"name\":\"other\"}",
                ClientAuthenticator.refusal(batch, "any", "backup", "{\"name\":\"other\"}"));
    }

    @Test
    void rangesAreLiteral() {
        assertThrows(IllegalArgumentException.class, () -> ClientAuthenticator.range("localhost"));
        assertThrows(IllegalArgumentException.class, () -> ClientAuthenticator.range("10.0.0.0/x"));
        assertThrows(IllegalArgumentException.class, () -> ClientAuthenticator.range("::/129"));
    }
}
