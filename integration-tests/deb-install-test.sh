#!/usr/bin/env bash
# Installs the Debian packages that `mvn package` made (harpd, harpd-client, harpcallerd) as an operator would,
# into a throwaway copy of this machine's root: an overlay over / whose writes go to a tmpfs, in private mount,
# PID and network namespaces, chrooted. Nothing of the real system changes, and the packages meet the real
# system's dpkg database, Java, adduser and python3, so their Depends and maintainer scripts are tested for real.
#
#   lintian (when installed): no errors
#   dpkg -i; the files where the packages put them; /usr/sbin/harpd, /usr/sbin/harpcallerd and /usr/bin/harp are
#   symlinks to the launchers and work; --version on each
#   the examples copied to live files; harpd -t; harpd started with the unit's ExecStartPre and ExecStart
#   lines (no systemd here); called with the installed harp; pgrep -x harpd finds the listener and
#   pgrep -x harpd-worker its workers
#   harpcallerd started with its unit's ExecStart line as the harpcaller user the postinst made, with a hosts
#   script; a job submitted with harp submit and its result read; pgrep -x harpcallerd
#   an upgrade to the next version keeps an edited conffile and the operator's files, without a prompt
#   dpkg -r, then dpkg -P: only the operator's own files and the logs are left
#
# Usage: integration-tests/deb-install-test.sh (as root, after mvn package). Skips, saying why, where it cannot
# run: not root, no dpkg, no unshare/overlayfs.
set -euo pipefail
cd "$(dirname "$(readlink -f -- "$0")")/.."
REPO=$PWD

skip() {
  echo "deb-install-test: SKIPPED: $*"
  exit 0
}

if [ "${1:-}" != "--inside" ]; then
  [ "$EUID" = 0 ] || skip "not root (installing packages and mounting an overlay need root)"
  command -v dpkg >/dev/null 2>&1 || skip "dpkg is missing (not a Debian system)"
  command -v unshare >/dev/null 2>&1 || skip "unshare (util-linux) is missing"
  shopt -s nullglob
  debs=(harpd-jython/target/harpd_*_all.deb harpd-jython/target/harpd-client_*_all.deb
        harpcallerd/target/harpcallerd_*_all.deb)
  if [ "${#debs[@]}" != 3 ]; then
    echo "deb-install-test: expected one each of harpd, harpd-client and harpcallerd .deb in */target;" \
         "found: ${debs[*]:-none}; build with: mvn -B -q -DskipTests package" >&2
    exit 1
  fi
  start=$(date +%s)
  ls -l "${debs[@]}" | awk '{print "deb-install-test: " $5 " bytes " $NF}'
  work=$(mktemp -d /tmp/harpd-deb-test.XXXXXX)
  trap 'rm -rf "$work"' EXIT
  # lintian reads the packages while they are installed (it mostly waits for the disk)
  lintian_pid=
  if command -v lintian >/dev/null 2>&1; then
    lintian --tag-display-limit 0 "${debs[@]}" >"$work/lintian.txt" 2>&1 &
    lintian_pid=$!
  else
    echo "deb-install-test: lintian is not installed: the packages are not linted (apt-get install lintian)"
  fi
  cp "${debs[@]}" "$work/"
  status=0
  unshare --mount --pid --fork --net --propagation private -- "$REPO/integration-tests/deb-install-test.sh" \
    --inside "$work" || status=$?
  if [ -n "$lintian_pid" ]; then
    wait "$lintian_pid" || true
    # Warnings that remain, and why (README, "Installing"): package-installs-java-bytecode (harpd's own Python
    # modules, precompiled by Jython to $py.class so that workers skip parsing them), codeless-jar (jffi's
    # native-library jar and Guava's empty listenablefuture placeholder).
    sed -n 's/^\([EW]\): \([^:]*\): \([^ ]*\).*/\1 \2 \3/p' "$work/lintian.txt" | sort | uniq -c \
      | sed 's/^ */deb-install-test: lintian: /'
    if grep -q '^E: ' "$work/lintian.txt"; then
      grep '^E: ' "$work/lintian.txt" >&2
      echo "deb-install-test: FAILED: lintian reports errors" >&2
      status=1
    fi
  fi
  if [ "$status" = 77 ]; then
    skip "$(cat "$work/skip-reason" 2>/dev/null || echo 'cannot make the throwaway root')"
  fi
  echo "deb-install-test: $(( $(date +%s) - start )) s"
  exit "$status"
