#!/usr/bin/env bash
# Wall time of mciasctl vs Keycloak's kcadm.sh, side by side against the same local server.
#
# Usage: ./run-local.sh &   (wait until it is ready), then:  mciasctl/benchmark.sh
#   KC_URL (default http://127.0.0.1:8080), N runs per command (default 20); results: median, min, max.
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
mciasctl="$root/mciasctl/target/mciasctl/mciasctl"
[ -x "$kcadm" ] || { echo "no $kcadm: run ./run-local.sh first" >&2; exit 2; }
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

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
declare -A t
for _ in $(seq "$n"); do
  t[mciasctl_users]+="$(ms "$mciasctl" users list) "
  t[kcadm_users]+="$(ms "$kcadm" get users -r mcias --config "$work/kcadm.config") "
  t[mciasctl_help]+="$(ms "$mciasctl" --help) "
  t[kcadm_help]+="$(ms "$kcadm" --help) "
done
stats() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2;
  printf "median %d ms (min %d, max %d, n=%d)", m, a[1], a[NR], NR}'; }
echo "mciasctl users list          : $(stats "${t[mciasctl_users]}")"
echo "kcadm.sh get users -r mcias  : $(stats "${t[kcadm_users]}")"
echo "mciasctl --help              : $(stats "${t[mciasctl_help]}")"
echo "kcadm.sh --help              : $(stats "${t[kcadm_help]}")"
