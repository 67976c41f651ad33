package org.harpd.protocol;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A double as CPython 2.7's {@code repr(float)} writes it, which is what its {@code json.dumps} writes: the
 * shortest digits that read back to the same double, in fixed notation while the decimal point falls between
 * 10^-4 and 10^16, else as {@code 1e+100} / {@code 3e-05} (sign always, at least two exponent digits); a whole
 * number keeps {@code .0}. The shortest digits come from Jackson's Schubfach writer: the JDK's own
 * {@code Double.toString} is not shortest before Java 19 (e.g. {@code 2.82879384806159E17} comes out with 18
 * digits).
 */
public final class PythonFloat {
    /** Above this decimal-point position CPython switches to exponent notation. */
    private static final int MAX_FIXED_POINT = 16;
    /** At or below this one too. */
    private static final int MIN_FIXED_POINT = -4;

    private PythonFloat() {
    }

    /** {@code repr(value)} as CPython 2.7 gives it, except NaN and the infinities, which json writes by name. */
    public static String repr(double value) {
        if (Double.isNaN(value)) {
            return "NaN";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "Infinity" : "-Infinity";
        }
        // Java notation: "123.45", "0.001", "1.2345E8", "4.9E-324", "-0.0"
        String java = NumberOutput.toString(value, true);
        boolean negative = java.startsWith("-");
        if (negative) {
            java = java.substring(1);
        }
        int e = java.indexOf('E');
        String mantissa = e < 0 ? java : java.substring(0, e);
        int exponent = e < 0 ? 0 : Integer.parseInt(java.substring(e + 1));
        int dot = mantissa.indexOf('.');
        String intPart = dot < 0 ? mantissa : mantissa.substring(0, dot);
        String fracPart = dot < 0 ? "" : mantissa.substring(dot + 1);
        StringBuilder digits = new StringBuilder(intPart).append(fracPart);
        // value = 0.<digits> * 10^point
        int point = intPart.length() + exponent;
        while (digits.length() > 0 && digits.charAt(0) == '0') {
            digits.deleteCharAt(0);
            point--;
        }
        while (digits.length() > 0 && digits.charAt(digits.length() - 1) == '0') {
            digits.setLength(digits.length() - 1);
        }
        if (digits.length() == 2) {
            // Java writes at least two digits ("4.9E-324"), choosing the closer two-digit string even when one
            // digit would read back the same; CPython writes that one digit ("5e-324")
            BigDecimal one = new BigDecimal(Math.abs(value)).round(new MathContext(1, RoundingMode.HALF_EVEN));
            if (one.doubleValue() == Math.abs(value)) {
                String unscaled = one.unscaledValue().toString();
                digits.setLength(0);
                digits.append(unscaled.charAt(0));
                point = unscaled.length() - one.scale();
            }
        }
        StringBuilder out = new StringBuilder(24);
        if (negative) {
            out.append('-');
        }
        if (digits.length() == 0) {
            return out.append("0.0").toString();
        }
        int n = digits.length();
        if (point > MAX_FIXED_POINT || point <= MIN_FIXED_POINT) {
            out.append(digits.charAt(0));
            if (n > 1) {
                out.append('.').append(digits, 1, n);
            }
            int shown = point - 1;
            out.append('e').append(shown < 0 ? '-' : '+');
            int magnitude = Math.abs(shown);
            if (magnitude < 10) {
                out.append('0');
            }
            return out.append(magnitude).toString();
        }
        if (point <= 0) {
            out.append("0.");
            for (int i = point; i < 0; i++) {
                out.append('0');
            }
            return out.append(digits).toString();
        }
        if (point >= n) {
            out.append(digits);
            for (int i = n; i < point; i++) {
                out.append('0');
            }
            return out.append(".0").toString();
        }
        return out.append(digits, 0, point).append('.').append(digits, point, n).toString();
    }
}
