#!/usr/bin/env python3
"""Validate a rule pack (default: rules/) against the format in rules/README.md.

Checks: known table kinds and fields, field types, vocabulary values, ids unique across
the pack, class-prefix specificity (>= 2 segments, package prefixes end with '.', no
generic package), no prefix / component / native library / intent action / exodus id
claimed by two SDKs, well-formed smali signatures, permissions named by APIs exist,
tests name existing rules, non-empty references; packers have evidence and asset paths
under assets/; secrets have exactly one of prefixes (with a sane shape) and meta_data, and no
prefix or meta-data name on two secrets. Prints counts per kind.

Usage: python3 tools/check_rule_pack.py [DIR]      exit status 1 on any error
"""

import fnmatch
import glob
import os
import re
import sys
from collections import Counter

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rulepack_common as rc  # noqa: E402

PI_TYPES = set("""imei imsi iccid serial android-id mac oaid advertising-id installed-apps
running-apps location cell-info wifi-info contacts call-log sms calendar clipboard microphone
camera media accounts sensors phone-number device-info network-state bluetooth""".split())
GROUPS = set("calendar call-log camera contacts location microphone phone body-sensors sms storage".split())
SPECIALS = set("""overlay write-settings install-packages usage-stats accessibility
notification-listener device-admin do-not-disturb vpn all-files-access exact-alarm
battery-optimization""".split())
CATEGORIES = set("""push analytics ads maps location payment social login im risk-control oaid
crash-reporting webview speech identification live-streaming customer-support development
cdn-network game-engine other""".split())
SEVERITIES = {"info", "low", "medium", "high", "critical"}
STATUSES = {"preview", "stable", "deprecated"}
API_KINDS = {"method", "field", "string", "content-uri"}
PROTECTION_TOKENS = set("""normal dangerous signature signatureOrSystem privileged system
development appop pre23 installer verifier preinstalled setup instant runtime oem vendorPrivileged
textClassifier wellbeing documenter configurator incidentReportApprover appPredictor
companion retailDemo recents role internal knownSigner module""".split())
CHECK_KINDS = {
    "permission-requested": {"groups", "special", "names"},
    "permission-unused": {"groups"},
    "pi-api-used": {"by", "pi_types"},
    "manifest-flag": {"attribute", "equals"},
    "exported-unprotected": {"kinds"},
    "sdk-present": {"categories"},
    "packer-present": {"kinds"},
    "signing": {"condition", "date", "min_key_bits"},
    "network-config": {"condition"},
    "secret-present": {"kinds"},
    "obfuscation": {"verdicts"},
}
OBFUSCATION_VERDICTS = {"short-names", "string-encryption", "reflection", "dynamic-loading",
                        "dexguard"}
NETWORK_CONDITIONS = {"cleartext-permitted", "cleartext-domains", "user-certs-trusted",
                      "debug-overrides", "pin-set-expired", "config-unreadable"}
SECRET_KINDS = {"cloud", "token", "private-key", "map", "push", "analytics"}
SIGNING_CONDITIONS = {"unsigned", "debug-certificate", "certificate-expired",
                      "certificate-not-yet-valid", "validity-ends-before",
                      "weak-signature-algorithm", "weak-key", "v1-only-janus",
                      "missing-required-scheme"}
PACKER_KINDS = {"packer", "protector", "obfuscator"}
ASSET_RE = re.compile(r"^assets/([^/\s?\[\]{}!]+/)*[^/\s?\[\]{}!]+$")
COMPONENT_KINDS = {"activity", "activity-alias", "service", "receiver", "provider"}
SECRET_CHARSETS = {"upper-digit", "alnum", "url-safe", "alnum-dash", "pem-label"}
# Keep in step with MIN_SECRET_LITERAL, MIN_SECRET_RUN, MAX_SECRET_RUN in
# crates/rules/src/validate.rs.
MIN_SECRET_LITERAL, MIN_SECRET_RUN, MAX_SECRET_RUN = 3, 8, 1024

