#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Container test: builds the image from docker/Dockerfile with rootful podman (no Docker engine
# needed), runs it with a named volume on 127.0.0.1, waits for its HEALTHCHECK, creates the
# admin through `podman exec`, logs in, creates a group, sends a message over the WebSocket,
# stops and starts the container and finds the message still there, backs up while it runs and
# restores as docs/self-hosting.md says, then removes what it made.
# Push (issue 11): the image must verify a push service's certificate against its system store
# (ca-certificates). A local HTTPS push service with a certificate from a throwaway CA is refused
# by the image as it is, and reached once SSL_CERT_FILE names the image's own store plus that CA.
# Needs root on Debian 12; installs what is missing. The first run on a bare machine takes
# about 5 minutes (packages, debootstrap of the base image, the image build); later runs reuse
# the base image and the build cache.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD
start=$(date +%s)

export CONTAINERS_CONF="$repo/docker/containers.conf"
image=localhost/peerchat:container-test
# The build stages, tagged so that `podman image prune` keeps them cached: the toolchain
# (apt, ≈ 2 min) even when the compile fails, the compile when nothing changed.
toolchain_cache=localhost/peerchat-toolchain:container-test
build_cache=localhost/peerchat-build:container-test
base=docker.io/library/debian:bookworm-slim
run_id="peerchat-ctest-$$"
container=$run_id
volume=$run_id
password="container-test-$RANDOM-$RANDOM-password"
rootfs=""
backup_dir=""
context=""
made_container=0
made_volume=0
push_containers=()
push_service_pid=""
pki=""

say() { printf '== %s\n' "$*"; phase_start=$(date +%s); }
took() { echo "   ${1:-done} ($(($(date +%s) - phase_start)) s)"; }
fail() {
  printf 'container test FAILED: %s\n' "$*" >&2
  exit 1
}