fi

# ---- inside the new namespaces: make the throwaway root ----
work=$2
R=$work/root
mkdir -p "$work/upper" "$R"
if ! mount -t tmpfs -o mode=0755 tmpfs "$work/upper" 2>"$work/skip-reason" \
   || ! mkdir -p "$work/upper/data" "$work/upper/work" \
   || ! mount -t overlay overlay -o "lowerdir=/,upperdir=$work/upper/data,workdir=$work/upper/work" "$R" \
        2>"$work/skip-reason"; then
  echo "cannot mount an overlay of / on a tmpfs: $(cat "$work/skip-reason")" >"$work/skip-reason"
  exit 77
fi
mount -t proc proc "$R/proc"
# a /dev of its own, so that the syslog socket made below stays in here; /run without a running systemd, so
# the maintainer scripts register the units but start nothing
mount -t tmpfs -o mode=0755 tmpfs "$R/dev"
for node in null zero full random urandom tty; do
  touch "$R/dev/$node"
  mount --bind "/dev/$node" "$R/dev/$node"
done
ln -s /proc/self/fd "$R/dev/fd"
ln -s /proc/self/fd/0 "$R/dev/stdin"
ln -s /proc/self/fd/1 "$R/dev/stdout"
ln -s /proc/self/fd/2 "$R/dev/stderr"
mkdir "$R/dev/shm" "$R/dev/pts"
mount -t tmpfs -o mode=1777 tmpfs "$R/dev/shm"
mount -t tmpfs -o mode=0755 tmpfs "$R/run"
mount -t tmpfs -o mode=1777 tmpfs "$R/tmp"
ip link set lo up 2>/dev/null || true
mkdir "$R/tmp/debs"
cp "$work"/*.deb "$R/tmp/debs/"

chroot "$R" /bin/bash -s <<'INSIDE'
set -euo pipefail
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive
passed=0
failed=0
ok() { passed=$((passed + 1)); echo "deb-install-test: ok: $*"; }
fail() { failed=$((failed + 1)); echo "deb-install-test: FAILED: $*" >&2; }
check() { # check DESCRIPTION COMMAND...: runs the command, ok when it succeeds
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
wait_for() { # wait_for SECONDS COMMAND...
  local deadline=$(( $(date +%s) + $1 )); shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

# A syslog sink on /dev/log: harpd -d and harpcallerd log there
python3 - <<'PY' &
import os
import socket
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
with open("/tmp/syslog.txt", "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536) + b"\n")
PY
wait_for 10 test -S /dev/log

# This root is thrown away: no fsync per unpacked file, no man-db index rebuild (seconds each)
echo "force-unsafe-io" > /etc/dpkg/dpkg.cfg.d/zz-harpd-deb-test
echo "man-db man-db/auto-update boolean false" | debconf-set-selections 2>/dev/null || true
rm -f /var/lib/man-db/auto-update

cd /tmp/debs
harpd_deb=$(ls harpd_*_all.deb); client_deb=$(ls harpd-client_*_all.deb); caller_deb=$(ls harpcallerd_*_all.deb)
version=$(dpkg-deb -f "$harpd_deb" Version)

# ---- install ----
t0=$(date +%s)
check "dpkg -i harpd harpd-client harpcallerd ($version)" dpkg -i "$harpd_deb" "$client_deb" "$caller_deb" </dev/null
echo "deb-install-test: dpkg -i took $(( $(date +%s) - t0 )) s"
check "launchers are symlinks in /usr/sbin and /usr/bin" \
  test -L /usr/sbin/harpd -a -L /usr/sbin/harpcallerd -a -L /usr/bin/harp
check "examples, not live files, in /etc/harpd and /etc/harpcaller" bash -c \
  'for f in harpd.conf harpd.py users.txt logging.yaml; do test -f /etc/harpd/$f.example && ! test -e /etc/harpd/$f || exit 1; done
   test -f /etc/harpcaller/harpcaller.toml.example && ! test -e /etc/harpcaller/harpcaller.toml'
check "examples and logrotate snippets are conffiles" bash -c \
  'dpkg-query -W -f="\${Conffiles}\n" harpd harpcallerd | grep -c "^ /etc/" | grep -qx 7'
check "units, man pages, copyright, THIRD-PARTY.txt" bash -c \
  'test -f /lib/systemd/system/harpd.service -a -f /lib/systemd/system/harpcallerd.service \
   -a -f /usr/share/man/man8/harpd.8.gz -a -f /usr/share/man/man8/harpcallerd.8.gz -a -f /usr/share/man/man1/harp.1.gz -a -f /usr/share/man/man3/harp.3.gz \
   -a -f /usr/share/doc/harpd/copyright -a -f /usr/share/doc/harpd/THIRD-PARTY.txt \
   -a -f /usr/share/doc/harpcallerd/THIRD-PARTY.txt'
check "harpcaller system user owns /var/lib/harpcaller (0750); /var/cache/harpd is root's (0755)" bash -c \
  'getent passwd harpcaller >/dev/null && [ "$(stat -c %U:%G:%a /var/lib/harpcaller)" = harpcaller:harpcaller:750 ] \
   && [ "$(stat -c %U:%a /var/cache/harpd)" = root:755 ]'
check "units enabled (they start only once a configuration exists)" \
  test -L /etc/systemd/system/multi-user.target.wants/harpd.service
upstream=${version/\~/-}
check "harpd --version (through the /usr/sbin symlink)" bash -c "harpd --version | grep -q '^harpd $upstream '"
check "harpcallerd --version" bash -c "harpcallerd --version | grep -qx 'harpcallerd $upstream'"
check "harp --version" bash -c "harp --version 2>&1 | grep -q '^harp '"

# ---- harpd as an operator sets it up ----
cd /etc/harpd
for f in *.example; do cp "$f" "${f%.example}"; done
chmod 600 harpd.conf users.txt
java -cp '/usr/share/harpd/lib/*' org.harpd.tls.CertificateTool harpd.cert.pem harpd.key.pem localhost >/dev/null
check "harpd -t on the installed example: config OK, no warning" bash -c \
  'out=$(harpd -t 2>&1) && echo "$out" | grep -qx "config OK" && ! echo "$out" | grep -q warning'
unit_line() { sed -n "s/^$2=//p" "/lib/systemd/system/$1.service"; }
check "the unit's ExecStartPre" bash -c "$(unit_line harpd ExecStartPre) 2>/dev/null"
check "the unit's ExecStart (harpd -d) returns 0 once listening" bash -c "$(unit_line harpd ExecStart)"
check "call with the installed harp" bash -c \
  'HARP_PASSWORD=demo harp call --user demo sum_and_difference 5 3 | grep -q "\"sum\": 8"'
check "example procedures run as nobody" bash -c \
  'HARP_PASSWORD=demo harp call --user demo whoami | grep -q "\"user\": \"nobody\""'
check "pgrep -x harpd finds the listener (the pid file's)" bash -c '[ -s /run/harpd.pid ] && [ "$(pgrep -x harpd)" = "$(cat /run/harpd.pid)" ]'
check "pgrep -x harpd-worker finds its workers" wait_for 20 bash -c 'pgrep -x harpd-worker >/dev/null'
check "harpd logged to syslog" grep -q 'harpd' /tmp/syslog.txt

# ---- harpcallerd with a hosts script, as the harpcaller user ----
cd /etc/harpcaller
cat > hosts.sh <<'SH'
#!/bin/sh
echo '{"hostname": "web01", "address": "127.0.0.1", "port": 4306, "credentials": {"user": "demo", "password": "demo"}}'
SH
chmod 755 hosts.sh
sed -e 's|^# host_db_script = .*|host_db_script = "/etc/harpcaller/hosts.sh"|' \
    -e 's|^# ca_file = .*|ca_file = "/etc/harpd/harpd.cert.pem"|' harpcaller.toml.example > harpcaller.toml
install -d -o harpcaller -g harpcaller -m 0750 /run/harpcaller   # the unit's RuntimeDirectory
check "the unit's ExecStart (harpcallerd start) as harpcaller returns 0 once ready" \
  runuser -u harpcaller -- bash -c "$(unit_line harpcallerd ExecStart)"
check "pgrep -x harpcallerd finds the dispatcher, running as harpcaller" bash -c \
  '[ -s /run/harpcaller/harpcallerd.pid ] && [ "$(pgrep -x -u harpcaller harpcallerd)" = "$(cat /run/harpcaller/harpcallerd.pid)" ]'
job=$(harp submit --timeout 30 web01 sum_and_difference 7 2) || true
check "harp submit gives a job id ($job)" test -n "$job"
check "harp result of the job" bash -c "harp result --timeout 60 '$job' | grep -q '\"difference\": 5'"
check "the unit's ExecStop" runuser -u harpcaller -- bash -c "$(unit_line harpcallerd ExecStop) >/dev/null"
kill "$(cat /run/harpd.pid)"
check "harpd stops on SIGTERM and removes its pid file" wait_for 30 bash -c '! test -e /run/harpd.pid'

# ---- upgrade to the next version: edits are kept, no prompt ----
echo "# edited by the operator" >> /etc/harpd/harpd.conf.example
echo "# edited by the operator" >> /etc/harpcaller/harpcaller.toml.example
next="$version+upgradetest"
cd /tmp/debs
for deb in "$harpd_deb" "$caller_deb"; do
  rm -rf /tmp/next && dpkg-deb -R "$deb" /tmp/next
  sed -i "s/^Version: .*/Version: $next/" /tmp/next/DEBIAN/control
  dpkg-deb -Znone -b /tmp/next "/tmp/debs/next-$deb" >/dev/null
