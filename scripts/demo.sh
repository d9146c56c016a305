#!/usr/bin/env bash
# The quickstart of the Camunda web-application backup provider, in one command.
#
#   scripts/demo.sh [demo]  build the provider and the reference backup server, start the server
#                           on its embedded Elasticsearch in a temporary directory, run
#                           `terraform apply` and `terraform destroy` of examples/quickstart,
#                           stop the server and remove everything it made.
#   scripts/demo.sh up      the same build and server, in .demo/ of the repository, left running
#                           for you to play with; prints what to export.
#   scripts/demo.sh down    stop the server that `up` started.
#
# Needs go and terraform on PATH, and curl. Listens on 127.0.0.1 only, on free ports. Your own
# terraform CLI configuration is not used: terraform reads one written here (TF_CLI_CONFIG_FILE),
# whose dev_overrides point at the freshly built provider, so no `terraform init` and no download.
set -euo pipefail

readonly repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
readonly provider_source="camunda-community-hub/camunda"
readonly repository="camunda-backup"
readonly start_deadline_seconds=120

# Progress lines never fail the script: cleanup must go on when the output pipe is gone.
step() { printf '\n\033[1m==> %s\033[0m\n' "$*" 2>/dev/null || true; }
info() { printf '    %s\n' "$*" 2>/dev/null || true; }
fail() {
	printf 'demo: %s\n' "$*" >&2
	exit 1
}

