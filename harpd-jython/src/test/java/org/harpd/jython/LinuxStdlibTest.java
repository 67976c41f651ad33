package org.harpd.jython;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CPython 2.7-on-Linux process functions and modules harpd adds to Jython (python-lib/daemon/harpd/_linux_os.py,
 * _linux_subprocess.py, _linux_select.py, harpd/_linux/): each answers as CPython 2.7 on x86-64 Linux does.
 * The expected values are what python2.7 gives for the same code. Nothing here changes the test JVM's identity
 * or session: those calls are checked through their errors and through child processes.
 */
class LinuxStdlibTest {
    @TempDir
    Path dir;

    /** Runs {@code code}, which leaves its answer in {@code result}, and returns {@code str(result)}. */
    private static String run(String code) {
        return Python.exec("import os, sys, errno\n" + code).__finditem__("result").toString();
    }

    private static boolean root() {
        return "0".equals(run("result = os.getuid()"));
    }

    private static String py(Path path) {
        return "'" + path.toString().replace("'", "\\'") + "'";
    }

    @Test
    void systemAnswersTheWaitStatus() {
        assertEquals("(768, 9, 0)", run("result = (os.system('exit 3'), os.system('kill -9 $$'), os.system('true'))"));
    }

    @Test
    void systemRunsInPythonsWorkingDirectory() {
        assertEquals("(0, 256)", run("old = os.getcwd()\nos.chdir('/tmp')\n"
                + "try:\n    result = (os.system('test \"$(pwd)\" = /tmp'), os.system('test \"$(pwd)\" = /'))\n"
                + "finally:\n    os.chdir(old)\n"));
    }

    @Test
    void waitStatusMacrosAndConstantsAreLinuxs() {
        assertEquals("(3, True, True, 9, True, 19, True, True, False, False, False, 1, 2, 8)",
                run("result = (os.WEXITSTATUS(768), os.WIFEXITED(768), os.WIFSIGNALED(9), os.WTERMSIG(9), "
                        + "os.WIFSTOPPED(0x137f), os.WSTOPSIG(0x137f), os.WCOREDUMP(0x86), os.WIFCONTINUED(0xffff), "
                        + "os.WIFEXITED(9), os.WIFSIGNALED(768), os.WIFSIGNALED(0x137f), os.WNOHANG, os.WUNTRACED, "
                        + "os.WCONTINUED)"));
    }

    @Test
    void waitpidAnswersForSubprocessChildren() {
        assertEquals("(True, 1280, 0, 0)", run("import subprocess\n"
                + "p = subprocess.Popen(['sh', '-c', 'exit 5'])\n"
                + "pid, status = os.waitpid(p.pid, 0)\n"
                + "q = subprocess.Popen(['sleep', '30'])\n"
                + "result = (pid == p.pid, status, os.waitpid(q.pid, os.WNOHANG)[0], q.kill())[:3] + (0,)\n"
                + "q.wait()\n"));
        assertEquals("(True, 1792, 'struct_rusage')", run("import subprocess\n"
                + "p = subprocess.Popen(['sh', '-c', 'exit 7'])\n"
                + "pid, status = os.wait()\n"
                + "q = subprocess.Popen(['true'])\n"
                + "result = (pid == p.pid, status, type(os.wait4(q.pid, 0)[2]).__name__)\n"));
    }

    @Test
    void aKilledSubprocessChildAnswersMinusTheSignal() {
        assertEquals("(-9, 9, -15, 137)", run("import subprocess, signal\n"
                + "p = subprocess.Popen(['sleep', '30'])\np.kill()\nkilled = p.wait()\n"
                + "q = subprocess.Popen(['sleep', '30'])\nq.kill()\n"
                + "status = os.waitpid(q.pid, 0)[1]\n"
                + "t = subprocess.Popen(['sleep', '30'])\nt.send_signal(signal.SIGTERM)\n"
                + "result = (killed, status, t.wait(), subprocess.call(['sh', '-c', 'exit 137']))\n"));
    }

