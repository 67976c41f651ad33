package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 20, as an attacker: code running inside one ordinary procedure call as {@code nobody} (an injection, an
 * {@code exec} of a string the procedure was given) tries to outlive its call at the default {@code interpreter}
 * level — to keep running in the worker and read later calls, to leave the worker changed for them, to forge
 * the worker's protocol lines, or to reach into harpd's own classes. Each test asserts the defended behaviour:
 * nothing of the call reaches a later call, whether the worker put its state back or was replaced (so the
 * assertions compare what later calls see, and accept either a new worker or the same one put back).
 *
 * <p>One daemon for all: {@code interpreter}, {@code spare: 0}, {@code max: 1}, so every call meets the worker
 * the previous call left (unless it was replaced). After a failed test the worker is killed from outside (the
 * tests run as root) and a fresh one answers a probe, so no test depends on what another's attack left behind.
 * Attack procedures write what they find to a world-writable drop directory, which the tests read. Procedures
 * that wait for something wait for an event (a file, a heartbeat, a thread gone) with a generous bound only as
 * a failure limit. Needs root.
 */
class CallEscapeIT {
    static final String OTHER_USER = "other";
    static final String OTHER_PASSWORD = "other-secret";
    /** The forger's timeout ({@code forge_and_outrun}) and the daemon's timeout_grace, in seconds. */
    static final int OUTRUN_TIMEOUT = 2;
    static final int TIMEOUT_GRACE = 1;

