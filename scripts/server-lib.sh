# Shell helpers shared by prosody.sh and ejabberd.sh (sourced, not run). Both set HOST before use.

# Whether ${HOST}:$1 accepts a TCP connection.
port_open() {
	(exec 3<>"/dev/tcp/${HOST}/$1") 2>/dev/null
}

# Whether process $1 exists and is not a zombie.
pid_alive() {
	local pid="$1" state
	kill -0 "${pid}" 2>/dev/null || return 1
	if [[ -r "/proc/${pid}/stat" ]]; then
		state="$(sed 's/.*) //' "/proc/${pid}/stat" 2>/dev/null | cut -d' ' -f1)" || return 0
		[[ "${state}" != "Z" ]] || return 1
	fi
	return 0
}

# Who listens on port $1, for an error message.
describe_listener() {
	local port="$1"
	if command -v ss >/dev/null 2>&1; then
		ss -ltnpH "sport = :${port}" 2>/dev/null || true
	elif command -v lsof >/dev/null 2>&1; then
		lsof -nP -iTCP:"${port}" -sTCP:LISTEN 2>/dev/null || true
	fi
}

# The last $1 lines of each non-empty file among the rest, to stderr.
tail_files() {
	local n="$1" f
	shift
	for f in "$@"; do
		if [[ -s "${f}" ]]; then
			printf -- '----- tail -n %s %s -----\n' "${n}" "${f}" >&2
			tail -n "${n}" "${f}" >&2
		fi
	done
}

# Waits up to $2 seconds for process $1 to end (polling every ${3:-0.1} s); fails if it does not.
wait_gone() {
	local pid="$1" timeout_s="$2" interval="${3:-0.1}"
	local deadline=$((SECONDS + timeout_s))
	while pid_alive "${pid}"; do
		((SECONDS < deadline)) || return 1
		sleep "${interval}"
	done
}

# Where the server stands, for `status`: exit 0 only when it runs and takes c2s connections. $1 is
# said after the pid (e.g. ", node …"); needs running_pid, RUN_DIR, C2S_PORT and HTTP_PORT.
server_status() {
	local detail="${1:-}" pid
	if pid="$(running_pid)"; then
		if port_open "${C2S_PORT}"; then
			echo "running (pid ${pid}${detail}); c2s ${HOST}:${C2S_PORT}; http ${HOST}:${HTTP_PORT} $(port_open "${HTTP_PORT}" && echo up || echo DOWN); run dir ${RUN_DIR}"
			return 0
		fi
		echo "process ${pid}${detail} alive but c2s ${HOST}:${C2S_PORT} not accepting; run dir ${RUN_DIR}"
		return 3
	fi
	if port_open "${C2S_PORT}"; then
		echo "not running from ${RUN_DIR}, but something else listens on ${HOST}:${C2S_PORT}:"
		describe_listener "${C2S_PORT}"
		return 3
	fi
	echo "not running; run dir ${RUN_DIR}"
	return 3
}

# The last $1 (default 100) lines of ${LOGFILE}, for `log`.
server_log() {
	local n="${1:-100}"
	[[ -e "${LOGFILE}" ]] || die "no log yet at ${LOGFILE}"
	tail -n "${n}" "${LOGFILE}"
}
