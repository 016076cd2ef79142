-- Prosody 0.12 configuration for xmpp-adapter's local test/demo/benchmark server.
--
-- Loopback only, no TLS, open registration: never expose this server.
-- Managed by scripts/prosody.sh (start/stop/kill/register); see test/support/prosody.ts.
--
-- Endpoints:
--   c2s        xmpp://127.0.0.1:15222            (no STARTTLS, SCRAM + PLAIN)
--   websocket  ws://127.0.0.1:15280/xmpp-websocket
--   bosh       http://127.0.0.1:15280/http-bind
-- Hosts: localhost (SCRAM-SHA-1), sha256.localhost (SCRAM-SHA-256),
--        conference.localhost (MUC + MAM), upload.localhost (XEP-0363).

-- Every runtime path lives in one throwaway directory, shared with scripts/prosody.sh.
local run_dir = os.getenv("XMPP_ADAPTER_RUN_DIR") or "/tmp/xmpp-adapter-prosody"

-- Lets a test run switch on verbose logging without editing this file (e.g. "debug").
local log_level = os.getenv("XMPP_ADAPTER_PROSODY_LOG_LEVEL") or "info"

-- Bind ::1 as well only when the kernel has an IPv6 loopback (many CI containers do not).
local function has_ipv6_loopback()
	local f = io.open("/proc/net/if_inet6", "r")
	if not f then return false end
	local content = f:read("*a") or ""
	f:close()
	return content:find("00000000000000000000000000000001", 1, true) ~= nil
end
local loopback = { "127.0.0.1" }
if has_ipv6_loopback() then
	loopback = { "127.0.0.1", "::1" }
end

---------- Process ----------

data_path = run_dir .. "/data"
pidfile = run_dir .. "/prosody.pid"
-- Deprecated in 0.12 (the script passes -F instead), kept so a bare `prosody --config` stays in the foreground.
daemonize = false
-- Dev/CI machines often run everything as root; Prosody refuses that without this flag.
run_as_root = true

log = {
	{ levels = { min = log_level }, to = "file", filename = run_dir .. "/prosody.log" };
	{ levels = { min = "error" }, to = "file", filename = run_dir .. "/prosody.err" };
}

---------- Network ----------

-- Benchmarks measure latency of many small stanzas; Nagle would batch them.
network_settings = { nagle = false }

interfaces = loopback
local_interfaces = loopback
http_interfaces = loopback
-- Kept explicit so that nothing ever listens on a public address, even if a default changes.
https_interfaces = loopback

-- Non-standard ports so we never collide with a system Prosody on 5222/5280.
c2s_ports = { 15222 }
http_ports = { 15280 }
https_ports = {}
s2s_ports = {}
-- Requests whose Host header is not a virtual host (e.g. "127.0.0.1") are routed to this host.
http_default_host = "localhost"

---------- Security (intentionally weak: loopback tests only) ----------

-- Empty directory => no certificate is found, so mod_tls (also not loaded) cannot offer STARTTLS.
certificates = run_dir .. "/certs"
-- Plaintext TCP must be allowed to authenticate because there is no TLS at all.
c2s_require_encryption = false
s2s_require_encryption = false
-- Tests also exercise SASL PLAIN, which Prosody otherwise hides on unencrypted streams.
allow_unencrypted_plain_auth = true
-- Plain ws:// on loopback should be treated like wss:// (e.g. for PLAIN and registration).
consider_websocket_secure = true
consider_bosh_secure = true
-- Browser demos come from other origins. Obsolete no-op in 0.12 (Origin is not checked, BOSH CORS is on
-- by default; prosodyctl check flags it), kept so older Prosody versions also accept cross-origin demos.
cross_domain_websocket = true

-- In-band registration (XEP-0077) for tests; loopback IPs are also exempt from the registration throttle.
allow_registration = true

---------- Modules ----------

-- Debian's prosody-modules installs community modules (mod_cloud_notify/…) next to the core ones;
-- listed explicitly so the dependency is visible and other layouts can be added here.
plugin_paths = { "/usr/lib/prosody/modules", "/usr/local/lib/prosody/modules" }

modules_enabled = {
	-- core protocol
	"roster";
	"saslauth";
	"disco";
	"ping";
	"register";
	-- account data
	"private";
	"pep";
	"bookmarks";
	"vcard4";
	"vcard_legacy";
	"blocklist";
	-- multi-device / mobile
	"carbons";
	"mam";
	"csi_simple";
	"smacks";
	-- XEP-0357 push, from prosody-modules
	"cloud_notify";
	-- informational IQs
	"version";
	"uptime";
	"time";
	-- transports
	"websocket";
	"bosh";
	-- rate limiting (configured below to be effectively unlimited)
	"limits";
}

modules_disabled = {
	-- No federation on a loopback test server.
	"s2s";
	"s2s_auth_certs";
}

---------- Limits ----------

-- mod_limits defaults to 10 kB/s per c2s connection; benchmarks push 10,000 messages, so make it effectively unlimited.
limits = {
	c2s = { rate = "1gb/s"; burst = "10s" };
}

---------- Storage ----------

-- Archives (MAM, MUC logs) in SQLite so queries over large histories are indexed; everything else uses flat files.
storage = {
	archive = "sql";
	muc_log = "sql";
	-- mod_sasl2_fast rotates tokens with a multi-key update, which only the SQL map store has.
	fast_tokens = "sql";
}
-- Relative to data_path.
sql = { driver = "SQLite3", database = "prosody.sqlite" }

-- Allow paging tests to request big pages (default max is 50).
max_archive_query_results = 250
-- Never expire: tests assert on history they just created and the run dir is disposable anyway.
archive_expires_after = "never"
muc_log_expires_after = "never"

---------- Stream management ----------

-- Tests of resumption must not wait for the default 600 s hibernation to expire.
-- Other XEP-0198 defaults are kept: smacks_max_queue_size = 500 (beyond that a session can no longer be
-- resumed), smacks_max_unacked_stanzas = 0 (server asks <r/> after every stanza), smacks_max_ack_delay = 30.
-- Note: mod_cloud_notify extends hibernation (push_max_hibernation_timeout, 72 h) for sessions with push enabled.
smacks_hibernation_time = 60

---------- Hosts ----------

-- Default password_hash (SHA-1): accounts store SCRAM-SHA-1 credentials and SCRAM-SHA-1 is offered.
VirtualHost "localhost"

-- Accounts here store SHA-256 credentials, so SCRAM-SHA-256 is offered instead of SCRAM-SHA-1.
VirtualHost "sha256.localhost"
	password_hash = "SHA-256"

-- SASL2 (XEP-0388), Bind2 (XEP-0386) and FAST tokens (XEP-0484) from prosody-modules, on a host of
-- their own so every other test keeps the RFC 6120 login. (mod_sasl2_sm needs a newer mod_smacks
-- than Prosody 0.12 ships, so stream management stays the RFC 6120-era <enable/> and <resume/>.)
VirtualHost "sasl2.localhost"
	modules_enabled = { "sasl2"; "sasl2_bind2" }

Component "conference.localhost" "muc"
	modules_enabled = { "muc_mam" }
	-- Let any local user create rooms during tests.
	restrict_room_creation = false

Component "upload.localhost" "http_file_share"
	http_file_share_size_limit = 10 * 1024 * 1024
	-- Serve uploads through the default HTTP host and hand out URLs with the loopback IP,
	-- since "upload.localhost" does not resolve everywhere (glibc without systemd-resolved).
	http_host = "localhost"
	http_external_url = "http://127.0.0.1:15280/"