    static final String PROCEDURES = """
            from harpd.proc import procedure
            import datetime, hashlib, logging, os, subprocess, sys, time
            import java
            from java.lang import Class, Runnable, System, Thread

            DROP = %DROP%

            # ---- helpers shared by attacker and victims ------------------------------------------------

            def path(name):
                return os.path.join(DROP, name)

            def note(name, text):
                # one line to a file of the drop directory, the file closed at once (a descriptor left open
                # would make the worker retire itself at the reset, ending the attack)
                with open(path(name), "a") as f:
                    f.write("%s\\n" % text)

            def read(name):
                try:
                    with open(path(name)) as f:
                        return f.read()
                except IOError:
                    return ""

            def beat(name, count):
                # a heartbeat without a descriptor: the count is the file's modification time
                if not os.path.exists(path(name)):
                    open(path(name), "w").close()
                os.utime(path(name), (count, count))

            def beats(name):
                try:
                    return int(os.stat(path(name)).st_mtime)
                except OSError:
                    return 0

            def wait_for(condition, seconds):
                # polls for an event; the bound is only a failure limit
                deadline = time.time() + seconds
                while not condition() and time.time() < deadline:
                    time.sleep(0.02)
                return condition()

            def attempt(tried, what, action):
                # an attack step that may be refused: what happened goes to the call's answer
                try:
                    action()
                    tried.append(what + ": done")
                except (Exception, java.lang.Throwable) as e:
                    tried.append("%s: %r" % (what, e))

            def root_group():
                group = Thread.currentThread().getThreadGroup()
                while group.getParent() is not None:
                    group = group.getParent()
                return group

            def threads_named(prefix):
                from java.lang.reflect import Array
                group = root_group()
                found = Array.newInstance(Thread, group.activeCount() * 2 + 16)
                n = group.enumerate(found, True)
                return [t.getName() for t in found[:n] if t is not None and t.isAlive()
                        and t.getName().startswith(prefix)]

            def passwords_in_flight():
                # what code running anywhere in the JVM sees of the calls running now: every frame of every
                # thread, and their locals; a later call's argument named "password" is one of them
                found = []
                for frame in sys._current_frames().values():
                    f = frame
                    while f is not None:
                        value = f.f_locals.get("password")
                        if value is not None:
                            found.append(str(value))
                        f = f.f_back
                return found

            def identity():
                # this worker process: its pid and its start time (a pid may be reused, the pair is not)
                with open("/proc/self/stat") as f:
                    stat = f.read()
                return {"pid": os.getpid(), "started": int(stat[stat.rindex(")") + 2:].split()[19])}

            @procedure(uid="nobody")
            def echo(token):
                return token

            @procedure(uid="nobody")
            def whoami():
                return identity()

            # ---- 1. a thread outside the call's thread group ------------------------------------------

            class Spy(Runnable):
                # The attacker's loop: every 20 ms, every frame of every thread, looking for a local named
                # "password"; what it finds goes to TAG.leak, and TAG.beat counts its rounds.
                def __init__(self, tag):
                    self.tag = tag

                def run(self):
                    Thread.currentThread().setName("harpd-it-spy-" + self.tag)
                    seen = set()
                    end = time.time() + 120
                    rounds = 0
                    while time.time() < end:
                        # whatever is thrown at it (an interrupt, ThreadDeath), the spy carries on
                        try:
                            for password in passwords_in_flight():
                                if password not in seen:
                                    seen.add(password)
                                    note(self.tag + ".leak", password)
                            rounds += 1
                            beat(self.tag + ".beat", rounds)
                            time.sleep(0.02)
                        except (Exception, java.lang.Throwable) as e:
                            note(self.tag + ".errors", repr(e))

            @procedure(uid="nobody")
            def plant_spy_in_root_group(tag):
                # walk up from the call's thread group to the JVM's root group and start a daemon Java thread
                # there, outside the group the reset looks at
                spy = Thread(root_group(), Spy(tag), "spy")
                spy.setDaemon(True)
                spy.start()
                wait_for(lambda: beats(tag + ".beat") > 0, 30)
                return dict(identity(), beats=beats(tag + ".beat"))

            @procedure(uid="nobody")
            def plant_spy_in_cleaner_thread(tag):
                # no walking of thread groups: java.lang.ref.Cleaner.create() has the JDK start a thread of its
                # own (an InnocuousThread, in a group of its own), and the cleaning action, the spy, runs in it
                # once the registered object is collected
                from java.lang.ref import Cleaner
                Cleaner.create().register(java.lang.Object(), Spy(tag))
                wait_for(lambda: System.gc() or beats(tag + ".beat") > 0, 30)
                return dict(identity(), beats=beats(tag + ".beat"))

            @procedure(uid="nobody")
            def login(tag, password):
                # The victim: an ordinary procedure of the same uid, given a secret as an argument. It returns
                # once a spy, if one runs in this JVM, has looked at every thread twice during the call (or has
                # found the secret): it stands for a call that lasts long enough to be seen.
                start = beats(tag + ".beat")
                wait_for(lambda: password in read(tag + ".leak") or not threads_named("harpd-it-spy-" + tag)
                         or beats(tag + ".beat") >= start + 2, 30)
                return dict(identity(), spies=threads_named("harpd-it-spy-" + tag))

            # ---- 1b. a thread Java does not see ------------------------------------------------------

            def tasks_named(name):
                # the process's threads as the kernel lists them, by name (comm is readable by anyone)
                found = []
                for tid in os.listdir("/proc/self/task"):
                    try:
                        with open("/proc/self/task/%s/comm" % tid) as f:
                            if f.read().strip() == name:
                                found.append(int(tid))
                    except IOError:
                        pass   # ended meanwhile
                return found

            @procedure(uid="nobody")
            def plant_native_thread(name):
                # pthread_create through jffi, with libc's sleep as the thread's function: a thread no Java
                # enumeration shows, named so the next call can look for it
                library = Library.getCachedInstance("libc.so.6", Library.LAZY | Library.GLOBAL)
                memory = MemoryIO.getInstance()
                thread = memory.allocateMemory(8, True)
                text = memory.allocateMemory(16, True)
                try:
                    created = libc("pthread_create", 4)(thread, 0, library.getSymbolAddress("sleep"), 120)
                    data = java.lang.String(name).getBytes("US-ASCII")
                    memory.putZeroTerminatedByteArray(text, data, 0, len(data))
                    named = libc("pthread_setname_np", 2)(memory.getLong(thread), text)
                finally:
                    memory.freeMemory(thread)
                    memory.freeMemory(text)
                return dict(identity(), created=created, named=named, tasks=tasks_named(name))

            @procedure(uid="nobody")
            def native_threads(name):
                return dict(identity(), tasks=tasks_named(name))

            # ---- 2. process attributes ---------------------------------------------------------------

            from com.kenai.jffi import Function, Invoker, Library, MemoryIO, Type

            def libc(name, arguments):
                # jffi, the public native-call library on the class path (under jnr-ffi and jnr-posix): any
                # libc function, with no help from harpd
                library = Library.getCachedInstance("libc.so.6", Library.LAZY | Library.GLOBAL)
                function = Function(library.getSymbolAddress(name), Type.SINT, [Type.SLONG] * arguments)
                def invoke(*args):
                    args = list(args) + [0] * (5 - len(args))
                    return int(Invoker.getInstance().invokeL5(function.getCallContext(),
                                                              function.getFunctionAddress(), *args))
                return invoke

            PR_SET_PDEATHSIG, PR_GET_PDEATHSIG, PR_GET_DUMPABLE, PR_SET_DUMPABLE = 1, 2, 3, 4
            PR_SET_CHILD_SUBREAPER, PR_GET_CHILD_SUBREAPER, PR_SET_NO_NEW_PRIVS, PR_GET_NO_NEW_PRIVS = 36, 37, 38, 39
            SCHED_BATCH = 3
            ADDR_NO_RANDOMIZE = 0x0040000
            CPU_SET_BYTES = 128

            def out_int(call):
                # a libc call that answers through an int pointer
                memory = MemoryIO.getInstance()
                address = memory.allocateMemory(8, True)
                try:
                    call(address)
                    return memory.getInt(address)
                finally:
                    memory.freeMemory(address)

            def cpus():
                memory = MemoryIO.getInstance()
                address = memory.allocateMemory(CPU_SET_BYTES, True)
                try:
                    libc("sched_getaffinity", 3)(0, CPU_SET_BYTES, address)
                    return [cpu for cpu in range(CPU_SET_BYTES * 8)
                            if memory.getByte(address + cpu // 8) >> (cpu % 8) & 1]
                finally:
                    memory.freeMemory(address)

            def pin_to(cpu):
                memory = MemoryIO.getInstance()
                address = memory.allocateMemory(CPU_SET_BYTES, True)
                try:
                    memory.putByte(address + cpu // 8, 1 << (cpu % 8))
                    if libc("sched_setaffinity", 3)(0, CPU_SET_BYTES, address) != 0:
                        raise OSError("sched_setaffinity failed")
                finally:
                    memory.freeMemory(address)

            @procedure(uid="nobody")
            def process_attributes():
                prctl = libc("prctl", 5)
                return dict(identity(), dumpable=prctl(PR_GET_DUMPABLE), nice=os.nice(0),
                            no_new_privs=prctl(PR_GET_NO_NEW_PRIVS), policy=libc("sched_getscheduler", 1)(0),
                            child_subreaper=out_int(lambda address: prctl(PR_GET_CHILD_SUBREAPER, address)),
                            parent_death_signal=out_int(lambda address: prctl(PR_GET_PDEATHSIG, address)),
                            personality=libc("personality", 1)(0xffffffff), cpus=cpus())

            @procedure(uid="nobody")
            def change_process_attributes():
                prctl = libc("prctl", 5)
                tried = []
                # ptrace-able by any process of this uid from now on (gdb -p reads later calls' memory)
                attempt(tried, "dumpable", lambda: prctl(PR_SET_DUMPABLE, 1))
                # and nicer, batch-scheduled, and unable to gain privileges (setuid programs such as ping or
                # sudo stop working for later calls)
                attempt(tried, "nice", lambda: os.nice(5))
                param = MemoryIO.getInstance().allocateMemory(8, True)
                attempt(tried, "batch", lambda: libc("sched_setscheduler", 3)(0, SCHED_BATCH, param))
                attempt(tried, "no_new_privs", lambda: prctl(PR_SET_NO_NEW_PRIVS, 1))
                # beyond the issue's list: programs later calls start run without address-space randomisation;
                # orphans of later calls' double forks go to init, out of the worker's reach (the kill at a
                # timeout walks the worker's tree); the listener's death no longer signals the worker; and the
                # worker, with what later calls start, runs on one CPU
                personality = libc("personality", 1)
                attempt(tried, "personality", lambda: personality(personality(0xffffffff) | ADDR_NO_RANDOMIZE))
                attempt(tried, "child_subreaper", lambda: prctl(PR_SET_CHILD_SUBREAPER, 0))
                attempt(tried, "parent_death_signal", lambda: prctl(PR_SET_PDEATHSIG, 0))
                attempt(tried, "cpus", lambda: pin_to(cpus()[-1]))
                return dict(process_attributes(), tried=tried)

            # ---- 3. JVM-wide state -------------------------------------------------------------------

            @procedure(uid="nobody")
            def jvm_state(tag, text):
                # what a later call sees of the JVM: its time zone and locale, a system property, and the
                # SHA-256 of its own text
                from java.security import Security
                from java.util import Locale, TimeZone
                offset = datetime.datetime.now() - datetime.datetime.utcnow()
                try:
                    sha = hashlib.sha256(text).hexdigest()
                except Exception as e:
                    sha = "failed: %r" % e
                return dict(identity(), planted=System.getProperty("harpd.planted"),
                            user_timezone=System.getProperty("user.timezone"), timezone=TimeZone.getDefault().getID(),
                            offset_hours=int(round(offset.total_seconds() / 3600.0)), locale=str(Locale.getDefault()),
                            first_provider=Security.getProviders()[0].getName(), sha256=sha)

            @procedure(uid="nobody")
            def plant_jvm_state(tag):
                from java.lang import Cloneable
                from java.security import MessageDigestSpi, Provider, Security
                from java.util import Locale, TimeZone
                import jarray
                tried = []
                attempt(tried, "property", lambda: System.setProperty("harpd.planted", tag))
                attempt(tried, "user.timezone", lambda: System.setProperty("user.timezone", "Pacific/Kiritimati"))
                attempt(tried, "time zone", lambda: TimeZone.setDefault(TimeZone.getTimeZone("Pacific/Kiritimati")))
                attempt(tried, "locale", lambda: Locale.setDefault(Locale("tr", "TR")))

                class Digest(MessageDigestSpi, Cloneable):
                    # records whatever a later call hashes, and answers zeros
                    def __init__(self):
                        self.data = []
                    def engineUpdate(self, *args):
                        if len(args) == 1:
                            self.data.append(chr(args[0] & 0xff))
                        else:
                            data, offset, length = args
                            self.data.append("".join(chr(b & 0xff) for b in data[offset:offset + length]))
                    def engineDigest(self):
                        note(tag + ".hashed", "".join(self.data))
                        self.data = []
                        return jarray.zeros(32, "b")
                    def engineReset(self):
                        self.data = []
                    def engineGetDigestLength(self):
                        return 32
                    def clone(self):
                        copy = Digest()
                        copy.data = list(self.data)
                        return copy

                class Service(Provider.Service):
                    def newInstance(self, parameter):
                        return Digest()

                class Planted(Provider):
                    def __init__(self):
                        Provider.__init__(self, "Planted-" + tag, "1.0", "SHA-256 that records its input")
                        self.service = Service(self, "MessageDigest", "SHA-256", "planted.Digest", None, None)
                    def getService(self, kind, algorithm):
                        if kind == "MessageDigest" and algorithm.upper().replace("-", "") == "SHA256":
                            return self.service
                        return Provider.getService(self, kind, algorithm)

                attempt(tried, "provider", lambda: Security.insertProviderAt(Planted(), 1))
                return dict(jvm_state(tag, "planted"), tried=tried)

            @procedure(uid="nobody")
            def jvm_hooks():
                # JVM-wide defaults beyond the issue's list, each a place where code of one call runs in later
                # calls or sees their traffic
                from java.net import Authenticator, CookieHandler, MalformedURLException, ProxySelector
                from java.net import ResponseCache, URL
                from javax.net.ssl import HttpsURLConnection
                def kind(value):
                    return None if value is None else value.getClass().getName()
                try:
                    URL("harpdit://x")
                    url_factory = "a planted factory answers"
                except MalformedURLException:
                    url_factory = "unknown protocol"
                return dict(identity(), proxy_selector=kind(ProxySelector.getDefault()),
                            authenticator=kind(Authenticator.getDefault()), cookie_handler=kind(CookieHandler.getDefault()),
                            response_cache=kind(ResponseCache.getDefault()),
                            hostname_verifier=kind(HttpsURLConnection.getDefaultHostnameVerifier()),
                            uncaught_exception_handler=kind(Thread.getDefaultUncaughtExceptionHandler()),
                            url_factory=url_factory)

            @procedure(uid="nobody")
            def plant_jvm_hooks():
                from java.net import Authenticator, Proxy, ProxySelector, URL, URLStreamHandler
                from java.net import URLStreamHandlerFactory
                from javax.net.ssl import HostnameVerifier, HttpsURLConnection
                class Selector(ProxySelector):
                    # sees every URL a later call opens, and may send it through a proxy of the attacker's
                    def select(self, uri):
                        return [Proxy.NO_PROXY]
                    def connectFailed(self, uri, address, error):
                        pass
                class Asker(Authenticator):
                    pass   # would be asked for later calls' HTTP credentials
                class Verifier(HostnameVerifier):
                    def verify(self, host, session):
                        return True   # any certificate for any host: later calls' HTTPS open to interception
                class Handler(Thread.UncaughtExceptionHandler):
                    def uncaughtException(self, thread, error):
                        pass
                class Streams(URLStreamHandler):
                    def openConnection(self, url):
                        return None
                class Factory(URLStreamHandlerFactory):
                    # set once per JVM, never put back: it answers for every protocol not used yet
                    def createURLStreamHandler(self, protocol):
                        return Streams() if protocol == "harpdit" else None
                tried = []
                attempt(tried, "proxy selector", lambda: ProxySelector.setDefault(Selector()))
                attempt(tried, "authenticator", lambda: Authenticator.setDefault(Asker()))
                attempt(tried, "hostname verifier", lambda: HttpsURLConnection.setDefaultHostnameVerifier(Verifier()))
                attempt(tried, "uncaught exception handler", lambda: Thread.setDefaultUncaughtExceptionHandler(Handler()))
                attempt(tried, "URL stream handler factory", lambda: URL.setURLStreamHandlerFactory(Factory()))
                return dict(jvm_hooks(), tried=tried)

            # ---- 4. forged protocol lines -------------------------------------------------------------

            FORGED = ['{"result": "forged"}\\n', '{"ready": {"pid": %d}}\\n' % os.getpid()]

            def forge_by_reflection():
                # harpd's log bridge keeps a lambda that captured the worker's reply pipe: take it out by
                # reflection and call its write(byte[])
                bridge = Class.forName("org.harpd.logging.PythonLogBridge")
                field = bridge.getDeclaredField("sink")
                field.setAccessible(True)
                sink = field.get(None)
                pipes = None
                for captured in sink.getClass().getDeclaredFields():
                    captured.setAccessible(True)
                    if captured.get(sink).getClass().getName() == "org.harpd.worker.ProtocolPipes":
                        pipes = captured.get(sink)
                write = pipes.getClass().getDeclaredMethod("write", [Class.forName("[B")])
                write.setAccessible(True)
                for line in FORGED:
                    write.invoke(pipes, [java.lang.String(line).getBytes("UTF-8")])
                return "by reflection"

            def reply_pipes(posix):
                # the worker's descriptors that are write-only pipes, close-on-exec, not stdout or stderr
                from jnr.constants.platform import Fcntl
                found = []
                for fd in sorted(int(name) for name in os.listdir("/proc/self/fd")):
                    if fd <= 2:
                        continue
                    try:
                        if (posix.fstat(fd).isFifo() and posix.fcntl(fd, Fcntl.F_GETFL) & 3 == 1
                                and posix.fcntl(fd, Fcntl.F_GETFD) & 1):
                            found.append(fd)
                    except (Exception, java.lang.Throwable):
                        pass   # closed meanwhile
                return found

            def forge_by_posix_write():
                # no reflection: jnr-posix's public POSIX.write on the reply pipe's descriptor
                import jnr.posix.POSIXFactory
                posix = jnr.posix.POSIXFactory.getPOSIX()
                fds = reply_pipes(posix)
                for fd in fds:
                    for line in FORGED:
                        data = java.lang.String(line).getBytes("UTF-8")
                        posix.write(fd, data, len(data))
                return "by POSIX.write on descriptor(s) %s" % fds

            def forge_then_wait(tag, forge):
                try:
                    how = forge()
                except (Exception, java.lang.Throwable) as e:
                    how = "could not forge: %r" % e
                note(tag + ".forged", how)
                # keep running: the listener has already sent the next client's call to this worker
                wait_for(lambda: os.path.exists(path(tag + ".release")), 60)
                return "real result of the forger"

            @procedure(uid="nobody", timeout=120)
            def forge_lines_by_reflection(tag):
                return forge_then_wait(tag, forge_by_reflection)

            @procedure(uid="nobody", timeout=120)
            def forge_lines_by_posix_write(tag):
                return forge_then_wait(tag, forge_by_posix_write)

            @procedure(uid="nobody", timeout=%OUTRUN_TIMEOUT%)
            def forge_and_outrun(tag):
                # forge an early answer and "ready", then keep working far beyond the timeout, shrugging off
                # the Timeout the worker raises
                note(tag + ".pid", str(os.getpid()))
                try:
                    note(tag + ".forged", forge_by_posix_write())
                except (Exception, java.lang.Throwable) as e:
                    note(tag + ".forged", "could not forge: %r" % e)
                rounds = 0
                end = time.time() + 60
                while time.time() < end:
                    try:
                        rounds += 1
                        beat(tag + ".beat", rounds)
                        time.sleep(0.1)
                    except (BaseException, java.lang.Throwable):
                        pass   # Timeout, an interrupt, ThreadDeath: carry on
                return "outran"

            # ---- 5. harpd's own classes ----------------------------------------------------------------

            @procedure(uid="nobody")
            def reach_in():
                opened, refused = [], []
                for name, member in [("org.harpd.worker.WorkerProcessMain", "pipes"),
                                     ("org.harpd.worker.ProtocolPipes", "replyFd"),
                                     ("org.harpd.logging.PythonLogBridge", "sink")]:
                    try:
                        Class.forName(name).getDeclaredField(member).setAccessible(True)
                        opened.append("%s.%s" % (name, member))
                    except (Exception, java.lang.Throwable) as e:
                        refused.append("%s.%s: %s" % (name, member, e))
                # ordinary Java keeps working
                import jarray
                from java.util import ArrayList
                values = ArrayList()
                values.add("a")
                values.add("b")
                ordinary = {"list": list(values), "java_version": System.getProperty("java.version") is not None,
                            "size_by_reflection": Class.forName("java.util.ArrayList").getMethod("size").invoke(
                                values, jarray.array([], java.lang.Object))}
                return {"opened": opened, "refused": refused, "ordinary": ordinary}

            # ---- beyond the issue's list ------------------------------------------------------------------

            @procedure(uid="nobody")
            def hijack_log_sink(tag):
                # harpd's public API: PythonLogBridge.routeTo replaces where the worker's Python log records go.
                # The new sink runs in the thread of whichever later call logs, and reads that call's frames.
                def hijack():
                    from org.harpd.logging import PythonLogBridge
                    class Sink(PythonLogBridge.Sink):
                        def accept(self, name, levelno, message, created, process):
                            f = sys._getframe()
                            while f is not None:
                                if "password" in f.f_locals:
                                    note(tag + ".leak", str(f.f_locals["password"]))
                                f = f.f_back
                    PythonLogBridge.routeTo(Sink())
                tried = []
                attempt(tried, "routeTo", hijack)
                return dict(identity(), tried=tried)

            @procedure(uid="nobody")
            def log_in(tag, password):
                # the victim logs, as procedures do
                logging.getLogger("harpd-it").warning("login attempt %s", tag)
                return identity()

            class Ghost(object):
                # The attacker's object: its __del__ runs in the JVM's finalizer thread whenever a collection
                # finds it, whichever call is running then, reads every thread's frames, and leaves a new
                # Ghost behind for the next collection.
                def __init__(self, tag):
                    self.tag = tag

                def __del__(self):
                    try:
                        for password in passwords_in_flight():
                            note(self.tag + ".leak", password)
                        beat(self.tag + ".beat", beats(self.tag + ".beat") + 1)
                    finally:
                        Ghost(self.tag)

            @procedure(uid="nobody")
            def haunt(tag):
                Ghost(tag)
                return identity()

            class Canary(object):
                def __init__(self, seen):
                    self.seen = seen

                def __del__(self):
                    self.seen.append(True)

            @procedure(uid="nobody")
            def login_while_collecting(tag, password):
                # The victim: an ordinary call, given a secret, during which the garbage collector runs (a
                # busy call allocates; System.gc() stands for that). It returns once the ghost, if any, ran
                # during the call, or once the finalizer thread has run three rounds of its own canaries.
                start = beats(tag + ".beat")
                seen = []
                for round in range(3):
                    Canary(seen)
                    wait_for(lambda: System.gc() or len(seen) > round or beats(tag + ".beat") > start, 30)
                    if beats(tag + ".beat") > start:
                        break
                return dict(identity(), canaries=len(seen), ghost_rounds=beats(tag + ".beat") - start)

            # ---- the ordinary case ------------------------------------------------------------------------

            @procedure(uid="nobody")
            def everyday(tag):
                logging.getLogger("harpd-it").warning("everyday %s", tag)
                return dict(identity(), echo=subprocess.check_output(["echo", tag]).strip(),
                            sha256=hashlib.sha256(tag).hexdigest(), year=datetime.datetime.now().year)
            """;

