#!/usr/bin/env bash
# Restores the web-application parts of one backup with Elasticsearch's API, part by part, in
# order, and stops at the first failure. For each part it deletes exactly the indices the part's
# snapshot holds (and no other), restores the snapshot with its aliases, and checks that every
# index is back, open, with as many primary shards as the snapshot holds.
#
#   ES=https://elasticsearch:9200 REPOSITORY=camunda BACKUP_ID=20261125 ./restore.sh
#
# ES_AUTH=user:password passes basic authentication (for the reference server's embedded
# Elasticsearch: elastic and the password it printed). Needs curl and jq. Stop the web
# applications and Zeebe first.
set -euo pipefail

: "${ES:?set ES to the Elasticsearch URL}"
: "${REPOSITORY:?set REPOSITORY to the snapshot repository}"
: "${BACKUP_ID:?set BACKUP_ID to the backup to restore}"

es() { # METHOD PATH [curl arguments...]
	local method=$1 path=$2
	shift 2
	curl --fail-with-body -sS ${ES_AUTH:+-u "$ES_AUTH"} -X "$method" "$ES$path" -H 'Content-Type: application/json' "$@"
}

# The backup's parts, in part order, all of them SUCCESS.
parts=$(es GET "/_snapshot/$REPOSITORY/camunda_webapps_${BACKUP_ID}_*")
count=$(jq '.snapshots | length' <<<"$parts")
expected=$(jq '[.snapshots[].metadata.partCount] | max // 0' <<<"$parts")
if [[ $count -eq 0 || $count -ne $expected ]]; then
	echo "backup $BACKUP_ID has $count of its $expected parts in $REPOSITORY: it cannot be restored" >&2
	exit 1
fi
if jq -e '[.snapshots[] | select(.state != "SUCCESS")] | length > 0' <<<"$parts" >/dev/null; then
	echo "backup $BACKUP_ID has parts that did not succeed: it cannot be restored" >&2
	exit 1
fi

for snapshot in $(jq -r '.snapshots | sort_by(.metadata.partNo) | .[].snapshot' <<<"$parts"); do
	details=$(es GET "/_snapshot/$REPOSITORY/$snapshot?index_details=true")
	indices=$(jq -r '.snapshots[0].indices | join(",")' <<<"$details")

	echo "$snapshot: deleting $indices"
	es DELETE "/$indices?ignore_unavailable=true&expand_wildcards=none" >/dev/null

	echo "$snapshot: restoring"
	result=$(es POST "/_snapshot/$REPOSITORY/$snapshot/_restore?wait_for_completion=true" \
		-d '{"include_aliases": true, "include_global_state": false}')
	failed=$(jq '.snapshot.shards.failed' <<<"$result")
	if [[ $failed != 0 ]]; then
		echo "$snapshot: $failed shards failed to restore: $result" >&2
		exit 1
	fi

	shards=$(jq '.snapshots[0].index_details | map_values(.shard_count)' <<<"$details")
	if ! es GET "/_cat/indices/$indices?format=json&h=index,status,pri,docs.count" |
		jq -e --argjson want "$shards" \
			'length == ($want | length) and all(.[]; .status == "open" and (.pri | tonumber) == $want[.index])' >/dev/null; then
		echo "$snapshot: an index is missing, closed or short of shards after the restore" >&2
		exit 1
	fi
	echo "$snapshot: restored and checked"
done
echo "backup $BACKUP_ID restored"
