#!/usr/bin/env bash
# Test machines run PostgreSQL with trust auth on 127.0.0.1. The database-credential tests must prove that
# returned passwords and their expiry are enforced, so members of the role mcias_pwauth (the test roles and,
# through their group, every generated role) authenticate with SCRAM. Idempotent; run as root.
set -euo pipefail
psql=(psql -h 127.0.0.1 -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt)
"${psql[@]}" -c "DO \$\$ BEGIN CREATE ROLE mcias_pwauth NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$"
hba=$("${psql[@]}" -c 'SHOW hba_file')
if ! grep -q '+mcias_pwauth' "$hba"; then
  line='host all +mcias_pwauth 127.0.0.1/32 scram-sha-256'
  tmp=$(mktemp)
  { printf '%s\n' "$line"; cat "$hba"; } > "$tmp"
  cat "$tmp" > "$hba"
  rm -f "$tmp"
  "${psql[@]}" -c 'SELECT pg_reload_conf()' >/dev/null
fi
