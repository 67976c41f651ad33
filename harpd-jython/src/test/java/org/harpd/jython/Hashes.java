package org.harpd.jython;

/** crypt(3) hashes made outside harpd: by {@code openssl passwd} and by CPython 3's crypt module. */
final class Hashes {
    /** {@code openssl passwd -6 -salt g0a5veBmmlwwrZv1 'john s password'} */
    static final String SHA512 = "$6$g0a5veBmmlwwrZv1$aRaJEs1myGGKpTe8Nu.tmuSp77soxCuumffvltOv/CZp9FsxBrn4vlm2bX"
            + "spd7IfR4oQ1bblUjKWr79uOwqHN/";
    static final String SHA512_PASSWORD = "john s password";
    /** {@code openssl passwd -5 -salt fIwvwUFehH3F9jmj jane-pw} */
    static final String SHA256 = "$5$fIwvwUFehH3F9jmj$epzrc4yiAflgb.FXtJT5vdA2RQYHQNaah6E46cHvzeD";
    static final String SHA256_PASSWORD = "jane-pw";
    /** {@code openssl passwd -1 -salt 2Hhc3dOi jack-pw} */
    static final String MD5 = "$1$2Hhc3dOi$RD1chb4Go3Fkq9U/geCjb1";
    static final String MD5_PASSWORD = "jack-pw";
    /** {@code crypt.crypt("yes-pw", "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$")} in CPython 3.11 (libxcrypt) */
    static final String YESCRYPT = "$y$j9T$F5Jx5fExrKuPp53xLKQ..1$1wzOs3/VG1PFk7e.acZzQ8bFIpJbyqGqqlctCMUihbC";
    static final String YESCRYPT_PASSWORD = "yes-pw";
    /** {@code crypt.crypt("pässwörd", "$6$unicodesalt$")} in CPython 3.11, which encodes the password as UTF-8 */
    static final String NON_ASCII = "$6$unicodesalt$9kYkNFbCnmFg8kOIIr76PlnG/ITtgilRbeMLXVDhYkyv.GxioRBNbjBpt1Xc4"
            + "BamEnykghMwQIm.s43qlueMM0";
    static final String NON_ASCII_PASSWORD = "pässwörd";

    private Hashes() {
    }
}
