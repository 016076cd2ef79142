#!/usr/bin/env bash
# Local Prosody for xmpp-adapter tests, demo and benchmarks (loopback only).
#
# Usage: scripts/prosody.sh <command>
#   install                          install prosody (+ modules, sqlite driver) if missing
#   start                            start in the background; no-op if already running
#   stop                             SIGTERM, then SIGKILL after a grace period; no-op if not running
#   kill                             SIGKILL immediately (fault-injection tests)
#   restart                          stop + start
#   reset                            stop, delete the data directory (all accounts and archives), start
#   register USER PASSWORD [HOST]    create USER@HOST (default host: localhost) or reset its password
#   status                           exit 0 if running and accepting connections, 3 otherwise
#   log [N]                          print the last N (default 100) log lines
#
# Environment:
#   XMPP_ADAPTER_RUN_DIR             run directory (default /tmp/xmpp-adapter-prosody), also read by the config
#   XMPP_ADAPTER_PROSODY_LOG_LEVEL   Prosody log level (default info), read by the config
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd)"
# shellcheck source=server-lib.sh
source "${SCRIPT_DIR}/server-lib.sh"
CONFIG="${REPO_ROOT}/config/prosody/prosody.cfg.lua"

RUN_DIR="${XMPP_ADAPTER_RUN_DIR:-/tmp/xmpp-adapter-prosody}"
export XMPP_ADAPTER_RUN_DIR="${RUN_DIR}"
PIDFILE="${RUN_DIR}/prosody.pid"
LOGFILE="${RUN_DIR}/prosody.log"
ERRFILE="${RUN_DIR}/prosody.err"
STDOUT_LOG="${RUN_DIR}/prosody.stdout.log"

C2S_PORT=15222
HTTP_PORT=15280
HOST=127.0.0.1
START_TIMEOUT_S=15
STOP_TIMEOUT_S=10

PACKAGES=(prosody prosody-modules lua-dbi-sqlite3)