FIELDS = {
    "permission": ({"name", "protection_level", "added_in", "references"},
                   {"deprecated_in", "group", "special", "pi_types"}),
    "sdk": ({"id", "name", "category", "purpose", "references"},
            {"name_zh", "vendor", "exodus_id", "class_prefixes", "components", "intent_actions",
             "native_libs", "domains", "homepage", "privacy_policy"}),
    "packer": ({"id", "name", "kind", "references"},
               {"vendor", "application_classes", "class_prefixes", "native_libs", "asset_files"}),
    "api": ({"id", "pi_type", "kind", "signature", "references"}, {"permissions", "with_string"}),
    "secret": ({"id", "vendor", "kind", "references"},
               {"prefixes", "charset", "min_len", "max_len", "meta_data"}),
    "check": ({"id", "name", "kind", "severity", "status", "since", "title", "what", "why",
               "example", "remediation", "references"}, {"params"}),
    "test": ({"rule", "fixture", "expect"}, set()),
}

TYPE = r"(?:\[*(?:[ZBSCIJFD]|L[^;()\[\s]+;))"
METHOD_RE = re.compile(
    r"^L[A-Za-z0-9_$/]+;->(?:<init>|<clinit>|[A-Za-z_$][A-Za-z0-9_$]*)\(" + TYPE + r"*\)(?:V|" + TYPE + r")$"
)
FIELD_RE = re.compile(r"^L[A-Za-z0-9_$/]+;->[A-Za-z_$][A-Za-z0-9_$]*:" + TYPE + r"$")
COMPONENT_RE = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*(\.[A-Za-z_$][A-Za-z0-9_$]*)+$")
LIB_RE = re.compile(r"^lib[A-Za-z0-9_.+*-]*\.so$")
DOMAIN_RE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")
PERM_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
CHECK_ID_RE = re.compile(r"^[A-Z]{3,4}\d{3}$")
URL_RE = re.compile(r"^https?://\S+$")


class Report:
    def __init__(self):
        self.errors, self.warnings = [], []

    def err(self, where, msg):
        self.errors.append(f"{where}: {msg}")

    def warn(self, where, msg):
        self.warnings.append(f"{where}: {msg}")


def str_list(r, where, e, key, nonempty=False):
    v = e.get(key, [])
    if not isinstance(v, list) or not all(isinstance(x, str) and x for x in v):
        r.err(where, f"`{key}` must be a list of non-empty strings")
        return []
    if nonempty and not v:
        r.err(where, f"`{key}` must not be empty")
    if len(set(v)) != len(v):
        r.err(where, f"`{key}` has duplicates")
    return v


def check_fields(r, where, kind, e):
    required, optional = FIELDS[kind]
    for k in required - e.keys():
        r.err(where, f"missing `{k}`")
    for k in e.keys() - required - optional:
        r.err(where, f"unknown field `{k}`")
    str_list(r, where, e, "references", nonempty=kind != "test") if "references" in e or kind != "test" else None


def nonempty_str(r, where, e, key):
    v = e.get(key)
    if v is not None and (not isinstance(v, str) or not v.strip()):
        r.err(where, f"`{key}` must be a non-empty string")


