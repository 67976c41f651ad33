package org.harpd.auth;

import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The shipped module {@code harpd.auth.passfile} (python-lib/daemon/harpd/auth/passfile.py) in Java, so that a
 * listener configured with it loads no Python: a users file of {@code user:crypt-hash} lines, read whole at every
 * authentication (edits apply at once; the time taken does not depend on where the user is in the file, or whether
 * they are there). An unknown, locked or unusable entry costs a check against a dummy hash of the file's most
 * common method and cost.
 */
public final class PassFileAuthenticator implements Authenticator {
    static final String MODULE = "harpd.auth.passfile";

    /** Checked against for an unknown or locked user when the file holds no hash to model a dummy on. */
    static final String DUMMY_HASH = "$6$harpdharpdharpd$"
            + "03zYdezfOrb5U0SFtWAlSVxSID8G6tWNGLkgEKiHqNrb2x7Qu8TJEeeyLMpUgpXAiftvrGIudbKQoKcr89WR9.";

    private final String file;

    private PassFileAuthenticator(String file) {
        this.file = file;
    }

    /**
     * The module's {@code create(config)}.
     *
     * @param options the whole {@code authentication} section; {@code file} is the users file
     */
    static PassFileAuthenticator create(Map<String, Object> options) throws AuthenticationFailure {
        if (!(options.get("file") instanceof String file) || file.isEmpty()) {
            throw NativeAuthModules.createFailed(MODULE, "ValueError: harpd.auth.passfile: \"file\" (path to the "
                    + "users database) is not set in the authentication config");
        }
        return new PassFileAuthenticator(file);
    }

    @Override
    public boolean authenticate(String user, String password) throws AuthenticationFailure {
        if (user == null || password == null) {
            return false;
        }
        NativeAuthModules.requirePythonText(MODULE, user, password);
        String found = null;
        List<String> hashes = new ArrayList<>();
        for (String line : lines()) {
            if (line.isEmpty() || line.startsWith("#") || line.indexOf(':') < 0) {
                continue;
            }
            int colon = line.indexOf(':');
            String hashed = line.substring(colon + 1);
            hashes.add(hashed);
            if (found == null && user.equals(decodeName(line.substring(0, colon)))) {
                found = hashed;
            }
        }
        String dummy = CryptHashes.dummyLike(hashes, DUMMY_HASH);
        try {
            if (found == null || !CryptHashes.usable(found)) {
                // unknown, locked ("!...", "*") or unusable: cost what checking a real hash of this file costs
                CryptHashes.matches(password, dummy);
                return false;
            }
            return CryptHashes.matches(password, found);
        } catch (AuthenticationFailure e) {
            throw NativeAuthModules.failed(MODULE, e.getMessage());
        }
    }

    /**
     * The file's lines, one byte per character, split at {@code \n} and without their trailing {@code \r\n}
     * characters, as the Python module reads them.
     */
    private List<String> lines() throws AuthenticationFailure {
        byte[] content;
        try (InputStream in = new FileInputStream(file)) {
            content = in.readAllBytes();
        } catch (IOException e) {
            throw NativeAuthModules.failed(MODULE, "users file " + file + ": " + reason(e));
        }
        String text = new String(content, StandardCharsets.ISO_8859_1);
        List<String> lines = new ArrayList<>();
        int start = 0;
        while (start < text.length()) {
            int end = text.indexOf('\n', start);
            end = end < 0 ? text.length() : end + 1;
            String line = text.substring(start, end);
            int cut = line.length();
            while (cut > 0 && (line.charAt(cut - 1) == '\r' || line.charAt(cut - 1) == '\n')) {
                cut--;
            }
            lines.add(line.substring(0, cut));
            start = end;
        }
        return lines;
    }

    /** A user name of the file as text; null (matching no one) when it is not UTF-8. */
    private static String decodeName(String bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1))).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * The operating system's reason, as Python's {@code strerror}: the JDK puts the C library's text in
     * parentheses after the path when it cannot open a file, and reports a read error by its text alone.
     */
    static String reason(IOException e) {
        String message = e.getMessage();
        if (message == null || message.isEmpty()) {
            return e.getClass().getSimpleName();
        }
        if (e instanceof FileNotFoundException && message.endsWith(")")) {
            int open = message.lastIndexOf(" (");
            if (open >= 0) {
                return message.substring(open + 2, message.length() - 1);
            }
        }
        return message;
    }

    public String file() {
        return file;
    }
}
