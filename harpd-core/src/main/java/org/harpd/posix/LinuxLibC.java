package org.harpd.posix;

import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.types.size_t;

/**
 * The few libc functions jnr-posix does not bind (or binds without the saved ids). Bound with jnr-ffi; errno is saved after each call
 * (jnr-ffi's default) and read through {@link jnr.ffi.LastError}.
 */
public interface LinuxLibC {
    int setgroups(@size_t long size, @In int[] list);

    int getgroups(int size, @Out int[] list);

    /** {@code prctl} is variadic in glibc; all five arguments are passed as machine words. */
    int prctl(int option, long arg2, long arg3, long arg4, long arg5);

    /** For the options that store an int through arg2; an array, for the reason given at {@link #waitid}. */
    int prctl(int option, @Out int[] arg2, long arg3, long arg4, long arg5);

    /**
     * {@code struct sigaction} is passed as raw memory: only its first field, the handler, is read or written
     * here, and a zeroed structure is {@code SIG_DFL} with an empty mask and no flags. Arrays rather than direct
     * memory, for the reason given at {@link #waitid}; null passes NULL.
     */
    int sigaction(int signum, @In byte[] act, @Out byte[] oldact);

    /**
     * {@code infop} is a {@code siginfo_t}, 128 bytes on Linux: an array, since jnr-ffi's direct memory starts a
     * cleaner thread on first use, which a worker would count as left running by the call that caused it.
     */
    int waitid(int idtype, int id, @Out byte[] infop, int options);

    int getresuid(@Out int[] real, @Out int[] effective, @Out int[] saved);

    int getresgid(@Out int[] real, @Out int[] effective, @Out int[] saved);

    int getsid(int pid);

    int getpgid(int pid);

    /** The calling thread's nice value on Linux (PRIO_PROCESS, 0); -1 is also a valid value: check errno. */
    int getpriority(int which, int who);

    int setpriority(int which, int who, int prio);

    /** The calling thread's scheduling policy for pid 0. */
    int sched_getscheduler(int pid);

    /** The calling thread's CPU mask for pid 0; {@code mask} as bytes, for the reason given at {@link #waitid}. */
    int sched_getaffinity(int pid, @size_t long size, @Out byte[] mask);

    int sched_setaffinity(int pid, @size_t long size, @In byte[] mask);

    /** 0xffffffff reads the persona without changing it. */
    int personality(long persona);

    /** Only for calls glibc does not wrap (ioprio_get): the arguments as machine words. */
    long syscall(long number, long arg1, long arg2, long arg3);

    /** glibc only: gives memory freed by {@code free} back to the kernel; 1 if some was released. */
    int malloc_trim(@size_t long pad);
}
