#!/bin/sh
# Example host_db_script for harpcallerd: one JSON object per line, {"hostname", "address", "port",
# "credentials": {"user", "password"}}; lines that are not such objects are ignored, and a non-zero exit
# keeps the registry as it was. Here: the harpd of etc/run-example on this machine (user demo/demo).
# A real script would read an inventory (a database, a CMDB export, a file only the dispatcher's user can
# read). It runs as the dispatcher's user with only PATH, LANG and HOME in its environment, is killed after
# host_db_script_timeout seconds, and is refused when it or its directory is writable by others.
echo '{"hostname": "localhost", "address": "127.0.0.1", "port": 4306, "credentials": {"user": "demo", "password": "demo"}}'
