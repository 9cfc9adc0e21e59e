#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# An independent reading of bitcoind's config reader (bitcoin/bitcoin src/common/config.cpp,
# GetConfigOptions, and ReadConfigStream's IsConfSupported; docs/contracts/bitcoin.md): exit 1 and bitcoind's message for the first line
# it refuses, 0 when bitcoind would read the whole file.
import sys

data = open(sys.argv[1], "rb").read()
prefix = b""
for number, raw in enumerate(data.split(b"\n"), start=1):
    used_hash = b"#" in raw
    line = raw.split(b"#", 1)[0].strip(b" \t\r\n")
    if not line:
        continue
    if line.startswith(b"[") and line.endswith(b"]"):
        prefix = line[1:-1] + b"."
    elif line.startswith(b"-"):
        print(f"parse error on line {number}: {line!r}, options in configuration file must be specified without leading -")
        sys.exit(1)
    elif b"=" in line:
        name = prefix + line.split(b"=", 1)[0].strip(b" \t\r\n")
        if used_hash and b"rpcpassword" in name:
            print(f"parse error on line {number}, using # in rpcpassword can be ambiguous and should be avoided")
            sys.exit(1)
        key = name.split(b".", 1)[1] if b"." in name else name  # InterpretKey
        if (key[2:] if key.startswith(b"no") else key) == b"conf":
            print("conf cannot be set in the configuration file; use includeconf= if you want to include additional config files")
            sys.exit(1)
    else:
        print(f"parse error on line {number}: {line!r}")
        sys.exit(1)
