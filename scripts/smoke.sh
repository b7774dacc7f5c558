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
DEMO_PASSWORD=$(sed -n 's/^DEMO_PASSWORD = "\(.*\)"$/\1/p' devtools/demo.py)
[ -n "$DEMO_PASSWORD" ] || fail "DEMO_PASSWORD not found in devtools/demo.py"
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
from core.tasks import health_ping
assert not health_ping.app.conf.task_always_eager, 'tasks would run in-process'
print(health_ping.delay(token='$TOKEN').id)
" | tail -n 1)
echo "smoke: enqueued health_ping[$TASK_ID] with token $TOKEN"
found=0
for _ in $(seq 1 120); do
    alive $WORKER
    if [ "$(sql "SELECT count(*) FROM core_healthping WHERE token = '$TOKEN'")" = 1 ]; then
        found=1
        break
    fi
    sleep 0.5
done
[ $found = 1 ] || fail "no HealthPing row with token $TOKEN after 60 s"
grep -q "health_ping\[$TASK_ID\] succeeded" "$WORK/worker.log" \
    || fail "the worker log does not show health_ping[$TASK_ID] succeeding"
echo "smoke: HealthPing $TOKEN written by worker $(sql "SELECT worker FROM core_healthping WHERE token = '$TOKEN'")"

step "beat is alive"
alive $BEAT
grep -q "beat: Starting" "$WORK/beat.log" || fail "beat did not log its start"
alive $GUNICORN
alive $WORKER

# --- faults: no issued document left unsent, none sent twice (docs/operations.md) -----------
# A burst of invoices is issued; the worker's pool processes are SIGKILLed while sending, then
# the whole worker is SIGKILLed and restarted; during a second burst of issuing, Redis is shut
# down (without saving: its queue is lost) and started again. Every invoice must end with each
# transmission sent, one e-mail and one Peppol envelope: none lost, none twice.
# The Redis restarted is one this script starts on a free port (no persistence, like the
# machine's): the machine's Redis, shared with other runs, is never touched.
FAULT_INVOICES=${SMOKE_FAULT_INVOICES:-6}
FAULTS=0
trap 'echo "smoke: line $LINENO failed: $BASH_COMMAND" >&2' ERR
# The transmissions of the invoices issued by this section (the demo's are not counted).
FAULT_CLIENT="Outbox Smoke $$ SRL"
OF_FAULT_INVOICES="invoice_id IN (SELECT i.id FROM invoicing_invoice i JOIN invoicing_client c
    ON c.id = i.client_id WHERE c.name = '$FAULT_CLIENT')"
