"""Shared helpers for the rule-pack generators (python3 + tomllib only).

Nothing here reads the network; every function is deterministic. The generators check their
own inputs only; the pack they write is checked by the one validator, `apkscope rules
validate` ([`validate_pack`]).
"""

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RULES = os.path.join(ROOT, "rules")
TABLES = os.path.join(ROOT, "tools", "sdk-tables")
# The reference data sits beside the checkout (see ../shared/reference/README.md).
REFERENCE = os.environ.get(
    "APKSCOPE_REFERENCE", os.path.join(os.path.dirname(ROOT), "shared", "reference")
)

# Packages too generic to be an SDK prefix: they hold the platform, whole vendors or
# many unrelated libraries. A prefix equal to one of these is dropped by the Exodus converter.
# Keep in step with GENERIC_PREFIXES in crates/rules/src/validate.rs, which rejects them (E033).
GENERIC_PREFIXES = frozenset(
    """
    android. androidx. java. javax. kotlin. kotlinx. dalvik. sun. org. com. cn. net. io. me.
    com.android. com.android.internal. com.google. com.google.android. com.google.android.gms.
    com.google.firebase. org.apache. org.json. org.w3c. org.xml. org.chromium. com.github.
    com.facebook. com.tencent. com.alibaba. com.taobao. com.baidu. com.huawei. com.xiaomi.
    com.bytedance. com.ss. com.ss.android. com.amazon. com.microsoft. com.samsung. com.sina.
    com.netease. com.qq. com.jd. com.kwai. com.meituan. com.example. cn.com. com.sdk.
    org.android. com.cmcc. com.oppo. com.vivo. com.meizu. com.heytap. com.hihonor. com.sun.
    """.split()
)

SEGMENT = re.compile(r"^[A-Za-z_$][A-Za-z0-9_$]*$")


def load_toml(path):
    with open(path, "rb") as f:
        return tomllib.load(f)


def load_json(name):
    with open(os.path.join(REFERENCE, name), encoding="utf-8") as f:
        return json.load(f)


def toml_value(v):
    """Render a str/int/bool/list/inline-table value as TOML (JSON string escapes are valid
    TOML)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        items = [toml_value(x) for x in v]
        one = "[" + ", ".join(items) + "]"
        if len(one) <= 96:
            return one
        return "[\n" + "".join(f"  {x},\n" for x in items) + "]"
    raise TypeError(f"cannot render {type(v)}")


SDK_FIELD_ORDER = [
    "id", "name", "name_zh", "vendor", "legal_entity", "category", "purpose", "exodus_id",
    "class_prefixes", "components", "intent_actions", "native_libs", "domains",
    "meta_data", "strings", "strings_min", "versions", "homepage", "privacy_policy", "init_apis", "privacy_switches", "references",
]

# Method signatures (`Lcls;->name(params)ret`) an SDK entry may carry: its initialisation APIs
# and its privacy switches. Their inputs note where each signature was confirmed.
SDK_API_FIELDS = ("init_apis", "privacy_switches")


def api_source_note(source):
    """The one-line comment put before an entry's API fields: where their sources are noted."""
    return f"init_apis, privacy_switches: sources noted in {source}"


def render_sdk(entry, comments=(), api_note=None):
    """One [[sdk]] table: `comments` go above it, `api_note` above its first API field."""
    out = [f"# {c}" for c in comments]
    out.append("[[sdk]]")
    for k in SDK_FIELD_ORDER:
        v = entry.get(k)
        if v is None or v == [] or v == "":
            continue
        if api_note and k in SDK_API_FIELDS:
            out.append(f"# {api_note}")
            api_note = None
        out.append(f"{k} = {toml_value(v)}")
    return "\n".join(out) + "\n"


def prefix_kind(p):
    """'package' for a prefix ending with '.', 'class' for one whose last segment starts
    upper-case (a class-name prefix), else None (malformed)."""
    if p.endswith("."):
        segs = p[:-1].split(".")
        return "package" if all(SEGMENT.match(s) for s in segs) else None
    segs = p.split(".")
    if not all(SEGMENT.match(s) for s in segs):
        return None
    return "class" if segs[-1][:1].isupper() else None


