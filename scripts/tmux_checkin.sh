#!/usr/bin/env bash
# Drive the real program in tmux: a check-in typed on a temporary database, read back from the
# screen and from the database. Polls the pane (no fixed sleeps); exits non-zero on failure.
#
#   scripts/tmux_checkin.sh            (uses .venv/bin/ldn-tracker, or LDN_TRACKER_BIN)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
BIN="${LDN_TRACKER_BIN:-$ROOT/.venv/bin/ldn-tracker}"
PY="${LDN_TRACKER_PYTHON:-$ROOT/.venv/bin/python}"
WORK="$(mktemp -d)"
SOCK="ldn-checkin-$$"
DAY="${LDN_TRACKER_TODAY:-2026-03-10}"
export LDN_TRACKER_TODAY="$DAY" LDN_TRACKER_LANG=en LDN_TRACKER_CONFIG_DIR="$WORK/config"
DB="$WORK/diary.db"

cleanup() { tmux -L "$SOCK" kill-server >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

fail() { echo "tmux_checkin: $*" >&2; echo "--- screen ---" >&2; screen >&2 || true; exit 1; }
screen() { tmux -L "$SOCK" capture-pane -p -t app; }

# Wait until the screen shows TEXT (up to ~20 s, checked every 0.1 s).
wait_for() {
    local text="$1" tries=200
    while (( tries-- > 0 )); do
        if screen 2>/dev/null | grep -qF -- "$text"; then return 0; fi
        sleep 0.1
    done
    fail "timed out waiting for: $text"
}

# A patient, so the app opens on Today.
"$BIN" --db "$DB" patient add --name "Tmux Test" --condition ms --start 2026-02-20 \
    --informed 2026-02-20 >/dev/null

tmux -L "$SOCK" new-session -d -s app -x 100 -y 30 \
    "env LDN_TRACKER_TODAY=$DAY LDN_TRACKER_LANG=en LDN_TRACKER_CONFIG_DIR=$WORK/config \
     TERM=xterm-256color '$BIN' --db '$DB'; echo EXITED; sleep 5"

wait_for "1 capsule of 1 mg"
wait_for "Vivid dreams"
tmux -L "$SOCK" send-keys -t app t        # taken
wait_for "Dose taken: 1 mg"
tmux -L "$SOCK" send-keys -t app 2 Down 1  # vivid dreams moderate, headache mild
wait_for "mild"
tmux -L "$SOCK" send-keys -t app Tab 7     # pain 7
wait_for "●●●●●●●○○○ 7"
tmux -L "$SOCK" send-keys -t app s         # save
wait_for "Saved"

# Read it back from the screen: the History shows today's entries.
tmux -L "$SOCK" send-keys -t app h
wait_for "Taken: 1 mg"
wait_for "Vivid dreams: 2"
wait_for "Pain 7"
tmux -L "$SOCK" send-keys -t app q
wait_for "EXITED"

# And from the database, through the command line.
"$PY" - "$DB" "$DAY" <<'PYEOF'
import sys
from datetime import date
from tracker.storage.database import Database
from tracker.services.clinic import Clinic
entry = Clinic(Database(sys.argv[1])).day_entries(1, date.fromisoformat(sys.argv[2]))
assert entry.taken and entry.mg == 1, entry
assert entry.effects == {"vivid_dreams": 2, "headache": 1}, entry
assert entry.scores == {"pain": 7}, entry
PYEOF

# Second evening at 80x24: change a score, then try to quit without saving. The app must ask
# (read from the screen), "Stay" must keep the form, and "Save" in the question must write it,
# asking why first (the day was saved already, so this is a correction for the audit trail).
tmux -L "$SOCK" kill-session -t app >/dev/null 2>&1 || true
tmux -L "$SOCK" new-session -d -s app -x 80 -y 24 \
    "env LDN_TRACKER_TODAY=$DAY LDN_TRACKER_LANG=en LDN_TRACKER_CONFIG_DIR=$WORK/config \
     TERM=xterm-256color '$BIN' --db '$DB'; echo EXITED; sleep 5"
wait_for "Vivid dreams"
wait_for "Pain"
tmux -L "$SOCK" send-keys -t app Tab 5     # pain 7 -> 5, not saved
wait_for "●●●●●○○○○○ 5"
tmux -L "$SOCK" send-keys -t app q
wait_for "You have changes that are not saved yet."
tmux -L "$SOCK" send-keys -t app Escape    # stay: the form keeps the 5
wait_for "●●●●●○○○○○ 5"
screen | grep -qF "not saved yet" && fail "the question did not close on Stay"
tmux -L "$SOCK" send-keys -t app q
wait_for "You have changes that are not saved yet."
tmux -L "$SOCK" send-keys -t app s         # save from the question, then quit
wait_for "Save correction"
tmux -L "$SOCK" send-keys -t app -l "Pain was lower than I first typed"
tmux -L "$SOCK" send-keys -t app Enter
wait_for "EXITED"

"$PY" - "$DB" "$DAY" <<'PYEOF'
import sys
from datetime import date
from tracker.storage.database import Database
from tracker.services.clinic import Clinic
entry = Clinic(Database(sys.argv[1])).day_entries(1, date.fromisoformat(sys.argv[2]))
assert entry.scores == {"pain": 5}, entry
assert entry.effects == {"vivid_dreams": 2, "headache": 1}, entry
trail = Clinic(Database(sys.argv[1])).audit_trail(1)
assert any(e.reason == "Pain was lower than I first typed" for e in trail), trail[-3:]
PYEOF
echo "tmux_checkin: ok"