    @Test
    void forkSaysWhyNotAndWhatInstead() {
        assertEquals("(38, True, 38)", run("try:\n    os.fork()\nexcept OSError as e:\n    first = e\n"
                + "try:\n    os.forkpty()\nexcept OSError as e:\n    second = e\n"
                + "result = (first.errno, 'preexec_fn=os.setsid' in first.strerror, second.errno)\n"));
    }

    @Test
    void statvfsAnswersAsCPython() throws IOException {
        long[] expected = LinuxCalls.statvfs("/");
        Path file = Files.writeString(dir.resolve("f"), "x");
        String answer = run("s = os.statvfs('/')\nf = open(" + py(file) + ")\n"
                + "result = (type(s).__name__, len(s), s.f_bsize, s.f_namemax, s[0] == s.f_bsize, "
                + "os.fstatvfs(f.fileno()).f_frsize > 0, repr(s).startswith('posix.statvfs_result(f_bsize='))\n"
                + "f.close()\n");
        assertEquals("('statvfs_result', 10, " + expected[0] + ", " + expected[10] + ", True, True, True)", answer);
    }

    @Test
    void sessionAndProcessGroupCallsAreTheKernels() throws IOException {
        String[] stat = Files.readString(Paths.get("/proc/self/stat")).replaceFirst("^.*\\) ", "").split(" ");
        String pgrp = stat[2];
        String session = stat[3];
        assertEquals("(" + session + ", " + pgrp + ", " + pgrp + ", " + session + ")",
                run("result = (os.getsid(0), os.getpgid(0), os.getpgrp(), os.getsid(os.getpid()))"));
        assertEquals("(3, 3, 3)", run("codes = []\n"
                + "for call in (lambda: os.getsid(999999), lambda: os.getpgid(999999), "
                + "lambda: os.setpgid(999999, 0)):\n"
                + "    try:\n        call()\n    except OSError as e:\n        codes.append(e.errno)\n"
                + "result = tuple(codes)\n"));
    }

    @Test
    void identityCallsExistAndAreTheCLibrarys() {
        assertEquals("True", run("result = all(callable(getattr(os, n)) for n in ('setuid', 'setgid', 'seteuid', "
                + "'setegid', 'setreuid', 'setregid', 'setgroups', 'initgroups', 'setsid', 'setpgrp', 'nice'))"));
        // setting what is already set succeeds without changing anything, as in C
        assertEquals("(None, None, None)", run("result = (os.setuid(os.getuid()), os.setgid(os.getgid()), "
                + "os.seteuid(os.geteuid()))"));
        if (!root()) {
            assertEquals("1", run("try:\n    os.setuid(0)\nexcept OSError as e:\n    result = e.errno\n"));
        }
    }

    @Test
    void preexecSetsidStartsANewSession() {
        assertEquals("True", run("import subprocess\n"
                + "p = subprocess.Popen(['sh', '-c', 'cut -d\" \" -f6 /proc/$$/stat'], stdout=subprocess.PIPE, "
                + "preexec_fn=os.setsid)\n"
                + "out = p.communicate()[0]\nresult = int(out) == p.pid\n"));
    }

    @Test
    void preexecClosureIsAppliedToTheChildNotTheCaller() {
        assertEquals("('0077\\n/tmp\\n', True, True)", run("import subprocess\n"
                + "before = (os.getsid(0), os.getcwd())\n"
                + "def pre():\n    os.setsid()\n    os.umask(0o077)\n    os.chdir('/tmp')\n"
                + "p = subprocess.Popen('umask; pwd', shell=True, stdout=subprocess.PIPE, preexec_fn=pre)\n"
                + "out = p.communicate()[0]\n"
                + "mask = os.umask(0o022)\nos.umask(mask)\n"
                + "result = (out, before == (os.getsid(0), os.getcwd()), mask != 0o077)\n"));
    }

    @Test
    void preexecRefusesWhatItCannotApply() {
        assertEquals("(True, True)", run("import subprocess\n"
                + "try:\n    subprocess.Popen(['true'], preexec_fn=lambda: os.close(0))\n"
                + "except ValueError as e:\n    message = str(e)\n"
                + "result = ('os.close()' in message, os.fstat(0) is not None)\n"));
    }

