#!/usr/bin/env bash
# The API's contract, checked by schemathesis against the OpenAPI schema (/api/schema/): a
# fresh PostgreSQL database filled by seed_demo, gunicorn on loopback, then every operation
# with generated valid and invalid input, as the member alice and as the advisor claire.
# Fails on any server error, any response that violates the schema and any status code the
# schema does not document (docs/SECURITY.md, "Bad input and the API's contract").
#
# Needs: the venv with '.[dev]' (schemathesis), psql, PostgreSQL and Redis reachable.
# Overrides: CONTRACT_PG_URL (server, without database), CONTRACT_DB, CONTRACT_REDIS_URL,
# CONTRACT_PORT, CONTRACT_MAX_EXAMPLES (cases per operation and phase), CONTRACT_SEED.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${CONTRACT_VENV:-$ROOT/.venv}/bin
PG_URL=${CONTRACT_PG_URL:-postgres://postgres@127.0.0.1:5432}
DB=${CONTRACT_DB:-smartcoop_contract}
REDIS=${CONTRACT_REDIS_URL:-redis://127.0.0.1:6379/3}
MAX_EXAMPLES=${CONTRACT_MAX_EXAMPLES:-10}
SEED=${CONTRACT_SEED:-14}
PERSONAS=(alice@smartcoop.test claire@smartcoop.test)

START=$(date +%s)
fail() {
    echo "contract: FAILED: $*" >&2
    exit 1
}
[ -x "$BIN/schemathesis" ] || fail "schemathesis not found in .venv: run 'make install'"
command -v psql >/dev/null || fail "psql not found (Debian package postgresql-client)"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/smartcoop-contract.XXXXXX")

SERVER_PID=
on_exit() {
    local status=$?
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ $status -ne 0 ]; then
        [ -f "$WORK/gunicorn.log" ] && { echo "----- last lines of gunicorn.log -----" >&2; tail -n 60 "$WORK/gunicorn.log" >&2; }
        echo "contract: logs and reports kept in $WORK" >&2
    else
        rm -rf "$WORK"
    fi
    exit $status
}
trap on_exit EXIT
trap 'exit 130' INT TERM

# Production-like settings, plain HTTP on loopback, and API throttles raised for this run
# only: schemathesis sends thousands of requests a minute and must see the real answers.
export DEBUG=0
SECRET_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(50))')
export SECRET_KEY
# Production refuses to start without the keys of the encrypted identifiers (NISS, IBAN).
FIELD_ENCRYPTION_KEYS=$("$BIN/python" -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')
FIELD_HASH_KEY=$("$BIN/python" -c 'import secrets; print(secrets.token_urlsafe(32))')
export FIELD_ENCRYPTION_KEYS FIELD_HASH_KEY
export ALLOWED_HOSTS=127.0.0.1,localhost
export SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
export DATABASE_URL=$PG_URL/$DB REDIS_URL=$REDIS
export MEDIA_ROOT=$WORK/media EMAIL_URL=console:// LOG_LEVEL=WARNING
# The general API throttle (core/throttling.py) reads its rates from these.
export API_THROTTLE_USER=1000000/min API_THROTTLE_ANON=1000000/min
cat >"$WORK/contract_settings.py" <<'EOF'
from smartcoop.settings import *  # noqa: F403

REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {
        scope: "1000000/min"
        for scope in REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES") or {}  # noqa: F405
    },
}
EOF
export PYTHONPATH=$WORK${PYTHONPATH:+:$PYTHONPATH}
export DJANGO_SETTINGS_MODULE=contract_settings
manage() { "$BIN/python" manage.py "$@"; }

echo "contract: fresh database $DB, Redis $REDIS"
psql "$PG_URL/postgres" -v ON_ERROR_STOP=1 -q \
    -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" -c "CREATE DATABASE $DB" \
    || fail "cannot recreate database $DB on $PG_URL"
"$BIN/python" -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).flushdb()" "$REDIS" \
    || fail "Redis unreachable at $REDIS"
manage migrate --noinput -v0
manage seed_demo >/dev/null

PORT=$("$BIN/python" - "${CONTRACT_PORT:-8766}" <<'EOF'
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
BASE=http://127.0.0.1:$PORT
# No limit on the request line: a URL too long is the front server's to refuse (gunicorn's own
# 414 is an HTML page outside the application), and the contract checked here is the app's.
"$BIN/gunicorn" smartcoop.wsgi:application --bind "127.0.0.1:$PORT" --workers 2 \
    --timeout 60 --limit-request-line 0 --error-logfile - >"$WORK/gunicorn.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 120); do
    kill -0 "$SERVER_PID" 2>/dev/null || fail "gunicorn exited"
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/schema/" || true)" = 200 ] && break
    sleep 0.5
done

# A logged-in session per persona (the API takes the session cookie, with a CSRF token for
# writes), made in the database the server reads: no password, no token machinery involved.
session_headers() {  # email → "sessionid csrftoken"
    manage shell -c "
import secrets
from django.contrib.auth import get_user_model
from django.test import Client
client = Client()
client.force_login(get_user_model().objects.get(email='$1'))
print(client.cookies['sessionid'].value, secrets.token_hex(16))
" | tail -n 1
}

status=0
for email in "${PERSONAS[@]}"; do
    read -r session csrf < <(session_headers "$email")
    [ -n "$session" ] || fail "no session for $email"
    name=${email%%@*}
    echo "contract: ===== schemathesis as $email (seed $SEED, at most $MAX_EXAMPLES cases per operation and phase)"
    persona_start=$(date +%s)
    # Run from $WORK: schemathesis keeps its files (.schemathesis/) in the current directory.
    if ! (cd "$WORK" && "$BIN/schemathesis" run "$BASE/api/schema/" --url "$BASE" \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
        --seed "$SEED" --generation-deterministic --max-examples "$MAX_EXAMPLES" \
        --workers 2 --request-timeout 60 --no-color --continue-on-failure \
        -H "Cookie: sessionid=$session; csrftoken=$csrf" -H "X-CSRFToken: $csrf" \
        --report junit --report-dir "$WORK/report-$name") 2>&1 | tee "$WORK/schemathesis-$name.txt"; then
        status=1
    fi
    echo "contract: as $email: $(($(date +%s) - persona_start)) s"
done
[ $status = 0 ] || fail "schemathesis found failures (above)"
echo "contract: passed in $(($(date +%s) - START)) s"
