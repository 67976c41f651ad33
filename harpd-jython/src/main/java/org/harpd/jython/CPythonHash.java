package org.harpd.jython;

import java.math.BigInteger;
import org.python.core.Py;
import org.python.core.PyBoolean;
import org.python.core.PyFloat;
import org.python.core.PyFrozenSet;
import org.python.core.PyInteger;
import org.python.core.PyLong;
import org.python.core.PyObject;
import org.python.core.PyString;
import org.python.core.PyTuple;
import org.python.core.PyUnicode;

/**
 * {@code hash()} as CPython 2.7 computes it on a 64-bit Linux build without {@code -R}: for str and unicode
 * (Objects/stringobject.c, unicodeobject.c), int and long (intobject.c, longobject.c with 30-bit digits), float
 * (_Py_HashDouble), tuple and frozenset. Procedures use {@code hash(name) % n} to spread work (cron minutes over
 * hosts) and seed {@code random.Random} with strings; Jython's hashes are Java's and move every such value on
 * migration. Other objects keep their own {@code __hash__}. Written by hand after CPython 2.7.18's C sources: the
 * algorithms are short, and no library carries them.
 */
public final class CPythonHash {
    private static final long MULTIPLIER = 1000003L;
    private static final int LONG_DIGIT_BITS = 30;
    private static final BigInteger DIGIT_MASK = BigInteger.valueOf((1L << LONG_DIGIT_BITS) - 1);
    private static final double LONG_MAX_HALF = Long.MAX_VALUE / 2;

    private CPythonHash() {
    }

    /** CPython's hash of {@code value}, or Jython's own where CPython's depends on addresses or user code. */
    public static long hash(PyObject value) {
        if (value instanceof PyBoolean b) {
            return b.getBooleanValue() ? 1 : 0;
        }
        if (value instanceof PyInteger i) {
            return ofLong(i.getValue());
        }
        if (value instanceof PyLong l) {
            return ofBig(l.getValue());
        }
        if (value instanceof PyFloat f && value.getType() == PyFloat.TYPE) {
            return ofDouble(f.getValue());
        }
        if (value instanceof PyUnicode u && value.getType() == PyUnicode.TYPE) {
            return ofCodePoints(u.getString());
        }
        if (value instanceof PyString s && value.getType() == PyString.TYPE) {
            // a str holds one byte per char
            return ofCodePoints(s.getString());
        }
        if (value instanceof PyTuple t && value.getType() == PyTuple.TYPE) {
            return ofTuple(t);
        }
        if (value instanceof PyFrozenSet s && value.getType() == PyFrozenSet.TYPE) {
            return ofFrozenSet(s);
        }
        // subclasses and everything else: their __hash__, which may well call hash() on CPython's types again
        return value.__hash__().getValue();
    }

    private static long ofLong(long value) {
        return value == -1 ? -2 : value;
    }

    static long ofCodePoints(String text) {
        int length = text.codePointCount(0, text.length());
        if (length == 0) {
            return 0;
        }
        long x = (long) text.codePointAt(0) << 7;
        for (int i = 0; i < text.length(); ) {
            int c = text.codePointAt(i);
            x = (MULTIPLIER * x) ^ c;
            i += Character.charCount(c);
        }
        x ^= length;
        return x == -1 ? -2 : x;
    }

    static long ofBig(BigInteger value) {
        if (value.bitLength() < 64) {
            return ofLong(value.longValue());
        }
        BigInteger magnitude = value.abs();
        int digits = (magnitude.bitLength() + LONG_DIGIT_BITS - 1) / LONG_DIGIT_BITS;
        long x = 0;
        for (int i = digits - 1; i >= 0; i--) {
            long digit = magnitude.shiftRight(i * LONG_DIGIT_BITS).and(DIGIT_MASK).longValue();
            x = (x >>> (64 - LONG_DIGIT_BITS)) | (x << LONG_DIGIT_BITS);
            x += digit;
            if (Long.compareUnsigned(x, digit) < 0) {
                x++;
            }
        }
        if (value.signum() < 0) {
            x = -x;
        }
        return x == -1 ? -2 : x;
    }

    static long ofDouble(double v) {
        if (Double.isNaN(v)) {
            return 0;
        }
        double intpart = v < 0 ? Math.ceil(v) : Math.floor(v);
        if (v == intpart) {
            if (intpart > LONG_MAX_HALF || -intpart > LONG_MAX_HALF) {
                if (Double.isInfinite(v)) {
                    return v < 0 ? -271828 : 314159;
                }
                return ofBig(new java.math.BigDecimal(v).toBigInteger());
            }
            return ofLong((long) intpart);
        }
        // frexp: v = mantissa * 2**exponent with 0.5 <= |mantissa| < 1
        int exponent = Math.getExponent(v) + 1;
        double mantissa = v / Math.pow(2, exponent);
        if (Math.getExponent(v) < Double.MIN_EXPONENT) {
            // subnormal: scale into the normal range first
            double scaled = v * 0x1p54;
            exponent = Math.getExponent(scaled) + 1 - 54;
            mantissa = scaled / Math.pow(2, exponent + 54);
        }
        mantissa *= 2147483648.0;
        long hipart = (long) mantissa;
        mantissa = (mantissa - hipart) * 2147483648.0;
        long x = hipart + (long) mantissa + ((long) exponent << 15);
        return x == -1 ? -2 : x;
    }

    private static long ofTuple(PyTuple tuple) {
        long x = 0x345678L;
        long mult = MULTIPLIER;
        int len = tuple.size();
        for (int i = 0; i < tuple.size(); i++) {
            long y = hash(tuple.pyget(i));
            x = (x ^ y) * mult;
            len--;
            mult += 82520L + len + len;
        }
        x += 97531L;
        return x == -1 ? -2 : x;
    }

    private static long ofFrozenSet(PyFrozenSet set) {
        long hash = 1927868237L;
        hash *= set.__len__() + 1;
        for (PyObject item : set.asIterable()) {
            long h = hash(item);
            hash ^= (h ^ (h << 16) ^ 89869747L) * 3644798167L;
        }
        hash = hash * 69069L + 907133923L;
        return hash == -1 ? 907133923L : hash;
    }

    /** {@link #hash} as a Python int (a long where it exceeds Jython's 32-bit int). */
    public static PyObject pyHash(PyObject value) {
        return Py.newInteger(hash(value));
    }
}