done
check "dpkg -i of version $next (no terminal, no prompt)" dpkg -i "/tmp/debs/next-$harpd_deb" "/tmp/debs/next-$caller_deb" </dev/null
check "the upgrade kept the edited conffiles and the live files" bash -c \
  'grep -q "edited by the operator" /etc/harpd/harpd.conf.example \
   && grep -q "edited by the operator" /etc/harpcaller/harpcaller.toml.example \
   && test -f /etc/harpd/harpd.conf -a -f /etc/harpcaller/harpcaller.toml'
check "harpd --version after the upgrade" bash -c 'harpd --version >/dev/null'

# ---- remove, then purge ----
mkdir -p /var/log/harpd && echo "a log line" > /var/log/harpd/harpd.log
check "dpkg -r" dpkg -r harpd harpd-client harpcallerd </dev/null
check "after dpkg -r: program gone, conffiles and state kept" bash -c \
  '! test -e /usr/sbin/harpd -o -e /usr/share/harpd -o -e /usr/bin/harp -o -e /usr/share/harpcallerd \
   && test -f /etc/harpd/harpd.conf.example -a -d /var/lib/harpcaller'
check "dpkg -P" dpkg -P harpd harpd-client harpcallerd </dev/null
left=$(find /etc/harpd /etc/harpcaller /usr/share/harpd /usr/share/harpd-client /usr/share/harpcallerd \
            /usr/share/doc/harpd /usr/share/doc/harpcallerd /var/cache/harpd /var/lib/harpcaller \
            /etc/logrotate.d/harpd /etc/logrotate.d/harpcallerd /lib/systemd/system/harpd.service \
            /etc/systemd/system/multi-user.target.wants/harpd.service 2>/dev/null | sort | tr '\n' ' ' || true)
expected="/etc/harpcaller /etc/harpcaller/harpcaller.toml /etc/harpcaller/hosts.sh /etc/harpd /etc/harpd/harpd.cert.pem /etc/harpd/harpd.conf /etc/harpd/harpd.key.pem /etc/harpd/harpd.py /etc/harpd/logging.yaml /etc/harpd/users.txt "
check "after dpkg -P only the operator's own files are left (left: $left)" test "$left" = "$expected"
check "purge leaves logs" test -f /var/log/harpd/harpd.log

echo "deb-install-test: $passed passed, $failed failed"
[ "$failed" = 0 ]
INSIDE
