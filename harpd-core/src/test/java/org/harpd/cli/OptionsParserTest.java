package org.harpd.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.harpd.procedure.IdRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OptionsParserTest {
    private static Options parse(String... args) throws UsageException {
        return OptionsParser.parse(args);
    }

    private static String failure(String... args) {
        return assertThrows(UsageException.class, () -> OptionsParser.parse(args)).getMessage();
    }

    @Test
    void noOptionsGiveTheDocumentedDefaults() throws UsageException {
        Options options = parse();
        assertEquals(Options.defaults(), options);
        assertEquals(Path.of("/etc/harpd/harpd.conf"), options.config());
        assertEquals(Path.of("/etc/harpd/harpd.py"), options.procedures());
        assertNull(options.logging());
        assertNull(options.defaultUser());
        assertNull(options.defaultGroup());
        assertNull(options.pidfile());
        assertFalse(options.test() || options.syslog() || options.daemon() || options.help()
                || options.version() || options.detachedChild() || options.logToSyslog());
    }

    @ParameterizedTest
    @CsvSource({"-c,/x/a.conf", "--config,/x/a.conf"})
    void configInSeparateArgument(String option, String value) throws UsageException {
        assertEquals(Path.of(value), parse(option, value).config());
    }

    @Test
    void everyFileOptionInEverySpelling() throws UsageException {
        assertEquals(Path.of("a.conf"), parse("-ca.conf").config());
        assertEquals(Path.of("a.conf"), parse("--config=a.conf").config());
        assertEquals(Path.of("p.py"), parse("-r", "p.py").procedures());
        assertEquals(Path.of("p.py"), parse("-rp.py").procedures());
        assertEquals(Path.of("p.py"), parse("--procedures", "p.py").procedures());
        assertEquals(Path.of("p.py"), parse("--procedures=p.py").procedures());
        assertEquals(Path.of("log.yaml"), parse("-l", "log.yaml").logging());
        assertEquals(Path.of("log.yaml"), parse("--logging=log.yaml").logging());
        assertEquals(Path.of("/run/harpd.pid"), parse("-p", "/run/harpd.pid").pidfile());
        assertEquals(Path.of("/run/harpd.pid"), parse("--pidfile", "/run/harpd.pid").pidfile());
    }

    @Test
    void argumentMayStartWithADash() throws UsageException {
        assertEquals(Path.of("-weird.conf"), parse("-c", "-weird.conf").config());
        assertEquals(Path.of("--x"), parse("--config", "--x").config());
    }

    @Test
    void flagsLongAndShort() throws UsageException {
        assertTrue(parse("-t").test());
        assertTrue(parse("--test").test());
        assertTrue(parse("-d").daemon());
        assertTrue(parse("--daemon").daemon());
        assertTrue(parse("-h").help());
        assertTrue(parse("--help").help());
        assertTrue(parse("--version").version());
        assertTrue(parse("--syslog").syslog());
        assertTrue(parse("--detached-child").detachedChild());
    }

    @Test
    void daemonImpliesSyslog() throws UsageException {
        Options options = parse("-d");
        assertFalse(options.syslog());
        assertTrue(options.logToSyslog());
        assertTrue(parse("--syslog").logToSyslog());
    }

    @Test
    void userAndGroupByNameOrNumber() throws UsageException {
        assertEquals(IdRef.ofName("nobody"), parse("-u", "nobody").defaultUser());
        assertEquals(IdRef.ofId(65534), parse("--default-user=65534").defaultUser());
        assertEquals(IdRef.ofName("users"), parse("-gusers").defaultGroup());
        assertEquals(IdRef.ofId(0), parse("--default-group", "0").defaultGroup());
        assertEquals(IdRef.ofId(4294967295L), parse("-u", "4294967295").defaultUser());
    }

    @Test
    void groupedShortFlagsEndingWithAnOptionThatTakesAnArgument() throws UsageException {
        Options options = parse("-tdc", "x.conf");
        assertTrue(options.test());
        assertTrue(options.daemon());
        assertEquals(Path.of("x.conf"), options.config());
        assertEquals(Path.of("y.conf"), parse("-tcy.conf").config());
    }

    @Test
    void unambiguousLongPrefixesAreAccepted() throws UsageException {
        assertEquals(Path.of("p.py"), parse("--proc=p.py").procedures());
        assertTrue(parse("--dae").daemon());
        assertTrue(parse("--sys").syslog());
    }

    @Test
    void aSingleDashIsAlwaysShortOptionsAsGetoptLongReadsIt() {
        // getopt_long, unlike getopt_long_only, never takes "-test" for "--test"
        assertEquals("unknown option '-e'", failure("-test"));
        assertEquals("unknown option '-a'", failure("-daemon"));
    }

    @Test
    void aLongPrefixIsMatchedAgainstLongNamesOnly() {
        // "--d" is no spelling of "-d": it is a prefix of three long options
        assertEquals("option '--d' is ambiguous (could be --default-user, --default-group, --daemon)",
                failure("--d"));
    }

    @Test
    void lastOccurrenceWins() throws UsageException {
        assertEquals(Path.of("b"), parse("-c", "a", "--config=b").config());
    }

    @Test
    void doubleDashEndsOptions() throws UsageException {
        assertTrue(parse("-t", "--").test());
    }

    @Test
    void usageErrors() {
        assertEquals("unknown option '-x'", failure("-x"));
        assertEquals("unknown option '-x'", failure("-tx"));
        assertEquals("unknown option '--frobnicate'", failure("--frobnicate"));
        assertEquals("unknown option '--'", failure("--=x"));
        assertEquals("option '-c' requires an argument", failure("-c"));
        assertEquals("option '-c' requires an argument", failure("-tc"));
        assertEquals("option '--config' requires an argument", failure("--config"));
        assertEquals("option '--procedures' requires an argument", failure("--proc"));
        assertEquals("option '--config' requires a non-empty argument", failure("--config="));
        assertEquals("option '--test' does not take an argument", failure("--test=yes"));
        assertEquals("option '--de' is ambiguous (could be --default-user, --default-group)", failure("--de"));
        assertEquals("unknown option '--detached'", failure("--detached"), "the internal option is never abbreviated");
        assertEquals("unexpected argument 'extra' (harpd takes options only)", failure("-t", "extra"));
        assertEquals("unexpected argument '-' (harpd takes options only)", failure("-"));
        assertEquals("unexpected argument 'x' (harpd takes options only)", failure("--", "x"));
        assertEquals("option '-u': user id 4294967296 is out of range", failure("-u", "4294967296"));
        assertEquals("option '--default-group': group id 99999999999999999999999 is out of range",
                failure("--default-group=99999999999999999999999"));
        assertEquals("option '-u': invalid user name 'a b'", failure("-u", "a b"));
    }

    @Test
    void usageDocumentsEveryOptionAndDefaultButNotTheInternalOne() {
        String usage = OptionsParser.usage();
        for (String option : new String[] {"-c FILE, --config=FILE", "-r FILE, --procedures=FILE",
                "-l FILE, --logging=FILE", "-t, --test", "-u USER, --default-user=USER",
                "-g GROUP, --default-group=GROUP", "--syslog", "-d, --daemon", "-p FILE, --pidfile=FILE",
                "-h, --help", "--version", "/etc/harpd/harpd.conf", "/etc/harpd/harpd.py"}) {
            assertTrue(usage.contains(option), option + " in\n" + usage);
        }
        assertFalse(usage.contains("detached"));
        usage.lines().forEach(line -> assertTrue(line.length() < 80, "fits a terminal: " + line));
    }
}