def main():
    root = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else rc.RULES
    repo = os.path.dirname(root)
    r = Report()
    entries = {k: [] for k in FIELDS}
    files = sorted(glob.glob(os.path.join(root, "**", "*.toml"), recursive=True))
    if not files:
        sys.exit(f"no .toml files under {root}")
    for path in files:
        rel = os.path.relpath(path, repo)
        try:
            doc = rc.load_toml(path)
        except Exception as ex:  # noqa: BLE001 - report any parse error
            r.err(rel, f"TOML parse error: {ex}")
            continue
        for key, val in doc.items():
            if key not in FIELDS:
                r.err(rel, f"unknown table kind `{key}`")
                continue
            if not isinstance(val, list):
                r.err(rel, f"`{key}` must be an array of tables ([[{key}]])")
                continue
            for i, e in enumerate(val):
                entries[key].append((f"{rel}:{key}[{i}]", e))

    ids = Counter()

    # permissions
    perm_names = set()
    for where, e in entries["permission"]:
        check_fields(r, where, "permission", e)
        name = e.get("name", "")
        if not isinstance(name, str) or not PERM_NAME_RE.match(name):
            r.err(where, f"bad permission name {name!r}")
        if name in perm_names:
            r.err(where, f"duplicate permission {name}")
        perm_names.add(name)
        lvl = e.get("protection_level", "")
        if not isinstance(lvl, str) or not all(t in PROTECTION_TOKENS for t in lvl.split("|")):
            r.err(where, f"bad protection_level {lvl!r}")
        for k in ("added_in", "deprecated_in"):
            if k in e and (not isinstance(e[k], int) or isinstance(e[k], bool) or not 1 <= e[k] <= 40):
                r.err(where, f"`{k}` must be an API level")
        if isinstance(e.get("added_in"), int) and isinstance(e.get("deprecated_in"), int):
            if e["deprecated_in"] < e["added_in"]:
                r.err(where, "deprecated before added")
        if "group" in e and "special" in e:
            r.err(where, "both `group` and `special`")
        if "group" in e and e["group"] not in GROUPS:
            r.err(where, f"unknown group {e['group']!r}")
        if "special" in e and e["special"] not in SPECIALS:
            r.err(where, f"unknown special {e['special']!r}")
        for p in str_list(r, where, e, "pi_types"):
            if p not in PI_TYPES:
                r.err(where, f"unknown pi_type {p!r}")

    # sdks
    owners = {"prefix": {}, "component": {}, "lib": {}, "action": {}, "exodus": {}}
    cat_count = Counter()
    exodus_n = 0
    for where, e in entries["sdk"]:
        check_fields(r, where, "sdk", e)
        sid = e.get("id", "")
        where = f"{where} ({sid})"
        if not isinstance(sid, str) or not rc.ASCII_ID.match(sid):
            r.err(where, f"bad id {sid!r}")
        ids[sid] += 1
        for k in ("name", "name_zh", "vendor", "purpose"):
            nonempty_str(r, where, e, k)
        if e.get("category") not in CATEGORIES:
            r.err(where, f"unknown category {e.get('category')!r}")
        cat_count[e.get("category")] += 1
        for k in ("homepage", "privacy_policy"):
            if k in e and not (isinstance(e[k], str) and URL_RE.match(e[k])):
                r.err(where, f"`{k}` must be an http(s) URL")
        if "exodus_id" in e:
            x = e["exodus_id"]
            if not isinstance(x, int) or isinstance(x, bool) or x <= 0:
                r.err(where, "`exodus_id` must be a positive integer")
            elif x in owners["exodus"]:
                # One Exodus tracker may span several of our SDKs (#343 "JPush" matches
                # cn.jiguang., which is JCore): allowed, and listed so a typo stands out.
                print(f"note: {where}: exodus_id {x} shared with {owners['exodus'][x]}")
            else:
                owners["exodus"][x] = sid
                exodus_n += 1
        prefixes = str_list(r, where, e, "class_prefixes")
        for p in prefixes:
            prob = rc.prefix_problem(p)
            if prob:
                r.err(where, f"class prefix {p!r}: {prob}")
            if p in owners["prefix"] and owners["prefix"][p] != sid:
                r.err(where, f"class prefix {p!r} also on {owners['prefix'][p]}")
            owners["prefix"].setdefault(p, sid)
        for c in str_list(r, where, e, "components"):
            if not COMPONENT_RE.match(c):
                r.err(where, f"bad component name {c!r}")
            if c in owners["component"] and owners["component"][c] != sid:
                r.err(where, f"component {c!r} also on {owners['component'][c]}")
            owners["component"].setdefault(c, sid)
        for a in str_list(r, where, e, "intent_actions"):
            if not COMPONENT_RE.match(a):
                r.err(where, f"bad intent action {a!r}")
            if a.startswith("android."):
                r.err(where, f"platform action {a!r} does not identify an SDK")
            if a in owners["action"] and owners["action"][a] != sid:
                r.err(where, f"intent action {a!r} also on {owners['action'][a]}")
            owners["action"].setdefault(a, sid)
        for lib in str_list(r, where, e, "native_libs"):
            if not LIB_RE.match(lib):
                r.err(where, f"bad native library name {lib!r}")
            for other, osid in owners["lib"].items():
                if osid != sid and (fnmatch.fnmatchcase(lib, other) or fnmatch.fnmatchcase(other, lib)):
                    r.err(where, f"native library {lib!r} overlaps {other!r} of {osid}")
            owners["lib"].setdefault(lib, sid)
        for d in str_list(r, where, e, "domains"):
            if not DOMAIN_RE.match(d):
                r.err(where, f"bad domain {d!r}")
        if not any(e.get(k) for k in ("class_prefixes", "components", "native_libs", "domains")):
            r.warn(where, "no class prefix, component, native library or domain: cannot match")

    # packers
    for where, e in entries["packer"]:
        check_fields(r, where, "packer", e)
        pid = e.get("id", "")
        where = f"{where} ({pid})"
        if not isinstance(pid, str) or not rc.ASCII_ID.match(pid):
            r.err(where, f"bad id {pid!r}")
        ids[pid] += 1
        for k in ("name", "vendor"):
            nonempty_str(r, where, e, k)
        if e.get("kind") not in PACKER_KINDS:
            r.err(where, f"unknown packer kind {e.get('kind')!r}")
        for c in str_list(r, where, e, "application_classes"):
            if not COMPONENT_RE.match(c):
                r.err(where, f"bad application class {c!r}")
        for p in str_list(r, where, e, "class_prefixes"):
            prob = rc.prefix_problem(p)
            if prob:
                r.err(where, f"class prefix {p!r}: {prob}")
        for lib in str_list(r, where, e, "native_libs"):
            if not LIB_RE.match(lib):
                r.err(where, f"bad native library name {lib!r}")
        for a in str_list(r, where, e, "asset_files"):
            name = a.rsplit("/", 1)[-1]
            if not ASSET_RE.match(a) or ".." in a.split("/") or len(name.replace("*", "")) < 3:
                r.err(where, f"bad asset file {a!r} (a path under assets/, only `*` as wildcard)")
        if not any(e.get(k) for k in ("application_classes", "class_prefixes", "native_libs", "asset_files")):
            r.err(where, "no application class, class prefix, native library or asset file: cannot match")

    # apis
    signatures = {}
    pi_counter = Counter()
    for where, e in entries["api"]:
        check_fields(r, where, "api", e)
        aid = e.get("id", "")
        where = f"{where} ({aid})"
        if not isinstance(aid, str) or not rc.ASCII_ID.match(aid):
            r.err(where, f"bad id {aid!r}")
        ids[aid] += 1
        if e.get("pi_type") not in PI_TYPES:
            r.err(where, f"unknown pi_type {e.get('pi_type')!r}")
        pi_counter[e.get("pi_type")] += 1
        kind, sig = e.get("kind"), e.get("signature", "")
        if kind not in API_KINDS:
            r.err(where, f"unknown kind {kind!r}")
        elif not isinstance(sig, str) or not sig:
            r.err(where, "empty signature")
        elif kind == "method" and not METHOD_RE.match(sig):
            r.err(where, f"malformed method reference {sig!r}")
        elif kind == "field" and not FIELD_RE.match(sig):
            r.err(where, f"malformed field reference {sig!r}")
        elif kind == "content-uri" and not sig.startswith("content://"):
            r.err(where, f"content URI must start with content:// ({sig!r})")
        key = (kind, sig)
        if key in signatures:
            r.err(where, f"signature also on {signatures[key]}")
        signatures[key] = aid
        perms = e.get("permissions", [])
        if not isinstance(perms, list):
            r.err(where, "`permissions` must be a list of tables")
            perms = []
        for p in perms:
            if not isinstance(p, dict) or "name" not in p or set(p) - {"name", "min_sdk", "max_sdk"}:
                r.err(where, f"bad permission entry {p!r}")
                continue
            if p["name"] not in perm_names:
                r.err(where, f"permission {p['name']} is not in the pack")
            lo, hi = p.get("min_sdk", 1), p.get("max_sdk", 99)
            if not (isinstance(lo, int) and isinstance(hi, int) and lo <= hi):
                r.err(where, f"bad sdk range on {p['name']}")

    # secrets
    secret_literals = {}
    for where, e in entries["secret"]:
        check_fields(r, where, "secret", e)
        sid = e.get("id", "")
        where = f"{where} ({sid})"
        if not isinstance(sid, str) or not rc.ASCII_ID.match(sid):
            r.err(where, f"bad id {sid!r}")
        ids[sid] += 1
        nonempty_str(r, where, e, "vendor")
        if e.get("kind") not in SECRET_KINDS:
            r.err(where, f"unknown secret kind {e.get('kind')!r}")
        prefixes = str_list(r, where, e, "prefixes")
        meta = str_list(r, where, e, "meta_data")
        if bool(prefixes) == bool(meta):
            r.err(where, "needs exactly one of `prefixes` and `meta_data`")
        for v in prefixes + meta:
            if len(v.strip()) < MIN_SECRET_LITERAL or not all(" " <= c <= "~" for c in v):
                r.err(where, f"prefix or meta-data name {v!r}: at least 3 printable ASCII characters")
            if v in meta and " " in v:
                r.err(where, f"meta-data name {v!r} contains white space")
            if v in secret_literals and secret_literals[v] != sid:
                r.err(where, f"{v!r} also on secret {secret_literals[v]}")
            secret_literals.setdefault(v, sid)
        shape = [k for k in ("charset", "min_len", "max_len") if k in e]
        if meta and not prefixes and shape:
            r.err(where, f"{shape} apply only to `prefixes`")
        if prefixes:
            if len(shape) != 3:
                r.err(where, "`prefixes` need `charset`, `min_len` and `max_len`")
            else:
                cs, lo, hi = e["charset"], e["min_len"], e["max_len"]
                if cs not in SECRET_CHARSETS:
                    r.err(where, f"unknown charset {cs!r}")
                if not all(isinstance(x, int) and not isinstance(x, bool) and x >= 0 for x in (lo, hi)):
                    r.err(where, "`min_len` and `max_len` must be non-negative integers")
                elif lo > hi:
                    r.err(where, f"min_len {lo} above max_len {hi}")
                elif not 1 <= hi <= MAX_SECRET_RUN:
                    r.err(where, f"max_len {hi} not in 1..{MAX_SECRET_RUN}")
                elif cs != "pem-label" and lo < MIN_SECRET_RUN:
                    r.err(where, f"min_len {lo} below {MIN_SECRET_RUN}")

    # checks
    names = Counter()
    for where, e in entries["check"]:
        check_fields(r, where, "check", e)
        cid = e.get("id", "")
        where = f"{where} ({cid})"
        if not isinstance(cid, str) or not CHECK_ID_RE.match(cid):
            r.err(where, f"bad check id {cid!r}")
        ids[cid] += 1
        name = e.get("name", "")
        if not isinstance(name, str) or not rc.ASCII_ID.match(name):
            r.err(where, f"name {name!r} is not kebab-case")
        names[name] += 1
        for k in ("title", "what", "why", "example", "remediation", "since"):
            nonempty_str(r, where, e, k)
        if e.get("severity") not in SEVERITIES:
            r.err(where, f"unknown severity {e.get('severity')!r}")
        if e.get("status") not in STATUSES:
            r.err(where, f"unknown status {e.get('status')!r}")
        kind = e.get("kind")
        if kind not in CHECK_KINDS:
            r.err(where, f"unknown evaluator {kind!r}")
            continue
        params = e.get("params", {})
        if not isinstance(params, dict):
            r.err(where, "`params` must be a table")
            continue
        for k in params.keys() - CHECK_KINDS[kind]:
            r.err(where, f"parameter `{k}` is not one of {sorted(CHECK_KINDS[kind])}")
        vocab = {"groups": GROUPS, "special": SPECIALS, "pi_types": PI_TYPES,
                 "verdicts": OBFUSCATION_VERDICTS,
                 "categories": CATEGORIES,
                 "kinds": {"packer-present": PACKER_KINDS,
                           "secret-present": SECRET_KINDS}.get(kind, COMPONENT_KINDS)}
        for k, allowed in vocab.items():
            if k in params:
                for v in str_list(r, where, params, k, nonempty=True):
                    if v not in allowed:
                        r.err(where, f"`{k}` value {v!r} not in the vocabulary")
        if "names" in params:
            for v in str_list(r, where, params, "names", nonempty=True):
                if v not in perm_names:
                    r.err(where, f"permission {v} is not in the pack")
        if kind == "network-config" and params.get("condition") not in NETWORK_CONDITIONS:
            r.err(where, f"network-config `condition` {params.get('condition')!r} not in the vocabulary")
        if kind == "signing":
            condition = params.get("condition")
            if condition not in SIGNING_CONDITIONS:
                r.err(where, f"signing `condition` {condition!r} not in the vocabulary")
            dated = condition == "validity-ends-before"
            date = params.get("date")
            if dated != (date is not None):
                r.err(where, "`date` goes with validity-ends-before, and only with it")
            elif date is not None and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])",
                                                       str(date)):
                r.err(where, f"`date` {date!r} is not YYYY-MM-DD")
            if "min_key_bits" in params and condition != "weak-key":
                r.err(where, "`min_key_bits` goes only with weak-key")
        if kind == "pi-api-used" and params.get("by") not in {"sdk", "app", "any"}:
            r.err(where, "`by` must be sdk, app or any")
        if kind == "permission-requested" and not params.keys() & {"groups", "special", "names"}:
            r.err(where, "permission-requested needs groups, special or names")
        if kind == "manifest-flag" and not {"attribute", "equals"} <= params.keys():
            r.err(where, "manifest-flag needs attribute and equals")
        if kind == "exported-unprotected" and "kinds" not in params:
            r.err(where, "exported-unprotected needs kinds")
    for n, c in names.items():
        if c > 1:
            r.err("checks", f"check name {n!r} used {c} times")

    for i, c in ids.items():
        if c > 1:
            r.err("pack", f"id {i!r} used {c} times")

    # tests
    known = set(ids) | perm_names
    for where, e in entries["test"]:
        check_fields(r, where, "test", e)
        if e.get("rule") not in known:
            r.err(where, f"test names unknown rule {e.get('rule')!r}")
        if not isinstance(e.get("expect"), bool):
            r.err(where, "`expect` must be true or false")
        fx = e.get("fixture")
        if not isinstance(fx, str) or not fx:
            r.err(where, "`fixture` must be a path")
        elif not os.path.exists(os.path.join(repo, fx)):
            r.warn(where, f"fixture {fx} not found")

    print(f"rule pack {os.path.relpath(root)}: {len(files)} files")
    print(f"  permissions {len(entries['permission'])}")
    print(f"  sdks        {len(entries['sdk'])} ({exodus_n} with exodus_id, "
          f"{len(entries['sdk']) - exodus_n} without)")
    print("    by category: " + ", ".join(f"{k} {v}" for k, v in sorted(cat_count.items())))
    print(f"  packers     {len(entries['packer'])}")
    print(f"  apis        {len(entries['api'])}")
    print("    by pi_type: " + ", ".join(f"{k} {v}" for k, v in sorted(pi_counter.items())))
    print(f"  secrets     {len(entries['secret'])}")
    print(f"  checks      {len(entries['check'])}")
    print(f"  tests       {len(entries['test'])}")
    for w in r.warnings:
        print(f"warning: {w}")
    for e in r.errors:
        print(f"error: {e}")
    if r.errors:
        print(f"{len(r.errors)} error(s)")
        sys.exit(1)
    print("ok")


if __name__ == "__main__":
    main()
