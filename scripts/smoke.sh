#!/usr/bin/env bash
# Production-like smoke test: a fresh PostgreSQL database, Redis, DEBUG=0, gunicorn, a real
# Celery worker and beat as separate processes; a member logs in over HTTP, opens the portal,
# a static file comes through whitenoise, and the worker runs a real task that writes to the
# database. Every process started here is stopped by its PID on any exit.
#
# Needs: the venv (make install), psql, curl, PostgreSQL and Redis reachable.
# Overrides: SMOKE_PG_URL (server, without database), SMOKE_DB, SMOKE_REDIS_URL, SMOKE_PORT.
set -euo pipefail

# Pages a logged-in member must get with 200. Pages not routed yet are reported and skipped;
# every /espace/ link found on those pages, and on the pages they link to, is opened as well.
PAGES=(/espace/ /espace/clients/ /api/v1/me/ /api/v1/units/ /api/v1/clients/ /api/schema/)
HOME_PAGE=/espace/
HOME_MUST_CONTAIN="UP-0001"
MEMBER_EMAIL=alice@smartcoop.test
STAFF_EMAIL=claire@smartcoop.test

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=$ROOT/.venv/bin
PG_URL=${SMOKE_PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=${SMOKE_DB:-smartcoop_smoke}
REDIS=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/1}

SMOKE_START=$(date +%s)
STEP_START=$SMOKE_START
step() {
    local now
    now=$(date +%s)
    if [ -n "${STEP_NAME:-}" ]; then
        echo "smoke: ${STEP_NAME} done in $((now - STEP_START)) s"
    fi
    STEP_NAME=$1
    STEP_START=$now
    echo "smoke: == $1"
}
fail() {
    echo "smoke: FAILED: $*" >&2
    exit 1
}

[ -x "$BIN/python" ] || fail "no virtualenv at .venv: run 'make install' first"
command -v psql >/dev/null || fail "psql not found (Debian package postgresql-client)"
command -v curl >/dev/null || fail "curl not found"
DEMO_PASSWORD=$(sed -n 's/^DEMO_PASSWORD = "\(.*\)"$/\1/p' smartcoop/demo.py)
[ -n "$DEMO_PASSWORD" ] || fail "DEMO_PASSWORD not found in smartcoop/demo.py"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smartcoop-smoke.XXXXXX")
JAR=$WORK/cookies.txt

