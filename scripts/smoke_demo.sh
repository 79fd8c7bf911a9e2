#!/usr/bin/env bash
# Demo smoke test — the acceptance of issue #2:
#   "make demo serves /healthz 200 within 3 minutes of starting and the demo clerk can log in."
#
# Runs `make demo` in the background against a fresh data directory (the checkout's var/
# is not touched), waits for /healthz, logs in as the demo clerk with curl, checks the home
# page names them, then stops the demo with SIGTERM and checks that the web server and the
# task worker are gone.
#
#   scripts/smoke_demo.sh            (used by .ci/run)
#   PORT=8001 scripts/smoke_demo.sh  another port
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${PORT:-8000}"
BASE="http://127.0.0.1:${PORT}"
DEMO_USERNAME="${DEMO_USERNAME:-vanthu.hanoi}"
DEMO_PASSWORD="${DEMO_PASSWORD:-lienthong-demo}"
TIMEOUT="${DEMO_TIMEOUT:-180}"   # seconds: the acceptance says 3 minutes

work="$(mktemp -d)"
export LIENTHONG_DATA_DIR="$work/data"
unset LIENTHONG_DATABASE_URL LIENTHONG_TASK_BACKEND LIENTHONG_CONFIG_PATH  # the embedded node
log="$work/demo.log"
jar="$work/cookies.txt"
demo_pid=""

say() { printf '[smoke] %s\n' "$*"; }
fail() {
    say "FAILED: $*" >&2
    say "last lines of the demo's output:" >&2
    tail -n 60 "$log" >&2 || true
    exit 1
}

stop_demo() {
    [ -n "$demo_pid" ] || return 0
    if kill -0 "$demo_pid" 2>/dev/null; then
        kill -TERM -- "-$demo_pid" 2>/dev/null || true
        for _ in $(seq 1 60); do
            curl -fsS -o /dev/null --max-time 1 "$BASE/healthz" 2>/dev/null || break
            sleep 0.5
        done
    fi
    demo_pid=""
}

# A child reported in serve's banner must be gone (a zombie left to init counts as gone).
check_gone() {
    local pid="$1" name="$2" state
    for _ in $(seq 1 60); do
        state="$(ps -o stat= -p "$pid" 2>/dev/null || true)"
        case "$state" in "" | Z*) return 0 ;; esac
        sleep 0.5
    done
    fail "the $name (pid $pid) is still running after the demo was stopped"
}

cleanup() {
    local rc=$?
    stop_demo
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT

if curl -fsS -o /dev/null --max-time 2 "$BASE/healthz" 2>/dev/null; then
    fail "something already answers on $BASE; stop it first"
fi

say "make demo (data directory $LIENTHONG_DATA_DIR)"
start=$(date +%s)
# setsid: the demo leads its own process group, so one signal reaches make and serve.
setsid make --no-print-directory demo PORT="$PORT" >"$log" 2>&1 &
demo_pid=$!

status=""
while :; do
    elapsed=$(( $(date +%s) - start ))
    kill -0 "$demo_pid" 2>/dev/null || fail "make demo exited before serving"
    status="$(curl -sS -o /dev/null -w '%{http_code}' --max-time 2 "$BASE/healthz" 2>/dev/null || true)"
    [ "$status" = "200" ] && break
    [ "$elapsed" -ge "$TIMEOUT" ] && fail "/healthz did not answer 200 within ${TIMEOUT} s (last: ${status:-none})"
    sleep 1
done
say "/healthz answered 200 after ${elapsed} s (limit ${TIMEOUT} s)"

# The log-ins are printed before the server starts (by `lienthong load_demo`).
grep -q "$DEMO_USERNAME" "$log" || fail "make demo did not print the demo log-in $DEMO_USERNAME"

# Log in as the demo clerk: GET the form (CSRF cookie and token), POST the credentials.
login_page="$work/login.html"
code="$(curl -sS -c "$jar" -b "$jar" -o "$login_page" -w '%{http_code}' "$BASE/dang-nhap/")"
[ "$code" = "200" ] || fail "GET /dang-nhap/ answered $code"
token="$(grep -o 'name="csrfmiddlewaretoken" value="[^"]*"' "$login_page" | head -n 1 | sed 's/.*value="//; s/"$//')"
[ -n "$token" ] || fail "no CSRF token in the log-in page"
read -r code location < <(curl -sS -c "$jar" -b "$jar" -o /dev/null \
    -w '%{http_code} %{redirect_url}\n' \
    -H "Referer: $BASE/dang-nhap/" \
    --data-urlencode "csrfmiddlewaretoken=$token" \
    --data-urlencode "username=$DEMO_USERNAME" \
    --data-urlencode "password=$DEMO_PASSWORD" \
    "$BASE/dang-nhap/")
[ "$code" = "302" ] || fail "log-in as $DEMO_USERNAME answered $code, expected a 302 redirect"
[ "$location" = "$BASE/" ] || fail "log-in redirected to '$location', expected $BASE/"

# The home page greets the clerk by name (read from the demo database itself).
full_name="$("${VENV:-.venv}/bin/lienthong" shell -c \
    "from lienthong.org.models import User; print(User.objects.get(username='$DEMO_USERNAME'))" \
    2>/dev/null | tail -n 1)"
[ -n "$full_name" ] || fail "cannot read the full name of $DEMO_USERNAME"
home="$work/home.html"
code="$(curl -sS -b "$jar" -o "$home" -w '%{http_code}' "$BASE/")"
[ "$code" = "200" ] || fail "GET / as $DEMO_USERNAME answered $code"
grep -qF "$full_name" "$home" || fail "the home page does not name the clerk ($full_name)"
say "logged in as $DEMO_USERNAME ($full_name); the home page names them"

# Stop the demo as a terminal's Ctrl-C or a service manager would, and check nothing is left.
mapfile -t children < <(grep -oE '(web server|task worker): pid [0-9]+' "$log" || true)
[ "${#children[@]}" -eq 2 ] || fail "serve's banner does not name the web server and the task worker"
stop_demo
for line in "${children[@]}"; do
    check_gone "${line##* }" "${line%%:*}"
done
grep -q "SIGTERM received, stopping" "$log" || fail "serve did not report the SIGTERM"
say "the demo stopped cleanly: web server and task worker are gone"
say "OK in $(( $(date +%s) - start )) s"
