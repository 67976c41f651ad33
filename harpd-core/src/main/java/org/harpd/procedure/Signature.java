package org.harpd.procedure;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Python function's parameters, as {@code inspect.getargspec} reports them, so the listener can refuse
 * a mismatching argument list before any worker is involved ({@code invalid_argument_list}).
 *
 * @param parameters named parameters in order
 * @param defaults   how many of the trailing parameters have defaults
 * @param varargs    name of {@code *args}, or null
 * @param varkw      name of {@code **kwargs}, or null
 */
public record Signature(List<String> parameters, int defaults, String varargs, String varkw) {
    public Signature {
        parameters = List.copyOf(parameters);
        if (defaults < 0 || defaults > parameters.size()) {
            throw new IllegalArgumentException("defaults out of range");
        }
    }

    /** Accepts anything: used when a callable's signature cannot be introspected. */
    public static Signature permissive() {
        return new Signature(List.of(), 0, "args", "kwargs");
    }

    /**
     * @param arguments a JSON array (positional) or object (keyword)
     * @return why the arguments do not fit, or empty if they do
     */
    public Optional<String> mismatch(JsonNode arguments) {
        int required = parameters.size() - defaults;
        if (arguments.isArray()) {
            int given = arguments.size();
            if (given < required) {
                return Optional.of("takes at least " + required + " positional argument" + plural(required)
                        + " (" + given + " given)");
            }
            if (given > parameters.size() && varargs == null) {
                return Optional.of("takes at most " + parameters.size() + " argument" + plural(parameters.size())
                        + " (" + given + " given)");
            }
            return Optional.empty();
        }
        if (arguments.isObject()) {
            Set<String> given = new HashSet<>();
            for (Iterator<String> it = arguments.fieldNames(); it.hasNext(); ) {
                String name = it.next();
                given.add(name);
                if (!parameters.contains(name) && varkw == null) {
                    return Optional.of("got an unexpected keyword argument '" + name + "'");
                }
            }
            List<String> missing = new ArrayList<>();
            for (String p : parameters.subList(0, required)) {
                if (!given.contains(p)) {
                    missing.add(p);
                }
            }
            if (!missing.isEmpty()) {
                return Optional.of("missing required argument" + plural(missing.size()) + ": "
                        + String.join(", ", missing));
            }
            return Optional.empty();
        }
        return Optional.of("arguments must be a list or an object");
    }

    /** Python-style rendering, e.g. {@code (a, b, c=..., *args, **kwargs)}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        int required = parameters.size() - defaults;
        for (int i = 0; i < parameters.size(); i++) {
            parts.add(i < required ? parameters.get(i) : parameters.get(i) + "=...");
        }
        if (varargs != null) {
            parts.add("*" + varargs);
        }
        if (varkw != null) {
            parts.add("**" + varkw);
        }
        return "(" + String.join(", ", parts) + ")";
    }

    private static String plural(int n) {
        return n == 1 ? "" : "s";
    }
}
