package org.harpd.posix;

/** The fields of a group entry harpd needs. */
public record GroupEntry(String name, int gid) {
}
