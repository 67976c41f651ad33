package org.harpd.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.harpd.workerprotocol.WorkerProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

class LoggingSetupTest {
    @TempDir
    Path dir;
    final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    final long pid = ProcessHandle.current().pid();

    @AfterEach
    void backToDefaults() throws LoggingConfigException {
        LoggingSetup.defaults(false);
    }

    private void configure(String yaml) throws Exception {
        Path file = dir.resolve("logging.yaml");
        Files.writeString(file, yaml);
        LoggingSetup.fromDictConfig(file, () -> stdout, () -> stderr);
    }

    private String configureFailing(String yaml) throws IOException {
        Path file = dir.resolve("logging.yaml");
        Files.writeString(file, yaml);
        String message = assertThrows(LoggingConfigException.class,
                () -> LoggingSetup.fromDictConfig(file, () -> stdout, () -> stderr)).getMessage();
        return message.substring((file + ": ").length());
    }

    private static Logger log(String name) {
        return LoggerFactory.getLogger(name);
    }

    private static String text(ByteArrayOutputStream out) {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void seedExampleWritesTerseLinesToStderr() throws Exception {
        configure("version: 1\nroot:\n  level: NOTSET\n  handlers: [stderr]\nformatters:\n  terse:\n"
                + "    format: \"%(message)s\"\nhandlers:\n  stderr:\n    class: logging.StreamHandler\n"
                + "    formatter: terse\n    stream: ext://sys.stderr\n");
        log("harpd").info("{\"message\": \"listening\"}");
        log("harpd.x").debug("debug passes: root NOTSET lets everything through");
        assertEquals("{\"message\": \"listening\"}\ndebug passes: root NOTSET lets everything through\n",
                text(stderr));
        assertEquals("", text(stdout));
    }

    @Test
    void streamHandlerToStdoutWithDefaultFormatter() throws Exception {
        configure("version: 1\nroot: {level: INFO, handlers: [out]}\n"
                + "handlers:\n  out: {class: logging.StreamHandler, stream: ext://sys.stdout}\n");
        log("harpd").info("one");
        log("harpd").debug("filtered by root INFO");
        assertEquals("one\n", text(stdout));
    }

    @Test
    void rootWithoutLevelIsWarningAsInPython() throws Exception {
        configure("version: 1\nroot: {handlers: [err]}\nhandlers:\n  err: {class: logging.StreamHandler}\n");
        log("harpd").info("dropped");
        log("harpd").warn("kept");
        assertEquals("kept\n", text(stderr));
    }

    @Test
    void loggerLevelsHandlerLevelsAndPropagation() throws Exception {
        configure("version: 1\n"
                + "formatters:\n  f: {format: '%(name)s %(levelname)s %(message)s'}\n"
                + "handlers:\n"
                + "  all: {class: logging.StreamHandler, stream: ext://sys.stdout, formatter: f}\n"
                + "  warnings: {class: logging.StreamHandler, stream: ext://sys.stderr, formatter: f, level: WARNING}\n"
                + "root: {level: DEBUG, handlers: [all]}\n"
                + "loggers:\n"
                + "  harpd.quiet: {level: ERROR}\n"
                + "  harpd.own: {level: 10, handlers: [warnings], propagate: false}\n");
        log("harpd.quiet.sub").warn("dropped by logger level");
        log("harpd.quiet").error("e");
        log("harpd.own").info("info not for warnings handler");
        log("harpd.own").warn("w");
        assertEquals("harpd.quiet ERROR e\n", text(stdout));
        assertEquals("harpd.own WARNING w\n", text(stderr));
    }

    @Test
    void libraryDebugStaysOutUnlessConfigured() throws Exception {
        configure("version: 1\nroot: {level: NOTSET, handlers: [err]}\n"
                + "handlers:\n  err: {class: logging.StreamHandler}\n");
        log("io.netty.buffer.PooledByteBufAllocator").debug("noise");
        log("io.netty.channel").warn("real trouble");
        assertEquals("real trouble\n", text(stderr));
    }

    @Test
    void handlerFiltersPassOnlyTheirLoggerTree() throws Exception {
        configure("version: 1\nfilters:\n  mine: {name: harpd.calls}\nroot: {level: INFO, handlers: [err]}\n"
                + "handlers:\n  err: {class: logging.StreamHandler, filters: [mine]}\n");
        log("harpd.calls.x").info("in");
        log("harpd.callsx").info("out");
        log("harpd").info("out");
        assertEquals("in\n", text(stderr));
    }

    @Test
    void forwardedWorkerRecordsKeepPidLevelAndTime() throws Exception {
        configure("version: 1\nroot: {level: INFO, handlers: [err]}\nloggers:\n  harpd.quiet: {level: ERROR}\n"
                + "formatters:\n  f: {format: '%(levelname)s %(process)d %(name)s %(created).3f %(message)s'}\n"
                + "handlers:\n  err: {class: logging.StreamHandler, formatter: f}\n");
        LoggingSetup.forward("harpd.proc", 50, "boom", 1_700_000_000.123, 999);
        LoggingSetup.forward("harpd.proc", 10, "below root INFO", 1_700_000_000.5, 999);
        LoggingSetup.forward("harpd.quiet.x", 30, "below logger ERROR", 1_700_000_000.5, 999);
        assertEquals("CRITICAL 999 harpd.proc 1700000000.123 boom\n", text(stderr));
    }

    @Test
    void forwardsWorkerRecords() throws Exception {
        configure("version: 1\nroot: {level: INFO, handlers: [err]}\n"
                + "formatters:\n  f: {format: '%(levelname)s %(process)d %(name)s %(message)s'}\n"
                + "handlers:\n  err: {class: logging.StreamHandler, formatter: f}\n");
        LoggingSetup.forwardFromWorker("harpd.proc", 30, "careful", 321);
        LoggingSetup.forwardFromWorker("root", 20, "bare", 55);
        LoggingSetup.forwardFromWorker("root", 10, "below root INFO", 55);
        assertEquals("WARNING 321 harpd.proc careful\nINFO 55 root bare\n", text(stderr));
    }

    @Test
    void workerCannotChooseTheRecordsPidOrTime() throws Exception {
        configure("version: 1\nroot: {level: INFO, handlers: [err]}\n"
                + "formatters:\n  f: {format: '%(process)d %(created)f %(message)s'}\n"
                + "handlers:\n  err: {class: logging.StreamHandler, formatter: f}\n");
        double before = System.currentTimeMillis() / 1e3;
        WorkerProtocol.LogRecord record = WorkerProtocol.parseLog(WorkerProtocol.log("root", 20, "m", 0.5, 1));
        LoggingSetup.forwardFromWorker(record.name(), record.levelno(), record.msg(), 4242);
        double after = System.currentTimeMillis() / 1e3;
        String[] fields = text(stderr).strip().split(" ");
        assertEquals("4242", fields[0], "the pid of the worker the line came from");
        double created = Double.parseDouble(fields[1]);
        assertTrue(created >= before - 0.001 && created <= after + 0.001,
                "the time the listener received it, not the worker's: " + created);
    }

    @Test
    void controlCharactersAreEscapedSoARecordIsOneLine() throws Exception {
        configure("version: 1\nroot: {level: INFO, handlers: [err]}\n"
                + "formatters:\n  f: {format: '%(process)d %(name)s: %(message)s'}\n"
                + "handlers:\n  err: {class: logging.StreamHandler, formatter: f}\n");
        LoggingSetup.forward("procs\nroot", 20, "done\n{\"message\": \"authentication error\", \"user\": \"root\"}"
                + "\r\u001b[2K\u0085\u2028\tend", 1.0, 77);
        assertEquals("77 procs\\nroot: done\\n{\"message\": \"authentication error\", \"user\": \"root\"}"
                + "\\r\\x1b[2K\\x85\\u2028\\tend\n", text(stderr));
        assertEquals("plain, unicode \u00e9\u4e2d and a \\ stay", LoggingSetup.oneLine("plain, unicode \u00e9\u4e2d and a \\ stay"));
    }

    @Test
    void forwardedNamesMakeNoLoggersButKeepTheirNameAndHierarchy() throws Exception {
        configure("version: 1\n"
                + "formatters:\n  f: {format: '%(name)s %(levelname)s %(message)s'}\n"
                + "filters:\n  calls: {name: procs.calls}\n"
                + "handlers:\n"
                + "  all: {class: logging.StreamHandler, stream: ext://sys.stdout, formatter: f}\n"
                + "  own: {class: logging.StreamHandler, stream: ext://sys.stderr, formatter: f}\n"
                + "  callsonly: {class: logging.StreamHandler, stream: ext://sys.stderr, formatter: f,"
                + " filters: [calls]}\n"
                + "root: {level: INFO, handlers: [all]}\n"
                + "loggers:\n"
                + "  procs.quiet: {level: ERROR}\n"
                + "  procs.own: {handlers: [own], propagate: false}\n"
                + "  procs: {handlers: [callsonly]}\n");
        ch.qos.logback.classic.LoggerContext context =
                (ch.qos.logback.classic.LoggerContext) LoggerFactory.getILoggerFactory();
        int loggers = context.getLoggerList().size();
        for (int i = 0; i < 10_000; i++) {
            LoggingSetup.forward("request." + i + ".step", 20, "r", 1.0, 9);
            LoggingSetup.forward("procs.quiet.request" + i, 30, "below the configured parent's ERROR", 1.0, 9);
        }
        assertEquals(loggers, context.getLoggerList().size(), "no logger made for a forwarded name");
        String[] lines = text(stdout).split("\n");
        assertEquals(10_000, lines.length);
        assertEquals("request.9999.step INFO r", lines[9999]);
        assertEquals("", text(stderr));
        stdout.reset();

        LoggingSetup.forward("request.42.step", 20, "shown under its own name", 1.0, 9);
        LoggingSetup.forward("procs.quiet.request7", 40, "at the configured parent's level", 1.0, 9);
        LoggingSetup.forward("procs.own.request8", 20, "only to the own handler: propagate false", 1.0, 9);
        LoggingSetup.forward("procs.calls.request9", 20, "through the name filter", 1.0, 9);
        LoggingSetup.forward("procs.callsx", 20, "not through the name filter", 1.0, 9);
        assertEquals(loggers, context.getLoggerList().size(), "no logger made for a forwarded name");
        assertEquals("request.42.step INFO shown under its own name\n"
                + "procs.quiet.request7 ERROR at the configured parent's level\n"
                + "procs.calls.request9 INFO through the name filter\n"
                + "procs.callsx INFO not through the name filter\n", text(stdout));
        assertEquals("procs.own.request8 INFO only to the own handler: propagate false\n"
                + "procs.calls.request9 INFO through the name filter\n", text(stderr));
    }

    @Test
    void ownRecordsShowOwnPid() throws Exception {
        configure("version: 1\nroot: {level: INFO, handlers: [err]}\n"
                + "formatters:\n  f: {format: 'harpd[%(process)d]: %(message)s'}\n"
                + "handlers:\n  err: {class: logging.StreamHandler, formatter: f}\n");
        log("harpd").info("m");
        assertEquals("harpd[" + pid + "]: m\n", text(stderr));
    }

    @Test
    void fileHandlerAppendsAndReopens() throws Exception {
        Path file = dir.resolve("harpd.log");
        Files.writeString(file, "earlier\n");
        configure("version: 1\nroot: {level: INFO, handlers: [file]}\n"
                + "handlers:\n  file: {class: logging.FileHandler, filename: '" + file + "'}\n");
        log("harpd").info("first");
        Path rotated = dir.resolve("harpd.log.1");
        Files.move(file, rotated);
        log("harpd").info("second, still into the moved file");
        LoggingSetup.reopen();
        log("harpd").info("third");
        assertEquals("earlier\nfirst\nsecond, still into the moved file\n", Files.readString(rotated));
        assertEquals("third\n", Files.readString(file));
    }

    @Test
    void fileHandlerModeWTruncates() throws Exception {
        Path file = dir.resolve("harpd.log");
        Files.writeString(file, "earlier\n");
        configure("version: 1\nroot: {level: INFO, handlers: [file]}\n"
                + "handlers:\n  file: {class: logging.FileHandler, filename: '" + file + "', mode: w}\n");
        log("harpd").info("only");
        assertEquals("only\n", Files.readString(file));
    }

    @Test
    void watchedFileHandlerFollowsLogrotate() throws Exception {
        Path file = dir.resolve("harpd.log");
        configure("version: 1\nroot: {level: INFO, handlers: [file]}\n"
                + "handlers:\n  file: {class: logging.handlers.WatchedFileHandler, filename: '" + file + "'}\n");
        log("harpd").info("before");
        Path rotated = dir.resolve("harpd.log.1");
        Files.move(file, rotated);
        log("harpd").info("after");
        assertEquals("before\n", Files.readString(rotated));
        assertEquals("after\n", Files.readString(file));
    }

    @Test
    void rotatingFileHandlerKeepsBackupCountFiles() throws Exception {
        Path file = dir.resolve("harpd.log");
        configure("version: 1\nroot: {level: INFO, handlers: [file]}\n"
                + "handlers:\n  file: {class: logging.handlers.RotatingFileHandler, filename: '" + file + "',"
                + " maxBytes: 20, backupCount: 2}\n");
        for (int i = 1; i <= 7; i++) {
            log("harpd").info("line " + i + "..."); // 11 bytes: each file holds one line
        }
        assertEquals("line 7...\n", Files.readString(file));
        assertEquals("line 6...\n", Files.readString(dir.resolve("harpd.log.1")));
        assertEquals("line 5...\n", Files.readString(dir.resolve("harpd.log.2")));
        assertFalse(Files.exists(dir.resolve("harpd.log.3")));
    }

    @Test
    void timedRotatingFileHandlerIsAccepted() throws Exception {
        Path file = dir.resolve("harpd.log");
        configure("version: 1\nroot: {level: INFO, handlers: [file]}\n"
                + "handlers:\n  file: {class: logging.handlers.TimedRotatingFileHandler, filename: '" + file + "',"
                + " when: S, interval: 1, backupCount: 3, utc: true, encoding: utf-8, delay: false}\n");
        log("harpd").info("first");
        Thread.sleep(1100);
        log("harpd").info("second");
        assertEquals("second\n", Files.readString(file));
        // rotated to harpd.log.YYYY-mm-dd_HH-MM-SS (a loaded machine may also rotate before "first")
        try (var files = Files.list(dir)) {
            assertTrue(files.filter(p -> p.getFileName().toString().matches(
                    "harpd\\.log\\.\\d{4}-\\d{2}-\\d{2}_\\d{2}-\\d{2}-\\d{2}")).anyMatch(p -> {
                        try {
                            return Files.readString(p).equals("first\n");
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }), "a rotated file holds the first line");
        }
    }

    @Test
    void timedRotatingFileHandlerRejectsAnUnknownWhenNamingTheKey() throws Exception {
        String message = configureFailing("version: 1\nroot: {handlers: [file]}\n"
                + "handlers:\n  file: {class: logging.handlers.TimedRotatingFileHandler, filename: '"
                + dir.resolve("x.log") + "', when: fortnight}\n");
        assertTrue(message.contains("handlers.file.when") && message.contains("Invalid rollover interval"), message);
    }

    @Test
    void sysLogHandlerSendsPythonDatagramsToUnixSocket() throws Exception {
        Path socketPath = dir.resolve("log.sock");
        try (UnixSocket receiver = UnixSocket.open(UnixSocket.SOCK_DGRAM)) {
            receiver.bind(socketPath.toString());
            receiver.setReceiveTimeout(10_000);
            configure("version: 1\nroot: {level: DEBUG, handlers: [syslog]}\n"
                    + "formatters:\n  syslog: {format: 'harpd[%(process)d]: %(message)s'}\n"
                    + "handlers:\n  syslog: {class: logging.handlers.SysLogHandler, address: '" + socketPath + "',"
                    + " facility: daemon, formatter: syslog}\n");
            log("harpd").info("message");
            log("harpd").error("bad");
            LoggingSetup.forward("harpd.proc", 50, "critical", 1.0, 77);
            assertEquals("<30>harpd[" + pid + "]: message\0", receive(receiver));
            assertEquals("<27>harpd[" + pid + "]: bad\0", receive(receiver));
            assertEquals("<26>harpd[77]: critical\0", receive(receiver));
        }
    }

    @Test
    void sysLogHandlerReconnectsAfterSyslogdRestart() throws Exception {
        Path socketPath = dir.resolve("log.sock");
        UnixSocket first = UnixSocket.open(UnixSocket.SOCK_DGRAM);
        first.bind(socketPath.toString());
        configure("version: 1\nroot: {level: INFO, handlers: [syslog]}\n"
                + "handlers:\n  syslog: {class: logging.handlers.SysLogHandler, address: '" + socketPath + "',"
                + " facility: local0}\n");
        first.close();
        Files.delete(socketPath);
        try (UnixSocket second = UnixSocket.open(UnixSocket.SOCK_DGRAM)) {
            second.bind(socketPath.toString());
            second.setReceiveTimeout(10_000);
            log("harpd").warn("again");
            assertEquals("<132>again\0", receive(second));
        }
    }

    @Test
    void sysLogHandlerFallsBackToStreamSocket() throws Exception {
        Path socketPath = dir.resolve("log.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socketPath));
            configure("version: 1\nroot: {level: INFO, handlers: [syslog]}\n"
                    + "handlers:\n  syslog: {class: logging.handlers.SysLogHandler, address: '" + socketPath + "'}\n");
            log("harpd").info("streamed");
            try (SocketChannel connection = server.accept()) {
                String expected = "<14>streamed\0";
                ByteBuffer buffer = ByteBuffer.allocate(expected.length());
                while (buffer.hasRemaining() && connection.read(buffer) >= 0) {
                    // keep reading until the whole message arrived
                }
                assertEquals(expected, new String(buffer.array(), StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void sysLogHandlerSendsUdpToHostPort() throws Exception {
        try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            receiver.setSoTimeout(10_000);
            configure("version: 1\nroot: {level: INFO, handlers: [syslog]}\n"
                    + "handlers:\n  syslog: {class: logging.handlers.SysLogHandler, address: [127.0.0.1, "
                    + receiver.getLocalPort() + "], facility: daemon}\n");
            log("harpd").info("over udp");
            DatagramPacket packet = new DatagramPacket(new byte[1024], 1024);
            receiver.receive(packet);
            assertEquals("<30>over udp\0",
                    new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void nullHandlerSwallowsRecords() throws Exception {
        configure("version: 1\nroot: {level: DEBUG, handlers: [none]}\n"
                + "handlers:\n  none: {class: logging.NullHandler}\n");
        log("harpd").error("nowhere");
        assertEquals("", text(stderr) + text(stdout));
    }

    @Test
    void harmlessKeysAreAccepted() throws Exception {
        configure("version: 1\ndisable_existing_loggers: false\nincremental: false\n"
                + "root: {level: INFO, handlers: [err]}\nhandlers:\n  err: {class: logging.StreamHandler, filters: []}\n");
        log("harpd").info("ok");
        assertEquals("ok\n", text(stderr));
    }

    @Test
    void errorsNameTheKey() throws IOException {
        assertEquals("handlers.mail.class: unsupported handler class 'logging.handlers.SMTPHandler'",
                configureFailing("version: 1\nhandlers:\n  mail: {class: logging.handlers.SMTPHandler,"
                        + " mailhost: localhost}\n"));
        assertEquals("handlers.err.colour: unsupported key",
                configureFailing("version: 1\nhandlers:\n  err: {class: logging.StreamHandler, colour: red}\n"));
        assertEquals("handlers.err.formatter: unknown formatter 'fancy'",
                configureFailing("version: 1\nhandlers:\n  err: {class: logging.StreamHandler, formatter: fancy}\n"));
        assertEquals("root.handlers: unknown handler 'file'",
                configureFailing("version: 1\nroot: {handlers: [file]}\n"));
        assertEquals("loggers.harpd.level: unknown level 'info'",
                configureFailing("version: 1\nloggers:\n  harpd: {level: info}\n"));
        assertEquals("version: missing (must be 1)", configureFailing("root: {level: INFO}\n"));
        assertEquals("version: unsupported version 2 (must be 1)", configureFailing("version: 2\n"));
        assertEquals("formatters.t.datefmt: unsupported strftime directive '%Q'",
                configureFailing("version: 1\nformatters:\n  t: {format: '%(asctime)s', datefmt: '%Q'}\n"));
        assertEquals("formatters.t.format: unknown record attribute 'colour'",
                configureFailing("version: 1\nformatters:\n  t: {format: '%(colour)s'}\n"));
        assertEquals("handlers.s.stream: unsupported stream 'ext://sys.stdin' (ext://sys.stderr or ext://sys.stdout)",
                configureFailing("version: 1\nhandlers:\n  s: {class: logging.StreamHandler, stream: 'ext://sys.stdin'}\n"));
        assertEquals("incremental: incremental configuration is not supported",
                configureFailing("version: 1\nincremental: true\n"));
        assertTrue(configureFailing("version: 1\nroot: [\n").startsWith("invalid YAML: "));
    }

    @Test
    void unreachableTargetsAreReportedAndNothingChanges() throws Exception {
        configure("version: 1\nroot: {level: INFO, handlers: [err]}\nhandlers:\n  err: {class: logging.StreamHandler}\n");
        Path missing = dir.resolve("no/such/dir/harpd.log");
        assertEquals("handlers.f.filename: cannot open " + missing + ": No such file or directory",
                configureFailing("version: 1\nroot: {handlers: [f]}\n"
                        + "handlers:\n  f: {class: logging.FileHandler, filename: '" + missing + "'}\n"));
        assertEquals("handlers.s.address: cannot connect to " + dir.resolve("none.sock")
                        + ": No such file or directory",
                configureFailing("version: 1\nhandlers:\n  s: {class: logging.handlers.SysLogHandler,"
                        + " address: '" + dir.resolve("none.sock") + "'}\n"));
        log("harpd").info("previous configuration still applies");
        assertEquals("previous configuration still applies\n", text(stderr));
    }

    private static String receive(UnixSocket socket) throws IOException {
        byte[] buffer = new byte[2048];
        int length = socket.receive(buffer);
        assertTrue(length >= 0, "no datagram arrived");
        return new String(buffer, 0, length, StandardCharsets.UTF_8);
    }
}