# --- background processes, stopped by PID on any exit -------------------------------------
PIDS=()
NAMES=()
start_bg() {  # name, command...: start in the background, log to $WORK/name.log
    local name=$1
    shift
    "$@" >"$WORK/$name.log" 2>&1 &
    PIDS+=($!)
    NAMES+=("$name")
    echo "smoke: started $name (pid $!)"
}
stop_all() {
    local i pid waited
    for i in "${!PIDS[@]}"; do
        pid=${PIDS[$i]}
        kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
    done
    for i in "${!PIDS[@]}"; do
        pid=${PIDS[$i]}
        waited=0
        while kill -0 "$pid" 2>/dev/null && [ $waited -lt 40 ]; do
            sleep 0.25
            waited=$((waited + 1))
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "smoke: ${NAMES[$i]} (pid $pid) ignored TERM for 10 s: KILL" >&2
            for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
                kill -KILL "$child" 2>/dev/null || true
            done
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
        echo "smoke: stopped ${NAMES[$i]} (pid $pid)"
    done
    PIDS=()
    NAMES=()
}
on_exit() {
    local status=$?
    stop_all
    if [ $status -ne 0 ]; then
        for log in "$WORK"/*.log; do
            [ -f "$log" ] || continue
            echo "----- last lines of $(basename "$log") -----" >&2
            tail -n 40 "$log" >&2
        done
        echo "smoke: logs kept in $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit $status
}
trap on_exit EXIT
trap 'exit 130' INT TERM

alive() {  # index in PIDS: fails if that process has exited
    kill -0 "${PIDS[$1]}" 2>/dev/null || fail "${NAMES[$1]} (pid ${PIDS[$1]}) has exited"
}

# --- production-like environment ---------------------------------------------------------
export DJANGO_SETTINGS_MODULE=smartcoop.settings
export DEBUG=0
SECRET_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
FIELD_ENCRYPTION_KEYS=$("$BIN/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
FIELD_HASH_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))')
export FIELD_ENCRYPTION_KEYS FIELD_HASH_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
# Plain HTTP on loopback: no TLS redirect and no Secure cookies for this run only.
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
export SMARTCOOP_STAFF_MFA_REQUIRED=1
export DATABASE_URL=$PG_URL/$DB
export REDIS_URL=$REDIS
export MEDIA_ROOT=$WORK/media
export EMAIL_URL=console://

# The port asked for if it is free, else any free one (SO_REUSEADDR as gunicorn: a socket of
# an earlier run in TIME_WAIT is no obstacle).
PORT=$("$BIN/python" - "${SMOKE_PORT:-8765}" <<'EOF'
import socket
import sys

s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
EOF
)
if [ "$PORT" != "${SMOKE_PORT:-8765}" ]; then
    echo "smoke: port ${SMOKE_PORT:-8765} is taken, using $PORT"
fi
BASE=http://127.0.0.1:$PORT

manage() { "$BIN/python" manage.py "$@"; }
sql() { psql "$DATABASE_URL" -v ON_ERROR_STOP=1 -qtAc "$1"; }

# --- set-up ----------------------------------------------------------------------------------
step "fresh database $DB and Redis $REDIS"
psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -q \
    -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" \
    || fail "cannot recreate database $DB on $PG_URL"
"$BIN/python" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS" \
    || fail "Redis unreachable at $REDIS"

step "migrate"
manage migrate --noinput -v0

step "collectstatic"
manage collectstatic --noinput -v0

step "seed_demo"
manage seed_demo

step "check --deploy (production values)"
if ! SECURE_SSL_REDIRECT=1 SESSION_COOKIE_SECURE=1 CSRF_COOKIE_SECURE=1 \
    ALLOWED_HOSTS=smartcoop.example manage check --deploy --fail-level WARNING 2>&1 \
    | tee "$WORK/check-deploy.txt"; then
    fail "check --deploy reported issues"
fi
grep -q "System check identified no issues" "$WORK/check-deploy.txt" \
    || fail "check --deploy did not report a clean result"

# --- processes -------------------------------------------------------------------------------
step "start gunicorn, Celery worker and beat"
start_bg gunicorn "$BIN/gunicorn" smartcoop.wsgi:application --bind "127.0.0.1:$PORT" \
    --workers 2 --timeout 60 --access-logfile - --error-logfile -
start_bg worker "$BIN/celery" -A smartcoop worker --concurrency=1 -l info -n "smoke-$$@%h"
start_bg beat "$BIN/celery" -A smartcoop beat -l info -s "$WORK/celerybeat-schedule"
GUNICORN=0 WORKER=1 BEAT=2

for _ in $(seq 1 120); do
    alive $GUNICORN
    code=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/accounts/login/" || true)
    [ "$code" != 000 ] && break
    sleep 0.5
done
[ "$code" = 200 ] || fail "gunicorn did not answer 200 on /accounts/login/ (last: $code)"
echo "smoke: gunicorn answers on $BASE"

# --- HTTP ------------------------------------------------------------------------------------
get() {  # path, expected status: GET with the cookie jar, body in $WORK/page.html
    local code
    code=$(curl -s -b "$JAR" -c "$JAR" -o "$WORK/page.html" -w '%{http_code}' "$BASE$1")
    [ "$code" = "$2" ] || fail "GET $1 answered $code, expected $2"
    echo "smoke: GET $1 -> $code"
}

login() {  # email: log in through allauth's form; leaves the final page in $WORK/page.html
    rm -f "$JAR"
    get /accounts/login/ 200
    local token final
    token=$(sed -n 's/.*name="csrfmiddlewaretoken" value="\([^"]*\)".*/\1/p' "$WORK/page.html" | head -n 1)
    [ -n "$token" ] || token=$(awk '$6 == "csrftoken" {print $7}' "$JAR")
    [ -n "$token" ] || fail "no CSRF token on the login page"
    final=$(curl -s -L -b "$JAR" -c "$JAR" -o "$WORK/page.html" \
        -w '%{http_code} %{url_effective}' -e "$BASE/accounts/login/" \
        --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "login=$1" \
        --data-urlencode "password=$DEMO_PASSWORD" "$BASE/accounts/login/")
    echo "smoke: POST /accounts/login/ as $1 -> $final"
    LOGIN_FINAL=$final
}