cleanup() {
  local rc=$?
  set +e
  if ((rc != 0 && made_container)); then
    echo "--- the container's last log lines:" >&2
    timeout 20 podman logs --tail 40 "$container" 2>&1 | sed 's/^/   /' >&2
  fi
  ((made_container)) && timeout 60 podman rm -f -t 5 "$container" >/dev/null 2>&1
  for c in "${push_containers[@]}"; do timeout 60 podman rm -f -t 5 "$c" >/dev/null 2>&1; done
  [[ -n $push_service_pid ]] && kill "$push_service_pid" 2>/dev/null
  [[ -n $pki ]] && rm -rf "$pki"
  ((made_volume)) && timeout 30 podman volume rm -f "$volume" >/dev/null 2>&1
  [[ -n $rootfs ]] && rm -rf "$rootfs"
  [[ -n $backup_dir ]] && rm -rf "$backup_dir"
  [[ -n $context ]] && rm -rf "$context"
  if command -v podman >/dev/null 2>&1; then timeout 120 podman image prune -f >/dev/null 2>&1; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'fail "interrupted"' INT TERM

[[ $(id -u) -eq 0 ]] || fail "run as root: the test uses rootful podman"

# ---- tools ----------------------------------------------------------------------------------
# Debian's python3-websockets imports only under /usr/bin/python3, never a python3 on PATH.
py=/usr/bin/python3
packages=(podman runc debootstrap curl python3 python3-websockets)
# The push check: a throwaway CA (openssl) and the local push service (python3-cryptography).
packages+=(openssl python3-cryptography)
# The attachment check: a photo with GPS made and read back with Python's PIL.
packages+=(python3-pil)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing ${missing[*]}"
  timeout 300 apt-get update -qq || fail "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${missing[@]}" >/dev/null \
    || fail "apt-get install ${missing[*]} failed"
  took
fi

# ---- base image -----------------------------------------------------------------------------
# No registry is reachable here, so debian:bookworm-slim is made with debootstrap from the
# host's own Debian mirror and imported under the name the Dockerfile's FROM resolves to.
if ! timeout 60 podman image exists "$base"; then
  sources=/etc/apt/sources.list.d/debian.sources
  [[ -r $sources ]] || fail "$sources is missing: cannot tell which Debian mirror to debootstrap from"
  mirror=$(awk '/^URIs:/ { print $2; exit }' "$sources")
  [[ -n $mirror ]] || fail "no URIs: line in $sources"
  include=()
  [[ $mirror == https:* ]] && include=(--include=ca-certificates)
  say "creating $base with debootstrap (about 80 s)"
  rootfs=$(mktemp -d /var/tmp/peerchat-rootfs.XXXXXX)
  timeout 900 debootstrap --variant=minbase "${include[@]}" bookworm "$rootfs" "$mirror" >/dev/null \
    || fail "debootstrap from $mirror failed"
  # The host's sources give the image bookworm-updates and bookworm-security as well.
  rm -f "$rootfs/etc/apt/sources.list"
  cp "$sources" "$rootfs/etc/apt/sources.list.d/debian.sources"
  # Slim like the real debian:bookworm-slim: no docs, man pages or translations, now or
  # in later apt installs, so the image size measured here is the one users get.
  cat > "$rootfs/etc/dpkg/dpkg.cfg.d/docker-slim" <<'SLIM'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
SLIM
  find "$rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$rootfs/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$rootfs"/usr/share/{man,groff,info,lintian,linda}/*
  find "$rootfs/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  rm -rf "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb \
         "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/log/*.log "$rootfs"/var/log/apt/*
  tar -C "$rootfs" -c . | timeout 300 podman import --change 'CMD ["bash"]' - "$base" >/dev/null \
    || fail "podman import of the base image failed"
  rm -rf "$rootfs"
  rootfs=""
  took "base image made, $(($(timeout 30 podman image inspect -f '{{.Size}}' "$base") / 1000000)) MB"
fi

# ---- image ----------------------------------------------------------------------------------
say "building $image from docker/Dockerfile"
# One snapshot of the sources feeds every build below, so an edit made while the test runs
# cannot hand the stages different sources (nor cost a second compile).
context=$(mktemp -d /tmp/peerchat-ctest-context.XXXXXX)
if git -C "$repo" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  git -C "$repo" ls-files -z --cached --others --exclude-standard \
    | tar -C "$repo" --null -T - --ignore-failed-read -c 2>/dev/null | tar -C "$context" -x
else
  tar -C "$repo" --exclude=./.git --exclude='./build*' -c . | tar -C "$context" -x
fi
[[ -f $context/docker/Dockerfile ]] || fail "could not snapshot the sources into $context"
build_log=$(mktemp /tmp/peerchat-build.XXXXXX)
build() {  # TAG [podman build options]: shows the steps, and the log's end on failure
  local tag=$1 rc
  shift
  set +o pipefail
  # --format docker: the OCI image format has no HEALTHCHECK and podman would drop it.
  timeout 1800 podman build --pull=never --format docker -f "$context/docker/Dockerfile" -t "$tag" "$@" \
      "$context" 2>&1 \
    | tee "$build_log" | grep --line-buffered -E '^(\[[0-9]+/[0-9]+\] )?STEP [0-9]+/|^--> Using cache' \
    | sed -u -e 's/^--> Using cache.*/   (cached)/' -e 's/^\(.\{100\}\).*/\1…/' -e 's/^/   /'
  rc=${PIPESTATUS[0]}
  set -o pipefail
  if ((rc != 0)); then
    tail -n 40 "$build_log" | sed 's/^/   /' >&2
    fail "podman build of $tag failed (exit $rc); full log in $build_log"
  fi
}
# Stage by stage, so a failed compile still leaves the toolchain cached; the last build only
# adds the runtime stage to what the one before compiled.
build "$toolchain_cache" --target toolchain
build "$build_cache" --target build
build "$image"
rm -f "$build_log"
took "image built"
[[ $(timeout 30 podman image inspect -f '{{.Config.User}}' "$image") == 10001:10001 ]] || fail "the image does not run as user 10001"
timeout 30 podman image inspect -f '{{json .Config.Healthcheck}}' "$image" | grep -q healthcheck \
  || fail "the image has no HEALTHCHECK running 'peerchat healthcheck'"