def prefix_problem(p):
    """Why a class prefix is unacceptable, or None."""
    kind = prefix_kind(p)
    if kind is None:
        if re.match(r"^[A-Za-z0-9_.$]+$", p) and not p.endswith("."):
            return "package prefix must end with '.'"
        return "not a dotted Java name"
    segs = p.rstrip(".").split(".")
    if len(segs) < 2:
        return "fewer than two segments"
    if kind == "package" and p in GENERIC_PREFIXES:
        return "too generic"
    return None


def longest_owner(name, prefix_owner):
    """The owner of the longest prefix of `name` in {prefix: owner}, or None."""
    best = None
    for p, owner in prefix_owner.items():
        if name.startswith(p) and (best is None or len(p) > len(best[0])):
            best = (p, owner)
    return best[1] if best else None


# Exodus code signatures use a few regex-like entries that are not prefixes; these are the
# repairs we apply (documented in the generated files and the rules README).
EXODUS_PREFIX_REPAIRS = {
    ".sizmek.": "com.sizmek.",
    ".schibsted.": "com.schibsted.",
    ".tealium.": "com.tealium.",
    ".adswizz.": "com.adswizz.",
}
EXODUS_PREFIX_DROPS = {
    ".LigatusManager": "not a prefix (class-name fragment); com.ligatus.android.adframework. is kept",
    ".LigatusViewClient": "not a prefix (class-name fragment); com.ligatus.android.adframework. is kept",
    ".S4MAnalytic": "not a prefix (class-name fragment); com.sam4mobile. is kept",
    ".kochavaccpa.": "not a prefix (package fragment); the com.kochava. packages are kept",
    "com.bytedance": "too generic: covers every ByteDance library",
}


def convert_exodus_prefix(raw):
    """Turn one Exodus code-signature alternative into (prefix or None, note or None)."""
    raw = raw.strip()
    if not raw:
        return None, None
    if raw in EXODUS_PREFIX_DROPS:
        return None, f"dropped `{raw}`: {EXODUS_PREFIX_DROPS[raw]}"
    if raw in EXODUS_PREFIX_REPAIRS:
        new = EXODUS_PREFIX_REPAIRS[raw]
        return new, f"repaired `{raw}` to `{new}` (Exodus matches it anywhere in a name)"
    if re.search(r"[\\*+?()\[\]{}^$|]", raw):
        return None, f"dropped `{raw}`: regular expression, not a prefix"
    note = None
    p = raw
    if not p.endswith("."):
        last = p.split(".")[-1]
        if not last[:1].isupper():
            p = p + "."
    problem = prefix_problem(p)
    if problem:
        return None, f"dropped `{raw}`: {problem}"
    return p, note


def convert_exodus_domain(raw):
    """Turn one Exodus network-signature alternative into (domain or None, note or None)."""
    raw = raw.strip()
    if not raw:
        return None, None
    d = raw.replace("\\-", "-").replace("\\.", ".")
    d = re.sub(r"^\.\*\\?\.?", "", d)
    d = d.lstrip(".")
    if d.startswith("data.\\"):
        d = "data." + d[len("data.\\"):]
    d = d.lower().rstrip(".")
    if re.search(r"[\\*+?()\[\]{}^$|/:]", d):
        return None, f"dropped domain `{raw}`: regular expression, path or port"
    if "." not in d:
        return None, f"dropped domain `{raw}`: not a domain name"
    if not re.match(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", d):
        return None, f"dropped domain `{raw}`: not a domain name"
    return d, None


# The one validator: `apkscope rules validate DIR` (crates/rules/src/validate.rs). APKSCOPE_BIN
# names a built `apkscope` binary; without it the CLI is built and run with cargo.
def validator_command(folder=RULES):
    binary = os.environ.get("APKSCOPE_BIN")
    head = shlex.split(binary) if binary else [
        "cargo", "run", "-q", "-p", "apkscope-cli", "--"
    ]
    return head + ["rules", "validate", folder]


def validate_pack(folder=RULES):
    """Runs `apkscope rules validate FOLDER` from the repository root, printing its report;
    exits with its status when it fails (1: the rules are invalid, 3: FOLDER cannot be read)."""
    cmd = validator_command(folder)
    print("+ " + " ".join(shlex.quote(c) for c in cmd), flush=True)
    status = subprocess.run(cmd, cwd=ROOT, check=False).returncode
    if status != 0:
        sys.exit(status)
