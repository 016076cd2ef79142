#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser test: installs it when run as root,
# otherwise says exactly what to install. No browser is ever downloaded from elsewhere.
set -euo pipefail
if [[ -x /usr/bin/chromium ]]; then exit 0; fi
if [[ "$(id -u)" -eq 0 ]]; then
	echo "[ensure-chromium] installing Debian's chromium (one time)" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends chromium >&2
else
	echo "[ensure-chromium] /usr/bin/chromium is missing: run 'sudo apt-get install chromium'" >&2
	exit 1
fi
