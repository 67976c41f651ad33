package org.harpd.jython;

import java.math.BigInteger;

/**
 * The generator of CPython 2.7's {@code _random.Random} (Modules/_randommodule.c): MT19937 seeded by
 * {@code init_by_array} with the seed's 32-bit words, {@code random()} from two outputs (53 bits),
 * {@code getrandbits}, {@code jumpahead}, and the state as CPython exposes it (624 words and the index). With the
 * pure-Python methods of {@code random.Random} on top, every sequence a seeded generator gives is CPython's. Ported
 * by hand: Jython's {@code _random} is {@link java.util.Random}-based, and the reference algorithm is short.
 */
public final class MersenneTwister {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] mt = new int[N];
    private int index = N + 1;

    /** Seeded as CPython's {@code init_by_array} with {@code key}, 32-bit words, least significant first. */
    public void seedArray(int[] key) {
        initGenrand(19650218);
        int i = 1;
        int j = 0;
        int length = Math.max(1, key.length);
        for (int k = Math.max(N, length); k > 0; k--) {
            int word = key.length == 0 ? 0 : key[j];
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1664525)) + word + j;
            i++;
            j++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
            if (j >= length) {
                j = 0;
            }
        }
        for (int k = N - 1; k > 0; k--) {
            mt[i] = (mt[i] ^ ((mt[i - 1] ^ (mt[i - 1] >>> 30)) * 1566083941)) - i;
            i++;
            if (i >= N) {
                mt[0] = mt[N - 1];
                i = 1;
            }
        }
        mt[0] = UPPER_MASK;
        index = N;
    }

    /** Seeded as CPython seeds from a number: its absolute value, split into 32-bit words. */
    public void seed(BigInteger value) {
        BigInteger n = value.abs();
        int words = Math.max(1, (n.bitLength() + 31) / 32);
        int[] key = new int[words];
        for (int w = 0; w < words; w++) {
            key[w] = n.shiftRight(32 * w).intValue();
        }
        seedArray(key);
    }

    private void initGenrand(int s) {
        mt[0] = s;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    /** The next 32-bit output (unsigned, in an int's bits). */
    public int next32() {
        if (index >= N) {
            if (index == N + 1) {
                initGenrand(5489);
            }
            int kk;
            for (kk = 0; kk < N - M; kk++) {
                int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
                mt[kk] = mt[kk + M] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
            }
            for (; kk < N - 1; kk++) {
                int y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
                mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
            }
            int y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
            mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ ((y & 1) == 0 ? 0 : MATRIX_A);
            index = 0;
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** A float in [0, 1) with 53 random bits, as CPython's {@code random_random}. */
    public double random() {
        long a = Integer.toUnsignedLong(next32()) >>> 5;
        long b = Integer.toUnsignedLong(next32()) >>> 6;
        return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
    }

    /** {@code k} random bits, k > 0, as CPython's {@code random_getrandbits} fills them: 32 at a time, lowest first. */
    public BigInteger getrandbits(int k) {
        if (k <= 32) {
            return BigInteger.valueOf(Integer.toUnsignedLong(next32()) >>> (32 - k));
        }
        int words = (k - 1) / 32 + 1;
        byte[] bytes = new byte[words * 4];
        int remaining = k;
        for (int w = 0; w < words; w++, remaining -= 32) {
            long r = Integer.toUnsignedLong(next32());
            if (remaining < 32) {
                r >>>= 32 - remaining;
            }
            int at = bytes.length - 4 * w;
            bytes[at - 1] = (byte) r;
            bytes[at - 2] = (byte) (r >>> 8);
            bytes[at - 3] = (byte) (r >>> 16);
            bytes[at - 4] = (byte) (r >>> 24);
        }
        return new BigInteger(1, bytes);
    }

    /** CPython's {@code random_jumpahead}: a permutation of the state by {@code n} and an increment. */
    public void jumpahead(BigInteger n) {
        for (int i = N - 1; i > 1; i--) {
            int j = n.mod(BigInteger.valueOf(i)).intValue();
            int swap = mt[i];
            mt[i] = mt[j];
            mt[j] = swap;
        }
        int nonzero = 0;
        for (int i = 1; i < N; i++) {
            mt[i] += i + 1;
            nonzero |= mt[i];
        }
        if (nonzero == 0) {
            mt[0] = UPPER_MASK;
        }
        index = N;
    }

    /** The state as CPython's {@code getstate} holds it: 624 words (unsigned) and the index. */
    public long[] getState() {
        long[] state = new long[N + 1];
        for (int i = 0; i < N; i++) {
            state[i] = Integer.toUnsignedLong(mt[i]);
        }
        state[N] = index;
        return state;
    }

    /** The state {@link #getState} gave. */
    public void setState(long[] state) {
        if (state.length != N + 1) {
            throw new IllegalArgumentException("state vector is the wrong size");
        }
        for (int i = 0; i < N; i++) {
            mt[i] = (int) state[i];
        }
        index = (int) state[N];
    }
}