# ---- helpers --------------------------------------------------------------------------------
# Without systemd, podman says on every start and stop that it cannot set up the HEALTHCHECK's
# timer; wait_healthy runs the check itself, so those lines are noise.
no_systemd_noise() { grep -v 'unable to get systemd connection' >&2 || true; }

host_port() {
  # `podman port` prints 127.0.0.1:PORT for the published 8080.
  local p
  p=$(timeout 20 podman port "$container" 8080/tcp | head -n 1) || return 1
  echo "${p##*:}"
}

wait_healthy() {  # $1: seconds
  local deadline=$(($(date +%s) + $1)) state out
  while :; do
    state=$(timeout 20 podman inspect -f '{{.State.Status}}' "$container" 2>/dev/null || echo unknown)
    [[ $state == running ]] || fail "container is '$state', not running"
    # Without systemd no timer runs the HEALTHCHECK, so run it here; the result is recorded
    # in the container's health state exactly as the timer's would be.
    if out=$(timeout 15 podman healthcheck run "$container" 2>&1); then
      break
    fi
    (($(date +%s) < deadline)) || fail "not healthy within $1 s: ${out:-no output}"
    sleep 0.5
  done
  local health
  health=$(timeout 20 podman inspect -f '{{.State.Health.Status}}' "$container" 2>/dev/null \
           || timeout 20 podman inspect -f '{{.State.Healthcheck.Status}}' "$container")
  [[ $health == healthy ]] || fail "healthcheck passed but podman reports '$health'"
}