usage() {
	sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

require_tools() {
	local tool
	for tool in go terraform curl; do
		command -v "$tool" >/dev/null || fail "$tool is not on PATH; the demo needs go, terraform and curl"
	done
}

# isolate_environment drops settings of the caller's shell that would point the server or the
# provider elsewhere than the demo's own backend.
isolate_environment() {
	local name
	for name in $(compgen -v | grep -E '^(WEBAPPS_BACKUP_|CAMUNDA_|ELASTICSEARCH_)' || true); do
		unset "$name"
	done
	export CHECKPOINT_DISABLE=1 TF_INPUT=0
}

# build DIR: compiles the provider and the reference server into DIR/bin.
build() {
	local dir=$1
	step "Building the provider and the reference backup server into ${dir}/bin"
	mkdir -p "${dir}/bin"
	(cd "$repo_root" && go build -o "${dir}/bin/terraform-provider-camunda" .)
	(cd "$repo_root" && go build -o "${dir}/bin/webapps-backup-server" ./cmd/webapps-backup-server)
	info "$(ls "${dir}/bin" | tr '\n' ' ')"
}

# write_cli_config DIR: a terraform CLI configuration that serves the provider from DIR/bin.
write_cli_config() {
	local dir=$1
	step "Writing a terraform CLI configuration of the demo's own: ${dir}/terraformrc"
	cat >"${dir}/terraformrc" <<EOF
# Written by scripts/demo.sh: use the provider built from this repository.
disable_checkpoint = true

provider_installation {
  dev_overrides {
    "${provider_source}" = "${dir}/bin"
  }
  direct {}
}
EOF
	info "dev_overrides \"${provider_source}\" = \"${dir}/bin\""
}

# start_server DIR: starts the reference server on its embedded Elasticsearch with its data in
# DIR/data and free loopback ports; sets server_pid, server_url and elasticsearch_url once the
# health endpoint answers UP.
start_server() {
	local dir=$1
	step "Starting the reference backup server (embedded Elasticsearch, data in ${dir}/data)"
	"${dir}/bin/webapps-backup-server" \
		--listen 127.0.0.1:0 \
		--embedded-elasticsearch-listen 127.0.0.1:0 \
		--data-dir "${dir}/data" \
		--repository "$repository" \
		</dev/null >"${dir}/server.out" 2>"${dir}/server.log" &
	server_pid=$!
	echo "$server_pid" >"${dir}/server.pid"
	info "pid ${server_pid}, log ${dir}/server.log"

	local deadline=$((SECONDS + start_deadline_seconds))
	server_url=""
	while [[ -z "$server_url" ]]; do
		kill -0 "$server_pid" 2>/dev/null || {
			cat "${dir}/server.log" >&2
			fail "the server exited during start-up (log above)"
		}
		((SECONDS < deadline)) || fail "the server did not print its address within ${start_deadline_seconds}s"
		server_url="$(sed -n 's/^listening on //p' "${dir}/server.out")"
		[[ -n "$server_url" ]] || sleep 0.1
	done
	elasticsearch_url="$(sed -n 's/^embedded Elasticsearch: //p' "${dir}/server.out")"

	until [[ "$(curl -fsS "${server_url}/actuator/health" 2>/dev/null)" == *'"UP"'* ]]; do
		((SECONDS < deadline)) || fail "${server_url}/actuator/health did not answer UP within ${start_deadline_seconds}s"
		sleep 0.1
	done
	info "backup API:             ${server_url}/actuator/backupHistory (health UP)"
	info "embedded Elasticsearch: ${elasticsearch_url}"
	info "snapshot repository:    ${repository}"
}

# stop_server PIDFILE: stops the server named in PIDFILE and waits until it has exited.
stop_server() {
	local pidfile=$1 pid
	[[ -f "$pidfile" ]] || return 0
	pid="$(cat "$pidfile")"
	if kill -TERM "$pid" 2>/dev/null; then
		step "Stopping the reference backup server (pid ${pid})"
		local deadline=$((SECONDS + 40))
		while kill -0 "$pid" 2>/dev/null; do
			if ((SECONDS >= deadline)); then
				info "still running after 40s; killing it"
				kill -KILL "$pid" 2>/dev/null || true
				break
			fi
			sleep 0.1
		done
		info "stopped"
	fi
	rm -f "$pidfile"
}

tf() {
	printf '\n\033[1m$ terraform %s\033[0m\n' "$*"
	terraform "$@"
}

# On Ctrl-C, termination or a closed output pipe, exit through the EXIT trap so that the
# cleanup runs.
exit_on_signals() {
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 141' PIPE
	trap 'exit 143' TERM
}

# demo_dir is the temporary directory of `demo`, removed on exit.
demo_dir=""

cleanup_demo() {
	trap '' PIPE # output may be gone: keep cleaning up
	stop_server "${demo_dir}/server.pid"
	rm -rf "$demo_dir"
}

# demo: the whole tour in a temporary directory, cleaned up on exit whatever happens.
demo() {
	local started=$SECONDS tmp
	tmp="$(mktemp -d "${TMPDIR:-/tmp}/camunda-demo.XXXXXX")"
	demo_dir=$tmp
	exit_on_signals
	trap cleanup_demo EXIT

	build "$tmp"
	write_cli_config "$tmp"
	export TF_CLI_CONFIG_FILE="${tmp}/terraformrc"
	start_server "$tmp"
	export CAMUNDA_ACTUATOR_URL="$server_url"

	step "Copying examples/quickstart to ${tmp}/work and applying it"
	info "CAMUNDA_ACTUATOR_URL=${CAMUNDA_ACTUATOR_URL}"
	info "no terraform init: dev_overrides serve the provider just built (terraform warns about them)"
	cp -R "${repo_root}/examples/quickstart" "${tmp}/work"
	tf -chdir="${tmp}/work" apply -auto-approve

	step "The outputs: the backup, its snapshots, and how to restore it"
	tf -chdir="${tmp}/work" output

	step "The backup seen by the backup API itself"
	info "curl ${server_url}/actuator/backupHistory"
	if command -v jq >/dev/null; then
		curl -fsS "${server_url}/actuator/backupHistory" |
			jq -c '.[] | {backupId, state, parts: [.details[] | {snapshotName, state}]}'
	else
		curl -fsS "${server_url}/actuator/backupHistory"
		echo
	fi

	step "Destroying: the backup leaves the Terraform state; its snapshots stay (delete_on_destroy defaults to false)"
	tf -chdir="${tmp}/work" destroy -auto-approve

	stop_server "${tmp}/server.pid"
	step "Done in $((SECONDS - started))s. Nothing is left running; removing ${tmp}."
	info "To keep a server running and try your own configurations: make demo-up"
}

# up: build and start the server in .demo/ and leave it running.
up() {
	local dir="${repo_root}/.demo"
	if [[ -f "${dir}/server.pid" ]] && kill -0 "$(cat "${dir}/server.pid")" 2>/dev/null; then
		step "The demo server is already running (pid $(cat "${dir}/server.pid"))"
		cat "${dir}/env"
		return
	fi
	mkdir -p "$dir"
	# On a failed start, stop what was started; on success the server stays.
	exit_on_signals
	trap "trap '' PIPE; stop_server '${dir}/server.pid'" EXIT
	build "$dir"
	write_cli_config "$dir"
	start_server "$dir"
	trap - EXIT
	[[ -d "${dir}/quickstart" ]] || cp -R "${repo_root}/examples/quickstart" "${dir}/quickstart"

	cat >"${dir}/env" <<EOF
export TF_CLI_CONFIG_FILE=${dir}/terraformrc
export CAMUNDA_ACTUATOR_URL=${server_url}
export CAMUNDA_BACKUP_REPOSITORY=${repository}
export CHECKPOINT_DISABLE=1
EOF
	step "The demo server is running (pid ${server_pid}, pid file ${dir}/server.pid)"
	info "backup API:             ${server_url}/actuator/backupHistory"
	info "health:                 ${server_url}/actuator/health"
	info "embedded Elasticsearch: ${elasticsearch_url} (restore with the standard _snapshot API)"
	if [[ -f "${dir}/data/elastic-password" ]]; then
		# A data directory used with a protected API keeps the embedded Elasticsearch protected.
		info "  its user:             elastic, password in ${dir}/data/elastic-password:"
		info "  curl -u \"elastic:\$(cat ${dir}/data/elastic-password)\" ${elasticsearch_url}/_snapshot/${repository}/_all"
	else
		info "  curl ${elasticsearch_url}/_snapshot/${repository}/_all"
	fi
	info "data:                   ${dir}/data (kept across down/up; rm -rf .demo to start afresh)"
	echo
	info "Point terraform at it (the provider from this repository, no terraform init needed):"
	echo
	sed 's/^/      /' "${dir}/env"
	echo
	info "or: source .demo/env"
	info "then, for example: cd .demo/quickstart && terraform apply  (a copy of examples/quickstart)"
	info "Stop it with: make demo-down"
}

# down: stop the server that `up` started.
down() {
	local pidfile="${repo_root}/.demo/server.pid"
	if [[ ! -f "$pidfile" ]]; then
		step "No demo server is running (no ${pidfile})"
		return
	fi
	stop_server "$pidfile"
	rm -f "${repo_root}/.demo/env"
}

main() {
	case "${1:-demo}" in
	demo)
		require_tools
		isolate_environment
		demo
		;;
	up)
		require_tools
		isolate_environment
		up
		;;
	down) down ;;
	-h | --help | help) usage ;;
	*)
		usage >&2
		exit 2
		;;
	esac
}

main "$@"