    static Daemon daemon;
    static Path dir;
    static Path drop;

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(PrivilegesIT.root(), "procedures run as nobody: the suite must run as root");
        dir = Files.createTempDirectory("harpd-escape");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        drop = Files.createDirectory(dir.resolve("drop"));
        // the attacker and the victims run as nobody and write here
        Files.setPosixFilePermissions(drop, PosixFilePermissions.fromString("rwxrwxrwx"));
        daemon = Daemon.builder().dir(dir)
                .procedures(PROCEDURES.replace("%DROP%", "'" + drop + "'")
                        .replace("%OUTRUN_TIMEOUT%", Integer.toString(OUTRUN_TIMEOUT)))
                .authentication("authentication:\n  module: harpd.auth.inconfig\n  users:\n    " + Daemon.USER
                        + ": \"plain:" + Daemon.PASSWORD + "\"\n    " + OTHER_USER + ": \"plain:" + OTHER_PASSWORD
                        + "\"\n")
                .config("workers:\n  isolation: interpreter\n  spare: 0\n  max: 1\n  idle_timeout: 0\n"
                        + "  timeout_grace: " + TIMEOUT_GRACE + "\n")
                .start();
        probe();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        if (dir != null) {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /**
     * After a test that failed, a fresh worker for the next one: what the attack left in the worker (a spy
     * running, a planted hook, the listener and the worker out of step) is killed from outside, and a new worker
     * answers a probe, so no test fails for another's attack. A test that passed showed that its attack left
     * nothing the next call sees, so its worker serves on (a worker boot per test would cost the suite more than
     * a minute of the CI budget).
     */
    @RegisterExtension
    static final AfterEachCallback FRESH_WORKER_AFTER_FAILURE = context -> {
        if (context.getExecutionException().isPresent()) {
            freshWorker();
        }
    };

    static void freshWorker() throws Exception {
        if (daemon == null) {
            return;
        }
        List<ProcessHandle> workers = daemon.workers();
        workers.forEach(ProcessHandle::destroyForcibly);
        await(() -> workers.stream().noneMatch(w -> alive(w.pid())), Duration.ofSeconds(30),
                () -> "workers still alive after SIGKILL: " + workers);
        probe();
    }

    /** An echo answered with its own token: the listener has a worker in step with it. */
    static void probe() throws Exception {
        List<JsonNode> answers = new ArrayList<>();
        for (int attempt = 0; attempt < 10; attempt++) {
            String token = "probe-" + UUID.randomUUID();
            JsonNode answer = call("echo", token);
            if (token.equals(answer.path("result").asText())) {
                return;
            }
            answers.add(answer); // a worker the listener had not yet seen die: "worker process died"
        }
        fail("no worker answers its own echo: " + answers);
    }

    // ---- 1. a thread outside the call's thread group ---------------------------------------------------

    @Test
    void aThreadStartedInTheRootThreadGroupDoesNotSeeLaterCalls() throws Exception {
        assertNoSpyReadsTheNextCall("plant_spy_in_root_group");
    }

    /** Beyond the list: a thread the JDK starts on the call's behalf, in a thread group of its own. */
    @Test
    void aThreadTheJdkStartsForTheCallDoesNotSeeLaterCalls() throws Exception {
        assertNoSpyReadsTheNextCall("plant_spy_in_cleaner_thread");
    }

    private static void assertNoSpyReadsTheNextCall(String plant) throws Exception {
        String tag = tag();
        JsonNode planted = result(plant, tag);
        String secret = "password-" + UUID.randomUUID();
        JsonNode victim = result("login", tag, secret);
        String leak = read(tag + ".leak");
        assertFalse(leak.contains(secret), () -> "the next call's password was read by the spy " + plant
                + " left running: attacker " + planted + ", victim " + victim + ", leak file: " + oneLine(leak));
        assertEquals(0, victim.path("spies").size(), () -> "the spy still runs in the JVM of the next call: attacker "
                + planted + ", victim " + victim);
    }

    /**
     * The "counted against /proc/self/task": a thread started natively (pthread_create through jffi)
     * shows in no thread group. It only sleeps here; what such a thread runs is the attacker's choice.
     */
    @Test
    void aNativeThreadDoesNotOutliveTheCall() throws Exception {
        String name = "nt" + tag().substring(1, 12);
        JsonNode planted = result("plant_native_thread", name);
        JsonNode next = result("native_threads", name);
        assertEquals(0, next.path("tasks").size(), () -> "the native thread runs on in the next call's worker: attacker "
                + planted + ", next call " + next);
    }

    // ---- 2. process attributes ---------------------------------------------------------------------

    @Test
    void dumpableNicenessAndOtherProcessAttributesDoNotReachTheNextCall() throws Exception {
        JsonNode before = result("process_attributes");
        JsonNode during = result("change_process_attributes");
        JsonNode after = result("process_attributes");
        assertEquals(withoutIdentity(before), withoutIdentity(after), () -> "before " + before + ", the attack "
                + during + ", the next call " + after);
    }

    // ---- 3. JVM-wide state -------------------------------------------------------------------------

    @Test
    void jvmWideStateDoesNotReachTheNextCall() throws Exception {
        String tag = tag();
        JsonNode before = result("jvm_state", tag, "before-" + tag);
        JsonNode during = result("plant_jvm_state", tag);
        String secret = "hashed-by-the-next-call-" + tag;
        JsonNode after = result("jvm_state", tag, secret);
        String hashed = read(tag + ".hashed");
        assertFalse(hashed.contains(secret), () -> "the planted security provider saw what the next call hashed: "
                + oneLine(hashed) + "; the next call saw " + after);
        assertEquals(sha256("before-" + tag), before.path("sha256").asText(), before::toString);
        assertEquals(sha256(secret), after.path("sha256").asText(), () -> "the next call's SHA-256: " + after);
        ObjectNode expected = withoutIdentity(before);
        expected.remove("sha256");
        ObjectNode seen = withoutIdentity(after);
        seen.remove("sha256");
        assertEquals(expected, seen, () -> "before " + before + ", the attack " + during + ", the next call " + after);
    }

    /** Beyond the list: JVM-wide defaults through which one call's code runs in, or sees, later calls. */
    @Test
    void jvmWideHooksDoNotReachTheNextCall() throws Exception {
        JsonNode before = result("jvm_hooks");
        JsonNode during = result("plant_jvm_hooks");
        JsonNode after = result("jvm_hooks");
        assertEquals(withoutIdentity(before), withoutIdentity(after), () -> "before " + before + ", the attack "
                + during + ", the next call " + after);
    }

    // ---- 4. forged protocol lines ------------------------------------------------------------------

    @Test
    void linesForgedByReflectionReachNoOtherClient() throws Exception {
        assertEveryClientGetsItsOwnAnswer("forge_lines_by_reflection");
    }

    @Test
    void linesForgedByPosixWriteReachNoOtherClient() throws Exception {
        assertEveryClientGetsItsOwnAnswer("forge_lines_by_posix_write");
    }

    /**
     * The forger writes {@code {"result": "forged"}} and {@code {"ready": ...}} on the reply pipe, then keeps
     * running until four other clients' calls (echo of a token of their own) have been acknowledged, so handed
     * to the pool; then it returns its real result. Each client must get its own token or {@code system_error};
     * the forger's client may get what the forger wrote, its real result, or {@code system_error}.
     */
    private static void assertEveryClientGetsItsOwnAnswer(String forger) throws Exception {
        String tag = tag();
        List<PendingCall> clients = new ArrayList<>();
        try (PendingCall forging = PendingCall.start(Daemon.USER, Daemon.PASSWORD, forger, tag)) {
            // the forger has tried (a file), or its worker was killed for it (its answer)
            await(() -> Files.exists(drop.resolve(tag + ".forged")) || forging.finished(), Duration.ofSeconds(60),
                    () -> "the forger neither tried nor ended: " + forging.lines());
            for (int i = 0; i < 4; i++) {
                PendingCall client = PendingCall.start(Daemon.USER, Daemon.PASSWORD, "echo", tag + "-client-" + i);
                clients.add(client);
                client.awaitLines(1); // acknowledged: the listener has handed the call on
            }
            Files.writeString(drop.resolve(tag + ".release"), "");
            JsonNode forgerAnswer = forging.answer();
            Map<String, JsonNode> answers = new LinkedHashMap<>();
            for (int i = 0; i < clients.size(); i++) {
                answers.put(tag + "-client-" + i, clients.get(i).answer());
            }
            String story = "forger (" + read(tag + ".forged").strip() + ") got " + forgerAnswer + "; clients: "
                    + answers;
            answers.forEach((token, answer) -> assertTrue(token.equals(answer.path("result").asText())
                    || isSystemError(answer), () -> "a client got another call's answer: " + story));
            String forged = forgerAnswer.path("result").asText();
            assertTrue(isSystemError(forgerAnswer) || forged.equals("forged")
                    || forged.equals("real result of the forger"), () -> "the forger got another call's answer: " + story);
        } finally {
            for (PendingCall client : clients) {
                client.close();
            }
        }
    }

    /**
     * A forged early result must not disarm the call's timeout: the forger (timeout 2 s) answers itself at once
     * and keeps working, shrugging off Timeout; its worker must be gone after the timeout and timeout_grace.
     * The bound is a failure limit, far above 2 + 1 s.
     */
    @Test
    void aForgedEarlyResultDoesNotOutrunTheTimeout() throws Exception {
        String tag = tag();
        JsonNode answer = call("forge_and_outrun", tag);
        await(() -> Files.exists(drop.resolve(tag + ".pid")), Duration.ofSeconds(30),
                () -> "the forger did not start: " + answer);
        long pid = Long.parseLong(read(tag + ".pid").strip());
        Duration bound = Duration.ofSeconds(OUTRUN_TIMEOUT + TIMEOUT_GRACE + 20);
        await(() -> !alive(pid), bound, () -> "the forger's worker " + pid + " still works " + bound.toSeconds()
                + " s after a call with timeout " + OUTRUN_TIMEOUT + " s (timeout_grace " + TIMEOUT_GRACE
                + " s): heartbeat " + beats(tag + ".beat") + " rounds of 0.1 s; forged " + read(tag + ".forged").strip()
                + "; its client got " + answer);
        long last = beats(tag + ".beat");
        assertEquals(last, beats(tag + ".beat"), "the heartbeat goes on without the worker");
    }

    // ---- 5. harpd's own classes --------------------------------------------------------------------

    @Test
    void harpdsInternalsAreClosedToReflectionAndOrdinaryJavaWorks() throws Exception {
        JsonNode seen = result("reach_in");
        assertEquals(0, seen.path("opened").size(), () -> "setAccessible succeeded on harpd's internals: " + seen);
        assertEquals("[\"a\",\"b\"]", seen.at("/ordinary/list").toString(), seen::toString);
        assertTrue(seen.at("/ordinary/java_version").asBoolean(), seen::toString);
        assertEquals(2, seen.at("/ordinary/size_by_reflection").asInt(), seen::toString);
    }

    // ---- beyond the list -------------------------------------------------------------------

    /** harpd's public PythonLogBridge.routeTo: a sink planted by one call runs in later calls' threads. */
    @Test
    void aLogSinkPlantedThroughHarpdsApiDoesNotSeeLaterCalls() throws Exception {
        String tag = tag();
        JsonNode planted = result("hijack_log_sink", tag);
        String secret = "password-" + UUID.randomUUID();
        JsonNode victim = result("log_in", tag, secret);
        String leak = read(tag + ".leak");
        assertFalse(leak.contains(secret), () -> "the sink planted by " + planted + " read the next call's password: "
                + victim + ", leak file: " + oneLine(leak));
        // and the next call's records reach the daemon's log again
        daemon.awaitLog(line -> line.contains("login attempt " + tag), Duration.ofSeconds(30));
    }

    /**
     * A Python object with {@code __del__} runs code in the JVM's finalizer thread, a thread of the JVM's own
     * that no thread check counts against the call, whenever a collection finds it; it can leave a new one behind
     * each time.
     */
    @Test
    void aFinalizerLeftBehindDoesNotSeeLaterCalls() throws Exception {
        String tag = tag();
        JsonNode planted = result("haunt", tag);
        String secret = "password-" + UUID.randomUUID();
        JsonNode victim = result("login_while_collecting", tag, secret);
        String leak = read(tag + ".leak");
        assertFalse(leak.contains(secret), () -> "the finalizer left by " + planted + " read the next call's"
                + " password: " + victim + ", leak file: " + oneLine(leak));
        assertEquals(0, victim.path("ghost_rounds").asInt(), () -> "the finalizer ran during the next call: " + victim);
    }

    /** The "tenants never share a worker", at the default configuration. */
    @Test
    void aWorkerThatServedOneHarpdUserServesNoOther() throws Exception {
        JsonNode first = call(Daemon.USER, Daemon.PASSWORD, "whoami").path("result");
        JsonNode other = call(OTHER_USER, OTHER_PASSWORD, "whoami").path("result");
        assertTrue(first.has("pid") && other.has("pid"), first + " / " + other);
        assertNotEquals(first, other, "harpd users " + Daemon.USER + " and " + OTHER_USER + " met the same worker");
    }

    // ---- the ordinary case -------------------------------------------------------------------------

    @Test
    void ordinaryCallsKeepWorkingInOneWorker() throws Exception {
        List<JsonNode> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String tag = tag();
            JsonNode answer = result("everyday", tag);
            answers.add(answer);
            assertEquals(tag, answer.path("echo").asText(), answer::toString);
            assertEquals(sha256(tag), answer.path("sha256").asText(), answer::toString);
            assertTrue(answer.path("year").asInt() >= 2024, answer::toString);
            daemon.awaitLog(line -> line.contains("everyday " + tag), Duration.ofSeconds(30));
        }
        assertEquals(1, answers.stream().map(a -> a.path("pid").asLong() + "/" + a.path("started").asLong())
                .distinct().count(), () -> "ordinary calls cost the worker: " + answers);
    }

