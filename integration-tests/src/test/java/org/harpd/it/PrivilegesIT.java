package org.harpd.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** uid/gid switching in workers. Needs root (CI runs as root); skipped otherwise. */
class PrivilegesIT {
    static Daemon daemon;
    static Path marker;

    static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    @BeforeAll
    static void start() throws Exception {
        Assumptions.assumeTrue(root(), "switching uid/gid needs root; run the suite as root to cover it");
        marker = Files.createTempDirectory("harpd-priv").resolve("ran");
        daemon = Daemon.builder().procedures("""
                from harpd.proc import procedure, streaming_procedure, Result
                import os

                def ids():
                    return {"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(), "egid": os.getegid(),
                            "groups": sorted(os.getgroups())}

                @procedure(uid="nobody")
                def by_name():
                    return ids()

                @procedure(uid=65534)
                def by_number():
                    return ids()

                @procedure(uid="nobody", gid=["daemon", "nogroup"])
                def with_groups():
                    return ids()

                @streaming_procedure(uid="nobody", gid="daemon")
                def streaming():
                    yield ids()
                    yield Result(None)

                @procedure
                def default():
                    return ids()

                @procedure(uid="no-such-user-here")
                def unknown_user():
                    open(MARKER, "w").write("ran")
                """.replace("MARKER", "'" + marker + "'")).args("-u", "nobody", "-g", "nogroup").start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
    }

    private static JsonNode call(String procedure) throws Exception {
        List<String> lines = Wire.exchange(daemon.port(), Wire.request(procedure, "[]"));
        return Wire.parse(lines.get(lines.size() - 1));
    }

    @Test
    void userByNameWithoutGroupGetsItsPrimaryGroup() throws Exception {
        assertEquals("{\"egid\":65534,\"euid\":65534,\"gid\":65534,\"groups\":[65534],\"uid\":65534}",
                call("by_name").get("result").toString());
    }

    @Test
    void groupListSetsPrimaryAndSupplementaryGroups() throws Exception {
        assertEquals("{\"egid\":1,\"euid\":65534,\"gid\":1,\"groups\":[1,65534],\"uid\":65534}",
                call("with_groups").get("result").toString());
    }

    @Test
    void streamingProceduresHonourUidAndGid() throws Exception {
        List<String> lines = Wire.exchange(daemon.port(), Wire.request("streaming", "[]"));
        assertEquals("{\"egid\":1,\"euid\":65534,\"gid\":1,\"groups\":[1],\"uid\":65534}",
                Wire.parse(lines.get(1)).get("stream").toString());
    }

    @Test
    void defaultUserAndGroupApplyToProceduresWithoutTheirOwn() throws Exception {
        assertEquals("{\"egid\":65534,\"euid\":65534,\"gid\":65534,\"groups\":[65534],\"uid\":65534}",
                call("default").get("result").toString());
        // a numeric uid of its own; the group still comes from -g
        assertEquals(65534, call("by_number").at("/result/uid").asInt());
    }

    @Test
    void failedSwitchIsASystemErrorAndTheCallIsNotRun() throws Exception {
        JsonNode reply = call("unknown_user");
        assertEquals("system_error", reply.at("/error/type").asText(), reply.toString());
        assertFalse(Files.exists(marker), "the procedure must not run when the switch failed");
    }
}
