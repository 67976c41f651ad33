package org.harpd.procedure;

/**
 * A user or group as a procedure (or -u/-g) names it: by name or by number, exactly one of the two.
 * Resolution to numbers happens in the worker, just before the switch.
 */
public record IdRef(String name, Long id) {
    public IdRef {
        if ((name == null) == (id == null)) {
            throw new IllegalArgumentException("exactly one of name and id");
        }
    }

    public static IdRef ofName(String name) {
        return new IdRef(name, null);
    }

    public static IdRef ofId(long id) {
        return new IdRef(null, id);
    }

    /** Command-line form: all digits is a number, anything else a name. */
    public static IdRef parse(String text) {
        if (!text.isEmpty() && text.chars().allMatch(Character::isDigit)) {
            return ofId(Long.parseLong(text));
        }
        return ofName(text);
    }

    public boolean isName() {
        return name != null;
    }

    @Override
    public String toString() {
        return name != null ? name : Long.toString(id);
    }
}