stop_pid() {  # index in PIDS: TERM, then wait for it
    local pid=${PIDS[$1]}
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    echo "smoke: stopped ${NAMES[$1]} (pid $pid)"
}
wait_for() {  # seconds, description, SQL returning t when done
    local limit=$1 what=$2 query=$3 i
    for i in $(seq 1 $((limit * 5))); do
        [ "$(sql "$query")" = t ] && return 0
        supervise_fault_worker
        sleep 0.2
    done
    fail "$what: not reached after $limit s"
}
free_port() {
    "$BIN/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

step "faults: a private Redis, a worker and beat sending through the outbox"
command -v redis-server >/dev/null || fail "redis-server not found (Debian package redis-server)"
stop_pid $WORKER
stop_pid $BEAT
FAULT_REDIS_PORT=$(free_port)
REDIS_STARTS=0
start_redis() {
    REDIS_STARTS=$((REDIS_STARTS + 1))
    start_bg "redis-$REDIS_STARTS" "$(command -v redis-server)" --port "$FAULT_REDIS_PORT" --bind 127.0.0.1 \
        --save "" --appendonly no --dir "$WORK"
    REDIS_INDEX=$((${#PIDS[@]} - 1))
    for _ in $(seq 1 50); do
        [ "$(redis-cli -p "$FAULT_REDIS_PORT" ping 2>/dev/null)" = PONG ] && return 0
        sleep 0.1
    done
    fail "the private Redis did not start on port $FAULT_REDIS_PORT"
}
start_redis
mkdir -p "$WORK/mail" "$WORK/peppol"
# Sweeps every 2 s, for transmissions overdue by 6 s (production: 60 s and 10 min).
FAULT_ENV=(env "REDIS_URL=redis://127.0.0.1:$FAULT_REDIS_PORT/0" "EMAIL_URL=file:///$WORK/mail"
    PEPPOL_ACCESS_POINT=file "PEPPOL_OUTBOX_DIR=$WORK/peppol" OUTBOX_STALE_SECONDS=6
    OUTBOX_SWEEP_SECONDS=2 "PYTHONPATH=$ROOT${PYTHONPATH:+:$PYTHONPATH}"
    "FAULT_CLIENT=$FAULT_CLIENT")
WORKER_STARTS=0
start_fault_worker() {
    WORKER_STARTS=$((WORKER_STARTS + 1))
    start_bg "fault-worker-$WORKER_STARTS" "${FAULT_ENV[@]}" "$BIN/celery" -A smartcoop worker \
        --concurrency=2 -l info -n "fault-$$@%h"
    FAULT_WORKER=$((${#PIDS[@]} - 1))
    for _ in $(seq 1 300); do
        alive $FAULT_WORKER
        grep -q "ready\." "$WORK/fault-worker-$WORKER_STARTS.log" && return 0
        sleep 0.2
    done
    fail "the worker did not get ready in 60 s"
}
# The worker runs under a supervisor in production (compose: restart: unless-stopped); here
# this script is its supervisor once Redis has been restarted: a worker that exits by itself
# (seen: kombu failing to acknowledge on the dropped connection) is started again and the
# restart is printed. The checks below are the same: none lost, none twice.
SUPERVISED=0
WORKER_EXITS=0
supervise_fault_worker() {
    [ "$SUPERVISED" = 1 ] || return 0
    kill -0 "${PIDS[$FAULT_WORKER]}" 2>/dev/null && return 0
    WORKER_EXITS=$((WORKER_EXITS + 1))
    [ "$WORKER_EXITS" -le 3 ] || fail "the worker exited $WORKER_EXITS times by itself"
    echo "smoke: fault-worker-$WORKER_STARTS exited by itself after the Redis restart (last error:" \
        "$(grep -E '^[A-Za-z.]*(Error|Exception)' "$WORK/fault-worker-$WORKER_STARTS.log" | tail -1)); restarted by its supervisor"
    start_fault_worker
}
pool_pids() {  # the worker's pool processes
    ps -o pid= --ppid "${PIDS[$FAULT_WORKER]}" | tr -d ' ' | tr '\n' ' ' || true
}
start_fault_worker
start_bg fault-beat "${FAULT_ENV[@]}" "$BIN/celery" -A smartcoop beat -l info \
    -s "$WORK/fault-celerybeat-schedule"

cat >"$WORK/issue.py" <<'EOF_ISSUE'
"""Issue `count` invoices one by one (each its own transaction), appending each id to `log`."""
import os
import sys

import django

django.setup()
from decimal import Decimal

from invoicing.invoice_services import LineData, invoice_create, invoice_issue
from invoicing.models import Client
from invoicing.services import client_create, client_verify
from members.models import User
from production_units.models import ProductionUnit

count, log = int(sys.argv[1]), sys.argv[2]
alice = User.objects.get(email="alice@smartcoop.test")
claire = User.objects.get(email="claire@smartcoop.test")
unit = ProductionUnit.objects.get(code="UP-0001")
name = os.environ["FAULT_CLIENT"]
client = Client.objects.filter(name=name).first() or client_verify(
    client=client_create(
        by=alice, units=[unit], kind="company", name=name, country="BE",
        enterprise_number="0403170701", street="Rue de la Loi 16", postal_code="1000",
        city="Bruxelles", email="compta@outbox-smoke.test",
    ),
    by=claire,
)
for index in range(count):
    line = LineData(f"Smoke {index}", Decimal("1"), Decimal(f"{100 + index}.00"), "S", Decimal("21"))
    draft = invoice_create(by=alice, unit=unit, client=client, lines=[line])
    issued = invoice_issue(invoice=draft, by=alice)
    with open(log, "a") as file:
        file.write(f"{issued.pk}\n")
EOF_ISSUE
issued_count() { cat "$WORK"/issued-*.txt 2>/dev/null | wc -l; }
sent_count() {
    sql "SELECT count(*) FROM invoicing_transmission WHERE status = 'sent' AND $OF_FAULT_INVOICES"
}

step "faults: a burst of $FAULT_INVOICES invoices, the worker SIGKILLed while sending"
"${FAULT_ENV[@]}" "$BIN/python" "$WORK/issue.py" "$FAULT_INVOICES" "$WORK/issued-1.txt"
wait_for 60 "3 transmissions sent" "SELECT count(*) >= 3 FROM invoicing_transmission
    WHERE status = 'sent' AND $OF_FAULT_INVOICES"
children=$(pool_pids)
[ -n "$children" ] || fail "the worker has no pool process to kill"
kill -KILL $children
FAULTS=$((FAULTS + 1))
echo "smoke: FAULT $FAULTS: SIGKILL to the worker's pool processes ($children) with $(sent_count) transmissions sent"
wait_for 60 "7 transmissions sent" "SELECT count(*) >= 7 FROM invoicing_transmission
    WHERE status = 'sent' AND $OF_FAULT_INVOICES"
children=$(pool_pids)
kill -KILL "${PIDS[$FAULT_WORKER]}" $children
wait "${PIDS[$FAULT_WORKER]}" 2>/dev/null || true
FAULTS=$((FAULTS + 1))
echo "smoke: FAULT $FAULTS: SIGKILL to the whole worker (${PIDS[$FAULT_WORKER]} $children) with $(sent_count) transmissions sent: restarted"
start_fault_worker

step "faults: Redis shut down and restarted during a burst of issuing"
start_bg issuer "${FAULT_ENV[@]}" "$BIN/python" "$WORK/issue.py" "$FAULT_INVOICES" \
    "$WORK/issued-2.txt"
ISSUER=${PIDS[$((${#PIDS[@]} - 1))]}
before=$FAULT_INVOICES
for _ in $(seq 1 300); do [ "$(issued_count)" -ge $((before + 3)) ] && break; sleep 0.1; done
redis-cli -p "$FAULT_REDIS_PORT" SHUTDOWN NOSAVE >/dev/null 2>&1 || true
wait "${PIDS[$REDIS_INDEX]}" 2>/dev/null || true
down_at=$(issued_count)
for _ in $(seq 1 300); do [ "$(issued_count)" -ge $((down_at + 2)) ] && break; sleep 0.1; done
during=$(($(issued_count) - down_at))
start_redis
SUPERVISED=1
FAULTS=$((FAULTS + 1))
echo "smoke: FAULT $FAULTS: Redis shut down (queue lost) after $((down_at - before)) invoices of the burst, $during issued while it was down, restarted"
wait "$ISSUER" || fail "issuing failed while Redis was restarted (see issuer.log)"
[ "$(issued_count)" = $((2 * FAULT_INVOICES)) ] || fail "$(issued_count) invoices issued, expected $((2 * FAULT_INVOICES))"

step "faults: every issued invoice sent exactly once"
IDS=$(cat "$WORK"/issued-*.txt | paste -sd, -)
wait_for 90 "every transmission of the $(issued_count) invoices sent" \
    "SELECT count(*) = 2 * $(issued_count) AND bool_and(status = 'sent') FROM invoicing_transmission WHERE invoice_id IN ($IDS)"
FIGURES=$("${FAULT_ENV[@]}" "$BIN/python" - "$IDS" "$WORK/mail" "$WORK/peppol" <<'EOF_CHECK'
import re
import sys
from collections import Counter
from pathlib import Path

import django

django.setup()
from invoicing.models import Invoice, Transmission
from invoicing.sending import peppol_document_id
from core.audit import audit_trail

ids = [int(pk) for pk in sys.argv[1].split(",")]
mails = Counter()  # e-mails written, by the transmission they carry
for path in Path(sys.argv[2]).iterdir():
    for match in re.finditer(r"^X-SmartCoop-Transmission: (\d+)$", path.read_text(), re.M):
        mails[int(match.group(1))] += 1
envelopes = {path.stem for path in Path(sys.argv[3]).glob("*.json")}
lost = duplicated = resent = emails = peppol = requeued = 0
for invoice in Invoice.objects.filter(pk__in=ids).select_related("legal_entity", "series"):
    sent = {t.channel: t for t in Transmission.objects.filter(invoice=invoice, status="sent")}
    written = mails[sent["email"].pk] if "email" in sent else 0
    in_outbox = peppol_document_id(invoice) in envelopes
    trail = list(audit_trail(invoice))
    requeued += sum(event.action == "invoice.sending_requeued" for event in trail)
    emails += written
    peppol += in_outbox
    if set(sent) != {"email", "peppol"} or written == 0 or not in_outbox:
        lost += 1
        continue
    # A mail server has no idempotency key: a worker killed after it took the message and
    # before the commit sends it again (same Message-ID). Allowed once per attempt that
    # never recorded its outcome; any other second copy is a duplicate.
    events = [
        event.action
        for event in trail
        if event.action in ("invoice.sent", "invoice.sending_failed")
        and (event.changes or {}).get("channel") == "email"
    ]
    interrupted = sent["email"].attempts - len(events)
    resent += min(written - 1, interrupted)
    duplicated += max(events.count("invoice.sent") - 1, 0) + max(written - 1 - interrupted, 0)
print(len(ids), lost, duplicated, resent, emails, peppol, requeued)
EOF_CHECK
)
read -r ISSUED LOST DUPLICATED RESENT MAILS ENVELOPES REQUEUED <<<"$FIGURES"
echo "smoke: faults injected: $FAULTS; documents issued: $ISSUED; lost: $LOST; duplicated: $DUPLICATED"
echo "smoke: worker exits by themselves after the Redis restart, restarted as a supervisor would: $WORKER_EXITS"
echo "smoke: $MAILS e-mails, $ENVELOPES Peppol envelopes; $REQUEUED transmissions queued again by the sweeper; e-mails sent again after a kill between the mail server's acceptance and the commit (same Message-ID): $RESENT"
[ "$LOST" = 0 ] || fail "$LOST issued documents not sent"
[ "$DUPLICATED" = 0 ] || fail "$DUPLICATED documents sent twice"
[ "$MAILS" = $((ISSUED + RESENT)) ] && [ "$ENVELOPES" = "$ISSUED" ] \
    || fail "$MAILS e-mails and $ENVELOPES envelopes for $ISSUED invoices"
grep -q "WorkerLostError\|exited with 'signal 9" "$WORK/fault-worker-1.log" \
    || fail "the worker log does not show the killed pool process"

step "stop every process"
stop_all
echo "smoke: stop every process done in $(($(date +%s) - STEP_START)) s"
echo "smoke test passed in $(($(date +%s) - SMOKE_START)) s"