api() {  # METHOD PATH [JSON]; prints the body, fails unless 2xx
  local method=$1 path=$2 data=${3:-} out code
  local args=(-sS --max-time 10 -X "$method" -w '\n%{http_code}')
  [[ -n ${token:-} ]] && args+=(-H "Authorization: Bearer $token")
  [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
  out=$(curl "${args[@]}" "http://127.0.0.1:$port/api/v1$path") || fail "$method $path: curl failed"
  code=${out##*$'\n'}
  out=${out%$'\n'*}
  [[ $code == 2?? ]] || fail "$method $path answered $code: $out"
  printf '%s' "$out"
}

json_get() {  # KEY: reads JSON on stdin, prints the top-level KEY
  "$py" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}

send_ws() {  # BODY: sends it over the WebSocket as the admin, prints the acked seq
  timeout 30 "$py" tests/container/ws_send.py "ws://127.0.0.1:$port/api/v1/ws" "$token" "$group" \
    "ctest-$RANDOM$RANDOM" "$1"
}

has_message() {  # SEQ BODY: whether the group's latest page holds that message
  local messages
  messages=$(api GET "/groups/$group/messages?limit=50") || exit 1
  "$py" -c '
import json, sys
seq, body = int(sys.argv[1]), sys.argv[2]
msgs = json.load(sys.stdin)["messages"]
sys.exit(0 if any(m.get("seq") == seq and m.get("body") == body for m in msgs) else 1)
' "$1" "$2" <<<"$messages"
}

stop_cleanly() {
  timeout 60 podman stop -t 20 "$container" >/dev/null 2> >(no_systemd_noise) || fail "podman stop failed"
  local code
  code=$(timeout 20 podman inspect -f '{{.State.ExitCode}}' "$container")
  [[ $code == 0 ]] || fail "the server exited with $code on SIGTERM (expected a clean exit 0)"
}

start_again() {
  timeout 60 podman start "$container" >/dev/null 2> >(no_systemd_noise) || fail "podman start failed"
  port=$(host_port) || fail "no host port published for 8080 after the restart"
  wait_healthy 60
}

# ---- run ------------------------------------------------------------------------------------
say "starting $container with volume $volume on 127.0.0.1"
timeout 30 podman volume create "$volume" >/dev/null || fail "podman volume create failed"
made_volume=1
made_container=1
timeout 60 podman run -d --name "$container" -p 127.0.0.1::8080 -v "$volume:/data" "$image" \
  >/dev/null 2> >(no_systemd_noise) || fail "podman run failed"
port=$(host_port) || fail "no host port published for 8080"
wait_healthy 60
took "healthy on 127.0.0.1:$port"
[[ $(timeout 20 podman exec "$container" id -u) == 10001 ]] || fail "the server does not run as uid 10001"

say "creating the admin with podman exec"
printf '%s\n' "$password" | timeout 30 podman exec -i "$container" \
  peerchat admin create-user --data-dir /data --username admin --admin --password-stdin >/dev/null \
  || fail "peerchat admin create-user failed"

say "logging in, creating a group, sending a message over the WebSocket"
token=""
token=$(api POST /sessions "{\"username\":\"admin\",\"password\":\"$password\"}" | json_get token) \
  || fail "no token in the login answer"
group=$(api POST /groups '{"name":"container test"}' | json_get id) || fail "no id in the created group"
body="kept across restarts $run_id"
seq=$(send_ws "$body") || fail "sending over the WebSocket failed"
echo "   message acked as seq $seq in group $group"

say "stopping and starting the container"
stop_cleanly
start_again
has_message "$seq" "$body" || fail "message seq $seq is gone after the restart"
took "stopped with exit 0, started, message seq $seq still there"

# The image's libvips: a phone photo with GPS in its EXIF comes back without it.
say "uploading a photo with GPS coordinates; the server strips them"
backup_dir=$(mktemp -d /tmp/peerchat-ctest-backup.XXXXXX)
"$py" - "$backup_dir/photo.jpg" <<'PY' || fail "making the test photo with PIL failed"
import sys
from PIL import Image
exif = Image.Exif()
exif[0x8825] = {1: "N", 2: (40.0, 42.0, 51.0), 3: "W", 4: (74.0, 0.0, 21.0)}  # GPSInfo
Image.new("RGB", (640, 480), (200, 80, 40)).save(sys.argv[1], "JPEG", exif=exif)
PY
out=$(curl -sS --max-time 60 -X POST -H "Authorization: Bearer $token" -H 'Content-Type: image/jpeg' \
      -H 'X-Filename: photo.jpg' --data-binary "@$backup_dir/photo.jpg" -w '\n%{http_code}' \
      "http://127.0.0.1:$port/api/v1/groups/$group/attachments") || fail "uploading the photo: curl failed"
[[ ${out##*$'\n'} == 201 ]] || fail "uploading the photo answered ${out##*$'\n'}: ${out%$'\n'*}"
attachment=$(json_get id <<<"${out%$'\n'*}") || fail "no id in the upload's answer"
api POST "/groups/$group/messages" \
  "{\"body\":\"\",\"client_msg_id\":\"ctest-photo-$run_id\",\"attachments\":[\"$attachment\"]}" >/dev/null
curl -sS --max-time 30 -f -H "Authorization: Bearer $token" -o "$backup_dir/served.jpg" \
  "http://127.0.0.1:$port/api/v1/attachments/$attachment" || fail "downloading the photo failed"
"$py" - "$backup_dir/served.jpg" <<'PY' || fail "the served photo still carries GPS, or is no JPEG"
import sys
from PIL import Image
image = Image.open(sys.argv[1])
assert image.format == "JPEG" and image.size == (640, 480), (image.format, image.size)
assert not image.getexif().get_ifd(0x8825), "GPS left in the photo"
PY
took "photo $attachment stored and served without its GPS"

# As docs/self-hosting.md says: back up while running, copy out; restore after a stop.
say "backing up while the server runs, then restoring the backup"
timeout 60 podman exec "$container" peerchat backup --data-dir /data --to /data/ctest-backup.tar >/dev/null \
  || fail "peerchat backup failed"
timeout 30 podman cp "$container:/data/ctest-backup.tar" "$backup_dir/backup.tar" || fail "podman cp of the backup failed"
timeout 30 podman exec "$container" rm /data/ctest-backup.tar || fail "removing the backup from the volume failed"
later="sent after the backup $run_id"
later_seq=$(send_ws "$later") || fail "sending over the WebSocket failed"
stop_cleanly
# The documented restore (docs/self-hosting.md): backups are 0600, so the copy taken out with
# podman cp is made readable for the server's uid before it is mounted.
chmod 0644 "$backup_dir/backup.tar"
timeout 60 podman run --rm -v "$volume:/data" -v "$backup_dir/backup.tar:/restore.tar:ro" "$image" \
  restore --data-dir /data --from /restore.tar \
  2> >(no_systemd_noise) || fail "restoring the backup into the volume failed"
start_again
has_message "$seq" "$body" || fail "message seq $seq is missing from the restored backup"
! has_message "$later_seq" "$later" || fail "message seq $later_seq, sent after the backup, survived the restore"
curl -sS --max-time 30 -f -H "Authorization: Bearer $token" -o "$backup_dir/restored.jpg" \
  "http://127.0.0.1:$port/api/v1/attachments/$attachment" || fail "the photo is missing after the restore"
cmp -s "$backup_dir/served.jpg" "$backup_dir/restored.jpg" || fail "the restored photo differs from the one served before"
took "backup restored: seq $seq and its photo back, seq $later_seq (sent after the backup) gone"

# ---- push: certificates verified against the image's system store ----------------------------
say "push over HTTPS: refused without the test CA, delivered with it"
stop_cleanly
pki=$(mktemp -d /tmp/peerchat-ctest-pki.XXXXXX)
# A throwaway CA and a certificate for 127.0.0.1 signed by it, made here and removed at the end.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj "/CN=peerchat test CA $run_id" \
  -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
  -keyout "$pki/ca.key" -out "$pki/ca.pem" 2>/dev/null || fail "openssl: making the test CA failed"
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$pki/push.key" -out "$pki/push.csr" 2>/dev/null || fail "openssl: making the push service's key failed"
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$pki/ext.cnf"
openssl x509 -req -in "$pki/push.csr" -CA "$pki/ca.pem" -CAkey "$pki/ca.key" -CAcreateserial -days 1 \
  -extfile "$pki/ext.cnf" -out "$pki/push.pem" 2>/dev/null || fail "openssl: signing the push service's certificate failed"
# The image's own system store (ca-certificates) plus the throwaway CA.
timeout 60 podman run --rm --entrypoint cat "$image" /etc/ssl/certs/ca-certificates.crt > "$pki/bundle.pem" \
  2> >(no_systemd_noise) || fail "the image has no /etc/ssl/certs/ca-certificates.crt (is ca-certificates installed?)"
store_size=$(grep -c 'BEGIN CERTIFICATE' "$pki/bundle.pem" || true)
((store_size >= 50)) || fail "the image's certificate store holds only $store_size certificates"
cat "$pki/ca.pem" >> "$pki/bundle.pem"
chmod 0644 "$pki/bundle.pem"

# The push service on the host's 127.0.0.1; the containers share the host's network.
"$py" tests/push/push_service.py --tls-cert "$pki/push.pem" --tls-key "$pki/push.key" \
  --port-file "$pki/push.port" --deadline 600 --parent-pid $$ > "$pki/push.log" 2>&1 &
push_service_pid=$!
for _ in $(seq 100); do [[ -s $pki/push.port ]] && break; sleep 0.1; done
[[ -s $pki/push.port ]] || fail "the local push service did not start: $(cat "$pki/push.log")"
push_origin="https://127.0.0.1:$(cat "$pki/push.port")"
push_api() {  # METHOD PATH [JSON]: the push service's test API (trusting the test CA)
  curl -sS --fail --max-time 10 --cacert "$pki/ca.pem" -X "$1" -H 'Content-Type: application/json' \
    ${3:+--data-binary "$3"} "$push_origin$2"
}
metrics_token="ctest-metrics-$RANDOM$RANDOM"
push_port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
run_push_container() {  # NAME [podman run options]: the server on the volume, host network
  local name=$1
  shift
  push_containers+=("$name")
  timeout 60 podman run -d --name "$name" --network host -v "$volume:/data" \
    -e "PEERCHAT_LISTEN=127.0.0.1:$push_port" "$@" "$image" \
    serve --push-allow-loopback --push-attempts 1 --push-timeout 5 --metrics-token "$metrics_token" \
    --push-subject mailto:ops@example.org \
    >/dev/null 2> >(no_systemd_noise) || fail "podman run $name failed"
  container=$name
  port=$push_port
  wait_healthy 60
}
push_metric() {  # NAME: its value in /metrics (0 when absent)
  curl -sS --max-time 10 -H "Authorization: Bearer $metrics_token" "http://127.0.0.1:$port/metrics" \
    | awk -v m="$1" '$1 == m { print $2 + 0; found = 1 } END { if (!found) print 0 }'
}
pushes_for() {  # SEQ: how many pushes the service decrypted for that seq with every check passed
  push_api GET /__received | "$py" -c '
import json, sys
seq = int(sys.argv[1])
print(sum(1 for p in json.load(sys.stdin)["pushes"]
          if not p["errors"] and (p["payload"] or {}).get("seq") == seq))' "$1"
}

main_container=$container
run_push_container "$run_id-push-system-store"
printf '%s\n' "peer-$password" | timeout 30 podman exec -i "$container" \
  peerchat admin create-user --data-dir /data --username peer --password-stdin >/dev/null \
  || fail "creating the second user failed"
token=""
token=$(api POST /sessions "{\"username\":\"admin\",\"password\":\"$password\"}" | json_get token)
admin_token=$token
code=$(api POST "/groups/$group/invites" '{}' | json_get code)
token=""
token=$(api POST /sessions "{\"username\":\"peer\",\"password\":\"peer-$password\"}" | json_get token)
api POST "/invites/$code/accept" '{}' >/dev/null
key=$(api GET /push/key | json_get vapid_public_key) || fail "no GET /push/key"
push_api POST /__config "{\"vapid_public_key\":\"$key\"}" >/dev/null || fail "configuring the push service failed"
subscription=$(push_api POST /__subscription '{}') || fail "the push service made no subscription"
api POST /push/subscriptions "$("$py" -c 'import json, sys; s = json.load(sys.stdin); print(json.dumps({"endpoint": s["endpoint"], "keys": s["keys"]}))' <<<"$subscription")" >/dev/null
token=$admin_token
seq1=$(api POST "/groups/$group/messages" '{"body":"to a push service we do not trust yet","client_msg_id":"ctest-push-1"}' \
  | json_get seq)
deadline=$(($(date +%s) + 30))
until [[ $(push_metric peerchat_push_failed_total) != 0 ]]; do
  (($(date +%s) < deadline)) || fail "the push to an untrusted certificate neither failed nor was counted"
  sleep 0.2
done
[[ $(pushes_for "$seq1") == 0 ]] || fail "a push reached a service whose certificate the image cannot verify"
failed_total=$(push_metric peerchat_push_failed_total)
timeout 60 podman rm -f -t 5 "$container" >/dev/null 2>&1
took "refused: the image's store does not trust the test CA (peerchat_push_failed_total $failed_total)"

say "the same push with SSL_CERT_FILE = the image's store + the test CA"
run_push_container "$run_id-push-with-ca" -e SSL_CERT_FILE=/run/push-ca/bundle.pem \
  -v "$pki/bundle.pem:/run/push-ca/bundle.pem:ro"
token=$admin_token
seq2=$(api POST "/groups/$group/messages" '{"body":"to a push service with a verified certificate","client_msg_id":"ctest-push-2"}' \
  | json_get seq)
deadline=$(($(date +%s) + 30))
until [[ $(pushes_for "$seq2") == 1 ]]; do
  (($(date +%s) < deadline)) || fail "no verified push for seq $seq2 arrived: $(push_api GET /__received | head -c 2000)"
  sleep 0.2
done
[[ $(push_metric peerchat_push_sent_total) -ge 1 ]] || fail "peerchat_push_sent_total did not count the push"
took "delivered over verified HTTPS, VAPID and aes128gcm checked by Python's cryptography ($store_size system certificates)"
timeout 60 podman rm -f -t 5 "$container" >/dev/null 2>&1
container=$main_container

size=$(timeout 30 podman image inspect -f '{{.Size}}' "$image")
echo "image size: $((size / 1000000)) MB ($size bytes, $image)"
echo "container test passed in $(($(date +%s) - start)) s"
