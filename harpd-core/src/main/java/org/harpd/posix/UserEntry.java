package org.harpd.posix;

/** The fields of a passwd entry harpd needs. */
public record UserEntry(String name, int uid, int gid) {
}