log() { printf '[prosody.sh] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }



# Prints the pid from our pidfile if that process is alive; fails otherwise.
running_pid() {
	[[ -r "${PIDFILE}" ]] || return 1
	local pid
	pid="$(tr -dc '0-9' <"${PIDFILE}")"
	[[ -n "${pid}" ]] || return 1
	pid_alive "${pid}" || return 1
	printf '%s\n' "${pid}"
}

is_up() {
	running_pid >/dev/null && port_open "${C2S_PORT}"
}


show_log_tail() {
	tail_files "${1:-40}" "${STDOUT_LOG}" "${ERRFILE}" "${LOGFILE}"
}

cmd_install() {
	if command -v prosody >/dev/null 2>&1 && command -v prosodyctl >/dev/null 2>&1; then
		return 0
	fi
	if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		log "installing ${PACKAGES[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update
		apt-get install -y "${PACKAGES[@]}"
		# Debian starts a system-wide Prosody on 5222/5280 after install where an init system exists.
		# It does not collide with our ports, but stop it anyway: a test server should be the only one.
		if command -v service >/dev/null 2>&1; then
			service prosody stop >/dev/null 2>&1 || true
		fi
	else
		log "prosody is not installed. Install it with:"
		log "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${PACKAGES[*]}"
		log "(other systems: Prosody 0.12 with prosody-modules (mod_cloud_notify) and LuaDBI + SQLite3)"
		exit 1
	fi
}

cmd_start() {
	if is_up; then
		log "already running (pid $(running_pid)), c2s ${HOST}:${C2S_PORT}"
		return 0
	fi
	cmd_install

	# A live process from our pidfile that is not (yet) accepting connections: stale or wedged.
	local old_pid
	if old_pid="$(running_pid)"; then
		log "pid ${old_pid} from ${PIDFILE} is alive but not accepting on ${C2S_PORT}; stopping it first"
		cmd_stop
	fi

	local port busy=0
	for port in "${C2S_PORT}" "${HTTP_PORT}"; do
		if port_open "${port}"; then
			busy=1
			log "port ${HOST}:${port} is already in use by another process (not ours):"
			describe_listener "${port}" >&2
		fi
	done
	if [[ "${busy}" -eq 1 ]]; then
		die "refusing to start; stop the other server (a system Prosody? try: service prosody stop) or free the ports"
	fi

	mkdir -p "${RUN_DIR}/data" "${RUN_DIR}/certs"
	rm -f "${PIDFILE}"
	: >"${STDOUT_LOG}"

	# -F: stay in the foreground (we background it ourselves; pidfile is written by mod_posix).
	nohup prosody --config "${CONFIG}" -F >>"${STDOUT_LOG}" 2>&1 </dev/null &
	local child=$!
	disown "${child}" 2>/dev/null || true

	local deadline=$((SECONDS + START_TIMEOUT_S))
	while ((SECONDS < deadline)); do
		if ! pid_alive "${child}"; then
			log "prosody exited during startup"
			show_log_tail
			exit 1
		fi
		if port_open "${C2S_PORT}" && port_open "${HTTP_PORT}"; then
			# The pidfile is written early in startup; make sure it names our child.
			if [[ ! -s "${PIDFILE}" ]]; then
				printf '%s\n' "${child}" >"${PIDFILE}"
			fi
			log "started (pid ${child}): xmpp://${HOST}:${C2S_PORT} ws://${HOST}:${HTTP_PORT}/xmpp-websocket (run dir ${RUN_DIR})"
			return 0
		fi
		sleep 0.1
	done

	log "prosody did not accept connections on ${C2S_PORT} and ${HTTP_PORT} within ${START_TIMEOUT_S}s"
	show_log_tail
	kill -KILL "${child}" 2>/dev/null || true
	exit 1
}


cmd_stop() {
	local pid
	if ! pid="$(running_pid)"; then
		rm -f "${PIDFILE}"
		log "not running"
		return 0
	fi
	kill -TERM "${pid}" 2>/dev/null || true
	if ! wait_gone "${pid}" "${STOP_TIMEOUT_S}"; then
		log "pid ${pid} ignored SIGTERM for ${STOP_TIMEOUT_S}s; sending SIGKILL"
		kill -KILL "${pid}" 2>/dev/null || true
		wait_gone "${pid}" 5 || die "pid ${pid} survived SIGKILL"
	fi
	rm -f "${PIDFILE}"
	log "stopped (pid ${pid})"
}

cmd_kill() {
	local pid
	if ! pid="$(running_pid)"; then
		rm -f "${PIDFILE}"
		log "not running"
		return 0
	fi
	kill -KILL "${pid}" 2>/dev/null || true
	wait_gone "${pid}" 5 || die "pid ${pid} survived SIGKILL"
	rm -f "${PIDFILE}"
	log "killed (pid ${pid})"
}

cmd_register() {
	[[ $# -ge 2 && $# -le 3 ]] || die "usage: $0 register USER PASSWORD [HOST]"
	local user="$1" password="$2" host="${3:-localhost}"
	cmd_install
	mkdir -p "${RUN_DIR}/data" "${RUN_DIR}/certs"
	# `prosodyctl register` creates the account, or overwrites the password of an existing one.
	# It writes account files directly, so the server need not be running.
	local out
	if ! out="$(prosodyctl --config "${CONFIG}" register "${user}" "${host}" "${password}" 2>&1)"; then
		printf '%s\n' "${out}" >&2
		die "registering ${user}@${host} failed"
	fi
}

# A data directory grown by many test runs slows Prosody down (benchmarks warn about it).
cmd_reset() {
	cmd_stop
	log "deleting ${RUN_DIR}/data"
	rm -rf "${RUN_DIR:?}/data"
	cmd_start
}

cmd_status() {
	server_status ""
}

cmd_log() {
	server_log "$@"
}

main() {
	local cmd="${1:-}"
	[[ $# -gt 0 ]] && shift
	case "${cmd}" in
		install) cmd_install "$@" ;;
		start) cmd_start "$@" ;;
		stop) cmd_stop "$@" ;;
		kill) cmd_kill "$@" ;;
		restart) cmd_stop && cmd_start ;;
		reset) cmd_reset ;;
		register) cmd_register "$@" ;;
		status) cmd_status "$@" ;;
		log) cmd_log "$@" ;;
		*)
			sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
			exit 2
			;;
	esac
}

main "$@"
