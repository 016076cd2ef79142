#!/usr/bin/env bash
# Local ejabberd for xmpp-adapter tests: the second test server, for what only ejabberd has
# (MucSub, ejabberd's mod_muc, interop). Loopback only; Prosody stays the main server (scripts/prosody.sh).
#
# Usage: scripts/ejabberd.sh <command>
#   install                          install ejabberd (Debian package) if missing
#   start                            start in the background; no-op if already running
#   stop                             `ejabberdctl stop`, then SIGTERM/SIGKILL after grace periods; no-op if not running
#   restart                          stop + start
#   status                           exit 0 if running and accepting connections, 3 otherwise
#   register USER PASSWORD [HOST]    create USER@HOST (default ejabberd.localhost) or reset its password (server must run)
#   ctl ARGS...                      any ejabberdctl command against this node (e.g. ctl registered_users ejabberd.localhost)
#   log [N]                          print the last N (default 100) log lines
#
# Environment:
#   XMPP_ADAPTER_EJABBERD_RUN_DIR    run directory (default /tmp/xmpp-adapter-ejabberd), also read by ejabberdctl.cfg
set -euo pipefail

SCRIPT_DIR="$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd -- "${SCRIPT_DIR}/.." && pwd)"
# shellcheck source=server-lib.sh
source "${SCRIPT_DIR}/server-lib.sh"
CONFIG_SRC="${REPO_ROOT}/config/ejabberd/ejabberd.yml"
CTL_CONFIG_SRC="${REPO_ROOT}/config/ejabberd/ejabberdctl.cfg"

RUN_DIR="${XMPP_ADAPTER_EJABBERD_RUN_DIR:-/tmp/xmpp-adapter-ejabberd}"
export XMPP_ADAPTER_EJABBERD_RUN_DIR="${RUN_DIR}"
# Snapshots of the repo's config, taken at start: ejabberd and every ejabberdctl call read these.
CONFIG="${RUN_DIR}/etc/ejabberd.yml"
CTL_CONFIG="${RUN_DIR}/etc/ejabberdctl.cfg"
# A copy of the system's ejabberdctl that runs as the invoking user (see make_ctl).
CTL="${RUN_DIR}/ejabberdctl"
SPOOL_DIR="${RUN_DIR}/spool"
LOG_DIR="${RUN_DIR}/log"
LOGFILE="${LOG_DIR}/ejabberd.log"
ERRFILE="${LOG_DIR}/error.log"
STDOUT_LOG="${RUN_DIR}/ejabberdctl.out"
# Written by ejabberd itself (EJABBERD_PID_PATH in ejabberdctl.cfg).
PIDFILE="${RUN_DIR}/ejabberd.pid"

HOST=127.0.0.1
C2S_PORT=25222
HTTP_PORT=25280
# Erlang distribution (ERL_DIST_PORT in ejabberdctl.cfg): ejabberdctl talks to the node here, no epmd.
DIST_PORT=25270
DEFAULT_DOMAIN=ejabberd.localhost
START_TIMEOUT_S=60
STOP_TIMEOUT_S=20
CTL_TIMEOUT_S=30

PACKAGES=(ejabberd)

