package org.harpd.caller;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Who a request on the client port comes from, once {@code [[clients]]} is configured. The HarpCaller protocol
 * has no authentication of its own and unchanged clients send nothing more than their call, so a client is
 * recognised by its source address; a client that can add a {@code "token"} field to its requests may be
 * recognised by that secret instead (or as well, when it also lists addresses). Ranges are Netty's
 * {@link IpSubnetFilterRule}, not hand-written CIDR arithmetic.
 */
final class ClientAuthenticator {
    /** A configured client with its parsed ranges and the digest of its token. */
    private record Entry(CallerConfig.Client client, List<IpSubnetFilterRule> ranges, byte[] tokenDigest) {
        boolean from(InetSocketAddress peer) {
            for (IpSubnetFilterRule r : ranges) {
                if (r.matches(peer)) {
                    return true;
                }
            }
            return false;
        }
    }

    private final List<Entry> entries = new ArrayList<>();

    ClientAuthenticator(List<CallerConfig.Client> clients) {
        for (CallerConfig.Client c : clients) {
            List<IpSubnetFilterRule> ranges = new ArrayList<>();
            c.addresses().forEach(a -> ranges.add(range(a)));
            entries.add(new Entry(c, List.copyOf(ranges), c.token() == null ? null : digest(c.token())));
        }
    }

    boolean enabled() {
        return !entries.isEmpty();
    }

    /**
     * @param token the request's {@code "token"}, or null
     * @return the client, or null when none matches: a token must be some client's (and the address in its
     * ranges, if it lists any); without a token, the address must be in the ranges of a client that has no token
     */
    CallerConfig.Client identify(InetSocketAddress peer, String token) {
        if (token != null) {
            byte[] d = digest(token);
            for (Entry e : entries) {
                // compared as digests of equal length, in constant time: no byte-by-byte timing oracle
                if (e.tokenDigest() != null && MessageDigest.isEqual(e.tokenDigest(), d)) {
                    return e.ranges().isEmpty() || e.from(peer) ? e.client() : null;
                }
            }
            return null;
        }
        for (Entry e : entries) {
            if (e.tokenDigest() == null && e.from(peer)) {
                return e.client();
            }
        }
        return null;
    }

    /** Why the client may not submit this call, or null when it may. */
    static String refusal(CallerConfig.Client client, String host, String procedure, String queueKey) {
        if (!client.hosts().isEmpty() && !client.hosts().contains(host)) {
            return "client " + client.name() + " may not call host " + host;
        }
        if (!client.procedures().isEmpty() && !client.procedures().contains(procedure)) {
            return "client " + client.name() + " may not call procedure " + procedure;
        }
        if (queueKey != null && !client.queues().isEmpty() && !client.queues().contains(queueKey)) {
            return "client " + client.name() + " may not use queue " + queueKey;
        }
        return null;
    }

    /**
     * {@code "10.0.0.0/8"}, {@code "fd00::/8"} or one address; literal addresses only (a name would make the
     * allow-list depend on DNS).
     *
     * @throws IllegalArgumentException naming the problem
     */
    static IpSubnetFilterRule range(String text) {
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address or ADDRESS/PREFIX range");
        }
        int max = bytes.length * 8;
        int prefix = max;
        if (slash >= 0) {
            try {
                prefix = Integer.parseInt(text.substring(slash + 1));
            } catch (NumberFormatException e) {
                prefix = -1;
            }
            if (prefix < 0 || prefix > max) {
                throw new IllegalArgumentException("\"" + text + "\": prefix length must be 0 to " + max);
            }
        }
        return new IpSubnetFilterRule(address, prefix, IpFilterRuleType.ACCEPT);
    }

    private static byte[] digest(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
