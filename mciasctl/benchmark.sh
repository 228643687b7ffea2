#!/usr/bin/env bash
# Wall time of mciasctl vs Keycloak's kcadm.sh, side by side against the same local server.
#
# Usage: ./run-local.sh &   (wait until it is ready), then:  mciasctl/benchmark.sh
#   KC_URL (default http://127.0.0.1:8080), N runs per command (default 20), MCIASCTL (the launcher to time,
#   default mciasctl/target/mciasctl/mciasctl); results: median, min, max of the wall time, and the median CPU
#   time (user + system) of the process tree. Runs alternate ABBA (mciasctl, kcadm.sh, kcadm.sh, mciasctl, ...)
#   so a load that comes and goes on a shared machine weighs on both tools alike.
#
# Both tools are logged in first, outside the timing: kcadm.sh as the master bootstrap admin (password
# from .local/bootstrap-admin-password through KC_CLI_PASSWORD), mciasctl as a realm admin of realm mcias
# whose session is made with the password grant of a throw-away client this script creates (the device
# login needs a person at a browser; the session file is the one `mciasctl login` writes). Both then list
# the realm's users: `mciasctl users list` and `kcadm.sh get users -r mcias`. Use a throw-away server.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
KC=${KC_URL:-http://127.0.0.1:8080}
n=${N:-20}
version=$(sed -n 's:.*<keycloak.dist.version>\(.*\)</keycloak.dist.version>.*:\1:p' pom.xml)
kcadm="$root/.local/keycloak-$version/bin/kcadm.sh"
mciasctl=${MCIASCTL:-$root/mciasctl/target/mciasctl/mciasctl}
[ -x "$kcadm" ] || { echo "no $kcadm: run ./run-local.sh first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (apt-get install -y time)" >&2; exit 2; }
[ -x "$mciasctl" ] || { echo "no $mciasctl: run ./mvnw -pl mciasctl -am package" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
chmod 700 "$work"
export KC_CLI_PASSWORD
KC_CLI_PASSWORD=$(cat "$root/.local/bootstrap-admin-password")
"$kcadm" config credentials --config "$work/kcadm.config" --server "$KC" --realm master --user admin >/dev/null 2>&1
K() { "$kcadm" "$@" --config "$work/kcadm.config"; }
unset KC_CLI_PASSWORD

# A realm admin for mciasctl, and its session through a throw-away password-grant client.
client=bench-mciasctl-$$
user=bench-admin-$$
password="Bench-$(head -c 12 /dev/urandom | base64 | tr -d '/+=')"
umask 077
flow=$(K get authentication/flows -r mcias | jq -r '.[] | select(.alias=="direct grant") | .id')
K create clients -r mcias -s clientId="$client" -s publicClient=true -s directAccessGrantsEnabled=true \
  -s standardFlowEnabled=false -s "authenticationFlowBindingOverrides.direct_grant=$flow" >/dev/null 2>&1
cid=$(K get clients -r mcias -q clientId="$client" | jq -r '.[0].id')
sid=$(K get client-scopes -r mcias | jq -r '.[] | select(.name=="mcias-api") | .id')
K update "clients/$cid/default-client-scopes/$sid" -r mcias >/dev/null
printf '%s' "$password" > "$work/pw"
# The password goes in a 0600 file, never on a command line.
jq -n --arg u "$user" --rawfile p "$work/pw" '{username:$u, enabled:true, email:($u+"@example.test"),
  firstName:"Bench", lastName:"Admin", credentials:[{type:"password", value:$p, temporary:false}]}' > "$work/user.json"
K create users -r mcias -f "$work/user.json" >/dev/null 2>&1
K add-roles -r mcias --uusername "$user" --rolename admin
tokens=$(curl -s --data-urlencode "password@$work/pw" -d grant_type=password -d client_id="$client" \
  -d username="$user" "$KC/realms/mcias/protocol/openid-connect/token")
mkdir -p "$work/xdg/mciasctl" && chmod 700 "$work/xdg" "$work/xdg/mciasctl"
(umask 077 && jq -c --arg s "$KC" --arg c "$client" --arg u "$user" '{server:$s, realm:"mcias", client_id:$c,
  username:$u, refresh_token:.refresh_token, access_token:.access_token,
  access_token_expires_at:(now + .expires_in | floor)}' <<<"$tokens" > "$work/xdg/mciasctl/default.json")
export XDG_CONFIG_HOME="$work/xdg"
cleanup_realm() { K delete "users/$(K get users -r mcias -q username="$user" | jq -r '.[0].id')" -r mcias || true
  K delete "clients/$cid" -r mcias || true; }
trap 'cleanup_realm; rm -rf "$work"' EXIT

# One untimed call each (both then have a valid access token cached in their config).
"$mciasctl" users list >/dev/null
K get users -r mcias >/dev/null

# Wall and CPU milliseconds of one call (CPU: user + system of the process and its children, GNU time).
ms() {
  local s e
  s=$(date +%s%N)
  # A failed call ends the run with its error (not silently, as set -e in this subshell would).
  /usr/bin/time -f '%U %S' -o "$work/cpu" "$@" >/dev/null 2>"$work/err" || { echo "failed: $*" >&2; cat "$work/err" >&2; exit 1; }
  e=$(date +%s%N)
  echo "$(( (e - s) / 1000000 )) $(awk '{ printf "%d", ($1 + $2) * 1000 }' "$work/cpu")"
}
declare -A t c
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
run() { local r; r=$(ms "${@:2}"); t[$1]+="${r% *} "; c[$1]+="${r#* } "; }
for i in $(seq "$n"); do
  if [ $((i % 2)) = 1 ]; then
    run mciasctl_users "$mciasctl" users list; run kcadm_users "$kcadm" get users -r mcias --config "$work/kcadm.config"
    run mciasctl_help "$mciasctl" --help; run kcadm_help "$kcadm" --help
  else
    run kcadm_users "$kcadm" get users -r mcias --config "$work/kcadm.config"; run mciasctl_users "$mciasctl" users list
    run kcadm_help "$kcadm" --help; run mciasctl_help "$mciasctl" --help
  fi
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2)?a[(NR+1)/2]:int((a[NR/2]+a[NR/2+1])/2)}'; }
stats() { tr ' ' '\n' <<<"${t[$1]}" | grep . | sort -n | awk -v cpu="$(median "${c[$1]}")" '{a[NR]=$1}
  END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "median %d ms (min %d, max %d, n=%d), CPU median %d ms", m, a[1], a[NR], NR, cpu}'; }
echo "load average before: $load_before"
echo "mciasctl users list          : $(stats mciasctl_users)"
echo "kcadm.sh get users -r mcias  : $(stats kcadm_users)"
echo "mciasctl --help              : $(stats mciasctl_help)"
echo "kcadm.sh --help              : $(stats kcadm_help)"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
