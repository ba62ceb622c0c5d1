#!/bin/sh
# Writes Redis's ACL file on the first start of the compose stack (service redis-acl), and
# never again: the agents' users, added later with ACL SETUSER + ACL SAVE, live in it too.
#   default      off: no anonymous access
#   healthcheck  PING only (the compose healthcheck), any password
#   controller   every key, channel and command: the user and password of
#                OVS_FLEET_REDIS_URL in controller.env (redis://USER:PASSWORD@HOST:PORT)
# Only the SHA-256 of the password is written.
set -eu

fail() { printf 'write-users-acl: %s\n' "$*" >&2; exit 1; }

acl_file=${1:-}
[ -n "$acl_file" ] || fail "usage: write-users-acl.sh ACL_FILE"
if [ -e "$acl_file" ]; then
  printf 'write-users-acl: %s exists, left as it is\n' "$acl_file"
  exit 0
fi

url=${OVS_FLEET_REDIS_URL:-}
case $url in
  redis://*:*@* | rediss://*:*@*) ;;
  *) fail "OVS_FLEET_REDIS_URL must be redis://USER:PASSWORD@HOST:PORT (set it in controller.env)" ;;
esac
userinfo=${url#*://}
userinfo=${userinfo%%@*}
user=${userinfo%%:*}
password=${userinfo#*:}
case $user in
  '' | *[!A-Za-z0-9._-]*) fail "OVS_FLEET_REDIS_URL: the user name must be letters, digits, '.', '_' or '-'" ;;
  default | healthcheck) fail "OVS_FLEET_REDIS_URL: the controller's user may not be named $user" ;;
esac
case $password in
  *CHANGE-ME*) fail "OVS_FLEET_REDIS_URL: the password is still the example's placeholder" ;;
  *[!A-Za-z0-9._~-]*) fail "OVS_FLEET_REDIS_URL: the password must be letters, digits, '.', '_', '~' or '-' (openssl rand -hex 24)" ;;
esac
[ ${#password} -ge 16 ] || fail "OVS_FLEET_REDIS_URL: the password must be at least 16 characters"

hash=$(printf '%s' "$password" | sha256sum | cut -d' ' -f1)
umask 077
tmp="$acl_file.tmp.$$"
{
  printf 'user default off resetchannels -@all\n'
  printf 'user healthcheck on nopass resetchannels -@all +ping\n'
  printf 'user %s on #%s ~* &* +@all\n' "$user" "$hash"
} >"$tmp"
mv "$tmp" "$acl_file"
printf 'write-users-acl: wrote %s (users default: off, healthcheck, %s)\n' "$acl_file" "$user"