    @Test
    void preexecSetuidRunsTheChildAsThatUser() {
        Assumptions.assumeTrue(root(), "changing a child's uid needs root");
        assertEquals("'65534 65534 65534\\n'", run("import subprocess\n"
                + "def pre():\n    os.setgroups([])\n    os.setgid(65534)\n    os.setuid(65534)\n"
                + "out = subprocess.Popen(['sh', '-c', 'echo $(id -u) $(id -g) $(id -G)'], stdout=subprocess.PIPE, "
                + "preexec_fn=pre).communicate()[0]\n"
                + "result = repr(out)\n"));
    }

    @Test
    void fcntlLocksAndFlagsWorkOnFilesAndDescriptors() throws IOException {
        Path file = Files.writeString(dir.resolve("lock"), "");
        assertEquals("(None, 11, 1, 1, 0, None, None)", run("import fcntl\n"
                + "f = open(" + py(file) + ", 'w')\ng = open(" + py(file) + ", 'w')\n"
                + "first = fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
                + "try:\n    fcntl.flock(g.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)\n    second = 0\n"
                + "except IOError as e:\n    second = e.errno\n"
                + "fd = os.open(" + py(file) + ", os.O_RDONLY)\n"
                + "fcntl.fcntl(fd, fcntl.F_SETFD, fcntl.FD_CLOEXEC)\n"
                + "cloexec = fcntl.fcntl(fd, fcntl.F_GETFD)\n"
                + "mode = fcntl.fcntl(f, fcntl.F_GETFL) & 3\n"
                + "fcntl.fcntl(fd, fcntl.F_SETFD, 0)\n"
                + "result = (first, second, cloexec, mode, fcntl.fcntl(fd, fcntl.F_GETFD), "
                + "fcntl.lockf(f, fcntl.LOCK_EX), fcntl.lockf(f, fcntl.LOCK_UN))\n"
                + "os.close(fd)\nf.close()\ng.close()\n"));
    }

    @Test
    void fcntlLockIsSeenByOtherProcesses() throws IOException {
        Path file = Files.writeString(dir.resolve("lock"), "");
        assertEquals("(1, 0)", run("import fcntl, subprocess\n"
                + "f = open(" + py(file) + ", 'w')\nfcntl.flock(f, fcntl.LOCK_EX)\n"
                + "held = subprocess.call(['flock', '-n', " + py(file) + ", 'true'])\n"
                + "fcntl.flock(f, fcntl.LOCK_UN)\n"
                + "result = (held, subprocess.call(['flock', '-n', " + py(file) + ", 'true']))\nf.close()\n"));
    }

    @Test
    void ioctlFillsStringsAndMutableBuffers() throws IOException {
        Path file = Files.writeString(dir.resolve("five"), "hello");
        // FIONREAD: bytes left to read
        assertEquals("((5,), 0, [5])", run("import fcntl, struct, array\nf = open(" + py(file) + ")\n"
                + "buf = array.array('i', [0])\n"
                + "result = (struct.unpack('<i', fcntl.ioctl(f, 0x541B, '\\0' * 4)), "
                + "fcntl.ioctl(f.fileno(), 0x541B, buf, True), buf.tolist())\nf.close()\n"));
    }

    @Test
    void fcntlConstantsAreLinuxs() {
        assertEquals("(1, 2, 4, 8, 0, 1, 2, 3, 4, 5, 6, 7, 1, 0, 1, 2)", run("import fcntl as f\n"
                + "result = (f.LOCK_SH, f.LOCK_EX, f.LOCK_NB, f.LOCK_UN, f.F_DUPFD, f.F_GETFD, f.F_SETFD, "
                + "f.F_GETFL, f.F_SETFL, f.F_GETLK, f.F_SETLK, f.F_SETLKW, f.FD_CLOEXEC, f.F_RDLCK, f.F_WRLCK, "
                + "f.F_UNLCK)"));
    }

