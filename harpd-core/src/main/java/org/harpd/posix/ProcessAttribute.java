package org.harpd.posix;

/**
 * Attributes of a process, or of its calling thread, that unprivileged code running in it can change: what a
 * reused worker compares with its baseline after every call ({@link Posix#processAttributes}).
 */
public enum ProcessAttribute {
    /** Whether processes of the same user may ptrace it and read its memory. */
    DUMPABLE,
    KEEPCAPS,
    /** A seccomp filter or strict mode: once set, never removed. */
    SECCOMP,
    /** Per thread. */
    TIMERSLACK,
    CHILD_SUBREAPER,
    /** Once set, never cleared. */
    NO_NEW_PRIVS,
    THP_DISABLE,
    PARENT_DEATH_SIGNAL,
    /** Per thread on Linux; lowering it again needs privilege. */
    NICE,
    /** Per thread. */
    SCHEDULING_POLICY,
    /** Per thread. */
    IO_PRIORITY,
    PERSONALITY
}
