#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, combined broker+controller) run from the released jars on Maven Central.
#
#   infra/kafka/kafka.sh start    start in the background, wait until the broker answers admin requests
#   infra/kafka/kafka.sh stop     SIGTERM (SIGKILL after 30 s), idempotent
#   infra/kafka/kafka.sh status   exit 0 and print "running pid N" if the broker process is alive, else exit 1
#   infra/kafka/kafka.sh run      foreground (exec), for use under a supervisor
#
# Environment: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_HEAP_OPTS ("-Xms256m -Xmx1g"),
#              KAFKA_JVM_OPTS ("-XX:+UseG1GC -XX:TieredStopAtLevel=1"), KAFKA_NICE (0; a positive value makes the
#              broker yield a contended core, as the consumers do: measured, it slowed every hop, the relay's too),
#              KAFKA_READY_TIMEOUT (90 s), JAVA_HOME (optional; otherwise `java` on PATH).
# State lives in $ROOT/.data/kafka/ (git-ignored): libs/ (jar cache), logs/ (log.dirs), server.properties,
# kafka.pid, kafka.out. Delete .data/kafka/logs to wipe all topics; delete .data/kafka to start from scratch.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
POM="$SCRIPT_DIR/pom.xml"
DATA="$ROOT/.data/kafka"
LIBS="$DATA/libs"
LOGS="$DATA/logs"
PROPS="$DATA/server.properties"
ADMIN_PROPS="$DATA/admin.properties"
FORMAT_INFO="$DATA/format.info"
PID_FILE="$DATA/kafka.pid"
OUT="$DATA/kafka.out"

HOST=127.0.0.1
KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g}"
KAFKA_READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"
KAFKA_NICE="${KAFKA_NICE:-0}"
STOP_TIMEOUT=30
MAIN_CLASS=kafka.Kafka
LOG_OPTS=(-Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Dorg.slf4j.simpleLogger.showDateTime=true
  "-Dorg.slf4j.simpleLogger.dateTimeFormat=yyyy-MM-dd'T'HH:mm:ss.SSS")
# Short-lived tool JVMs (storage format, readiness probe): small heap, fast JIT start.
TOOL_OPTS=(-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Djava.awt.headless=true "${LOG_OPTS[@]}")

if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then JAVA="$JAVA_HOME/bin/java"; else JAVA=java; fi

log() { echo "kafka: $*"; }
die() { echo "kafka: error: $*" >&2; exit 1; }

# Milliseconds since epoch where the shell can tell (bash 5), else seconds * 1000.
now_ms() {
  if [[ -n "${EPOCHREALTIME:-}" ]]; then local t="${EPOCHREALTIME/[.,]/}"; echo "${t:0:${#t}-3}"
  else echo $(( $(date +%s) * 1000 )); fi
}
fmt_ms() { printf '%d.%01ds' $(( $1 / 1000 )) $(( ($1 % 1000) / 100 )); }

sha256() {
  if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1" | cut -d' ' -f1
  else shasum -a 256 "$1" | cut -d' ' -f1; fi
}