    @Test
    void resourceAnswersAsCPython() throws IOException {
        String limits = Files.readAllLines(Paths.get("/proc/self/limits")).stream()
                .filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow();
        String[] f = limits.substring("Max open files".length()).trim().split("\\s+");
        assertEquals("((" + f[0] + ", " + f[1] + "), 4096, 'struct_rusage', True, True, -1)", run("import resource\n"
                + "u = resource.getrusage(resource.RUSAGE_SELF)\n"
                + "result = (resource.getrlimit(resource.RLIMIT_NOFILE), resource.getpagesize(), "
                + "type(u).__name__, u.ru_maxrss > 0 and isinstance(u.ru_utime, float), "
                + "resource.setrlimit(resource.RLIMIT_CORE, resource.getrlimit(resource.RLIMIT_CORE)) is None, "
                + "resource.RLIM_INFINITY)\n"));
        assertEquals("(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0, -1)", run("import resource as r\n"
                + "result = (r.RLIMIT_CPU, r.RLIMIT_FSIZE, r.RLIMIT_DATA, r.RLIMIT_STACK, r.RLIMIT_CORE, "
                + "r.RLIMIT_RSS, r.RLIMIT_NPROC, r.RLIMIT_NOFILE, r.RLIMIT_MEMLOCK, r.RLIMIT_AS, r.RUSAGE_SELF, "
                + "r.RUSAGE_CHILDREN)"));
    }

    @Test
    void syslogHasCPythonsFunctionsAndConstants() {
        assertEquals("(8, 15, 3, 6, 24, 32, 128, 1, 32, None, None)", run("import syslog as s\n"
                + "s.openlog('harpd-test', s.LOG_PID, s.LOG_USER)\n"
                + "logged = s.syslog(s.LOG_DEBUG, 'harpd LinuxStdlibTest')\n"
                + "result = (s.LOG_MASK(3), s.LOG_UPTO(3), s.LOG_ERR, s.LOG_INFO, s.LOG_DAEMON, s.LOG_AUTH, "
                + "s.LOG_LOCAL0, s.LOG_PID, s.LOG_PERROR, logged, s.closelog())\n"));
    }

    @Test
    void spwdReadsTheShadowFile() {
        assertEquals("(KeyError('getspnam(): name not found',), 'struct_spwd')", run("import spwd\n"
                + "try:\n    spwd.getspnam('no-such-user-here')\nexcept KeyError as e:\n    missing = e\n"
                + "result = (missing, spwd.struct_spwd.__name__)\n"));
        Assumptions.assumeTrue(root(), "/etc/shadow is readable by root only");
        assertEquals("('root', 9, True)", run("import spwd\ne = spwd.getspnam('root')\n"
                + "result = (e.sp_nam, len(e), e.sp_nam in [x.sp_nam for x in spwd.getspall()])\n"));
    }

    @Test
    void selectAndPollWorkOnSubprocessPipes() {
        assertEquals("(0, 1, 'ready\\n', True)", run("import select, subprocess\n"
                + "p = subprocess.Popen(['sh', '-c', 'read x; echo ready'], stdin=subprocess.PIPE, "
                + "stdout=subprocess.PIPE)\n"
                + "before = len(select.select([p.stdout], [], [], 0.2)[0])\n"
                + "p.stdin.write('go\\n')\np.stdin.flush()\n"
                + "after = len(select.select([p.stdout], [], [], 30)[0])\n"
                + "line = p.stdout.readline()\n"
                + "poller = select.poll()\npoller.register(p.stdout, select.POLLIN)\n"
                + "events = poller.poll(30000)\n"
                + "result = (before, after, line, bool(events) and events[0][0] == p.stdout.fileno())\n"
                + "p.wait()\n"));
    }

    @Test
    void selectWorksOnPlainDescriptorsAndFiles() throws IOException {
        Path file = Files.writeString(dir.resolve("data"), "x");
        assertEquals("(1, 1, 1)", run("import select\n"
                + "fd = os.open(" + py(file) + ", os.O_RDONLY)\nf = open(" + py(file) + ")\n"
                + "r, w, x = select.select([fd, f], [1], [], 5)\n"
                + "result = (r.count(fd), r.count(f), len(w))\nos.close(fd)\nf.close()\n"));
    }
}