log() { printf '[ejabberd.sh] %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

# The node name, from ejabberdctl.cfg (single source of truth).
NODE="$(sed -n 's/^ERLANG_NODE=//p' "${CTL_CONFIG_SRC}" | tr -d '"'"'"' ')"
[[ -n "${NODE}" ]] || die "no ERLANG_NODE in ${CTL_CONFIG_SRC}"



# True if pid $1 is this repo's ejabberd node (its command line names our node), not a recycled pid.
is_our_node() {
	local pid="$1"
	[[ -r "/proc/${pid}/cmdline" ]] || return 0 # no procfs: trust the pidfile
	tr '\0' '\n' <"/proc/${pid}/cmdline" 2>/dev/null | grep -qxF -- "${NODE}"
}

# The pid of our Erlang VM: from the pidfile, or (before ejabberd has written it, or after a crash left
# it stale) the beam process whose command line carries `-sname <our node>`. Fails if there is none.
running_pid() {
	local pid=""
	if [[ -r "${PIDFILE}" ]]; then
		pid="$(tr -dc '0-9' <"${PIDFILE}")"
		if [[ -n "${pid}" ]] && pid_alive "${pid}" && is_our_node "${pid}"; then
			printf '%s\n' "${pid}"
			return 0
		fi
	fi
	command -v pgrep >/dev/null 2>&1 || return 1
	pid="$(pgrep -f -- "-sname ${NODE}( |\$)" 2>/dev/null | head -n1)" || return 1
	[[ -n "${pid}" ]] && pid_alive "${pid}" || return 1
	printf '%s\n' "${pid}"
}

is_up() {
	running_pid >/dev/null && port_open "${C2S_PORT}"
}


show_log_tail() {
	tail_files "${1:-40}" "${STDOUT_LOG}" "${ERRFILE}" "${LOGFILE}" "${LOG_DIR}/crash.log"
}

system_ctl() {
	if command -v ejabberdctl >/dev/null 2>&1; then
		command -v ejabberdctl
	elif [[ -x /usr/sbin/ejabberdctl ]]; then
		printf '%s\n' /usr/sbin/ejabberdctl
	else
		return 1
	fi
}

# Stop a system-wide ejabberd the package may have started (where an init system lets it). It listens on
# 5222/5269/5280/5443 and epmd on 4369, so it does not collide with this instance (other ports, node name,
# cookie, no epmd), but it would cost memory and CPU on a small CI machine: a test machine runs only ours.
stop_system_service() {
	[[ "$(id -u)" -eq 0 ]] || return 0
	if command -v systemctl >/dev/null 2>&1 && [[ -d /run/systemd/system ]]; then
		systemctl disable --now ejabberd >/dev/null 2>&1 || true
	elif command -v service >/dev/null 2>&1 && [[ -x /etc/init.d/ejabberd ]]; then
		# Only if it runs (as the `ejabberd` user; ours runs as the caller): the init script's status and stop
		# go through ejabberdctl, whose Erlang client would start an epmd on 0.0.0.0:4369 for nothing.
		if command -v pgrep >/dev/null 2>&1 && pgrep -u ejabberd -x beam.smp >/dev/null 2>&1; then
			service ejabberd stop >/dev/null 2>&1 || true
		fi
	fi
}

cmd_install() {
	if system_ctl >/dev/null; then
		return 0
	fi
	if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1; then
		log "installing ${PACKAGES[*]}"
		export DEBIAN_FRONTEND=noninteractive
		apt-get update
		apt-get install -y --no-install-recommends "${PACKAGES[@]}"
		stop_system_service
	else
		log "ejabberd is not installed. Install it with:"
		log "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${PACKAGES[*]}"
		log "  sudo systemctl disable --now ejabberd   # optional: the system instance is not used"
		log "(other systems: ejabberd 23.01 or later with its ejabberdctl)"
		exit 1
	fi
}

# The system's ejabberdctl refuses any user but root and `ejabberd`, and as root it switches to the
# `ejabberd` account (su), which then could not read a repo under a private home nor share files with
# the caller. Our copy only changes INSTALLUSER to the invoking user, so the node runs as whoever runs
# this script: root in CI (like Prosody, which runs as root there too), or a normal user.
make_ctl() {
	local src user
	src="$(system_ctl)" || die "ejabberdctl not found (run: $0 install)"
	user="$(id -un)"
	sed -e "s/^INSTALLUSER=.*/INSTALLUSER=${user}/" "${src}" >"${CTL}.tmp"
	grep -qxF "INSTALLUSER=${user}" "${CTL}.tmp" || die "${src} has no INSTALLUSER= line to adapt (ejabberdctl changed?)"
	chmod 755 "${CTL}.tmp"
	mv -f "${CTL}.tmp" "${CTL}"
}

prepare_run_dir() {
	mkdir -p "${RUN_DIR}/etc" "${SPOOL_DIR}" "${LOG_DIR}"
	cp -f "${CONFIG_SRC}" "${CONFIG}"
	cp -f "${CTL_CONFIG_SRC}" "${CTL_CONFIG}"
	make_ctl
}

# ejabberdctl against our node, config, spool and logs, with a time limit (an unreachable node can make
# an Erlang client hang; `timeout` signals the whole process group, so no client VM is left behind).
ctl() {
	[[ -x "${CTL}" && -r "${CTL_CONFIG}" && -r "${CONFIG}" ]] || prepare_run_dir
	timeout "${CTL_TIMEOUT_S}" "${CTL}" \
		--config "${CONFIG}" --ctl-config "${CTL_CONFIG}" --spool "${SPOOL_DIR}" --logs "${LOG_DIR}" \
		"$@"
}

cmd_start() {
	if is_up; then
		log "already running (pid $(running_pid)), c2s ${HOST}:${C2S_PORT}"
		return 0
	fi
	cmd_install

	# A live node that is not (yet) accepting connections: stale or wedged.
	local old_pid
	if old_pid="$(running_pid)"; then
		log "pid ${old_pid} (node ${NODE}) is alive but not accepting on ${C2S_PORT}; stopping it first"
		cmd_stop
	fi

	local port busy=0
	for port in "${C2S_PORT}" "${HTTP_PORT}" "${DIST_PORT}"; do
		if port_open "${port}"; then
			busy=1
			log "port ${HOST}:${port} is already in use by another process (not ours):"
			describe_listener "${port}" >&2
		fi
	done
	[[ "${busy}" -eq 0 ]] || die "refusing to start; free the ports (another test ejabberd with a different run dir?)"

	prepare_run_dir
	rm -f "${PIDFILE}"
	# Fresh error logs, so a failed start shows this start's errors (ejabberd.log keeps growing).
	: >"${STDOUT_LOG}"
	: >"${ERRFILE}"
	rm -f "${LOG_DIR}/crash.log"

	# `start` runs `erl ... -detached`: the VM daemonizes and this call returns at once.
	if ! ctl start >>"${STDOUT_LOG}" 2>&1 </dev/null; then
		log "ejabberdctl start failed"
		show_log_tail
		exit 1
	fi

	local deadline=$((SECONDS + START_TIMEOUT_S)) seen_pid=""
	while ((SECONDS < deadline)); do
		local pid=""
		pid="$(running_pid)" || pid=""
		if [[ -n "${pid}" ]]; then
			seen_pid="${pid}"
			if port_open "${C2S_PORT}" && port_open "${HTTP_PORT}"; then
				log "started (pid ${pid}, node ${NODE}): xmpp://${HOST}:${C2S_PORT} ws://${HOST}:${HTTP_PORT}/xmpp-websocket (run dir ${RUN_DIR})"
				return 0
			fi
		elif [[ -n "${seen_pid}" ]] || ((SECONDS > 5)); then
			# The VM was there and is gone, or never appeared: ejabberd halted (bad config, port in use, ...).
			log "ejabberd exited during startup"
			show_log_tail
			exit 1
		fi
		sleep 0.2
	done

	log "ejabberd did not accept connections on ${C2S_PORT} and ${HTTP_PORT} within ${START_TIMEOUT_S}s"
	show_log_tail
	cmd_stop || true
	exit 1
}


cmd_stop() {
	local pid
	if ! pid="$(running_pid)"; then
		rm -f "${PIDFILE}"
		log "not running"
		return 0
	fi
	# Graceful: ejabberd closes its sessions and Mnesia. If the node does not answer, fall back to signals
	# (beam treats SIGTERM as init:stop()).
	if ! ctl stop >>"${STDOUT_LOG}" 2>&1 </dev/null; then
		log "ejabberdctl stop failed; sending SIGTERM to pid ${pid}"
		kill -TERM "${pid}" 2>/dev/null || true
	fi
	if ! wait_gone "${pid}" "${STOP_TIMEOUT_S}" 0.2; then
		log "pid ${pid} still alive ${STOP_TIMEOUT_S}s after stop; sending SIGKILL"
		kill -KILL "${pid}" 2>/dev/null || true
		wait_gone "${pid}" 5 0.2 || die "pid ${pid} survived SIGKILL"
	fi
	rm -f "${PIDFILE}"
	log "stopped (pid ${pid})"
}

cmd_register() {
	[[ $# -ge 2 && $# -le 3 ]] || die "usage: $0 register USER PASSWORD [HOST]"
	local user="$1" password="$2" host="${3:-${DEFAULT_DOMAIN}}" out
	# ejabberdctl talks to the running node (accounts live in its Mnesia database).
	running_pid >/dev/null || die "ejabberd is not running (run: $0 start)"
	if out="$(ctl register "${user}" "${host}" "${password}" 2>&1)"; then
		return 0
	fi
	if [[ "${out}" == *"already registered"* || "${out}" == *"conflict"* ]]; then
		# Existing account: reset its password (change_password comes from mod_admin_extra).
		if out="$(ctl change_password "${user}" "${host}" "${password}" 2>&1)"; then
			return 0
		fi
	fi
	printf '%s\n' "${out}" >&2
	die "registering ${user}@${host} failed"
}

cmd_status() {
	server_status ", node ${NODE}"
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
		restart) cmd_stop && cmd_start ;;
		status) cmd_status "$@" ;;
		register) cmd_register "$@" ;;
		ctl) ctl "$@" ;;
		log) cmd_log "$@" ;;
		*)
			sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
			exit 2
			;;
	esac
}

main "$@"