step "member logs in and opens the portal"
login "$MEMBER_EMAIL"
[ "$LOGIN_FINAL" = "200 $BASE$HOME_PAGE" ] \
    || fail "login as $MEMBER_EMAIL ended on '$LOGIN_FINAL', expected 200 on $HOME_PAGE"
grep -q "$HOME_MUST_CONTAIN" "$WORK/page.html" || fail "$HOME_PAGE does not show $HOME_MUST_CONTAIN"
cp "$WORK/page.html" "$WORK/home.html"

ROUTED=$("$BIN/python" - "${PAGES[@]}" <<'EOF'
import sys

import django

django.setup()
from django.urls import Resolver404, resolve

for path in sys.argv[1:]:
    try:
        resolve(path)
        print(path)
    except Resolver404:
        print(f"smoke: {path} is not routed yet: skipped", file=sys.stderr)
EOF
)
links() {  # portal links in $WORK/page.html
    grep -o 'href="/espace/[^"#?]*"' "$WORK/page.html" | sed 's/^href="//; s/"$//' \
        | grep -v -E 'logout|delete' || true
}
cp "$WORK/home.html" "$WORK/page.html"
TODO=$(printf '%s\n' $ROUTED $(links) | sort -u)
SEEN=" "
for depth in 1 2; do
    NEXT=
    for page in $TODO; do
        case "$SEEN" in *" $page "*) continue ;; esac
        [ $(wc -w <<<"$SEEN") -lt 60 ] || break
        SEEN="$SEEN$page "
        get "$page" 200
        NEXT="$NEXT $(links)"
    done
    TODO=$(printf '%s\n' $NEXT | sort -u)
done

step "static files through whitenoise"
STATIC=/static/admin/css/base.css
[ -f static/css/portal.css ] && STATIC=/static/css/portal.css
get "$STATIC" 200
for href in $(grep -o 'href="/static/[^"]*\.css"' "$WORK/home.html" | sed 's/^href="//; s/"$//' | sort -u); do
    get "$href" 200
done

step "staff without a second factor is sent to MFA set-up before the admin"
login "$STAFF_EMAIL"
code=$(curl -s -b "$JAR" -o /dev/null -w '%{http_code} %{redirect_url}' "$BASE/admin/")
case "$code" in
    "302 $BASE/accounts/2fa/"*) echo "smoke: GET /admin/ as $STAFF_EMAIL -> $code" ;;
    *) fail "GET /admin/ as $STAFF_EMAIL answered '$code', expected a redirect to /accounts/2fa/" ;;
esac

# --- background work -------------------------------------------------------------------------
step "the Celery worker runs a real task"
TOKEN="smoke-$(date +%s)-$$"
TASK_ID=$(manage shell -c "
from smartcoop.tasks import health_ping
assert not health_ping.app.conf.task_always_eager, 'tasks would run in-process'
print(health_ping.delay(token='$TOKEN').id)
" | tail -n 1)
echo "smoke: enqueued health_ping[$TASK_ID] with token $TOKEN"
found=0
for _ in $(seq 1 120); do
    alive $WORKER
    if [ "$(sql "SELECT count(*) FROM smartcoop_healthping WHERE token = '$TOKEN'")" = 1 ]; then
        found=1
        break
    fi
    sleep 0.5
done
[ $found = 1 ] || fail "no HealthPing row with token $TOKEN after 60 s"
grep -q "health_ping\[$TASK_ID\] succeeded" "$WORK/worker.log" \
    || fail "the worker log does not show health_ping[$TASK_ID] succeeding"
echo "smoke: HealthPing $TOKEN written by worker $(sql "SELECT worker FROM smartcoop_healthping WHERE token = '$TOKEN'")"

step "beat is alive"
alive $BEAT
grep -q "beat: Starting" "$WORK/beat.log" || fail "beat did not log its start"
alive $GUNICORN
alive $WORKER

step "stop every process"
stop_all
echo "smoke: stop every process done in $(($(date +%s) - STEP_START)) s"
echo "smoke test passed in $(($(date +%s) - SMOKE_START)) s"