    // ---- helpers -----------------------------------------------------------------------------------

    static String tag() {
        return "t" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    static ObjectNode withoutIdentity(JsonNode state) {
        ObjectNode copy = state.deepCopy();
        copy.remove("pid");
        copy.remove("started");
        return copy;
    }

    static String oneLine(String text) {
        return text.strip().replace("\n", " | ");
    }

    static boolean isSystemError(JsonNode answer) {
        return "system_error".equals(answer.at("/error/type").asText());
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    static String read(String name) {
        try {
            return Files.readString(drop.resolve(name));
        } catch (IOException e) {
            return "";
        }
    }

    /** A heartbeat's count: the modification time, in seconds, of a file in the drop directory. */
    static long beats(String name) {
        try {
            return Files.getLastModifiedTime(drop.resolve(name)).toMillis() / 1000;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The final line of a call by user test. */
    static JsonNode call(String procedure, Object... arguments) throws Exception {
        return call(Daemon.USER, Daemon.PASSWORD, procedure, arguments);
    }

    static JsonNode call(String user, String password, String procedure, Object... arguments) throws Exception {
        try (PendingCall call = PendingCall.start(user, password, procedure, arguments)) {
            return call.answer();
        }
    }

    /** The result of a call that must succeed. */
    static JsonNode result(String procedure, Object... arguments) throws Exception {
        JsonNode answer = call(procedure, arguments);
        assertTrue(answer.has("result"), () -> procedure + " failed: " + answer);
        return answer.get("result");
    }

    static boolean alive(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException | RuntimeException gone) {
            return false;
        }
    }

    static void await(BooleanSupplier condition, Duration timeout, Supplier<String> message) throws InterruptedException {
        Instant end = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(end)) {
                throw new AssertionError(message.get());
            }
            Thread.sleep(20);
        }
    }

    /** One call on its own connection, its lines collected as they come. */
    static final class PendingCall implements AutoCloseable {
        private final SSLSocket socket;
        private final List<String> lines = new CopyOnWriteArrayList<>();
        private volatile boolean closed;

        private PendingCall(SSLSocket socket) {
            this.socket = socket;
            Thread reader = new Thread(this::read, "call-escape-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static PendingCall start(String user, String password, String procedure, Object... arguments) throws Exception {
            ObjectNode request = Wire.JSON.createObjectNode().put("harp", 1).put("procedure", procedure);
            ArrayNode args = request.putArray("arguments");
            for (Object argument : arguments) {
                args.add(Wire.JSON.valueToTree(argument));
            }
            request.putObject("auth").put("user", user).put("password", password);
            SSLSocket socket = Wire.connect(daemon.port());
            socket.setSoTimeout(0); // the reader waits for the daemon; the bounds are the tests' own
            OutputStream out = socket.getOutputStream();
            out.write((Wire.JSON.writeValueAsString(request) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            return new PendingCall(socket);
        }

        private void read() {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the daemon closed the connection, with or without close_notify, or close() did
            } finally {
                closed = true;
            }
        }

        List<String> lines() {
            return List.copyOf(lines);
        }

        /** Whether the daemon has ended the call: its connection is closed. */
        boolean finished() {
            return closed;
        }

        void awaitLines(int count) throws InterruptedException {
            await(() -> lines.size() >= count || closed, Duration.ofSeconds(120),
                    () -> "fewer than " + count + " lines within 120 s: " + lines);
        }

        /** The last line once the daemon closed the connection. */
        JsonNode answer() throws Exception {
            await(() -> closed, Duration.ofSeconds(120), () -> "no answer within 120 s: " + lines);
            List<String> all = lines();
            assertFalse(all.isEmpty(), "the daemon closed the connection without a line");
            return Wire.parse(all.get(all.size() - 1));
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
