#!/usr/bin/env python3
"""Validate a rule pack folder (default: rules/) with the one validator, `apkscope rules validate`.

This script used to repeat the Rust validator's vocabularies and checks; two validators drift,
so every check it made now lives in crates/rules/src/validate.rs (each with a diagnostic code)
and this is a shim kept for old command lines. Prefer `apkscope rules validate DIR` (or
`cargo run -q -p apkscope-cli -- rules validate DIR`); set APKSCOPE_BIN to use a built binary.

Usage: python3 tools/check_rule_pack.py [DIR]    exit status: that of `apkscope rules validate`
"""

import os
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulepack_common as rc  # noqa: E402

if __name__ == "__main__":
    rc.validate_pack(os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else "rules")
    print("ok")