# Serialise start/run/stop across concurrent callers (e.g. parallel test runners) where flock exists.
lock() {
  mkdir -p "$DATA"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$DATA/.lock"
    flock -w 180 9 || die "timed out waiting for another kafka.sh invocation (lock $DATA/.lock)"
  fi
}

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found. Kafka needs Java 17+.
  Install a JDK 17+ (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17)
  and put it on PATH, or set JAVA_HOME."
  local line ver major
  line="$("$JAVA" -version 2>&1 | grep -m1 -i 'version' || true)"
  ver="$(sed -n 's/.*version "\([^"]*\)".*/\1/p' <<<"$line")"
  [[ -n "$ver" ]] || die "could not read the Java version from '$JAVA -version' (got: ${line:-nothing}). Kafka needs Java 17+."
  if [[ "$ver" == 1.* ]]; then major="$(cut -d. -f2 <<<"$ver")"; else major="${ver%%[.+-]*}"; fi
  [[ "$major" =~ ^[0-9]+$ ]] || die "unrecognised Java version '$ver'. Kafka needs Java 17+."
  (( major >= 17 )) || die "Java $ver found at $(command -v "$JAVA"), but Kafka 4.x needs Java 17+.
  Install a JDK 17+ and put it first on PATH, or point JAVA_HOME at it."
}

# Copy Kafka's runtime jars from Maven Central into $LIBS once; redo when the pom changes.
resolve_libs() {
  local want have=""
  want="$(sha256 "$POM")"
  [[ -f "$LIBS/.complete" ]] && have="$(cat "$LIBS/.complete")"
  [[ "$have" == "$want" ]] && return 0
  command -v mvn >/dev/null 2>&1 || die "mvn not found; Maven 3.8+ is needed once to fetch Kafka's jars from Maven Central."
  log "resolving Kafka jars from Maven Central into .data/kafka/libs (first time only)..."
  local t0 tmp="$DATA/libs.tmp"
  t0="$(now_ms)"
  rm -rf "$tmp"
  if ! mvn -q -B -f "$POM" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" >"$DATA/resolve.log" 2>&1; then
    tail -n 30 "$DATA/resolve.log" >&2
    die "resolving Kafka jars failed (full log: $DATA/resolve.log). Check network access to Maven Central / ~/.m2 settings."
  fi
  rm -rf "$LIBS"
  mv "$tmp" "$LIBS"
  echo "$want" >"$LIBS/.complete"
  local jars=("$LIBS"/*.jar)
  log "resolved ${#jars[@]} jars in $(fmt_ms $(( $(now_ms) - t0 )))"
}

write_props() {
  mkdir -p "$LOGS"
  cat >"$PROPS" <<EOF
# Generated by infra/kafka/kafka.sh on every start; edit the script, not this file.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=$HOST:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$LOGS
num.partitions=6
auto.create.topics.enable=false
group.initial.rebalance.delay.ms=0
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
# sized for a small machine: every thread here competes with the services for the same cores
num.network.threads=2
num.io.threads=2
background.threads=2
offsets.topic.num.partitions=6
EOF
  cat >"$ADMIN_PROPS" <<EOF
request.timeout.ms=5000
default.api.timeout.ms=10000
EOF
}

# Format the log dir once (KRaft, dynamic quorum with this node as the only voter).
format_storage() {
  if [[ -f "$LOGS/meta.properties" ]]; then
    local formatted=""
    [[ -f "$FORMAT_INFO" ]] && formatted="$(cat "$FORMAT_INFO")"
    if [[ -n "$formatted" && "$formatted" != "controller.port=$KAFKA_CONTROLLER_PORT" ]]; then
      die "storage in $LOGS was formatted with $formatted but KAFKA_CONTROLLER_PORT=$KAFKA_CONTROLLER_PORT.
  The KRaft voter endpoint is fixed at format time: use the old port, or stop and delete $LOGS to reformat (loses all topics)."
    fi
    return 0
  fi
  local uuid
  uuid="$("$JAVA" "${TOOL_OPTS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>>"$DATA/format.log" | tail -n1)"
  [[ -n "$uuid" ]] || die "kafka-storage random-uuid failed (see $DATA/format.log)"
  if ! "$JAVA" "${TOOL_OPTS[@]}" -cp "$LIBS/*" kafka.tools.StorageTool format --standalone -t "$uuid" -c "$PROPS" >>"$DATA/format.log" 2>&1; then
    tail -n 20 "$DATA/format.log" >&2
    die "formatting $LOGS failed (full log: $DATA/format.log)"
  fi
  echo "controller.port=$KAFKA_CONTROLLER_PORT" >"$FORMAT_INFO"
  log "formatted new KRaft storage in .data/kafka/logs (cluster id $uuid)"
}

prepare() {
  check_java
  mkdir -p "$DATA"
  resolve_libs
  write_props
  format_storage
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# The pid from kafka.pid, if that process is alive and really is our broker (guards against pid reuse).
running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(tr -dc '0-9' <"$PID_FILE")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
  ps -p "$pid" -o args= 2>/dev/null | grep -q "$MAIN_CLASS" || return 1
  echo "$pid"
}

# One real admin round trip (ListTopics), not just an open port.
admin_ready() {
  "$JAVA" "${TOOL_OPTS[@]}" -cp "$LIBS/*" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$HOST:$KAFKA_PORT" --command-config "$ADMIN_PROPS" --list >/dev/null 2>>"$DATA/ready.log"
}

broker_cmd() {
  # shellcheck disable=SC2206 # KAFKA_HEAP_OPTS is intentionally word-split
  local heap=($KAFKA_HEAP_OPTS)
  # C1 only (TieredStopAtLevel=1): on a small machine shared with the services, C2 compilation cost the
  # broker more CPU over a bench-length run than its faster code saved (docs/PERFORMANCE.md: broker CPU per
  # fetch 2.5 → 1.4 ms, per payment at 1000/s 0.24–0.36 → 0.14 ms). A long-lived broker on its own cores
  # wants the default tiered JIT: KAFKA_JVM_OPTS="-XX:+UseG1GC".
  # shellcheck disable=SC2206 # KAFKA_JVM_OPTS is intentionally word-split
  local jvm=(${KAFKA_JVM_OPTS:--XX:+UseG1GC -XX:TieredStopAtLevel=1})
  BROKER_CMD=("$JAVA" "${heap[@]}" "${jvm[@]}" -Djava.awt.headless=true "${LOG_OPTS[@]}"
    -cp "$LIBS/*" "$MAIN_CLASS" "$PROPS")
}

fail_start() {
  echo "----- last lines of $OUT -----" >&2
  tail -n 40 "$OUT" >&2 || true
  echo "------------------------------" >&2
  if grep -q 'Address already in use' "$OUT" 2>/dev/null; then
    echo "kafka: hint: port $KAFKA_PORT or $KAFKA_CONTROLLER_PORT is taken by another process; free it or set KAFKA_PORT (KAFKA_CONTROLLER_PORT only before the first format)" >&2
  fi
  die "$1"
}

cmd_start() {
  [[ $KAFKA_NICE =~ ^-?[0-9]+$ && $KAFKA_NICE -ge -20 && $KAFKA_NICE -le 19 ]] || die "KAFKA_NICE must be an integer in [-20, 19] (got '$KAFKA_NICE')"
  lock
  if port_open "$KAFKA_PORT"; then
    local pid; pid="$(running_pid || true)"
    log "a broker already answers on $HOST:$KAFKA_PORT${pid:+ (pid $pid)}; not starting another"
    return 0
  fi
  prepare
  local pid t0
  t0="$(now_ms)"
  if pid="$(running_pid)"; then
    log "broker pid $pid is already starting; waiting for it"
  else
    broker_cmd
    : >"$OUT"
    : >"$DATA/ready.log"
    rm -f "$PID_FILE"
    # New session so it survives this shell (and Ctrl-C in it); the wrapper writes its own pid, lowers its
    # CPU priority (runtime/src/cpu-priority.ts says why both the session's autogroup weight and the nice
    # value), then execs java.
    local launcher=()
    if command -v setsid >/dev/null 2>&1; then launcher=(setsid); else launcher=(nohup); fi
    # shellcheck disable=SC2016 # $$/$0/$1/$@ are for the inner bash
    "${launcher[@]}" bash -c 'echo $$ >"$0"; n=$1; shift; if [[ $n != 0 ]]; then echo "$n" >/proc/self/autogroup 2>/dev/null || true; exec nice -n "$n" "$@"; fi; exec "$@"' \
      "$PID_FILE" "$KAFKA_NICE" "${BROKER_CMD[@]}" >>"$OUT" 2>&1 </dev/null 9>&- &
    local i
    for i in $(seq 1 50); do [[ -s "$PID_FILE" ]] && break; sleep 0.1; done
    pid="$(tr -dc '0-9' <"$PID_FILE" 2>/dev/null || true)"
    [[ -n "$pid" ]] || fail_start "broker did not start (no pid written)"
    log "started broker pid $pid on $HOST:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT); waiting for it to be ready..."
  fi
  local deadline=$(( t0 + KAFKA_READY_TIMEOUT * 1000 ))
  while :; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      fail_start "broker process $pid exited during startup"
    fi
    if port_open "$KAFKA_PORT" && admin_ready; then break; fi
    if (( $(now_ms) >= deadline )); then
      tail -n 5 "$DATA/ready.log" >&2 || true
      fail_start "broker not ready after ${KAFKA_READY_TIMEOUT}s (pid $pid still running; 'kafka.sh stop' to kill it)"
    fi
    sleep 0.5
  done
  log "ready on $HOST:$KAFKA_PORT after $(fmt_ms $(( $(now_ms) - t0 ))) (pid $pid, log $OUT)"
}

cmd_run() {
  lock
  if port_open "$KAFKA_PORT"; then die "port $HOST:$KAFKA_PORT is already in use (another broker? 'kafka.sh stop')"; fi
  prepare
  broker_cmd
  echo $$ >"$PID_FILE"
  exec 9>&- # release the lock; exec keeps this pid
  exec "${BROKER_CMD[@]}"
}

cmd_stop() {
  lock
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    log "not running"
    if port_open "$KAFKA_PORT"; then log "note: something else still listens on $HOST:$KAFKA_PORT (not started by this script)"; fi
    return 0
  fi
  log "stopping broker pid $pid..."
  kill -TERM "$pid" 2>/dev/null || true
  local i
  for (( i = 0; i < STOP_TIMEOUT * 10; i++ )); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for (( i = 0; i < 50; i++ )); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then echo "running pid $pid"; return 0; fi
  echo "not running"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  run) cmd_run ;;
  *) echo "usage: $0 start|stop|status|run" >&2; exit 2 ;;
esac
