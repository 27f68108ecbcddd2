#!/usr/bin/env bash
# Full-page screenshot of apkscope's HTML report, for reviewing how the report looks.
#
# usage: tools/html-screenshot.sh APP.apk|REPORT.html OUT.png [WIDTH]
#
# An APK is first scanned to HTML with the release build (`scan --format html --out`); an
# .html file is shot as it is. The page is loaded in headless Chromium and captured at WIDTH
# CSS pixels (default 1280) over its whole height, through the DevTools protocol on a pipe
# (`--remote-debugging-pipe`): Chromium's `--screenshot` flag only captures the window.
#
# environment: APKSCOPE_CHROMIUM (browser binary; default chromium, chromium-browser or
#              google-chrome from PATH), APKSCOPE_BIN (use this apkscope instead of cargo run)
# needs: chromium (Debian package `chromium`), python3 (standard library only), cargo.
set -euo pipefail

die() { echo "html-screenshot: $*" >&2; exit 1; }

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
    die "usage: $0 APP.apk|REPORT.html OUT.png [WIDTH]"
fi
input=$1
out=$2
width=${3:-1280}
[ -f "$input" ] || die "no such file: $input"
case $width in '' | *[!0-9]*) die "WIDTH must be a number of pixels, not '$width'" ;; esac

browser=${APKSCOPE_CHROMIUM:-}
if [ -z "$browser" ]; then
    for candidate in chromium chromium-browser google-chrome; do
        if command -v "$candidate" >/dev/null; then
            browser=$(command -v "$candidate")
            break
        fi
    done
fi
[ -n "$browser" ] || die "no chromium found (apt-get install chromium, or set APKSCOPE_CHROMIUM)"
command -v python3 >/dev/null || die "python3 is needed to drive chromium"

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case $input in
    *.html | *.htm)
        html=$(realpath "$input")
        ;;
    *)
        html=$work/report.html
        apk=$(realpath "$input")
        # Exit 1 (findings over a threshold) and 2 (the input failed: the report says why)
        # still write a report worth looking at.
        status=0
        if [ -n "${APKSCOPE_BIN:-}" ]; then
            "$APKSCOPE_BIN" scan "$apk" --format html --out "$html" || status=$?
        else
            (cd "$root" && cargo run --quiet --release -p apkscope-cli -- \
                scan "$apk" --format html --out "$html") || status=$?
        fi
        if [ "$status" -gt 2 ] || [ ! -s "$html" ]; then
            die "apkscope scan failed (exit $status)"
        fi
        ;;
esac

out_abs=$(realpath -m "$out")
timeout 120 python3 - "$browser" "$html" "$out_abs" "$width" "$work/profile" <<'PY'
"""Drives headless Chromium over --remote-debugging-pipe (fd 3: commands in, fd 4: replies
out, NUL-terminated JSON) to capture a whole page."""
import base64
import json
import os
import subprocess
import sys
import urllib.parse

browser, html, out, width, profile = sys.argv[1:6]
width = int(width)

commands_read, commands_write = os.pipe()
replies_read, replies_write = os.pipe()


def child_fds():
    os.dup2(commands_read, 3)
    os.dup2(replies_write, 4)


chromium = subprocess.Popen(
    [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--no-first-run", "--disable-extensions", "--hide-scrollbars",
        "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank",
    ],
    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    preexec_fn=child_fds, pass_fds=(3, 4),
)
os.close(commands_read)
os.close(replies_write)
to_browser = os.fdopen(commands_write, "wb", buffering=0)
from_browser = os.fdopen(replies_read, "rb", buffering=0)
pending = b""
next_id = 0


def receive():
    global pending
    while b"\0" not in pending:
        chunk = from_browser.read(65536)
        if not chunk:
            sys.exit("html-screenshot: chromium closed the pipe")
        pending += chunk
    message, pending = pending.split(b"\0", 1)
    return json.loads(message)


def send(method, params=None, session=None, wait_event=None):
    """Sends a command and returns its result; with wait_event, also waits for that event."""
    global next_id
    next_id += 1
    message = {"id": next_id, "method": method, "params": params or {}}
    if session:
        message["sessionId"] = session
    to_browser.write(json.dumps(message).encode() + b"\0")
    result, seen_event = None, wait_event is None
    while result is None or not seen_event:
        reply = receive()
        if reply.get("id") == next_id:
            if "error" in reply:
                sys.exit(f"html-screenshot: {method}: {reply['error']}")
            result = reply.get("result", {})
        elif wait_event and reply.get("method") == wait_event:
            seen_event = True
    return result


try:
    target = send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    send("Page.enable", session=session)
    send("Emulation.setDeviceMetricsOverride",
         {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False},
         session=session)
    url = "file://" + urllib.parse.quote(html)
    send("Page.navigate", {"url": url}, session=session, wait_event="Page.loadEventFired")
    size = send("Page.getLayoutMetrics", session=session)["cssContentSize"]
    shot = send("Page.captureScreenshot", {
        "format": "png",
        "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
    }, session=session)
    with open(out, "wb") as png:
        png.write(base64.b64decode(shot["data"]))
    print(f"{out}: {width}x{int(size['height'])} px")
    send("Browser.close")
finally:
    try:
        chromium.wait(timeout=10)
    except subprocess.TimeoutExpired:
        chromium.kill()
PY
